// A stack's report the way `npm run preview` sees the stack: the program on Pulumi's own runner
// against the recording engine (preview/run.ts previewStack, without the pack), then the
// foundation's policy texts for a cluster stack, then the report. Also the base of a diff: a
// saved report, or the same stack at a git ref of this repository, checked out to a temporary
// worktree that is removed whatever happens.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readProject } from "../preview/engine/project";
import { previewStack, stackFile } from "../preview/run";
import type { Server } from "../policy/defaultPolicy";
import { buildReport, resourceViews } from "./build";
import { foundationPolicies, foundationStackOf } from "./foundation";
import { validateReport } from "./schema";
import { REPORT_SCHEMA, type AccessReport } from "./types";

export class BaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BaseError";
  }
}

export async function stackReport(root: string, stack: string, server: Server): Promise<AccessReport> {
  const run = await previewStack({ root, stack });
  const ref = foundationStackOf(resourceViews(run.resources));
  return buildReport({ stack, server, resources: run.resources, ...(ref ? { foundation: foundationPolicies(root, ref) } : {}) });
}

function git(root: string, args: string[]): string {
  return execFileSync("git", ["-C", root, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A report with no principal: the base of a stack that did not exist there. */
function emptyReport(stack: string, server: Server, why: string): AccessReport {
  return { schema: REPORT_SCHEMA, stack, server, principals: [], policies: [], unattributedSecrets: [], notes: [why] };
}

/** The stack's report at a git ref: the ref's program and stack files, run with this checkout's node_modules. */
export async function reportAtRef(root: string, stack: string, ref: string, server: Server): Promise<AccessReport> {
  let commit: string;
  try {
    commit = git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    throw new BaseError(`--diff ${ref}: neither a saved report (no such file) nor a git ref of ${root}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "access-base-"));
  const remove = () => {
    try {
      git(root, ["worktree", "remove", "--force", dir]);
    } catch {
      rmSync(dir, { recursive: true, force: true });
      git(root, ["worktree", "prune"]);
    }
  };
  // A signal would skip `finally`: remove the worktree, then die of the same signal.
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    git(root, ["worktree", "add", "--detach", "--quiet", dir, commit]);
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
    if (!existsSync(join(dir, stackFile(readProject(dir), stack)))) return emptyReport(stack, server, `stack ${stack} does not exist at ${ref} (${commit.slice(0, 12)})`);
    return await stackReport(dir, stack, server);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    remove();
  }
}

export function readSavedReport(file: string): AccessReport {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new BaseError(`--diff ${file}: ${(err as Error).message}`);
  }
  const older = (doc as { schema?: unknown } | null)?.schema;
  if (typeof older === "string" && older.startsWith("platform-secrets/access-report@") && older !== REPORT_SCHEMA) {
    // @1 reports lack the default policy and most principal kinds: every principal would look widened.
    throw new BaseError(`--diff ${file}: written as ${older}, this command writes ${REPORT_SCHEMA}; regenerate the base with this version or diff against a git ref`);
  }
  const problems = validateReport(doc);
  if (problems.length) throw new BaseError(`--diff ${file}: not an access report (${REPORT_SCHEMA}):\n${problems.map((p) => `  ${p}`).join("\n")}`);
  return doc as AccessReport;
}

/** `--diff <base>`: a saved JSON report if such a file exists, otherwise a git ref. */
export function baseReport(root: string, stack: string, base: string, server: Server): Promise<AccessReport> {
  return existsSync(base) ? Promise.resolve(readSavedReport(base)) : reportAtRef(root, stack, base, server);
}
