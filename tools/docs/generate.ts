// `npm run docs:generate`: writes the generated files (tools/docs/generated.ts) into the project.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedFiles } from "./generated";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

for (const [path, content] of generatedFiles()) {
  mkdirSync(dirname(join(ROOT, path)), { recursive: true });
  writeFileSync(join(ROOT, path), content);
  console.log(`wrote ${path}`);
}
