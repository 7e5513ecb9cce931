// Reads a stack's config and the tenant catalogue from files, validates both, and plans.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseStackConfig, PROJECT, type StackConfig } from "./config";
import { ConfigError, YamlSource, type KeyPath } from "./configError";
import { planStack, type StackPlan } from "./plan";
import { parseCatalogue, type Tenant } from "./tenants";

/** Pulumi.yaml's `stackConfigDir`. */
export const STACKS_DIR = "stacks";

export interface LoadedStack {
  stack: string;
  stackFile: string;
  config: StackConfig;
  tenants: Tenant[];
  plan: StackPlan;
}

export function stackFilePath(stack: string): string {
  return `${STACKS_DIR}/Pulumi.${stack}.yaml`;
}

function readYaml(root: string, file: string, what: string): YamlSource {
  const abs = join(root, file);
  if (!existsSync(abs)) throw new ConfigError([{ file, key: "(file)", message: `${what} not found` }]);
  return new YamlSource(file, readFileSync(abs, "utf8"));
}

/** The `platform-secrets:*` values of a stack file, keyed without the prefix. */
export function projectValues(config: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const [ns, name] = key.includes(":") ? [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)] : [PROJECT, key];
    if (ns === PROJECT) values[name] = value;
  }
  return values;
}

/** Reads `config:` from a stack file, as the offline preview and tests do. */
export function readStackConfig(root: string, stack: string): { source: YamlSource; config: Record<string, unknown> } {
  const source = readYaml(root, stackFilePath(stack), `stack file for stack "${stack}"`);
  const data = (source.data ?? {}) as { config?: Record<string, unknown> };
  return { source, config: data.config ?? {} };
}

export interface LoadOptions {
  root: string;
  stack: string;
  /** Config values as Pulumi hands them over (prefix-stripped); read from the stack file when absent. */
  values?: Record<string, unknown>;
  /** Overrides the tenant catalogue's content (tests, benchmarks). */
  tenantsData?: unknown;
}

export function loadStack(opts: LoadOptions): LoadedStack {
  const stackFile = stackFilePath(opts.stack);
  let lineOf: ((path: KeyPath) => number | undefined) | undefined;
  let values = opts.values;
  if (existsSync(join(opts.root, stackFile))) {
    const { source, config } = readStackConfig(opts.root, opts.stack);
    lineOf = (path) => source.lineOf(path);
    values ??= projectValues(config);
  }
  if (values === undefined) throw new ConfigError([{ file: stackFile, key: "(file)", message: `stack file for stack "${opts.stack}" not found` }]);
  const config = parseStackConfig(values, { file: stackFile, ...(lineOf ? { lineOf } : {}) });
  const tenantsFile = `${STACKS_DIR}/${config.tenantsFile}`;
  let tenants: Tenant[];
  if (opts.tenantsData !== undefined) {
    tenants = parseCatalogue(opts.tenantsData, { file: tenantsFile });
  } else {
    const source = readYaml(opts.root, tenantsFile, "tenant catalogue (platform-secrets:tenantsFile)");
    tenants = parseCatalogue(source.data, { file: tenantsFile, lineOf: (p) => source.lineOf(p) });
  }
  return { stack: opts.stack, stackFile, config, tenants, plan: planStack(opts.stack, config, tenants) };
}
