import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { importId, type Adoption } from "../model/adoption";

export interface KubernetesAuthBackendArgs {
  path: string;
  cluster: string;
  kubernetesHost: string;
  /** Absent with `cluster.apiServerCa: system`: Vault then trusts its host's root CAs. */
  kubernetesCaCert?: pulumi.Input<string>;
  /** Absent in reviewer-less mode, where Vault reviews with the client's own JWT. */
  tokenReviewerJwt?: pulumi.Input<string>;
  adopt: Adoption;
}

/** One kubernetes auth mount per cluster (seed 002), configured to review that cluster's tokens. */
export class KubernetesAuthBackend extends pulumi.ComponentResource {
  readonly backend: vault.AuthBackend;
  readonly config: vault.kubernetes.AuthBackendConfig;
  /** The mount path, known before the mount is: roles are adopted by it. */
  readonly path: string;

  constructor(name: string, args: KubernetesAuthBackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:vault:KubernetesAuthBackend", name, {}, opts);
    const { adopt } = args;
    this.path = args.path;
    // Deleting the mount drops every role and breaks every ESO login on the cluster.
    this.backend = new vault.AuthBackend(
      name,
      { type: "kubernetes", path: args.path, description: `Kubernetes auth for cluster ${args.cluster} (platform-secrets)` },
      { parent: this, protect: true, ...adopt.options("authBackend", args.path, importId.authBackend(args.path)) },
    );
    this.config = new vault.kubernetes.AuthBackendConfig(
      name,
      {
        backend: this.backend.path,
        kubernetesHost: args.kubernetesHost,
        ...(args.kubernetesCaCert !== undefined ? { kubernetesCaCert: args.kubernetesCaCert } : {}),
        // Vault serves many clusters from outside them: never fall back to its own pod's token or CA.
        disableLocalCaJwt: true,
        ...(args.tokenReviewerJwt !== undefined ? { tokenReviewerJwt: args.tokenReviewerJwt } : {}),
      },
      { parent: this, ...adopt.options("authConfig", args.path, importId.authConfig(args.path)) },
    );
    this.registerOutputs({ path: this.backend.path });
  }
}
