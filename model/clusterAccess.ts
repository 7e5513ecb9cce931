// How Vault reaches the cluster's API server (which CA it trusts) and how ESO's pods reach
// Vault without being cut off from the API server: config schemas and their cross-checks.
import { z } from "zod";
import type { KeyPath } from "./configError";
import { cidr, port } from "./schema";

/**
 * Which CA Vault trusts for `cluster.apiServer`:
 * - `cluster`: the reviewer Secret's `ca.crt`, the cluster's own CA. Right when `apiServer` is
 *   the API server's own endpoint; wrong behind a route or load balancer with another certificate.
 * - `configured`: `cluster.caCert`, the chain that signs the certificate `apiServer` presents.
 * - `system`: the root CAs of the host Vault runs on, for an `apiServer` whose certificate a
 *   public CA signs. No `kubernetes_ca_cert` is written; with `disable_local_ca_jwt: true` (always
 *   set: Vault serves many clusters and must never fall back to its own pod's CA) Vault's
 *   kubernetes auth plugin uses the system pool from v0.19.0 (Vault 1.17). OpenBao's plugin
 *   refuses that config ("kubernetes_ca_cert must be given when disable_local_ca_jwt is true", as
 *   of OpenBao 2.5): there, put the public CA's chain in `caCert` with `configured`.
 */
export const apiServerCaSchema = z
  .enum(["cluster", "configured", "system"])
  .describe(
    "Which CA Vault trusts for apiServer. cluster: the reviewer Secret's in-cluster ca.crt (apiServer is the API server's own endpoint). configured: cluster.caCert (a route or load balancer with another certificate). system: the root CAs of Vault's host (a publicly signed certificate; HashiCorp Vault 1.17 and later; OpenBao refuses it at pulumi up). Default: configured with a caCert or with auth.reviewer client-jwt, else cluster. Checked: configured needs caCert; cluster and system refuse a caCert; cluster cannot work with auth.reviewer client-jwt.",
  );
export type ApiServerCa = z.infer<typeof apiServerCaSchema>;

/**
 * `eso-allow-egress-to-vault` selects ESO's pods with `policyTypes: [Egress]`: on a namespace
 * without a default-deny policy it would isolate them (API server included). It is therefore
 * created only when the stack says the namespace is default-deny, or allows the API server too.
 */
export const esoEgressSchema = z
  .strictObject({
    namespaceDefaultDeny: z
      .boolean()
      .default(false)
      .describe("ESO's namespace already has a default-deny egress policy (seed 000's platform): create eso-allow-egress-to-vault, adding Vault and DNS to what the namespace allows."),
    apiServer: z
      .strictObject({
        cidrs: z.array(cidr).min(1).describe("The API server's address range."),
        port: port.default(6443).describe("The API server's port."),
      })
      .optional()
      .describe("Also allow the API server in the policy, so it can never cut ESO off, on any namespace (and the policy is created)."),
  })
  .describe("When eso-allow-egress-to-vault is created. It selects ESO's pods with policyTypes [Egress]: on a namespace without a default-deny policy it would isolate them, so with neither key set no policy is created.");
export type EsoEgressSettings = z.infer<typeof esoEgressSchema>;

/** Whether the egress policy is created at all (see esoEgressSchema). */
export function egressPolicyWanted(e: EsoEgressSettings): boolean {
  return e.namespaceDefaultDeny || e.apiServer !== undefined;
}

export interface TrustInput {
  apiServerCa?: ApiServerCa;
  caCert?: string;
  reviewer: "serviceaccount" | "client-jwt";
}

/** The CA choice in effect: explicit, or `configured` with a caCert or without a reviewer, else `cluster` (`system` only when asked for). */
export function apiServerCa(t: TrustInput): ApiServerCa {
  return t.apiServerCa ?? (t.caCert !== undefined || t.reviewer === "client-jwt" ? "configured" : "cluster");
}

/** Why a CA choice cannot work, at the key to fix. */
export function trustProblems(t: TrustInput): Array<{ path: KeyPath; message: string }> {
  const choice = apiServerCa(t);
  const problems: Array<{ path: KeyPath; message: string }> = [];
  if (choice === "configured" && t.caCert === undefined) {
    problems.push({ path: ["cluster", "caCert"], message: "is required with cluster.apiServerCa: configured: it is the CA chain of the certificate cluster.apiServer presents" });
  }
  if (choice === "cluster" && t.caCert !== undefined) {
    problems.push({ path: ["cluster", "caCert"], message: "is ignored with cluster.apiServerCa: cluster (Vault would trust the reviewer Secret's ca.crt): remove it or set apiServerCa: configured" });
  }
  if (choice === "system" && t.caCert !== undefined) {
    problems.push({ path: ["cluster", "caCert"], message: "is ignored with cluster.apiServerCa: system (Vault would trust its host's root CAs): remove it or set apiServerCa: configured" });
  }
  if (choice === "cluster" && t.reviewer === "client-jwt") {
    problems.push({
      path: ["cluster", "apiServerCa"],
      message: "cluster cannot work with auth.reviewer client-jwt: there is no reviewer token Secret to carry the cluster's ca.crt; set apiServerCa: configured and cluster.caCert",
    });
  }
  return problems;
}
