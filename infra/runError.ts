// The error the program hands the runner for a mistake the operator must fix.
import * as pulumi from "@pulumi/pulumi";

/**
 * A RunError carrying only its message. The runner prints just the message of a RunError, but
 * first formats the whole error with `util.inspect(err, { colors: true })` for its trace span.
 * On Node 20 and 22 that call loops until V8's string length limit (about 30 s and 3 GB, then
 * a RangeError the runner swallows) when the stack holds the SDK's source-mapped frame
 * `node_modules/@pulumi/resource.ts` (a file directly under a scope), which every error raised
 * during the stack's initialisation does. Node 24 formats it at once. A frameless stack avoids it.
 */
export function runError(message: string): pulumi.RunError {
  const err = new pulumi.RunError(message);
  err.stack = `RunError: ${message}`;
  return err;
}
