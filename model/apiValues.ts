// The rules the Kubernetes API server, Vault and ESO apply to the values this program passes
// on, so that a bad value fails at config time with its file and line instead of at
// `pulumi up`. Each check returns why a value is rejected, or undefined. Pure.
import { isIPv4, isIPv6 } from "node:net";

const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const DNS1123_SUBDOMAIN_MAX = 253;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const QUALIFIED_NAME_MAX = 63;
const LABEL_VALUE_MAX = 63;
const CHARSET = "letters, digits, '-', '_' or '.', starting and ending with a letter or digit";

export function dns1123SubdomainProblem(s: string): string | undefined {
  if (s.length === 0) return "is empty";
  if (s.length > DNS1123_SUBDOMAIN_MAX) return `is ${s.length} characters long (a DNS-1123 subdomain allows at most ${DNS1123_SUBDOMAIN_MAX})`;
  if (!DNS1123_SUBDOMAIN.test(s)) return "is not a DNS-1123 subdomain (dot-separated lower-case letters, digits and '-')";
  return undefined;
}

/** A label or annotation key: `[prefix/]name`, the prefix a DNS-1123 subdomain. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "has more than one '/' (a label key is [prefix/]name)";
  const name = parts[parts.length - 1]!;
  if (parts.length === 2) {
    const prefix = dns1123SubdomainProblem(parts[0]!);
    if (prefix) return `has a prefix that ${prefix}`;
  }
  if (name.length === 0) return "has an empty name part";
  if (name.length > QUALIFIED_NAME_MAX) return `has a name part of ${name.length} characters (at most ${QUALIFIED_NAME_MAX})`;
  if (!QUALIFIED_NAME.test(name)) return `has a name part that is not ${CHARSET}`;
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > LABEL_VALUE_MAX) return `is ${value.length} characters long (a label value allows at most ${LABEL_VALUE_MAX})`;
  if (value !== "" && !QUALIFIED_NAME.test(value)) return `is not a label value (empty, or ${CHARSET})`;
  return undefined;
}

/** An IPv4 or IPv6 CIDR as a NetworkPolicy `ipBlock.cidr` takes it. */
export function cidrProblem(cidr: string): string | undefined {
  const slash = cidr.indexOf("/");
  if (slash < 0) return "is not a CIDR: it has no /prefix length (write 10.20.0.15/32 for one address)";
  const address = cidr.slice(0, slash);
  const prefix = cidr.slice(slash + 1);
  const max = isIPv4(address) ? 32 : isIPv6(address) && !address.includes("%") ? 128 : undefined;
  if (max === undefined) return `is not a CIDR: "${address}" is not an IPv4 or IPv6 address (IPv4 octets are 0-255, without leading zeros)`;
  if (!/^(0|[1-9]\d*)$/.test(prefix) || Number(prefix) > max) return `is not a CIDR: prefix length "${prefix}" is not 0-${max}`;
  return undefined;
}

const NANOS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const GO_DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
/** Go's time.Duration is an int64 of nanoseconds; ParseDuration refuses anything larger. */
const GO_DURATION_MAX_NANOS = 9223372036854775807;

/** Seconds in a duration as Go's time.ParseDuration reads it (ESO's intervals), or undefined if Go rejects it. */
export function goDurationSeconds(d: string): number | undefined {
  if (!GO_DURATION.test(d)) return undefined;
  let nanos = 0;
  for (const [, amount, unit] of d.matchAll(GO_DURATION_PART)) nanos += Number(amount) * NANOS[unit!]!;
  if (nanos > GO_DURATION_MAX_NANOS) return undefined;
  return (d.startsWith("-") ? -nanos : nanos) / 1e9;
}

export function durationProblem(d: string): string | undefined {
  const seconds = goDurationSeconds(d);
  if (seconds === undefined) return "is not a duration such as 1h, 30m, 1h30m or 90s (Go syntax)";
  if (seconds < 0) return "is negative";
  return undefined;
}

/** A server URL: one of `schemes`, a host, and no credentials, query or fragment. */
export function urlProblem(s: string, schemes: readonly string[]): string | undefined {
  const want = `a ${schemes.join(" or ")}:// URL`;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return `is not ${want}`;
  }
  const scheme = url.protocol.slice(0, -1);
  if (!schemes.includes(scheme)) return `is not ${want} (scheme "${scheme}")`;
  if (url.hostname === "") return `has no host (must be ${want})`;
  if (url.username !== "" || url.password !== "") return "carries credentials (user:password@); give them to the provider instead, never in config";
  if (url.search !== "" || url.hash !== "") return "has a query or fragment, which a server address cannot use";
  return undefined;
}

/** `host` or `host:port`, as a registry address in a dockerconfigjson. */
export function hostPortProblem(s: string): string | undefined {
  const colon = s.lastIndexOf(":");
  const host = colon < 0 ? s : s.slice(0, colon);
  const hostProblem = dns1123SubdomainProblem(host);
  if (hostProblem) return `has a host that ${hostProblem}`;
  if (colon >= 0) {
    const port = s.slice(colon + 1);
    if (!/^[1-9]\d*$/.test(port) || Number(port) > 65535) return `has port "${port}" (must be 1-65535)`;
  }
  return undefined;
}
