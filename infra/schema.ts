// Shared zod building blocks and the translation of zod issues into ConfigIssues.
import { z } from "zod";
import { dns1123Problem } from "./naming";
import { formatKeyPath, type ConfigIssue, type KeyPath } from "./configError";

/** A Kubernetes-style name: DNS-1123 label, at most 63 characters. */
export const dnsLabel = z.string().superRefine((s, ctx) => {
  const problem = dns1123Problem(s);
  if (problem) ctx.addIssue({ code: "custom", message: `"${s}" ${problem}` });
});

/** Go duration as ESO reads it (`1h`, `30m`, `1h30m`, `90s`). */
export const duration = z
  .string()
  .regex(/^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/, { message: "must be a duration such as 1h, 30m or 90s" });

export interface IssueLocator {
  file: string;
  /** How the operator names the root, e.g. `platform-secrets:vault`. */
  displayRoot?: (path: KeyPath) => KeyPath;
  /** Line in the file of a schema path. */
  lineOf?: (path: KeyPath) => number | undefined;
}

export function zodIssues(error: z.ZodError, at: IssueLocator): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...path, k]) : [path];
    for (const key of keys) {
      const shown = at.displayRoot ? at.displayRoot(key) : key;
      const message = issue.code === "unrecognized_keys" ? "unknown key (check the spelling against the config reference in README.md)" : issue.message;
      const line = at.lineOf?.(key);
      issues.push({ file: at.file, key: formatKeyPath(shown) || "(root)", message, ...(line ? { line } : {}) });
    }
  }
  return issues;
}
