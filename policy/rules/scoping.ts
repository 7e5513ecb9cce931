// Scoping rules: what each grant, binding and store may reach.
import * as naming from "../../model/naming";
import { parsePolicy, policySourceOf } from "../model";
import { resourceRule, stackRule } from "../rule";
import {
  esoKind,
  metaOf,
  objectName,
  specOf,
  TYPES,
  type ClusterExternalSecretSpec,
  type ExternalSecretSpec,
  type RoleProps,
  type SecretStoreSpec,
  type StoreRef,
} from "../shapes";

export const CLUSTER_GENERATOR = "kubernetes:generators.external-secrets.io/v1alpha1:ClusterGenerator";
import { AUTH_PATHS_SCHEMA, CI_ROBOT_KEY, clusterOfAuthPath, GLOB, goDurationSeconds, PLATFORM_KEY, type AuthPathConfig } from "./common";

export const vaultPolicyGlob = resourceRule({
  name: "vault-policy-glob",
  description: "A `*` in a Vault policy path is a glob only as its last character; anywhere else the path silently matches nothing (seed 001). `+*` is refused by Vault.",
  async check(r, _config, report) {
    const source = policySourceOf(r);
    // An unparsable text is vault-policy-shape's to report.
    const rules = source ? await parsePolicy(source).catch(() => []) : [];
    for (const rule of rules) {
      if (rule.path.includes("+*")) report(`Vault policy "${source!.name}" grants on "${rule.path}": Vault refuses '+*' when the policy is written; use '+' for a segment and end with '/*'`);
      const star = rule.path.indexOf("*");
      if (star !== -1 && star !== rule.path.length - 1) {
        report(
          `Vault policy "${source!.name}" grants on "${rule.path}": Vault reads a '*' that is not last as a literal character, so this grant matches nothing (seed 001's bug). Use '+' for one segment, or list the exact paths`,
        );
      }
    }
  },
});

interface TtlConfig {
  maxTokenTtlSeconds: number;
  maxTokenMaxTtlSeconds: number;
}

export const authRoleScope = resourceRule<TtlConfig>({
  name: "auth-role-scope",
  description: "Kubernetes auth roles bind explicit ServiceAccount names and namespaces (no globs, no label selector), alias by ServiceAccount UID, set an audience and cap token TTLs.",
  configSchema: {
    maxTokenTtlSeconds: { type: "integer", minimum: 1, description: "largest token_ttl a role may set", default: 3600 },
    maxTokenMaxTtlSeconds: { type: "integer", minimum: 1, description: "largest token_max_ttl a role may set", default: 14400 },
  },
  check(r, config, report) {
    if (r.type !== TYPES.role) return;
    const p = r.props as RoleProps;
    const at = `role "${p.roleName}"`;
    for (const [field, values] of [["boundServiceAccountNames", p.boundServiceAccountNames], ["boundServiceAccountNamespaces", p.boundServiceAccountNamespaces]] as const) {
      if (!values || values.length === 0) report(`${at} has no ${field}: list them explicitly`);
      const globbed = (values ?? []).filter((v) => GLOB.test(v) || v === "");
      if (globbed.length) {
        report(`${at} ${field} contains ${globbed.map((g) => JSON.stringify(g)).join(", ")}: a glob also matches names a tenant can create; list explicit names (seed 000 failure mode)`);
      }
    }
    if (p.boundServiceAccountNamespaceSelector) report(`${at} binds namespaces by label selector; that is only safe if tenants cannot set the label: list namespaces explicitly`);
    if (p.aliasNameSource !== undefined && p.aliasNameSource !== "serviceaccount_uid") {
      report(`${at} aliases by "${p.aliasNameSource}"; use serviceaccount_uid so a re-created ServiceAccount is a new identity`);
    }
    if (!p.audience) report(`${at} sets no audience: ESO's tokens are minted for one; set the same audience on the role`);
    if (!p.tokenTtl || p.tokenTtl > config.maxTokenTtlSeconds) report(`${at} token_ttl ${p.tokenTtl ?? "unset"}: set it, at most ${config.maxTokenTtlSeconds}s`);
    if (!p.tokenMaxTtl || p.tokenMaxTtl > config.maxTokenMaxTtlSeconds) report(`${at} token_max_ttl ${p.tokenMaxTtl ?? "unset"}: set it, at most ${config.maxTokenMaxTtlSeconds}s`);
  },
});

type GeneratorRef = { apiVersion?: string; kind?: string; name?: string };
type DataFromItem = { extract?: unknown; find?: unknown; sourceRef?: { storeRef?: StoreRef; generatorRef?: GeneratorRef } };
type Generated = { dataFrom?: DataFromItem[]; data?: unknown[] };

/** Every value comes from a generator: the refresh interval is then a rotation cadence, not a read. */
function generatorOnly(spec: Generated | undefined): boolean {
  const from = spec?.dataFrom ?? [];
  return (spec?.data ?? []).length === 0 && from.length > 0 && from.every((d) => d.sourceRef?.generatorRef !== undefined);
}

/** Generators that hold no credential and reach nothing: a ClusterGenerator of one of these kinds is judged safe. */
export const INERT_GENERATORS = ["Password", "UUID"];

export const clusterExternalSecretScope = stackRule<AuthPathConfig>({
  name: "cluster-external-secret-scope",
  description: `A ClusterExternalSecret (a distributed secret) reads Vault only through ClusterSecretStore ${naming.PLATFORM_STORE} (spec and per item), only keys under ocp/<cluster>/ of the cluster that store logs in to, and otherwise only from a ClusterGenerator of kind ${INERT_GENERATORS.join(" or ")}; never dataFrom extract/find (which namespaces it reaches is namespace-selection's).`,
  configSchema: AUTH_PATHS_SCHEMA,
  check(resources, config, report) {
    const clusters = new Set(
      resources
        .filter((r) => esoKind(r.type) === "ClusterSecretStore" && metaOf(r).name === naming.PLATFORM_STORE)
        .map((r) => clusterOfAuthPath(specOf<SecretStoreSpec>(r).provider?.vault?.auth?.kubernetes?.mountPath ?? "", config))
        .filter((c): c is string => c !== undefined),
    );
    const generators = new Map(resources.filter((r) => r.type === CLUSTER_GENERATOR).map((r) => [metaOf(r).name, specOf<{ kind?: string }>(r).kind]));
    const platformRef = (ref: StoreRef | undefined) => ref?.kind === "ClusterSecretStore" && ref.name === naming.PLATFORM_STORE;
    for (const r of resources) {
      if (esoKind(r.type) !== "ClusterExternalSecret") continue;
      const at = `ClusterExternalSecret ${objectName(r)}`;
      const es = (specOf<ClusterExternalSecretSpec>(r).externalSecretSpec ?? {}) as ExternalSecretSpec & { data?: Array<{ sourceRef?: { storeRef?: StoreRef } }>; dataFrom?: DataFromItem[] };
      const generated = generatorOnly(es);
      if (es.secretStoreRef ? !platformRef(es.secretStoreRef) : !generated) {
        report(`${at} must read through ClusterSecretStore ${naming.PLATFORM_STORE}, not ${es.secretStoreRef ? `${es.secretStoreRef.kind} "${es.secretStoreRef.name}"` : "no store"}`, r.urn);
      }
      for (const d of [...(es.data ?? []), ...(es.dataFrom ?? [])]) {
        const ref = d.sourceRef?.storeRef;
        if (ref && !platformRef(ref)) report(`${at} reads an item through ${ref.kind} "${ref.name}"; distributed secrets read only through ClusterSecretStore ${naming.PLATFORM_STORE}`, r.urn);
      }
      for (const d of es.dataFrom ?? []) {
        const gen = d.sourceRef?.generatorRef;
        if (!gen) report(`${at} uses dataFrom ${d.extract ? "extract" : d.find ? "find" : "without a generator"}; list each key under data so the reach is reviewable`, r.urn);
        else if (gen.kind !== "ClusterGenerator") report(`${at} reads generator ${gen.kind} "${gen.name}": a namespaced generator is not in the namespaces it selects; use a ClusterGenerator`, r.urn);
        else if (!INERT_GENERATORS.includes(generators.get(gen.name) ?? "")) {
          report(`${at} reads ClusterGenerator "${gen.name}", ${generators.has(gen.name) ? `of kind ${generators.get(gen.name)}, which logs in somewhere itself` : "which this stack does not define"}: distributed secrets are generated only by ${INERT_GENERATORS.join(" or ")}`, r.urn);
        }
      }
      for (const d of (es.data ?? []) as Array<{ remoteRef?: { key?: string } }>) {
        const key = d.remoteRef?.key ?? "";
        const cluster = PLATFORM_KEY.exec(key)?.[1];
        if (!cluster || key.split("/").includes("..")) report(`${at} reads "${key}"; distributed secrets may read only ${naming.platformKeyPrefix("<cluster>")} keys`, r.urn);
        else if (clusters.size > 0 && !clusters.has(cluster)) report(`${at} reads "${key}", under cluster ${cluster}; this stack's ${naming.PLATFORM_STORE} belongs to ${[...clusters].join(", ")} and reads only ${naming.platformKeyPrefix([...clusters][0]!)}`, r.urn);
      }
    }
  },
});

export const pipelinesSecretScope = resourceRule({
  name: "pipelines-secret-scope",
  description: `ExternalSecrets in ${naming.PIPELINES_NAMESPACE} read only apps/<division>/<app>/ci/quay-robot.`,
  check(r, _config, report) {
    if (esoKind(r.type) !== "ExternalSecret" || metaOf(r).namespace !== naming.PIPELINES_NAMESPACE) return;
    const spec = specOf<ExternalSecretSpec>(r);
    if ((spec.dataFrom ?? []).length) report(`${objectName(r)} uses dataFrom; CI secrets read named fields of one robot path`);
    const keys = new Set((spec.data ?? []).map((d) => d.remoteRef?.key ?? ""));
    for (const key of keys) {
      if (!CI_ROBOT_KEY.test(key)) report(`${objectName(r)} reads "${key}"; CI secrets may read only apps/<division>/<app>/ci/quay-robot`);
    }
    if (keys.size > 1) report(`${objectName(r)} reads ${keys.size} robot paths; one team's Secret carries one tenant's robot (seed 001)`);
  },
});

interface RefreshConfig {
  minRefresh: string;
  maxRefresh: string;
}

export const refreshIntervalBounds = resourceRule<RefreshConfig>({
  name: "refresh-interval-bounds",
  description:
    "ExternalSecret refreshInterval and ClusterExternalSecret refreshTime stay within bounds (default 1m to 24h): fast enough to pick up a rotation, slow enough not to hammer Vault. Where every value comes from a generator (and for a PushSecret of a generator) the interval is the rotation cadence: 0 (once) or at least the minimum.",
  configSchema: {
    minRefresh: { type: "string", description: "shortest allowed interval (Go duration)", default: "1m" },
    maxRefresh: { type: "string", description: "longest allowed interval (Go duration)", default: "24h" },
  },
  check(r, config, report) {
    const kind = esoKind(r.type);
    // [field, value, rotation]: a rotation has no upper bound and may be 0 (generate once).
    const intervals: Array<[string, string | undefined, boolean]> = [];
    if (kind === "ExternalSecret") {
      const spec = specOf<ExternalSecretSpec & Generated>(r);
      intervals.push(["refreshInterval", spec.refreshInterval, generatorOnly(spec)]);
    }
    if (kind === "ClusterExternalSecret") {
      const spec = specOf<ClusterExternalSecretSpec>(r);
      const es = spec.externalSecretSpec as (ExternalSecretSpec & Generated) | undefined;
      intervals.push(["refreshTime", spec.refreshTime, false], ["externalSecretSpec.refreshInterval", es?.refreshInterval, generatorOnly(es)]);
    }
    if (kind === "PushSecret") {
      const spec = specOf<{ refreshInterval?: string; selector?: { generatorRef?: unknown } }>(r);
      intervals.push(["refreshInterval", spec.refreshInterval, spec.selector?.generatorRef !== undefined]);
    }
    const min = goDurationSeconds(config.minRefresh);
    const max = goDurationSeconds(config.maxRefresh);
    if (min === undefined || max === undefined) {
      report(`refresh-interval-bounds config: minRefresh "${config.minRefresh}" / maxRefresh "${config.maxRefresh}" must be Go durations`);
      return;
    }
    for (const [field, value, rotation] of intervals) {
      // ESO's default for every one of them is 1h.
      const seconds = goDurationSeconds(value ?? "1h");
      if (seconds === undefined) report(`${objectName(r)} ${field} "${value}" is not a duration`);
      else if (rotation && seconds !== 0 && seconds < min) report(`${objectName(r)} ${field} ${value} rotates a generated value more often than ${config.minRefresh}`);
      else if (!rotation && (seconds < min || seconds > max)) report(`${objectName(r)} ${field} ${value ?? "1h (default)"} is outside ${config.minRefresh}..${config.maxRefresh}`);
    }
  },
});

export const protectedVaultMounts = resourceRule({
  name: "protected-vault-mounts",
  description: "The KV mount is version 2 and protected; kubernetes auth backends are protected (losing either destroys data or every login).",
  check(r, _config, report) {
    if (r.type === TYPES.mount && (r.props.type === "kv" || r.props.type === "kv-v2")) {
      const version = (r.props.options as Record<string, unknown> | undefined)?.version;
      if (r.props.type === "kv" && String(version) !== "2") report(`KV mount "${String(r.props.path)}" is version ${String(version ?? 1)}: ESO's stores and every policy here assume KV v2`);
      if (!r.protect) report(`KV mount "${String(r.props.path)}" is not protected: deleting it deletes every secret in it`);
    }
    if (r.type === TYPES.authBackend && !r.protect) report(`auth backend "${String(r.props.path)}" is not protected: deleting it drops every role and breaks every login`);
  },
});
