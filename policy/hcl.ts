// Parses Vault policy HCL with HashiCorp's own HCL parser (compiled to wasm), so the pack
// judges the document Vault receives rather than the data the program rendered it from.
import { parse as parseHclToJson } from "@cdktf/hcl2json";
import { CAPABILITIES, type Capability, type PolicyRule } from "../model/vaultPolicy";

/**
 * Parses a Vault policy's HCL into rules. Rejects attributes other than `capabilities`
 * (allowed_parameters and friends are not part of this platform's vocabulary) so that
 * nothing in a policy escapes review.
 */
export async function parseHcl(text: string, file = "policy.hcl"): Promise<PolicyRule[]> {
  const json = (await parseHclToJson(file, text)) as Record<string, unknown>;
  const rules: PolicyRule[] = [];
  for (const key of Object.keys(json)) {
    if (key !== "path") throw new Error(`${file}: unexpected top-level block "${key}" (only "path" blocks are allowed)`);
  }
  const paths = (json.path ?? {}) as Record<string, Array<Record<string, unknown>>>;
  for (const [path, bodies] of Object.entries(paths)) {
    for (const body of bodies) {
      for (const attr of Object.keys(body)) {
        if (attr !== "capabilities") throw new Error(`${file}: path "${path}" has attribute "${attr}" (only "capabilities" is allowed)`);
      }
      const caps = body.capabilities;
      if (!Array.isArray(caps) || caps.some((c) => !(CAPABILITIES as readonly string[]).includes(String(c)))) {
        throw new Error(`${file}: path "${path}" has capabilities ${JSON.stringify(caps)}, not a list of ${CAPABILITIES.join("/")}`);
      }
      rules.push({ path, capabilities: caps as Capability[] });
    }
  }
  return rules;
}

