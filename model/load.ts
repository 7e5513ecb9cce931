// Reads a stack's config and the tenant catalogue from files, validates both, and plans.
// Every problem in every file the stack reads comes back in one ConfigError.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import { parseStackConfig, PROJECT, STACKS_DIR, tenantsFileProblem, type StackConfig } from "./config";
import { ConfigError, formatKeyPath, YamlSource, type ConfigIssue, type KeyPath } from "./configError";
import { sharedClaims, type FleetMember } from "./fleet";
import { selectionIssues } from "./optIn";
import { planStack, type StackPlan } from "./plan";
import { closest, editDistance } from "./spelling";
import { parseStackReference } from "./stackReference";
import { parseCatalogue, type Tenant } from "./tenants";

export { STACKS_DIR };

export interface LoadedStack {
  stack: string;
  stackFile: string;
  config: StackConfig;
  tenants: Tenant[];
  plan: StackPlan;
  /** Where a setting (a path like `["foundation", "stack"]`) is written: for errors found after loading. */
  locate(path: KeyPath): Omit<ConfigIssue, "message">;
}

export function stackFilePath(stack: string): string {
  return `${STACKS_DIR}/Pulumi.${stack}.yaml`;
}

function readYaml(root: string, file: string, what: string): YamlSource {
  const abs = join(root, file);
  if (!existsSync(abs)) throw new ConfigError([{ file, key: "(file)", message: `${what} not found` }]);
  if (!statSync(abs).isFile()) throw new ConfigError([{ file, key: "(file)", message: `${what} is not a file` }]);
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

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Reads `config:` from a stack file, as the offline preview and tests do. */
export function readStackConfig(root: string, stack: string): { source: YamlSource; config: Record<string, unknown> } {
  const source = readYaml(root, stackFilePath(stack), `stack file for stack "${stack}"`);
  const config = isRecord(source.data) ? source.data.config : undefined;
  return { source, config: isRecord(config) ? config : {} };
}

/** A misspelt namespace would make Pulumi hand the key to no one: the setting silently vanishes. */
const NAMESPACE_TYPO_DISTANCE = 3;

/** Problems in the stack file's shape that the config schema never sees. */
function stackFileIssues(source: YamlSource): ConfigIssue[] {
  const issue = (path: Array<string>, key: string, message: string): ConfigIssue => ({ file: source.file, line: source.lineOf(path), key, message });
  if (!isRecord(source.data)) return [issue([], "(root)", "a stack file is a mapping with a `config:` key")];
  const config = source.data.config;
  if (config === undefined || config === null) return [];
  if (!isRecord(config)) return [issue(["config"], "config", "must be a mapping of `platform-secrets:<key>` to values")];
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(config)) {
    const colon = key.indexOf(":");
    if (colon < 0) continue;
    const ns = key.slice(0, colon);
    if (ns !== PROJECT && editDistance(ns.toLowerCase(), PROJECT) <= NAMESPACE_TYPO_DISTANCE) {
      issues.push(issue(["config", key], key, `namespace "${ns}" looks like a misspelling of "${PROJECT}"; Pulumi would pass this key to no one: write ${PROJECT}:${key.slice(colon + 1)}`));
    }
  }
  return issues;
}

interface StackFileEntry {
  stack: string;
  file: string;
  source: YamlSource;
  values: Record<string, unknown>;
}

/** Every stack file of the project that parses as YAML; one that does not is left out (its own stack reports why). */
function stackFiles(root: string): StackFileEntry[] {
  const dir = join(root, STACKS_DIR);
  if (!existsSync(dir)) return [];
  const entries: StackFileEntry[] = [];
  for (const name of readdirSync(dir).sort()) {
    const stack = /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1];
    if (stack === undefined) continue;
    try {
      const { source, config } = readStackConfig(root, stack);
      entries.push({ stack, file: stackFilePath(stack), source, values: projectValues(config) });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
    }
  }
  return entries;
}

/** Cluster names some stack file defines; a file that cannot be read contributes none (its stack reports why). */
export function knownClusters(root: string): Set<string> {
  return clustersOf(stackFiles(root));
}

function clustersOf(files: readonly StackFileEntry[]): Set<string> {
  return new Set(files.flatMap((e) => clusterName(e.values) ?? []));
}

function clusterName(values: Record<string, unknown>): string | undefined {
  const cluster = values.cluster;
  return isRecord(cluster) && typeof cluster.name === "string" ? cluster.name : undefined;
}

/** The other stack files' valid configs, for the fleet check (an invalid one is its own stack's to report). */
function fleetMembers(files: readonly StackFileEntry[], except: string): FleetMember[] {
  return files.flatMap((e) => {
    if (e.stack === except) return [];
    try {
      const config = parseStackConfig(e.values, { file: e.file });
      return [{ file: e.file, config, lineOf: (path: KeyPath) => e.source.lineOf(["config", `${PROJECT}:${String(path[0])}`, ...path.slice(1)]) }];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return [];
    }
  });
}

/**
 * A foundation reference within this project names one of its stack files, which must own the
 * foundation; one to another project can only be checked by the engine that reads it.
 */
function foundationProblem(reference: string, stack: string, files: readonly StackFileEntry[]): string | undefined {
  const ref = parseStackReference(reference);
  if ((ref.project ?? PROJECT) !== PROJECT) return undefined;
  if (ref.stack === stack) return `names this stack itself; a cluster stack reads its foundation from the stack that owns it, e.g. organization/${PROJECT}/vault`;
  const target = files.find((e) => e.stack === ref.stack);
  if (!target) {
    const known = files.map((e) => e.stack);
    const near = closest(ref.stack, known);
    return `names stack "${ref.stack}", which has no stack file ${stackFilePath(ref.stack)}${near ? ` (did you mean "${near}"?)` : ""}; stacks of this project: ${known.join(", ")}`;
  }
  const foundation = target.values.foundation;
  if (isRecord(foundation) && foundation.stack !== undefined) return `names stack "${ref.stack}", which does not own a foundation (${target.file} reads one from ${String(foundation.stack)}); name the stack that owns it`;
  return undefined;
}

export interface LoadOptions {
  root: string;
  stack: string;
  /** Config values as Pulumi hands them over (prefix-stripped); read from the stack file when absent. */
  values?: Record<string, unknown>;
  /** Overrides the tenant catalogue's content (tests, benchmarks). */
  tenantsData?: unknown;
}

/** Runs `read`, keeping its ConfigError's issues instead of stopping at the first file. */
function collecting<T>(issues: ConfigIssue[], read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    issues.push(...err.issues);
    return undefined;
  }
}

function sorted(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
}

export function loadStack(opts: LoadOptions): LoadedStack {
  const stackFile = stackFilePath(opts.stack);
  const issues: ConfigIssue[] = [];
  const files = stackFiles(opts.root);
  const file = existsSync(join(opts.root, stackFile)) ? collecting(issues, () => readStackConfig(opts.root, opts.stack)) : undefined;
  if (file) issues.push(...stackFileIssues(file.source));
  const values = opts.values ?? (file ? projectValues(file.config) : undefined);
  if (values === undefined && issues.length === 0) issues.push({ file: stackFile, key: "(file)", message: `stack file for stack "${opts.stack}" not found` });

  const config = values && collecting(issues, () => parseStackConfig(values, { file: stackFile, ...(file ? { lineOf: (p) => file.source.lineOf(p), sourceOf: (p) => file.source.sourceOf(p) } : {}) }));
  const tenantsName = config?.tenantsFile ?? (values && usableTenantsFile(values.tenantsFile));
  let tenants: Tenant[] | undefined;
  let tenantsSource: { file: string; lineOf?: (p: KeyPath) => number | undefined } | undefined;
  if (tenantsName !== undefined) {
    const tenantsFile = `${STACKS_DIR}/${tenantsName}`;
    const known = clustersOf(files);
    const own = values && clusterName(values);
    if (own !== undefined) known.add(own);
    tenants = collecting(issues, () => {
      if (opts.tenantsData !== undefined) {
        tenantsSource = { file: tenantsFile };
        return parseCatalogue(opts.tenantsData, { file: tenantsFile, knownClusters: known });
      }
      const source = readCatalogue(opts.root, tenantsFile, () => (file ? file.source.lineOf(["config", `${PROJECT}:tenantsFile`]) : undefined), stackFile);
      tenantsSource = { file: tenantsFile, lineOf: (p) => source.lineOf(p) };
      return parseCatalogue(source.data, { file: tenantsFile, lineOf: (p) => source.lineOf(p), sourceOf: (p) => source.sourceOf(p), knownClusters: known });
    });
  }
  if (config?.cluster && tenants && tenantsSource) {
    const at = (where: { file: string; lineOf?: (p: KeyPath) => number | undefined }, path: KeyPath, shown: KeyPath, message: string): ConfigIssue => {
      const line = where.lineOf?.(path);
      return { file: where.file, key: formatKeyPath(shown), message, ...(line ? { line } : {}) };
    };
    const stackAt = { file: stackFile, ...(file ? { lineOf: (p: KeyPath) => file.source.lineOf(p) } : {}) };
    for (const c of selectionIssues(config.cluster, tenants, stackFile)) {
      issues.push(
        c.in === "tenants"
          ? at(tenantsSource, c.path, c.path, c.message)
          : at(stackAt, ["config", `${PROJECT}:${String(c.path[0])}`, ...c.path.slice(1)], [`${PROJECT}:${String(c.path[0])}`, ...c.path.slice(1)], c.message),
      );
    }
  }
  const locate = (path: KeyPath) => {
    const shown = [`${PROJECT}:${String(path[0])}`, ...path.slice(1)];
    const line = file?.source.lineOf(["config", ...shown]);
    return { file: stackFile, key: formatKeyPath(shown), ...(line ? { line } : {}) };
  };
  if (config) {
    const foundation = config.foundationStack && foundationProblem(config.foundationStack, opts.stack, files);
    if (foundation) issues.push({ ...locate(["foundation", "stack"]), message: foundation });
    for (const shared of sharedClaims(config, fleetMembers(files, opts.stack))) issues.push({ ...locate(shared.path), message: shared.message });
  }
  if (issues.length > 0 || !config || !tenants) throw new ConfigError(sorted(issues));
  return { stack: opts.stack, stackFile, config, tenants, plan: planStack(opts.stack, config, tenants), locate };
}

/** The catalogue named by a stack whose other settings failed, when the name itself is sound; else none is read. */
function usableTenantsFile(value: unknown): string | undefined {
  if (value === undefined) return "tenants.yaml";
  return typeof value === "string" && tenantsFileProblem(value) === undefined ? value : undefined;
}

/** Reads the catalogue, refusing one that a symbolic link places outside stacks/. */
function readCatalogue(root: string, tenantsFile: string, settingLine: () => number | undefined, stackFile: string): YamlSource {
  const abs = join(root, tenantsFile);
  if (existsSync(abs)) {
    const inside = relative(realpathSync(join(root, STACKS_DIR)), realpathSync(abs));
    if (inside.split(sep)[0] === ".." || isAbsolute(inside)) {
      const line = settingLine();
      throw new ConfigError([{ file: stackFile, ...(line ? { line } : {}), key: `${PROJECT}:tenantsFile`, message: `"${tenantsFile}" resolves outside ${STACKS_DIR}/ through a symbolic link; the tenant catalogue must live inside it` }]);
    }
  }
  return readYaml(root, tenantsFile, `tenant catalogue (${PROJECT}:tenantsFile)`);
}
