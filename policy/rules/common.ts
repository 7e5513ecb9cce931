// Inverses of the naming module and shared helpers: the rules recognise names by running
// the very functions the program builds them with, so the two can never drift apart.
import * as naming from "../../model/naming";
import type { PolicyConfigSchema } from "@pulumi/policy";

const HOLE = "\u0000";

/** For a one-argument naming function, returns the argument that produced `name`, if any. */
export function inverse(fn: (x: string) => string): (name: string) => string | undefined {
  const [pre = "", post = ""] = fn(HOLE).split(HOLE);
  return (name) => {
    if (name.length <= pre.length + post.length || !name.startsWith(pre) || !name.endsWith(post)) return undefined;
    const arg = name.slice(pre.length, name.length - post.length);
    return naming.isDns1123Label(arg) && fn(arg) === name ? arg : undefined;
  };
}

export const divisionOfPolicy = inverse(naming.divisionReadPolicy);
const clusterOfPlatformPolicy = inverse(naming.platformPolicy);
const clusterOfPushPolicy = inverse(naming.platformPushPolicy);
const clusterOfPipelinesPolicy = inverse(naming.pipelinesPolicy);
const envOfAdminPolicy = inverse(naming.adminPolicy);
export const teamOfCiSecret = inverse(naming.ciSecret);
const clusterOfDefaultAuthPath = inverse(naming.authPath);

export type PolicyKind =
  | { kind: "division"; division: string }
  | { kind: "platform"; cluster: string }
  | { kind: "push"; cluster: string }
  | { kind: "pipelines"; cluster: string }
  | { kind: "admin"; env: string }
  /** Vault's built-in policy, on every token: its shape is what Vault ships */
  | { kind: "default" };

/** Which of the platform's policy shapes a Vault policy name is, if any. */
export function classifyPolicy(name: string): PolicyKind | undefined {
  if (name === "default") return { kind: "default" };
  // The cluster-named shapes first: `apps-` alone would also match nothing else, but keep order explicit.
  const push = clusterOfPushPolicy(name);
  if (push) return { kind: "push", cluster: push };
  const platform = clusterOfPlatformPolicy(name);
  if (platform) return { kind: "platform", cluster: platform };
  const pipelines = clusterOfPipelinesPolicy(name);
  if (pipelines) return { kind: "pipelines", cluster: pipelines };
  const division = divisionOfPolicy(name);
  if (division) return { kind: "division", division };
  const env = envOfAdminPolicy(name);
  if (env) return { kind: "admin", env };
  return undefined;
}

export interface AuthPathConfig {
  /** cluster -> auth mount path, for clusters that do not use `<cluster>-k8s`. */
  authPaths: Record<string, string>;
}

export const AUTH_PATHS_SCHEMA: PolicyConfigSchema["properties"] = {
  authPaths: {
    type: "object",
    description: "cluster -> kubernetes auth mount path, for clusters whose auth path is not <cluster>-k8s",
    additionalProperties: { type: "string" },
    default: {},
  },
};

/** The cluster an auth mount path belongs to: a configured path, or `<cluster>-k8s`. */
export function clusterOfAuthPath(path: string, config: AuthPathConfig): string | undefined {
  for (const [cluster, p] of Object.entries(config.authPaths)) if (p === path) return cluster;
  return clusterOfDefaultAuthPath(path);
}

export function isTenantNamespace(name: string | undefined): boolean {
  return name !== undefined && name.startsWith(naming.TENANT_NAMESPACE_PREFIX);
}

/** Glob characters Vault's kubernetes auth (and a reviewer) would read as patterns. */
export const GLOB = /[*?[\]{}]/;

/** A KV key (relative to the mount) under some cluster's `ocp/<cluster>/`; the cluster is group 1. */
export const PLATFORM_KEY = new RegExp(`^${naming.platformKeyPrefix("([a-z0-9]([-a-z0-9]*[a-z0-9])?)").replaceAll("/", "\\/")}[^*+]+$`);

export const CI_ROBOT_KEY = new RegExp(`^${naming.ciRobotKey("(?<division>[a-z0-9]([-a-z0-9]*[a-z0-9])?)", "(?<app>[a-z0-9]([-a-z0-9]*[a-z0-9])?)").replaceAll("/", "\\/")}$`);

/** One parser for Go durations: the pack judges intervals exactly as config validation reads them. */
export { goDurationSeconds } from "../../model/apiValues";
