// What ties the stack's secret catalogue to the tenant catalogue: tenants opt their namespaces
// into entries by name, and entries may select namespaces by name. Both must name something
// that exists on this cluster, or the secret silently never arrives. Pure.
import { optInEntries } from "./catalogue";
import type { ClusterConfig } from "./config";
import type { KeyPath } from "./configError";
import { namespacesOn, type Tenant } from "./tenants";

export interface SelectionIssue {
  /** which file the path is in */
  in: "tenants" | "stack";
  path: KeyPath;
  message: string;
}

export function selectionIssues(cluster: ClusterConfig, tenants: readonly Tenant[], stackFile: string): SelectionIssue[] {
  const found: SelectionIssue[] = [];
  const optIn = optInEntries(cluster.catalogue);
  const byName = new Map(cluster.catalogue.map((e) => [e.name, e]));
  tenants.forEach((t, i) => {
    if (!(cluster.name in t.deployments)) return;
    (t.secrets ?? []).forEach((name, k) => {
      if (optIn.has(name)) return;
      const entry = byName.get(name);
      const why = entry
        ? `entry ${name} selects namespaces ${entry.selection.kind === "names" ? "by name" : entry.selection.kind === "labels" ? "by its own labels and expressions" : "by the tenant label"}, not by the opt-in label; change its select or drop it here`
        : `no entry "${name}" in the secret catalogue (platform-secrets:secrets) of ${stackFile}, where this tenant is deployed (cluster ${cluster.name}); define it there`;
      found.push({ in: "tenants", path: ["tenants", i, "secrets", k], message: why });
    });
  });
  const namespaces = new Set(namespacesOn(tenants, cluster.name).map((n) => n.namespace));
  cluster.catalogue.forEach((e) => {
    if (e.selection.kind !== "names") return;
    e.selection.namespaces.forEach((ns, k) => {
      if (!namespaces.has(ns)) {
        found.push({ in: "stack", path: ["secrets", entryIndex(cluster, e.name), "select", "namespaces", k], message: `"${ns}" is not a tenant namespace on ${cluster.name}; only tenant namespaces receive distributed secrets` });
      }
    });
  });
  return found;
}

/** The entry's index under platform-secrets:secrets (built-in entries come first in the catalogue). */
function entryIndex(cluster: ClusterConfig, name: string): number {
  const builtins = cluster.catalogue.filter((e) => e.builtin).length;
  return cluster.catalogue.findIndex((e) => e.name === name) - builtins;
}
