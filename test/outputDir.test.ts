// Issue 12: the preview writes only inside an output directory it owns, and removes nothing else.
import fc from "fast-check";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runOffline, type RegisteredResource } from "../preview/mock";
import { previewDigest, writeArtifacts } from "../preview/render";
import { claimOutputDir, OUTPUT_MARKER, OutputDirError } from "../preview/outputDir";
import { fixtureProject, ownFoundationStack, ROOT, runPreview, SEED_TENANTS, snapshot } from "./helpers";

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "outdir-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OutputDirError);
    return (err as Error).message;
  }
  throw new Error("expected an OutputDirError");
}

describe("claimOutputDir", () => {
  it("creates and marks a new directory, and on the next run clears only what it wrote", () => {
    const base = scratch();
    const out = join(base, "a/b");
    expect(claimOutputDir(out, { projectRoot: base, home: base })).toBe(out);
    expect(readdirSync(out)).toEqual([OUTPUT_MARKER]);
    mkdirSync(join(out, "kubernetes"));
    writeFileSync(join(out, "kubernetes/x.yaml"), "x");
    writeFileSync(join(base, "sibling"), "keep");
    claimOutputDir(out, { projectRoot: base, home: base });
    expect(readdirSync(out)).toEqual([OUTPUT_MARKER]);
    expect(readFileSync(join(base, "sibling"), "utf8")).toBe("keep");
  });

  it("claims an existing empty directory", () => {
    const base = scratch();
    mkdirSync(join(base, "empty"));
    claimOutputDir(join(base, "empty"), { projectRoot: join(base, "proj"), home: join(base, "home") });
    expect(existsSync(join(base, "empty", OUTPUT_MARKER))).toBe(true);
  });

  it("refuses a non-empty directory it did not create, and leaves it alone", () => {
    const base = scratch();
    mkdirSync(join(base, "victim"));
    writeFileSync(join(base, "victim/unrelated"), "mine");
    expect(refusal(() => claimOutputDir(join(base, "victim"), { projectRoot: join(base, "p") }))).toMatch(/is not empty and was not created by the preview/);
    expect(readdirSync(join(base, "victim"))).toEqual(["unrelated"]);
  });

  it("does not take a marker that is a directory as its mark", () => {
    const base = scratch();
    mkdirSync(join(base, "out", OUTPUT_MARKER), { recursive: true });
    expect(refusal(() => claimOutputDir(join(base, "out"), { projectRoot: join(base, "p") }))).toMatch(/not empty/);
  });

  it("refuses the project root, its parents, the home directory and its parents, even marked or through a link", () => {
    const base = scratch();
    const project = join(base, "home/me/project");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, OUTPUT_MARKER), "");
    const opts = { projectRoot: project, home: join(base, "home/me") };
    expect(refusal(() => claimOutputDir(project, opts))).toMatch(/is the project root/);
    expect(refusal(() => claimOutputDir(join(project, ".."), opts))).toMatch(/is a parent of the project root/);
    mkdirSync(join(base, "elsewhere/home"), { recursive: true });
    const apart = { projectRoot: project, home: join(base, "elsewhere/home") };
    expect(refusal(() => claimOutputDir(join(base, "elsewhere/home"), apart))).toMatch(/is the home directory/);
    expect(refusal(() => claimOutputDir(join(base, "elsewhere"), apart))).toMatch(/is a parent of the home directory/);
    expect(refusal(() => claimOutputDir(join(base, "home"), opts))).toMatch(/is a parent of the project root/);
    expect(refusal(() => claimOutputDir("/", opts))).toMatch(/is a parent of the project root/);
    symlinkSync(project, join(base, "link"));
    expect(refusal(() => claimOutputDir(join(base, "link"), opts))).toMatch(/is the project root/);
    expect(existsSync(join(project, OUTPUT_MARKER))).toBe(true);
  });

  it("refuses a symbolic link and a file", () => {
    const base = scratch();
    mkdirSync(join(base, "real"));
    symlinkSync(join(base, "real"), join(base, "link"));
    writeFileSync(join(base, "file"), "x");
    expect(refusal(() => claimOutputDir(join(base, "link"), { projectRoot: join(base, "p") }))).toMatch(/symbolic link/);
    expect(refusal(() => claimOutputDir(join(base, "file"), { projectRoot: join(base, "p") }))).toMatch(/not a directory/);
  });
});

describe("npm run preview --out", () => {
  const project = () => fixtureProject({ "stacks/Pulumi.x.yaml": ownFoundationStack(), "stacks/tenants.yaml": SEED_TENANTS });

  it("refuses `--out .` and `--out <a directory with someone's files>`, exits 1 and removes nothing", () => {
    const root = project();
    const before = snapshot(root);
    const dot = runPreview(["--stack", "x", "--out", "."], root);
    expect(dot.code).toBe(1);
    expect(dot.stderr).toMatch(/^error: --out "\." is the project root/m);
    const victim = join(root, "victim");
    mkdirSync(victim);
    writeFileSync(join(victim, "unrelated"), "keep");
    const r = runPreview(["--stack", "x", "--out", victim], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("was not created by the preview");
    expect(snapshot(root, victim)).toEqual(before);
    expect(readFileSync(join(victim, "unrelated"), "utf8")).toBe("keep");
  });

  it("writes into a directory it created, and replaces its own earlier output on the next run", () => {
    const root = project();
    expect(runPreview(["--stack", "x"], root).code).toBe(0);
    writeFileSync(join(root, "out/x/stale.yaml"), "old");
    expect(runPreview(["--stack", "x"], root).code).toBe(0);
    expect(existsSync(join(root, "out/x/stale.yaml"))).toBe(false);
    expect(existsSync(join(root, "out/x/preview.json"))).toBe(true);
  });
});

describe("Feature: platform-secrets, Property 12.2: the preview never writes or removes outside its output directory", () => {
  let resources: RegisteredResource[];
  beforeAll(async () => {
    resources = (await runOffline({ root: ROOT, stack: "vault" })).resources;
  });

  const entry = fc.oneof(
    fc.record({ kind: fc.constant("file" as const), name: fc.constantFrom("a", "b.yaml", "preview.json", "kubernetes", OUTPUT_MARKER), text: fc.string({ maxLength: 8 }) }),
    fc.record({ kind: fc.constant("dir" as const), name: fc.constantFrom("kubernetes", "vault", "sub", "x") }),
    fc.record({ kind: fc.constant("link" as const), name: fc.constantFrom("kubernetes", "vault", "escape"), to: fc.constantFrom("outside", "outside/file", "project", "/") }),
  );
  const layout = fc.record({
    out: fc.constantFrom("project/out/s", "project/out", "project", ".", "outside", "other/deep/out", "home", "project/link-out"),
    state: fc.constantFrom("missing", "empty", "marked", "unmarked"),
    entries: fc.array(entry, { maxLength: 5 }),
  });

  it("holds over generated directory layouts (300 runs)", () => {
    fc.assert(
      fc.property(layout, ({ out, state, entries }) => {
        const base = mkdtempSync(join(tmpdir(), "outprop-"));
        try {
          for (const d of ["project/stacks", "outside", "home"]) mkdirSync(join(base, d), { recursive: true });
          writeFileSync(join(base, "outside/file"), "outside");
          writeFileSync(join(base, "project/stacks/tenants.yaml"), "tenants: []\n");
          symlinkSync(join(base, "outside"), join(base, "project/link-out"));
          const dir = join(base, out);
          if (state !== "missing" && !existsSync(dir)) {
            mkdirSync(dir, { recursive: true });
            if (state === "marked") writeFileSync(join(dir, OUTPUT_MARKER), "");
            for (const e of state === "empty" ? [] : entries) {
              const path = join(dir, e.name);
              if (existsSync(path) || e.name === OUTPUT_MARKER) continue;
              if (e.kind === "file") writeFileSync(path, e.text);
              else if (e.kind === "dir") mkdirSync(path);
              else symlinkSync(e.to.startsWith("/") ? e.to : join(base, e.to), path);
            }
          }
          const realDir = existsSync(dir) && !lstatSync(dir).isSymbolicLink() && lstatSync(dir).isDirectory();
          const mayWrite = !existsSync(dir) || (realDir && (readdirSync(dir).length === 0 || lstatSync(join(dir, OUTPUT_MARKER), { throwIfNoEntry: false })?.isFile() === true));
          const before = snapshot(base);
          const outsideBefore = snapshot(base, dir);
          let wrote = false;
          try {
            writeArtifacts(dir, resources, previewDigest({ resources, config: {}, diagnostics: [], policyEvents: [], durationMs: 0 }), { projectRoot: join(base, "project"), home: join(base, "home") });
            wrote = true;
          } catch (err) {
            if (!(err instanceof OutputDirError)) throw err;
          }
          // Outside the output directory nothing changes or goes; the only new entries are its parents.
          const outsideAfter = snapshot(base, dir);
          for (const [path, was] of Object.entries(outsideBefore)) expect(outsideAfter[path], path).toBe(was);
          for (const path of Object.keys(outsideAfter).filter((p) => !(p in outsideBefore))) {
            expect(`${dir}/`.startsWith(`${join(base, path)}/`) && outsideAfter[path] === "dir", path).toBe(true);
          }
          // A refused directory keeps everything.
          if (!wrote) expect(snapshot(base)).toEqual(before);
          // It only ever writes where it may: a new, empty or previously marked directory.
          if (wrote) {
            expect(mayWrite).toBe(true);
            expect(existsSync(join(dir, "preview.json"))).toBe(true);
          }
        } finally {
          rmSync(base, { recursive: true, force: true });
        }
      }),
      { numRuns: 300 },
    );
  });
});
