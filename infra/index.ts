// Entry point for `pulumi up` / `pulumi preview`, and for `npm run preview`, which starts it
// through the SDK's own runner exactly as the language host does. Config comes through Pulumi.
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, formatIssues } from "../model/configError";
import { loadStack, projectValues, type LoadedStack } from "../model/load";
import type { PlatformSecretsOutputs } from "../model/outputs";
import { definePlatform, FoundationError } from "./program";
import { keepDependencyFramesAsShipped } from "./stackFrames";

keepDependencyFramesAsShipped();

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

function decode(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function load(): LoadedStack {
  const all = pulumi.runtime.allConfig();
  const values = projectValues(Object.fromEntries(Object.entries(all).map(([k, v]) => [k, decode(v)])));
  // The language host starts the program in the directory of `main`: project files are found
  // from this module's own location, never from the working directory.
  return loadStack({ root: PROJECT_ROOT, stack: pulumi.getStack(), values });
}

/** Pulumi awaits an ESM default export and takes what it returns as the stack outputs. */
export default async function main(): Promise<PlatformSecretsOutputs> {
  let loaded: LoadedStack | undefined;
  try {
    loaded = load();
    return await definePlatform(loaded);
  } catch (err) {
    // The runner prints a RunError's message alone: these already name the file, line and key to fix.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    if (err instanceof FoundationError && loaded) throw new pulumi.RunError(formatIssues([{ ...loaded.locate(err.setting), message: err.message }]));
    throw err;
  }
}
