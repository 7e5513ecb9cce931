// Entry point for `pulumi up` / `pulumi preview`. Config comes from the stack file through
// Pulumi; the offline preview (scripts/preview.ts) runs the same definePlatform under mocks.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./configError";
import { loadStack, projectValues, type LoadedStack } from "./load";
import type { PlatformSecretsOutputs } from "./outputs";
import { definePlatform, FoundationError } from "./program";

function decode(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function load(): LoadedStack {
  const all = pulumi.runtime.allConfig();
  const values = projectValues(Object.fromEntries(Object.entries(all).map(([k, v]) => [k, decode(v)])));
  return loadStack({ root: process.cwd(), stack: pulumi.getStack(), values });
}

/** Pulumi awaits an ESM default export and takes what it returns as the stack outputs. */
export default async function main(): Promise<PlatformSecretsOutputs> {
  try {
    return await definePlatform(load());
  } catch (err) {
    // RunError prints the message alone: these already name the file, key or stack to fix.
    if (err instanceof ConfigError || err instanceof FoundationError) throw new pulumi.RunError(err.message);
    throw err;
  }
}
