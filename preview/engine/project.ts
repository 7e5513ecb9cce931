// Reads what the Pulumi CLI reads before it starts a program or a policy pack: the project file
// (`main`, runtime options) and a stack file's config, turned into the environment the Node.js
// language host builds (PULUMI_CONFIG with `<ns>:config:<name>` keys, PULUMI_CONFIG_SECRET_KEYS).
import { cpSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { ConfigError, formatKeyPath, type ConfigIssue, type KeyPath, YamlSource } from "../../model/configError";

export interface RuntimeOptions {
  typescript?: boolean;
  nodeargs?: string;
  tsconfig?: string;
}

export interface ProjectFile {
  name: string;
  /** Program directory: the directory of `main` (the language host's `--pwd` and working directory). */
  programDirectory: string;
  /** Entry point relative to the program directory (`index.ts` for `main: infra/index.ts`). */
  entryPoint: string;
  stackConfigDir: string;
  options: RuntimeOptions;
}

interface RawProject {
  name?: unknown;
  main?: unknown;
  stackConfigDir?: unknown;
  runtime?: unknown;
}

function runtimeOptions(runtime: unknown): RuntimeOptions {
  if (!runtime || typeof runtime !== "object") return {};
  const options = (runtime as { options?: Record<string, unknown> }).options ?? {};
  return {
    ...(typeof options.typescript === "boolean" ? { typescript: options.typescript } : {}),
    ...(typeof options.nodeargs === "string" ? { nodeargs: options.nodeargs } : {}),
    ...(typeof options.tsconfig === "string" ? { tsconfig: options.tsconfig } : {}),
  };
}

/** A YAML file of the project through the one parser, named relative to `root` in its errors. */
function readYaml(root: string, file: string): YamlSource {
  return new YamlSource(relative(root, file) || file, readFileSync(file, "utf8"));
}

function asRecord(data: unknown): Record<string, unknown> {
  return data !== null && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}

/** `Pulumi.yaml` of the project at `root`, resolved as the engine does (`getPwdMain`). */
export function readProject(root: string): ProjectFile {
  const source = readYaml(root, join(root, "Pulumi.yaml"));
  const raw = asRecord(source.data) as RawProject;
  if (typeof raw.name !== "string") throw new ConfigError([{ file: source.file, line: source.lineOf(["name"]), key: "name", message: "is required: the project's name" }]);
  const main = resolve(root, typeof raw.main === "string" ? raw.main : ".");
  const isFile = !statSync(main).isDirectory();
  return {
    name: raw.name,
    programDirectory: isFile ? dirname(main) : main,
    entryPoint: isFile ? basename(main) : ".",
    stackConfigDir: typeof raw.stackConfigDir === "string" ? raw.stackConfigDir : ".",
    options: runtimeOptions(raw.runtime),
  };
}

/** `PulumiPolicy.yaml` of a policy pack: only its runtime options matter to the language host. */
export function readPolicyPackOptions(packDir: string): RuntimeOptions {
  const raw = asRecord(readYaml(packDir, join(packDir, "PulumiPolicy.yaml")).data) as RawProject;
  return runtimeOptions(raw.runtime);
}

/** Splits `nodeargs` like the language host's shlex: whitespace-separated, quotes group. */
export function splitArgs(args: string | undefined): string[] {
  if (!args) return [];
  return [...args.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

export interface StackConfigEnv {
  /** `<ns>:<name>` -> value as the CLI hands it over (objects JSON-encoded; secrets as SECRET_TEXT). */
  config: Record<string, string>;
  secretKeys: string[];
}

/** What `pulumi preview --json` shows for a secret config value, and what the offline preview hands over in its place. */
export const SECRET_TEXT = "[secret]";

/**
 * Linux's limit on one environment string (MAX_ARG_STRLEN, 32 pages). The language host passes
 * the whole config in PULUMI_CONFIG, so a larger config fails `spawn` with E2BIG, under
 * `pulumi preview` as here (pulumi/pulumi#8680).
 */
export const ENV_STRING_LIMIT = 128 * 1024;

/** A `secure:` value as `pulumi config set --secret` writes it. */
function isSecure(value: unknown): boolean {
  const r = asRecord(value);
  return Object.keys(r).length === 1 && typeof r.secure === "string";
}

/** Paths (below the key) of every `secure:` value in a config value. */
function securePaths(value: unknown, path: KeyPath = []): KeyPath[] {
  if (isSecure(value)) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => securePaths(v, [...path, i]));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => securePaths(v, [...path, k]));
  return [];
}

function withoutSecrets(value: unknown): unknown {
  if (isSecure(value)) return SECRET_TEXT;
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v)]));
  return value;
}

/**
 * A stack file's `config:` as the CLI passes it: objects and lists JSON-encoded, scalars as their
 * text. A `secure:` value needs the stack's secrets provider, which the offline preview does not
 * have: a key holding one is handed over as a secret (listed in the secret keys, its value
 * SECRET_TEXT), as provider credentials are; only the program's own settings (namespace
 * `project`), which it reads in plain text, are refused. `file` is the path relative to `root`.
 */
export function stackConfigEnv(root: string, file: string, project: string): StackConfigEnv {
  const source = new YamlSource(file, readFileSync(join(root, file), "utf8"));
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(asRecord(asRecord(source.data).config))) {
    const full = key.includes(":") ? key : `${project}:${key}`;
    const secrets = securePaths(value);
    if (secrets.length > 0 && full.startsWith(`${project}:`)) {
      for (const path of secrets) {
        issues.push({ file, line: source.lineOf(["config", key, ...path]), key: formatKeyPath([key, ...path]), message: `is a secret (secure:), but the program reads its own settings in plain text and none of them is a credential; the offline preview cannot decrypt it either: set it without --secret` });
      }
      continue;
    }
    if (secrets.length > 0) secretKeys.push(full);
    const shown = withoutSecrets(value);
    config[full] = typeof shown === "string" ? shown : JSON.stringify(shown);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const size = Buffer.byteLength(`PULUMI_CONFIG=${pulumiConfigVar(config)}`) + 1;
  if (size > ENV_STRING_LIMIT) {
    const [largest] = Object.entries(config).sort((a, b) => Buffer.byteLength(b[1]) - Buffer.byteLength(a[1]));
    const key = Object.keys(asRecord(asRecord(source.data).config)).find((k) => (k.includes(":") ? k : `${project}:${k}`) === largest![0])!;
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    throw new ConfigError([
      {
        file,
        line: source.lineOf(["config", key]),
        key,
        message: `is ${kib(Buffer.byteLength(largest![1]))}, the largest value of a config of ${kib(size)}: Pulumi hands a stack's whole config to the program in one environment variable, which Linux limits to ${kib(ENV_STRING_LIMIT)} (\`pulumi preview\` fails with "argument list too long" too); shorten it`,
      },
    ]);
  }
  return { config, secretKeys };
}

/** The language host's PULUMI_CONFIG: keys rewritten to the old `<ns>:config:<name>` form. */
export function pulumiConfigVar(config: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(":", ":config:"), v])));
}

/**
 * A runnable copy of the project at `to` (its program, Pulumi.yaml, package.json), for previews
 * of generated or broken stack files; the pack and node_modules are linked, not copied.
 */
export function copyProject(from: string, to: string): void {
  for (const entry of ["Pulumi.yaml", "package.json", "tsconfig.json", "model", "infra", "components"]) cpSync(join(from, entry), join(to, entry), { recursive: true });
  for (const entry of ["node_modules", "policy"]) symlinkSync(join(from, entry), join(to, entry));
}
