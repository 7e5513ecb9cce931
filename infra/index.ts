// Entry point for `pulumi up` / `pulumi preview`. Config comes from the stack file through
// Pulumi; the offline preview (scripts/preview.ts) runs the same definePlatform under mocks.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./configError";
import { loadStack, projectValues, type LoadedStack } from "./load";
import { definePlatform } from "./program";

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
  try {
    return loadStack({ root: process.cwd(), stack: pulumi.getStack(), values });
  } catch (err) {
    // RunError prints the message alone: the issues already name file, line and key.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const outputs = definePlatform(load());

export const foundation = outputs.foundation;
export const cluster = outputs.cluster;
