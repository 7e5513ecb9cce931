// Stack frames that every error the program raises can be printed with. Pulumi's runner installs
// source-map-support and reports each error it sees with `util.inspect(err, { colors: true })`.
// The SDK ships source maps whose `sources` point one directory too high (`../resource.ts` from
// node_modules/@pulumi/pulumi/resource.js), so every SDK frame is rewritten to a file that does
// not exist, directly under the scope: `node_modules/@pulumi/resource.ts`. On Node 20 and 22 that
// inspect loops on such a frame until V8's string limit (nodejs/node#64011, fixed in Node 24):
// about 30 s and 3 GB per report, and the runner reports an error twice. Any error raised inside
// the SDK carries such frames (a failed StackReference read, a failed invoke), not only ours.
import { createRequire } from "node:module";

interface SourceMapSupport {
  install(options: { retrieveSourceMap(source: string): { url: string; map: string } | null; emptyCacheBetweenOperations: boolean }): void;
}

/** A map that maps nothing: source-map-support then keeps the frame as the generated file. */
const NO_MAPPINGS = JSON.stringify({ version: 3, sources: [], names: [], mappings: "" });

const DEPENDENCY = /[\\/]node_modules[\\/]/;

/**
 * Makes the runner's source-map-support (the same module instance, resolved from the SDK) leave
 * frames of installed packages as the `.js` files that exist; the program's own frames are
 * unchanged. The SDK has already mapped its own frames once by the time the program loads (it
 * reads a stack for every resource's source position), so the maps it cached are dropped too:
 * source-map-support can only do that by emptying its cache on every stack it formats, which
 * costs a read of the program's own files per frame, not of any map.
 */
export function keepDependencyFramesAsShipped(): void {
  const sdk = createRequire(import.meta.url).resolve("@pulumi/pulumi");
  const support = createRequire(sdk)("source-map-support") as SourceMapSupport;
  support.install({ retrieveSourceMap: (source) => (DEPENDENCY.test(source) ? { url: source, map: NO_MAPPINGS } : null), emptyCacheBetweenOperations: true });
}
