import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Adoption } from "../model/adoption";
import * as naming from "../model/naming";

export interface TokenReviewerArgs {
  /** ESO's namespace, where seed 002 keeps `eso-vault-auth`. */
  namespace: string;
  adopt: Adoption;
}

/**
 * The ServiceAccount Vault uses to call the TokenReview API for this cluster: bound to
 * `system:auth-delegator` (without it every login is refused) and given a long-lived token
 * Secret whose token and CA feed the auth backend's config in the same graph.
 */
export class TokenReviewer extends pulumi.ComponentResource {
  readonly jwt: pulumi.Output<string>;
  readonly caCert: pulumi.Output<string>;

  constructor(name: string, args: TokenReviewerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:k8s:TokenReviewer", name, {}, opts);
    const { adopt } = args;
    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { name: naming.REVIEWER_SERVICE_ACCOUNT, namespace: args.namespace } },
      { parent: this, ...adopt.kubernetes("ServiceAccount", naming.REVIEWER_SERVICE_ACCOUNT, args.namespace) },
    );
    const binding = new k8s.rbac.v1.ClusterRoleBinding(
      `${name}-delegator`,
      {
        metadata: { name: naming.REVIEWER_BINDING },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
        subjects: [{ kind: "ServiceAccount", name: naming.REVIEWER_SERVICE_ACCOUNT, namespace: args.namespace }],
      },
      { parent: this, dependsOn: [sa], ...adopt.kubernetes("ClusterRoleBinding", naming.REVIEWER_BINDING) },
    );
    // The token controller fills `data`; the provider waits for it before resolving outputs.
    const token = new k8s.core.v1.Secret(
      `${name}-token`,
      {
        metadata: { name: naming.REVIEWER_TOKEN_SECRET, namespace: args.namespace, annotations: { "kubernetes.io/service-account.name": naming.REVIEWER_SERVICE_ACCOUNT } },
        type: "kubernetes.io/service-account-token",
      },
      { parent: this, dependsOn: [sa, binding], ...adopt.kubernetes("Secret", naming.REVIEWER_TOKEN_SECRET, args.namespace) },
    );
    const field = (key: string) => pulumi.secret(token.data.apply((d) => decodeField(d, key)));
    this.jwt = field("token");
    this.caCert = field("ca.crt");
    this.registerOutputs({ serviceAccount: sa.metadata.name });
  }
}

function decodeField(data: Record<string, string> | undefined, key: string): string {
  const value = data?.[key];
  if (value === undefined) throw new Error(`${naming.REVIEWER_TOKEN_SECRET} has no "${key}": is the token controller running?`);
  return Buffer.from(value, "base64").toString("utf8");
}
