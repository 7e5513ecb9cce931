// Every import points down the layers the design names: the pure model at the bottom, the
// components and the pack on it, the entry and composition root above the components, and the
// tooling (preview, the access report, bench, tools, tests) over all of them. A lower layer importing a higher one
// would drag Pulumi, the preview or the program into code that must run without them.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers";

const BELOW_PREVIEW = ["model", "components", "infra", "policy", "preview"];

/** What each top-level directory may import, besides packages. */
const ALLOWED: Record<string, readonly string[]> = {
  model: ["model"],
  components: ["model", "components"],
  policy: ["model", "policy"],
  infra: ["model", "components", "infra"],
  preview: BELOW_PREVIEW,
  access: [...BELOW_PREVIEW, "access"],
  bench: [...BELOW_PREVIEW, "access", "bench"],
  tools: [...BELOW_PREVIEW, "tools"],
  test: [...BELOW_PREVIEW, "access", "bench", "tools", "test"],
};

const SOURCE = new Set([".ts", ".cjs", ".mjs", ".js"]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === "node_modules") return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return SOURCE.has(extname(e.name)) ? [path] : [];
  });
}

interface Import {
  file: string;
  line: number;
  specifier: string;
  target: string;
}

/** Relative imports of one file (static, type-only, re-exports, `import()` and `require`), with the directory each lands in. */
function importsOf(root: string, file: string, text: string): Import[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .filter((f) => f.fileName.startsWith("."))
    .map((f) => {
      const landed = relative(root, resolve(dirname(join(root, file)), f.fileName));
      return { file, line: text.slice(0, f.pos).split("\n").length, specifier: f.fileName, target: landed.startsWith("..") ? ".." : landed.split(sep)[0]! };
    });
}

/** Imports that point up (or out of the project), for every layer directory under `root`. */
function upwardImports(root: string): Import[] {
  return Object.keys(ALLOWED).flatMap((layer) => {
    let files: string[];
    try {
      files = sources(join(root, layer));
    } catch {
      return [];
    }
    return files.flatMap((abs) => {
      const file = relative(root, abs);
      return importsOf(root, file, readFileSync(abs, "utf8")).filter((i) => !ALLOWED[layer]!.includes(i.target));
    });
  });
}

describe("layers", () => {
  it("no import points up: model <- components <- infra, model <- policy, tooling above them all", () => {
    const upward = upwardImports(ROOT).map((i) => `${i.file}:${i.line} imports ${i.specifier} (${i.target}/ is above ${i.file.split(sep)[0]}/)`);
    expect(upward).toEqual([]);
  });

  it("sees every kind of import a file can make", () => {
    const text = [
      `import { a } from "../infra/program";`,
      `import type { B } from "../preview/record";`,
      `export { c } from "../components/VaultFoundation";`,
      `const d = await import("../policy/index");`,
      `const e = require("../bench/run");`,
      `import * as z from "zod";`,
      `import { f } from "./naming";`,
    ].join("\n");
    expect(importsOf(ROOT, join("model", "x.ts"), text).map((i) => [i.line, i.target])).toEqual([
      [1, "infra"],
      [2, "preview"],
      [3, "components"],
      [4, "policy"],
      [5, "bench"],
      [7, "model"],
    ]);
  });

  it("scans the real tree: each layer has sources and imports below it", () => {
    const imports = Object.keys(ALLOWED).flatMap((layer) => sources(join(ROOT, layer)).flatMap((abs) => importsOf(ROOT, relative(ROOT, abs), readFileSync(abs, "utf8"))));
    const from = (layer: string) => new Set(imports.filter((i) => i.file.startsWith(layer + sep)).map((i) => i.target));
    expect(from("components").has("model")).toBe(true);
    expect(from("infra").has("components")).toBe(true);
    expect(from("policy").has("model")).toBe(true);
    expect(from("preview").has("infra")).toBe(true);
  });
});
