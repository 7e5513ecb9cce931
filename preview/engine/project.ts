// Reads what the Pulumi CLI reads before it starts a program or a policy pack: the project file
// (`main`, runtime options) and a stack file's config, turned into the environment the Node.js
// language host builds (PULUMI_CONFIG with `<ns>:config:<name>` keys, PULUMI_CONFIG_SECRET_KEYS).
import { cpSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parse } from "yaml";

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

/** `Pulumi.yaml` of the project at `root`, resolved as the engine does (`getPwdMain`). */
export function readProject(root: string): ProjectFile {
  const raw = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as RawProject;
  if (typeof raw.name !== "string") throw new Error(`${join(root, "Pulumi.yaml")}: no project name`);
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
  const raw = parse(readFileSync(join(packDir, "PulumiPolicy.yaml"), "utf8")) as RawProject;
  return runtimeOptions(raw.runtime);
}

/** Splits `nodeargs` like the language host's shlex: whitespace-separated, quotes group. */
export function splitArgs(args: string | undefined): string[] {
  if (!args) return [];
  return [...args.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

export interface StackConfigEnv {
  /** `<ns>:<name>` -> value as the CLI hands it over (objects JSON-encoded). */
  config: Record<string, string>;
  secretKeys: string[];
}

/**
 * A stack file's `config:` as the CLI passes it: objects and lists JSON-encoded, scalars as their
 * text. A `secure:` value would need the stack's secrets provider, which the offline preview does
 * not have; it is refused with the key that carries it.
 */
export function stackConfigEnv(stackFile: string, project: string): StackConfigEnv {
  const doc = (parse(readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    const full = key.includes(":") ? key : `${project}:${key}`;
    if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
      throw new Error(`${stackFile}: ${key} is a secret (secure:); the offline preview cannot decrypt it: run \`pulumi preview\` instead`);
    }
    config[full] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { config, secretKeys: [] };
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
