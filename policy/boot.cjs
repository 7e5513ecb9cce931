// The pack's entry for `pulumi preview --policy-pack policy`. The Node.js language host starts
// policy packs with `@pulumi/pulumi/cmd/run-policy-pack`, which registers ts-node (CommonJS,
// type-checking) and `require`s this file; the pack itself is ESM TypeScript, so this entry
// registers tsx's ESM loader and imports it. `nodeargs` in PulumiPolicy.yaml cannot do this:
// the language host puts them after the run-policy-pack script, where Node ignores them.
import("tsx/esm/api")
  .then((tsx) => {
    tsx.register();
    return import("./index.ts");
  })
  .catch((err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
  });
