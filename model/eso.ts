// ESO manifests as pure data, typed by the ESO API models and validated against the
// CRD schemas they were generated from, before Pulumi ever sees them.
import * as v1 from "@kubernetes-models/external-secrets/external-secrets.io/v1";
import * as v1alpha1 from "@kubernetes-models/external-secrets/external-secrets.io/v1alpha1";
import * as v1beta1 from "@kubernetes-models/external-secrets/external-secrets.io/v1beta1";
import * as generators from "@kubernetes-models/external-secrets/generators.external-secrets.io/v1alpha1";
import { entrySelector, type CatalogueEntry } from "./catalogue";
import type { LabelSelector } from "./labelSelector";
import * as naming from "./naming";
import { rotatesOnCompromise, rotationInterval } from "./rotation";
import { renderTemplate } from "./secretTemplates";

export type EsoApiVersion = "v1" | "v1beta1";
export type EsoKind = "ExternalSecret" | "SecretStore" | "ClusterSecretStore" | "ClusterExternalSecret";
/** Kinds outside external-secrets.io/<version>: PushSecret is v1alpha1 only; generators have their own group. */
export type EsoExtraKind = "PushSecret" | "ClusterGenerator" | "Password" | "UUID";

type ExternalSecretSpec = NonNullable<v1.IExternalSecret["spec"]>;
type SecretStoreSpec = NonNullable<v1.ISecretStore["spec"]>;
type ClusterExternalSecretSpec = NonNullable<v1.IClusterExternalSecret["spec"]>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}

export interface EsoManifest {
  apiVersion: `external-secrets.io/${EsoApiVersion}` | typeof PUSH_API_VERSION | typeof GENERATORS_API_VERSION;
  kind: EsoKind | EsoExtraKind;
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
}

/** Labels on every object the program writes, and on the Secrets ESO renders (seed 004). */
export const STANDARD_LABELS = {
  "app.kubernetes.io/managed-by": "pulumi",
  "app.kubernetes.io/part-of": "platform-secrets",
} as const;

export const PUSH_API_VERSION = "external-secrets.io/v1alpha1";
export const GENERATORS_API_VERSION = "generators.external-secrets.io/v1alpha1";

/** Seed 004's standard labels on every distributed Secret: who manages it, where it comes from, what it is. */
const RENDERED_LABEL_KEYS = { managedBy: "app.kubernetes.io/managed-by", source: "platform-secrets/source", secretType: "platform-secrets/secret-type" } as const;

function renderedSecretLabels(secretType: string, source: "vault" | "generator" = "vault"): Record<string, string> {
  return { [RENDERED_LABEL_KEYS.managedBy]: "external-secrets", [RENDERED_LABEL_KEYS.source]: source, [RENDERED_LABEL_KEYS.secretType]: secretType };
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

const EXTRA_MODELS: Record<EsoExtraKind, ModelClass> = { PushSecret: v1alpha1.PushSecret, ClusterGenerator: generators.ClusterGenerator, Password: generators.Password, UUID: generators.UUID };

/** Builds a manifest and validates it against the ESO CRD schema of `apiVersion`. */
export function esoManifest(apiVersion: EsoApiVersion, kind: EsoKind, metadata: ObjectMeta, spec: object): EsoManifest {
  return validated(MODELS[apiVersion][kind], apiVersion, kind, metadata, spec);
}

function extraManifest(kind: EsoExtraKind, metadata: ObjectMeta, spec: object): EsoManifest {
  return validated(EXTRA_MODELS[kind], kind === "PushSecret" ? "v1alpha1" : "generators v1alpha1", kind, metadata, spec);
}

function validated(Model: ModelClass, apiVersion: string, kind: string, metadata: ObjectMeta, spec: object): EsoManifest {
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

/**
 * The ClusterExternalSecret of a catalogue entry (seeds 000, 004): one selector (the entry's
 * selection ANDed with the tenant label), the platform store, and the entry's format as a
 * self-contained template. An entry generated per namespace reads a ClusterGenerator instead
 * of Vault, and names no store.
 */
export function distributedSecret(apiVersion: EsoApiVersion, entry: CatalogueEntry, refreshTime: string): EsoManifest {
  const template = renderTemplate(entry.format);
  const src = entry.source;
  const generated = src.kind === "generated" && src.via === "externalsecret";
  const labels = { ...renderedSecretLabels(entry.secretType, generated ? "generator" : "vault"), ...template.labels };
  const reads =
    src.kind === "vault"
      ? { data: template.inputs.map((input) => ({ secretKey: input, remoteRef: { key: src.key, property: src.properties[input]! } })) }
      : src.via === "pushsecret"
        ? { data: [{ secretKey: src.property, remoteRef: { key: src.key, property: src.property } }] }
        : { dataFrom: [{ sourceRef: { generatorRef: { apiVersion: GENERATORS_API_VERSION, kind: "ClusterGenerator" as const, name: entry.name } } }] };
  const spec: ClusterExternalSecretSpec = {
    externalSecretName: entry.secretName,
    namespaceSelectors: [modelSelector(entrySelector(entry.selection))],
    refreshTime,
    externalSecretSpec: {
      ...(entry.refreshInterval ? { refreshInterval: entry.refreshInterval } : {}),
      ...(generated ? {} : { secretStoreRef: { kind: "ClusterSecretStore" as const, name: naming.PLATFORM_STORE } }),
      target: { name: entry.secretName, template: { type: template.type, metadata: { labels }, data: template.data } },
      ...reads,
    },
  };
  return esoManifest(apiVersion, "ClusterExternalSecret", { name: entry.name }, spec);
}

/** The ESO models take mutable arrays. */
function modelSelector(s: LabelSelector): { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } {
  return {
    ...(s.matchLabels ? { matchLabels: { ...s.matchLabels } } : {}),
    ...(s.matchExpressions ? { matchExpressions: s.matchExpressions.map((r) => ({ key: r.key, operator: r.operator, ...(r.values ? { values: [...r.values] } : {}) })) } : {}),
  };
}

function generatorSpec(entry: CatalogueEntry): Record<string, unknown> {
  return entry.source.kind === "generated" && entry.source.generator === "Password" ? { ...entry.password } : {};
}

/** The cluster-wide generator a per-namespace generated entry's ExternalSecrets read. */
export function clusterGenerator(entry: CatalogueEntry & { source: { kind: "generated" } }): EsoManifest {
  const kind = entry.source.generator;
  return extraManifest("ClusterGenerator", { name: entry.name }, { kind, generator: kind === "Password" ? { passwordSpec: generatorSpec(entry) } : { uuidSpec: {} } });
}

/** The namespaced generator a PushSecret in ESO's namespace reads. */
export function namespacedGenerator(entry: CatalogueEntry & { source: { kind: "generated" } }, namespace: string): EsoManifest {
  return extraManifest(entry.source.generator, { name: entry.name, namespace }, generatorSpec(entry));
}

/**
 * Writes a generated value to Vault through the primary's store (seed 003: PushSecrets write to
 * the primary only). The rotation type sets the cadence; a secret rotated only on compromise is
 * pushed once and never overwrites what Vault holds. Deleting the PushSecret leaves the value.
 */
export function pushSecret(entry: CatalogueEntry & { source: { kind: "generated"; via: "pushsecret" } }, namespace: string, store: string): EsoManifest {
  const src = entry.source;
  return extraManifest("PushSecret", { name: entry.name, namespace }, {
    refreshInterval: rotationInterval(src.rotation),
    updatePolicy: rotatesOnCompromise(src.rotation) ? "IfNotExists" : "Replace",
    deletionPolicy: "None",
    secretStoreRefs: [{ kind: "SecretStore", name: store }],
    selector: { generatorRef: { apiVersion: GENERATORS_API_VERSION, kind: src.generator, name: entry.name } },
    data: [{ match: { secretKey: src.property, remoteRef: { remoteKey: src.key, property: src.property } } }],
  });
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
