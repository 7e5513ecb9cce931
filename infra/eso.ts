// ESO manifests as pure data, typed by the ESO API models and validated against the
// CRD schemas they were generated from, before Pulumi ever sees them.
import * as v1 from "@kubernetes-models/external-secrets/external-secrets.io/v1";
import * as v1beta1 from "@kubernetes-models/external-secrets/external-secrets.io/v1beta1";
import * as naming from "./naming";

export type EsoApiVersion = "v1" | "v1beta1";
export type EsoKind = "ExternalSecret" | "SecretStore" | "ClusterSecretStore" | "ClusterExternalSecret";

type ExternalSecretSpec = NonNullable<v1.IExternalSecret["spec"]>;
type SecretStoreSpec = NonNullable<v1.ISecretStore["spec"]>;
type ClusterExternalSecretSpec = NonNullable<v1.IClusterExternalSecret["spec"]>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}

export interface EsoManifest {
  apiVersion: `external-secrets.io/${EsoApiVersion}`;
  kind: EsoKind;
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
}

/** Labels on every object the program writes, and on the Secrets ESO renders (seed 004). */
export const STANDARD_LABELS = {
  "app.kubernetes.io/managed-by": "pulumi",
  "app.kubernetes.io/part-of": "platform-secrets",
} as const;

function renderedSecretLabels(secretType: string): Record<string, string> {
  return { "app.kubernetes.io/managed-by": "external-secrets", "platform-secrets/source": "vault", "platform-secrets/secret-type": secretType };
}

interface ModelClass {
  new (data: { metadata: ObjectMeta; spec: never }): { validate(): void; toJSON(): unknown };
}

const MODELS: Record<EsoApiVersion, Record<EsoKind, ModelClass>> = {
  v1: { ExternalSecret: v1.ExternalSecret, SecretStore: v1.SecretStore, ClusterSecretStore: v1.ClusterSecretStore, ClusterExternalSecret: v1.ClusterExternalSecret },
  v1beta1: {
    ExternalSecret: v1beta1.ExternalSecret,
    SecretStore: v1beta1.SecretStore,
    ClusterSecretStore: v1beta1.ClusterSecretStore,
    ClusterExternalSecret: v1beta1.ClusterExternalSecret,
  },
};

/** Builds a manifest and validates it against the ESO CRD schema of `apiVersion`. */
export function esoManifest(apiVersion: EsoApiVersion, kind: EsoKind, metadata: ObjectMeta, spec: object): EsoManifest {
  const Model = MODELS[apiVersion][kind];
  const model = new Model({ metadata: { ...metadata, labels: { ...STANDARD_LABELS, ...metadata.labels } }, spec: spec as never });
  try {
    model.validate();
  } catch (err) {
    throw new Error(`${kind} ${metadata.namespace ? `${metadata.namespace}/` : ""}${metadata.name} does not match the ESO ${apiVersion} schema: ${(err as Error).message}`);
  }
  return model.toJSON() as EsoManifest;
}

export interface VaultConnection {
  server: string;
  kvMount: string;
  authPath: string;
  audience: string;
}

function vaultProvider(vault: VaultConnection, role: string, serviceAccount: { name: string; namespace?: string }): SecretStoreSpec["provider"] {
  return {
    vault: {
      server: vault.server,
      path: vault.kvMount,
      version: "v2",
      auth: {
        kubernetes: {
          mountPath: vault.authPath,
          role,
          serviceAccountRef: { ...serviceAccount, audiences: [vault.audience] },
        },
      },
    },
  };
}

/** The only ClusterSecretStore: platform-owned, usable from tenant-labelled namespaces only. */
export function platformStore(apiVersion: EsoApiVersion, vault: VaultConnection, role: string, eso: { namespace: string; serviceAccount: string }): EsoManifest {
  return esoManifest(apiVersion, "ClusterSecretStore", { name: naming.PLATFORM_STORE }, {
    provider: vaultProvider(vault, role, { name: eso.serviceAccount, namespace: eso.namespace }),
    conditions: [{ namespaceSelector: { matchLabels: { [naming.TENANT_LABEL]: naming.TENANT_LABEL_VALUE } } }],
  } satisfies SecretStoreSpec & { conditions: unknown });
}

/** A namespaced store; ESO mints the token of `serviceAccount` in the store's own namespace. */
export function namespacedStore(apiVersion: EsoApiVersion, vault: VaultConnection, name: string, namespace: string, role: string, serviceAccount: string): EsoManifest {
  return esoManifest(apiVersion, "SecretStore", { name, namespace }, { provider: vaultProvider(vault, role, { name: serviceAccount }) } satisfies SecretStoreSpec);
}

/** ClusterExternalSecret fanning a registry pull Secret into tenant namespaces (seed 000). */
export function pullSecretFanout(apiVersion: EsoApiVersion, cluster: string, secret: naming.PullSecretName, refreshTime: string): EsoManifest {
  const spec: ClusterExternalSecretSpec = {
    externalSecretName: secret,
    namespaceSelectors: [{ matchLabels: { [naming.TENANT_LABEL]: naming.TENANT_LABEL_VALUE } }],
    refreshTime,
    externalSecretSpec: {
      secretStoreRef: { kind: "ClusterSecretStore", name: naming.PLATFORM_STORE },
      target: {
        name: secret,
        template: {
          type: "kubernetes.io/dockerconfigjson",
          metadata: { labels: renderedSecretLabels("dockerconfigjson") },
          data: { ".dockerconfigjson": `{{ .${naming.PULL_SECRET_PROPERTY} }}` },
        },
      },
      data: [{ secretKey: naming.PULL_SECRET_PROPERTY, remoteRef: { key: naming.registryKey(cluster, secret), property: naming.PULL_SECRET_PROPERTY } }],
    },
  };
  return esoManifest(apiVersion, "ClusterExternalSecret", { name: secret }, spec);
}

export interface CiRobot {
  division: string;
  app: string;
  team: string;
}

/** The dockerconfigjson body seed 001 templates from the robot's username and token. */
export function ciDockerConfigTemplate(quayHost: string, email: string): string {
  return [
    "{",
    '  "auths": {',
    `    "${quayHost}": {`,
    '      "auth": "{{ printf "%s:%s" .username .token | b64enc }}",',
    `      "email": "${email}"`,
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
}

/** `quay-robot-team-<team>` in openshift-pipelines, exactly as seed 001 lays it out. */
export function ciRobotSecret(apiVersion: EsoApiVersion, robot: CiRobot, ci: { quayHost: string; emailDomain: string }, refreshInterval: string): EsoManifest {
  const name = naming.ciSecret(robot.team);
  const key = naming.ciRobotKey(robot.division, robot.app);
  const spec: ExternalSecretSpec = {
    refreshInterval,
    secretStoreRef: { kind: "SecretStore", name: naming.PIPELINES_STORE },
    target: {
      name,
      creationPolicy: "Owner",
      template: {
        type: "kubernetes.io/dockerconfigjson",
        metadata: { labels: renderedSecretLabels("dockerconfigjson") },
        data: { ".dockerconfigjson": ciDockerConfigTemplate(ci.quayHost, `${robot.team}+ci@${ci.emailDomain}`) },
      },
    },
    data: naming.CI_ROBOT_FIELDS.map((field) => ({ secretKey: field, remoteRef: { key, property: field } })),
  };
  return esoManifest(apiVersion, "ExternalSecret", { name, namespace: naming.PIPELINES_NAMESPACE }, spec);
}

/** Reads the division canary through the tenant store: Ready=True proves the whole chain. */
export function canarySecret(apiVersion: EsoApiVersion, namespace: string, division: string, refreshInterval: string): EsoManifest {
  const spec: ExternalSecretSpec = {
    refreshInterval,
    secretStoreRef: { kind: "SecretStore", name: naming.TENANT_STORE },
    target: { name: naming.TENANT_CANARY, creationPolicy: "Owner", template: { metadata: { labels: renderedSecretLabels("canary") } } },
    data: [{ secretKey: naming.CANARY_PROPERTY, remoteRef: { key: naming.canaryKey(division), property: naming.CANARY_PROPERTY } }],
  };
  return esoManifest(apiVersion, "ExternalSecret", { name: naming.TENANT_CANARY, namespace }, spec);
}
