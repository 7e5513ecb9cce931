// Shared zod building blocks and the translation of zod issues into ConfigIssues.
import { z } from "zod";
import { dns1123Problem } from "./naming";
import { cidrProblem, dns1123SubdomainProblem, durationProblem, hostPortProblem, labelKeyProblem, labelValueProblem, urlProblem } from "./apiValues";
import { formatKeyPath, type ConfigIssue, type KeyPath } from "./configError";

/**
 * A string that `problem` accepts; the message quotes the value so the operator sees what was read.
 * `check` says in words what `problem` enforces, and `title` names that kind of value: JSON Schema
 * cannot carry the function, so the generated schemas and reference carry these (tools/docs).
 */
export function checked(problem: (s: string) => string | undefined, check: string, title?: string) {
  return z
    .string()
    .superRefine((s, ctx) => {
      const found = problem(s);
      if (found) ctx.addIssue({ code: "custom", message: `"${s}" ${found}` });
    })
    .meta({ check, ...(title ? { title } : {}) });
}

/** A Kubernetes-style name: DNS-1123 label, at most 63 characters. */
export const dnsLabel = checked(dns1123Problem, "a DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit", "DNS-1123 label");

export const dnsSubdomain = checked(dns1123SubdomainProblem, "a DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters", "DNS-1123 subdomain");

/** Go duration as ESO reads it (`1h`, `30m`, `1h30m`, `90s`). */
export const duration = checked(durationProblem, "a Go duration such as 30m, 1h, 1h30m or 90s, not negative", "Go duration");

export const cidr = checked(cidrProblem, "an IPv4 CIDR (octets 0-255 without leading zeros, prefix /0-/32) or an IPv6 CIDR (/0-/128)", "CIDR");

export const hostPort = checked(hostPortProblem, "host or host:port: the host a DNS-1123 subdomain, the port 1-65535", "host[:port]");

export const port = z.int().min(1, { message: "must be a port number 1-65535" }).max(65535, { message: "must be a port number 1-65535" });

export const labelKey = checked(labelKeyProblem, "a label key as Kubernetes validates it: [prefix/]name, the prefix a DNS-1123 subdomain, the name at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", "label key");
export const labelValue = checked(labelValueProblem, "a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", "label value");

/** Label selector `matchLabels` as the API server validates it. */
export const labels = z.record(labelKey, labelValue);

export function serverUrl(schemes: readonly string[]) {
  const want = schemes.map((s) => `${s}://`).join(" or ");
  return checked((s) => urlProblem(s, schemes), `a ${want} URL with a host, and no user:password@, query or fragment`, `${schemes.join(" or ")} URL`);
}

export interface IssueLocator {
  file: string;
  /** How the operator names the root, e.g. `platform-secrets:vault`. */
  displayRoot?: (path: KeyPath) => KeyPath;
  /** Line in the file of a schema path. */
  lineOf?: (path: KeyPath) => number | undefined;
  /** A scalar's text as written in the file (`010`, where YAML read the number 10). */
  sourceOf?: (path: KeyPath) => string | undefined;
}

/** safeParse options that keep the offending value on each issue, for the quoting hint. */
export const PARSE_PARAMS = { reportInput: true } as const;

export function zodIssues(error: z.ZodError, at: IssueLocator): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...path, k]) : [path];
    for (const key of keys) {
      const shown = at.displayRoot ? at.displayRoot(key) : key;
      const line = at.lineOf?.(key);
      issues.push({ file: at.file, key: formatKeyPath(shown) || "(root)", message: messageOf(issue, key, at), ...(line ? { line } : {}) });
    }
  }
  return issues;
}

function messageOf(issue: z.core.$ZodIssue, key: KeyPath, at: IssueLocator): string {
  if (issue.code === "unrecognized_keys") return "unknown key (check the spelling against docs/configuration.md)";
  // A record key's own message says what is wrong with it; zod's wrapper only says "Invalid key".
  if (issue.code === "invalid_key") return issue.issues.map((i) => i.message).join("; ");
  if (issue.code === "invalid_type" && "input" in issue && issue.input === undefined) return `is required (expected ${issue.expected})`;
  if (issue.code === "invalid_type" && issue.expected === "string" && (typeof issue.input === "number" || typeof issue.input === "boolean")) {
    // YAML reads `env: 010` as the number 10 and `yes`-like words as booleans; quoting keeps the text.
    const written = at.sourceOf?.(key) ?? String(issue.input);
    return `${issue.message} (write it in quotes: "${written}")`;
  }
  return issue.message;
}
