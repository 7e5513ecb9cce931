// @pulumi/policy's analyzer server turns a request's properties (a protobuf Struct) into plain
// values once per policy: for every Analyze, once for each of the pack's resource policies, and
// in AnalyzeStack once per stack policy for every resource and its provider. With 12 resource
// and 15 stack policies that conversion and its garbage were the largest part of what the pack
// itself cost (docs/benchmarks.md). This makes every policy of one request share one conversion
// per Struct, as the offline evaluator (preview/evaluate.ts) always shared one per resource. Each
// policy still gets its own unknown-checking proxy over the shared values; sharing is safe
// because no rule writes to what it is given (test/sharedProperties.test.ts runs every rule on
// frozen values).
import { createRequire } from "node:module";

type Deserialize = (struct: object, proxySecrets: boolean) => unknown;

/** The module of @pulumi/policy whose export its server calls, looked up at each call. */
interface DeserializeModule {
  deserializeProperties: Deserialize;
}

const SHARED = Symbol.for("platform-secrets.sharedProperties");

/** @pulumi/policy's own deserialize module, or null where a version no longer has it. */
function policyDeserializeModule(): DeserializeModule | null {
  try {
    return createRequire(import.meta.url)("@pulumi/policy/deserialize") as DeserializeModule;
  } catch {
    return null;
  }
}

/**
 * Installs the sharing into `mod` (by default @pulumi/policy's own deserialize module) and says
 * whether it is in place. A version of @pulumi/policy without that module or export is left as
 * it is (the pack then only runs slower); the test pins that the installed version has it.
 */
export function shareDeserializedProperties(mod: DeserializeModule | null = policyDeserializeModule()): boolean {
  const original = mod?.deserializeProperties as (Deserialize & { [SHARED]?: true }) | undefined;
  if (!mod || typeof original !== "function") return false;
  if (original[SHARED]) return true;
  const converted = new WeakMap<object, unknown>();
  const shared: Deserialize & { [SHARED]?: true } = (struct, proxySecrets) => {
    // Remediations (proxySecrets) rewrite what they receive: they keep their own copy.
    if (proxySecrets) return original(struct, proxySecrets);
    if (!converted.has(struct)) converted.set(struct, original(struct, false));
    return converted.get(struct);
  };
  shared[SHARED] = true;
  mod.deserializeProperties = shared;
  return true;
}
