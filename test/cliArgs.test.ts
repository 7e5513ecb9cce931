// Issue 23: the preview's command line is checked before any work (preview/args.ts), and its
// errors print as one line an operator can act on, whatever was thrown.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ConfigError } from "../model/configError";
import { loadStack } from "../model/load";
import { parsePreviewArgs, UsageError } from "../preview/args";
import { stackConfigEnv } from "../preview/engine/project";
import { errorText } from "../preview/errorText";
import { PolicyConfigError } from "../preview/evaluate";
import { OutputDirError } from "../preview/outputDir";
import { stackFile } from "../preview/run";
import { edit, mutate } from "./arbitraries";
import { fixtureProject, fixtureRoot, ownFoundationStack, PREVIEW_COMMAND, SEED_TENANTS, snapshot } from "./helpers";

const PROJECT_FILES = {
  "Pulumi.yaml": "name: platform-secrets\nmain: .\nstackConfigDir: stacks\n",
  "stacks/Pulumi.vault.yaml": "config:\n  platform-secrets:vault:\n    address: https://vault.example:8200\n",
  "stacks/Pulumi.spoke-dc-v6.yaml": stringify(ownFoundationStack({ "platform-secrets:foundation": { stack: "organization/platform-secrets/vault" } })),
  "stacks/tenants.yaml": SEED_TENANTS,
  "README.md": "a file\n",
  "configs/null.json": "null",
  "configs/list.json": "[]",
  "configs/number.json": "5",
  "configs/string.json": '"advisory"',
  "configs/broken.json": "{",
  "configs/unknown.json": '{"auth-role-scop": "advisory"}',
  "configs/level.json": '{"all": "loud"}',
  "configs/number entry.json": '{"auth-role-scope": 5}',
  "configs/empty.json": "{}",
  "configs/valid.json": '{"auth-role-scope": {"maxTokenTtlSeconds": 7200}}',
  "victim/keep": "someone's file\n",
};

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected an error");
};

describe("parsePreviewArgs", () => {
  let root: string;
  beforeAll(() => {
    root = fixtureRoot(PROJECT_FILES);
  });
  const parse = (...argv: string[]) => parsePreviewArgs(argv, root);

  it("takes Pulumi's stack names, with the organization the program then runs in", () => {
    expect(parse().runs).toEqual([{ organization: "organization", stack: "spoke-dc-v6", outDir: resolve("out/spoke-dc-v6") }]);
    expect(parse("--stack", "acme/platform-secrets/vault").runs[0]).toMatchObject({ organization: "acme", stack: "vault" });
    expect(parse("--stack", "acme/vault").runs[0]).toMatchObject({ organization: "acme", stack: "vault" });
    expect(parse("--all", "--out", join(root, "o")).runs.map((r) => r.outDir)).toEqual([join(root, "o/spoke-dc-v6"), join(root, "o/vault")]);
  });

  it.each([
    ["a path", ["--stack", "a/../../elsewhere/Pulumi.spoke-dc-v6"], /has 5 parts/],
    ["another project", ["--stack", "acme/other-project/spoke-dc-v6"], /is a stack of project "other-project"; this is project "platform-secrets"/],
    ["a directory for a part", ["--stack", "x/../Pulumi.spoke-dc-v6"], /part "\.\." names a directory, not a stack/],
    ["a character Pulumi refuses", ["--stack", "spoke dc"], /part "spoke dc" is not a Pulumi name/],
    ["an empty part", ["--stack", "acme//vault"], /has an empty part/],
    ["a typo", ["--stack", "spoke-dc-6"], /no stack file stacks\/Pulumi\.spoke-dc-6\.yaml \(did you mean "spoke-dc-v6"\?\); stacks: spoke-dc-v6, vault/],
    ["--all with --stack", ["--all", "--stack", "vault"], /give --all or --stack, not both/],
    ["an unknown flag", ["--stak", "vault"], /unknown option --stak \(did you mean --stack\?\)/],
    ["a positional", ["vault"], /Unexpected argument 'vault'/],
  ])("refuses %s", (_what, argv, expected) => {
    // A UsageError: printed with the usage line, never as an unexpected error.
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(message(() => parse(...argv))).toMatch(expected);
  });

  it.each([
    ["empty", "", /--out "" is empty/],
    ["blank, with --all", " ", /--out " " is empty/],
    ["the project root", ".", /is the project root/],
    ["a path under a file", "README.md/sub", /cannot be created: .*README\.md is a file, not a directory/],
    ["a file", "README.md", /exists and is not a directory/],
    ["someone's directory", "victim", /is not empty and was not created by the preview/],
  ])("refuses --out %s up front", (_what, dir, expected) => {
    const cwd = process.cwd();
    process.chdir(root);
    try {
      expect(message(() => parse("--out", dir, ...(dir === " " ? ["--all"] : [])))).toMatch(expected);
    } finally {
      process.chdir(cwd);
    }
  });

  it.each([
    ["null", /holds null; it must be a JSON object/],
    ["list", /holds a list/],
    ["number", /holds a number/],
    ["string", /holds a string/],
    ["broken", /is not JSON/],
    ["unknown", /"auth-role-scop": no such policy in platform-secrets-guard \(did you mean "auth-role-scope"\?\)/],
    ["level", /^invalid policy pack config .*level\.json: "all"\/enforcementLevel: must be equal to one of the allowed values$/],
    ["number entry", /^invalid policy pack config .*: "auth-role-scope": must be an enforcement level \(advisory, mandatory, remediate, disabled\) or an object of settings, not 5$/],
  ])("refuses a policy pack config holding %s up front", (name, expected) => {
    expect(message(() => parse("--policy-pack-config", join(root, `configs/${name}.json`)))).toMatch(expected);
  });

  it("reads a valid policy pack config", () => {
    expect(parse("--policy-pack-config", join(root, "configs/valid.json")).packConfig).toEqual({ "auth-role-scope": { maxTokenTtlSeconds: 7200 } });
  });
});

describe("errorText", () => {
  const known = () => false;

  it("prints a circular, huge or hostile thrown value in bounded time and length, without inspecting it", () => {
    const circular: Record<string, unknown> = { message: "circular" };
    circular.self = circular;
    const huge = new Error("x".repeat(5_000_000));
    const hostile = new Proxy(new Error("hostile"), { get: () => { throw new Error("no"); } });
    const started = performance.now();
    expect(errorText(circular, { debug: false, known })).toBe("circular (an unexpected error: run with --debug for its stack trace)");
    expect(errorText(huge, { debug: false, known }).length).toBeLessThan(70_000);
    expect(errorText(hostile, { debug: false, known })).toBe("[object] (an unexpected error: run with --debug for its stack trace)");
    expect(errorText(Symbol("s"), { debug: false, known })).toBe("Symbol(s)");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("shows a stack trace only with --debug", () => {
    const err = new TypeError("bad");
    expect(errorText(err, { debug: false, known })).not.toMatch(/\n\s+at /);
    expect(errorText(err, { debug: true, known })).toMatch(/\n\s+at /);
    const runner = "Running program 'x' failed with an unhandled exception:\n\u001b[36m<ref *1>\u001b[39m Error: boom\n    at f (/x.js:1:1)\n  promise: Promise {}\n}";
    expect(errorText(new UsageError(runner), { debug: false, known: () => true })).toBe("Running program 'x' failed with an unhandled exception:\nError: boom");
  });
});

// ---- Property 23.5: the fuzz ------------------------------------------------------------

/** Mostly `good`, sometimes one of the mistakes: enough runs get past each check to reach the next. */
function mostly<T>(good: T, ...bad: T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 4 * bad.length, arbitrary: fc.constant(good) }, { weight: bad.length, arbitrary: fc.constantFrom(...bad) });
}

/** A stack's config, shaped like the real ones, with the mistakes issue 23 found planted at random. */
const stackConfig = fc
  .record({
    cluster: mostly("spoke-dc-v8", "spoke-dc-v6", "Spoke", "apps-x"),
    kvMount: mostly<string | undefined>(undefined, "sys", "auth", "kv"),
    authPath: mostly<string | undefined>(undefined, "token", "fuzz-k8s"),
    esoNamespace: mostly<string | undefined>(undefined, "external-secrets", "apps-payments-checkout-api-dev"),
    foundation: mostly<string | undefined>("organization/platform-secrets/vault", undefined, "organization/platform-secrets/fuzz", "someone-else/other-project/vault", "vualt", "a/b/c/d"),
    secure: mostly<string | undefined>(undefined, "vault:token", "platform-secrets:ci"),
    big: mostly(0, 200 * 1024),
    ttl: mostly<number | string | undefined>(undefined, 1200, "1e400", "20m"),
  })
  .map((c) => {
    const config: Record<string, unknown> = ownFoundationStack({
      "platform-secrets:cluster": { name: c.cluster, apiServer: `https://api.${c.cluster.toLowerCase()}.example:6443` },
      "platform-secrets:vault": { address: "https://vault.example:8200", egressCidrs: ["10.20.0.15/32"], ...(c.kvMount ? { kvMount: c.kvMount } : {}), ...(c.ttl !== undefined ? { tokenTtlSeconds: c.ttl } : {}) },
      ...(c.foundation ? { "platform-secrets:foundation": { stack: c.foundation } } : {}),
      ...(c.authPath ? { "platform-secrets:auth": { path: c.authPath } } : {}),
      "platform-secrets:eso": { egress: { namespaceDefaultDeny: true }, ...(c.esoNamespace ? { namespace: c.esoNamespace } : {}) },
    }).config;
    if (c.secure) config[c.secure] = { secure: "AAABAHcipher" };
    if (c.big) config["other:blob"] = "x".repeat(c.big);
    // Written bare, as an operator would: YAML reads it as Infinity.
    return stringify({ config }).replace('tokenTtlSeconds: "1e400"', "tokenTtlSeconds: 1e400");
  });

/** The stack file: a shaped config, sometimes with careless line edits on top. */
const stackText = fc.oneof({ weight: 3, arbitrary: stackConfig }, { weight: 2, arbitrary: fc.tuple(stackConfig, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([text, edits]) => mutate(text, edits)) });

const stackName = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom("fuzz", "organization/platform-secrets/fuzz", "acme/fuzz", "vault") },
  { weight: 3, arbitrary: fc.constantFrom("fuz", "a/../../fuzz", "x/../fuzz", "", ".", "..", "fuzz/", "/fuzz", "füzz", "a b", "x".repeat(101), "acme/other/fuzz", "-") },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const outDir = mostly("out/fuzz", "NEW", "", " ", ".", "..", "README.md/sub", "README.md", "victim", "/", "stacks", "NEW/deep/er");
const packConfig = mostly<string | undefined>(undefined, "null", "list", "number", "string", "broken", "unknown", "level", "empty", "valid", "missing");
const stray = mostly<string | undefined>(undefined, "--stak", "-s", "--out=x", "--json=1", "vault", "--", "--all=false");

/** A command line: options in any order, sometimes a stray flag or word. */
const argv = fc
  .record({
    stack: fc.option(stackName, { freq: 8, nil: undefined }),
    all: fc.boolean(),
    out: fc.option(outDir, { freq: 2, nil: undefined }),
    json: fc.boolean(),
    debug: fc.boolean(),
    pack: packConfig,
    stray,
    order: fc.nat(),
  })
  .map((a) => {
    const groups: string[][] = [];
    if (a.stack !== undefined) groups.push(["--stack", a.stack]);
    if (a.all && a.order % 4 === 0) groups.push(["--all"]);
    if (a.out !== undefined) groups.push(["--out", a.out]);
    if (a.json) groups.push(["--json"]);
    if (a.debug) groups.push(["--debug"]);
    if (a.pack !== undefined) groups.push(["--policy-pack-config", `configs/${a.pack}.json`]);
    if (a.stray !== undefined) groups.push([a.stray]);
    // Rotate the groups: options come in any order.
    const k = groups.length ? a.order % groups.length : 0;
    return [...groups.slice(k), ...groups.slice(0, k)].flat();
  });

const scenario = fc.record({ argv, stack: stackText });

const KNOWN = (err: unknown) => err instanceof UsageError || err instanceof ConfigError || err instanceof PolicyConfigError || err instanceof OutputDirError;
const FRAME = /^\s+at \S/m;

/** What `npm run preview` does before it starts a process: the arguments, then each stack's file as handed over, then its config. */
function checkBeforeWork(args: readonly string[], cwd: string): void {
  const parsed = parsePreviewArgs(args, cwd);
  for (const run of parsed.runs) {
    stackConfigEnv(parsed.root, stackFile(parsed.project, run.stack), parsed.project.name);
    loadStack({ root: parsed.root, stack: run.stack });
  }
}

describe("Feature: platform-secrets, Property 23.5: a fuzzed command line and stack file never crash the preview, print a trace, write or leave a process", () => {
  let root: string;
  beforeAll(() => {
    root = fixtureRoot(PROJECT_FILES);
  });

  it("holds in-process for what the preview checks before any work (1,200 runs)", () => {
    const cwd = process.cwd();
    process.chdir(root);
    const before = snapshot(root, join(root, "stacks/Pulumi.fuzz.yaml"));
    const outcomes = { passed: 0, usage: 0, config: 0 };
    try {
      fc.assert(
        fc.property(scenario, ({ argv: args, stack }) => {
          writeFileSync(join(root, "stacks/Pulumi.fuzz.yaml"), stack);
          try {
            checkBeforeWork(args, root);
            outcomes.passed++;
          } catch (err) {
            expect(KNOWN(err), `${String(err)} for ${JSON.stringify(args)}`).toBe(true);
            const text = errorText(err, { debug: false, known: KNOWN });
            expect(text.length).toBeGreaterThan(0);
            expect(text).not.toMatch(FRAME);
            if (err instanceof UsageError || err instanceof PolicyConfigError) outcomes.usage++;
            else outcomes.config++;
          }
        }),
        { numRuns: 1200, seed: 23 },
      );
    } finally {
      process.chdir(cwd);
    }
    // Checking never writes: not even the output directory, which only a successful run claims.
    expect(snapshot(root, join(root, "stacks/Pulumi.fuzz.yaml"))).toEqual(before);
    // Each kind of outcome must be reached often, or the property says little.
    expect(outcomes.passed).toBeGreaterThan(50);
    expect(outcomes.usage).toBeGreaterThan(200);
    expect(outcomes.config).toBeGreaterThan(200);
  });

  describe("and through the real CLI for a sample", () => {
    let project: string;
    let scratch: string;
    beforeAll(() => {
      project = fixtureProject(PROJECT_FILES);
      scratch = mkdtempSync(join(tmpdir(), "fuzz-"));
    });
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    /** Processes whose command line names the project: the program (--root-directory) and the pack (its directory). */
    const leftOver = () =>
      readdirSync("/proc")
        .filter((e) => /^\d+$/.test(e))
        .flatMap((pid) => {
          try {
            const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
            return cmdline.includes(project) ? [`${pid} ${cmdline}`] : [];
          } catch {
            return [];
          }
        });

    const run = (args: readonly string[]): Promise<{ code: number | null; stderr: string }> => {
      const [node, ...nodeArgs] = PREVIEW_COMMAND;
      const child = spawn(node, [...nodeArgs, ...args], { cwd: project, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      return new Promise((done) => child.once("close", (code) => done({ code, stderr })));
    };

    it("exit code 0, 1 or 2; no trace without --debug; nothing written outside --out; no process left (12 samples)", async () => {
      // The sample: scenarios that get past the arguments weigh most, since those start the program.
      const samples = fc.sample(scenario, { numRuns: 400, seed: 2323 });
      const picked = [...samples.filter((s) => !s.argv.includes("--all")).slice(0, 8), ...samples.filter((s) => s.argv[0] === "--stack" && s.argv[1] === "fuzz").slice(0, 4)];
      expect(picked).toHaveLength(12);
      let started = 0;
      for (const s of picked) {
        writeFileSync(join(project, "stacks/Pulumi.fuzz.yaml"), s.stack);
        rmSync(join(project, "out"), { recursive: true, force: true });
        mkdirSync(join(project, "victim"), { recursive: true });
        const out = s.argv[s.argv.indexOf("--out") + 1];
        const allowed = s.argv.includes("--out") && out !== undefined ? resolve(project, out) : join(project, "out");
        const before = snapshot(project, allowed);
        const r = await run(s.argv);
        const context = `${JSON.stringify(s.argv)}\n${r.stderr}`;
        expect([0, 1, 2], context).toContain(r.code);
        if (!s.argv.includes("--debug")) expect(r.stderr, context).not.toMatch(FRAME);
        // The only other change allowed: the output directory's parents, created for it.
        const after = Object.fromEntries(Object.entries(snapshot(project, allowed)).filter(([path, kind]) => path in before || !(kind === "dir" && `${allowed}/`.startsWith(`${join(project, path)}/`))));
        expect(after, context).toEqual(before);
        expect(leftOver(), context).toEqual([]);
        if (r.code !== 1 || !/^error: (--|unknown option|Unexpected|Option)/.test(r.stderr)) started++;
      }
      // Some samples must have got past the command line, or the sample only tests the parser.
      expect(started).toBeGreaterThan(3);
    });
  });
});
