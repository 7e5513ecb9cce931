// The command line of the project's CLIs, validated before any work: a stack name as Pulumi
// defines one, an output directory by the rules the run applies when it writes, a policy pack
// config read and checked against the pack. Each check is its own export, so another CLI of the
// project (the access report) takes the same ones; `parsePreviewArgs` is the preview's.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { PolicyPackConfig } from "@pulumi/policy";
import { closest } from "../model/spelling";
import { ORGANIZATION, parseStackReference, stackReferenceProblem } from "../model/stackReference";
import { readProject, type ProjectFile } from "./engine/project";
import { resolveConfig } from "./evaluate";
import { outputDirProblem } from "./outputDir";

/** A mistake on the command line: printed with the usage, exit code 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The project, found as the Pulumi CLI finds it: the nearest `Pulumi.yaml` upward from `from`. */
export function projectRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
    if (dirname(dir) === dir) throw new UsageError(`no Pulumi.yaml in ${from} or any parent directory: run this inside the project`);
  }
}

/** The stacks that have a stack file, sorted. */
export function projectStacks(root: string, project: ProjectFile): string[] {
  const dir = join(root, project.stackConfigDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
    .sort();
}

export interface StackArg {
  organization: string;
  stack: string;
}

/**
 * `--stack`: `<stack>`, `<org>/<stack>` or `<org>/<project>/<stack>` as Pulumi spells them, of
 * this project, with a stack file. The organization is the one the program runs in.
 */
export function stackArg(text: string, project: ProjectFile, stacks: readonly string[]): StackArg {
  const problem = stackReferenceProblem(text);
  if (problem) throw new UsageError(`--stack "${text}" ${problem}`);
  const ref = parseStackReference(text);
  if (ref.project !== undefined && ref.project !== project.name) {
    throw new UsageError(`--stack "${text}" is a stack of project "${ref.project}"; this is project "${project.name}" (Pulumi.yaml)`);
  }
  if (!stacks.includes(ref.stack)) {
    const near = closest(ref.stack, stacks);
    throw new UsageError(`--stack "${text}": no stack file ${join(project.stackConfigDir, `Pulumi.${ref.stack}.yaml`)}${near ? ` (did you mean "${near}"?)` : ""}; stacks: ${stacks.join(", ") || "none"}`);
  }
  return { organization: ref.organization ?? ORGANIZATION, stack: ref.stack };
}

/** `--out`: a directory the run may claim (see outputDir.ts); absolute. */
export function outDirArg(dir: string, projectRoot: string): string {
  const problem = outputDirProblem(dir, { projectRoot });
  if (problem) throw new UsageError(`--out "${dir}" ${problem}`);
  return resolve(dir);
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}

/** `--policy-pack-config`: a JSON object of policy names to settings, valid for the pack's policies. */
export function packConfigArg(file: string | undefined): PolicyPackConfig {
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`--policy-pack-config "${file}" cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--policy-pack-config "${file}" is not JSON: ${(err as Error).message}`);
  }
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new UsageError(`--policy-pack-config "${file}" holds ${kindOf(config)}; it must be a JSON object of policy names to settings, e.g. {"auth-role-scope": {"maxTokenTtlSeconds": 3600}}`);
  }
  resolveConfig(config as PolicyPackConfig, file);
  return config as PolicyPackConfig;
}

/** node:util's parseArgs, its errors (unknown flag, missing value) as UsageErrors. */
export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(argv: readonly string[], options: T): ReturnType<typeof parseArgs<{ options: T; args: string[]; allowPositionals: false; strict: true }>>["values"] {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    const unknown = (err as NodeJS.ErrnoException).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'(-[^']*)'/.exec((err as Error).message)?.[1] : undefined;
    const near = unknown && closest(unknown.replace(/^-+/, ""), Object.keys(options));
    throw new UsageError(unknown ? `unknown option ${unknown}${near ? ` (did you mean --${near}?)` : ""}` : (err as Error).message);
  }
}

export const PREVIEW_USAGE = "usage: npm run preview -- [--stack <name> | --all] [--out <dir>] [--json] [--policy-pack-config <file.json>] [--debug]";

export const DEFAULT_STACK = "spoke-dc-v6";

export interface PreviewArgs {
  root: string;
  project: ProjectFile;
  /** Each stack to preview with its output directory (absolute). */
  runs: Array<StackArg & { outDir: string }>;
  json: boolean;
  debug: boolean;
  packConfig: PolicyPackConfig;
  packConfigFile?: string;
}

/** The preview's command line, every value checked; throws a UsageError (or a ConfigError for Pulumi.yaml). */
export function parsePreviewArgs(argv: readonly string[], cwd: string): PreviewArgs {
  const flags = parseFlags(argv, {
    stack: { type: "string" },
    all: { type: "boolean" },
    out: { type: "string" },
    json: { type: "boolean" },
    debug: { type: "boolean" },
    "policy-pack-config": { type: "string" },
  });
  if (flags.all && flags.stack !== undefined) throw new UsageError("--all previews every stack: give --all or --stack, not both");
  if (flags.out !== undefined && flags.out.trim() === "") throw new UsageError(`--out "${flags.out}" is empty; give a directory of its own, e.g. out/<stack>`);
  const root = projectRoot(cwd);
  const project = readProject(root);
  const stacks = projectStacks(root, project);
  const chosen = flags.all ? stacks.map((stack) => ({ organization: ORGANIZATION, stack })) : [stackArg(flags.stack ?? DEFAULT_STACK, project, stacks)];
  if (chosen.length === 0) throw new UsageError(`--all: no stack files in ${project.stackConfigDir}/`);
  // One stack writes to --out itself; --all writes each stack below it.
  const runs = chosen.map((s) => ({ ...s, outDir: outDirArg(flags.out !== undefined && !flags.all ? flags.out : join(flags.out ?? "out", s.stack), root) }));
  const packConfigFile = flags["policy-pack-config"];
  return { root, project, runs, json: flags.json ?? false, debug: flags.debug ?? false, packConfig: packConfigArg(packConfigFile), ...(packConfigFile !== undefined ? { packConfigFile } : {}) };
}
