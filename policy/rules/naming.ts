// Naming rules: every name the platform depends on is the one the naming module computes.
import * as naming from "../../model/naming";
import { resourceRule } from "../rule";
import { policyName } from "../vaultPaths";
import { esoKind, kindIn, metaOf, objectName, specOf, TYPES, type ExternalSecretSpec, type RoleProps, type SecretStoreSpec } from "../shapes";
import { AUTH_PATHS_SCHEMA, classifyPolicy, clusterOfAuthPath, divisionOfPolicy, isTenantNamespace, teamOfCiSecret, type AuthPathConfig } from "./common";

export const tenantNamespaceNaming = resourceRule({
  name: "tenant-namespace-naming",
  description: `Tenant namespaces are apps-<division>-<app>-<env>, DNS-1123 (<= 63 characters), labelled ${naming.TENANT_LABEL}: "true" and with labels matching the name; no NamespacePatch sets apps.platform/ labels.`,
  check(r, _config, report) {
    if (kindIn(r) === "NamespacePatch") {
      const platformLabels = Object.keys(metaOf(r).labels ?? {}).filter((k) => k.startsWith("apps.platform/"));
      if (platformLabels.length) {
        report(`NamespacePatch ${metaOf(r).name} sets ${platformLabels.join(", ")}: those labels decide which secrets reach a namespace and which division it reads; only the Namespace resource that creates a tenant namespace sets them`);
      }
      return;
    }
    if (kindIn(r) !== "Namespace") return;
    const meta = metaOf(r);
    const name = meta.name ?? "";
    const labels = meta.labels ?? {};
    const labelled = labels[naming.TENANT_LABEL] === naming.TENANT_LABEL_VALUE;
    if (!labelled && !isTenantNamespace(name)) return;
    if (!isTenantNamespace(name)) {
      report(`namespace "${name}" carries ${naming.TENANT_LABEL}=true but is not named apps-<division>-<app>-<env>: rename it, or drop the label so that no tenant secrets are fanned into it`);
      return;
    }
    const problem = naming.dns1123Problem(name);
    if (problem) report(`namespace "${name}" ${problem}`);
    if (!labelled) {
      report(`tenant namespace "${name}" lacks the label ${naming.TENANT_LABEL}: "true"; without it app-registry-pull is never fanned in and pods hit ImagePullBackOff (seed 000)`);
    }
    const division = labels["apps.platform/division"];
    const app = labels["apps.platform/app"];
    const env = labels["apps.platform/env"];
    if (!division || !app || !env) {
      report(`tenant namespace "${name}" must carry the labels apps.platform/division, apps.platform/app and apps.platform/env`);
    } else if (naming.tenantNamespace({ division, app, env }) !== name) {
      report(`tenant namespace "${name}" is labelled ${division}/${app}/${env}, which names "${naming.tenantNamespace({ division, app, env })}": fix the name or the labels`);
    }
  },
});

export const vaultPolicyNaming = resourceRule({
  name: "vault-policy-naming",
  description: "Vault policies are apps-<division>-read, platform-<cluster>-read, platform-<cluster>-push-write, pipelines-<cluster>-quay-robot-read or <env>-kv-rw.",
  check(r, _config, report) {
    if (r.type !== TYPES.policy) return;
    const name = r.props.name;
    if (typeof name !== "string") {
      report("Vault policy has no explicit name: @pulumi/vault then adds a random suffix, and no role can list it reliably; set `name`");
      return;
    }
    if (policyName(name) !== name) {
      report(`Vault policy "${name}" is stored by Vault as "${policyName(name)}" (trimmed, lower-cased): name it so, or it silently rewrites that policy while the stack shows another name`);
      return;
    }
    if (!classifyPolicy(name)) {
      report(`Vault policy "${name}" does not follow the platform's naming (apps-<division>-read, platform-<cluster>-read, platform-<cluster>-push-write, pipelines-<cluster>-quay-robot-read, <env>-kv-rw)`);
    }
  },
});

export const authBackendNaming = resourceRule<AuthPathConfig>({
  name: "auth-backend-naming",
  description: "A kubernetes auth mount is <cluster>-k8s (or the path configured for that cluster in authPaths).",
  configSchema: AUTH_PATHS_SCHEMA,
  check(r, config, report) {
    if (r.type !== TYPES.authBackend || r.props.type !== "kubernetes") return;
    const path = String(r.props.path ?? "");
    if (!clusterOfAuthPath(path, config)) {
      report(`kubernetes auth mount "${path}" is not <cluster>-k8s: one mount per cluster keeps each cluster's reviewer separate (seed 002); rename it or declare it in this rule's authPaths`);
    }
  },
});

export const authRoleNaming = resourceRule<AuthPathConfig>({
  name: "auth-role-naming",
  description: `Roles are apps-<cluster>-<division> (app-eso in that division's namespaces), pipelines-<cluster>, platform-<cluster> and platform-<cluster>-push (${naming.PUSH_SERVICE_ACCOUNT}), on their cluster's auth mount.`,
  configSchema: AUTH_PATHS_SCHEMA,
  check(r, config, report) {
    if (r.type !== TYPES.role) return;
    const p = r.props as RoleProps;
    const cluster = clusterOfAuthPath(p.backend ?? "", config);
    if (!cluster) {
      report(`role "${p.roleName}" lives on auth mount "${p.backend}", which is not <cluster>-k8s`);
      return;
    }
    const names = p.boundServiceAccountNames ?? [];
    const namespaces = p.boundServiceAccountNamespaces ?? [];
    if (names.length === 1 && names[0] === naming.TENANT_SERVICE_ACCOUNT) {
      const divisions = (p.tokenPolicies ?? []).map(divisionOfPolicy);
      const division = divisions[0];
      if (divisions.length !== 1 || !division) {
        report(`tenant role "${p.roleName}" must carry exactly one apps-<division>-read policy, not ${JSON.stringify(p.tokenPolicies)}`);
        return;
      }
      const expected = naming.tenantRole(cluster, division);
      if (p.roleName !== expected) report(`role for division ${division} on ${cluster} is named "${p.roleName}"; name it "${expected}"`);
      const outside = namespaces.filter((ns) => !ns.startsWith(`${naming.TENANT_NAMESPACE_PREFIX}${division}-`));
      if (outside.length) report(`role "${p.roleName}" (division ${division}) binds namespaces of other divisions: ${outside.join(", ")}`);
    } else if (names.length === 1 && names[0] === naming.PIPELINES_SERVICE_ACCOUNT) {
      if (p.roleName !== naming.pipelinesRole(cluster)) report(`pipelines role is named "${p.roleName}"; name it "${naming.pipelinesRole(cluster)}"`);
    } else if (names.length === 1 && names[0] === naming.PUSH_SERVICE_ACCOUNT) {
      if (p.roleName !== naming.platformPushRole(cluster)) report(`push role is named "${p.roleName}"; name it "${naming.platformPushRole(cluster)}"`);
    } else if (p.roleName !== naming.platformRole(cluster)) {
      report(`role "${p.roleName}" binds ${names.join(", ")}: only app-eso (apps-<cluster>-<division>), ${naming.PIPELINES_SERVICE_ACCOUNT} (pipelines-<cluster>), ${naming.PUSH_SERVICE_ACCOUNT} (platform-<cluster>-push) and ESO's own ServiceAccount (platform-<cluster>) are expected`);
    }
  },
});

export const secretStoreNaming = resourceRule<AuthPathConfig>({
  name: "secret-store-naming",
  description: `A tenant namespace's SecretStore is ${naming.TENANT_STORE}, authenticating as ${naming.TENANT_SERVICE_ACCOUNT} with apps-<cluster>-<division>; the pipelines store is ${naming.PIPELINES_STORE}; the PushSecrets' store is ${naming.PUSH_STORE} as ${naming.PUSH_SERVICE_ACCOUNT} with platform-<cluster>-push, outside tenant namespaces.`,
  configSchema: AUTH_PATHS_SCHEMA,
  check(r, config, report) {
    if (esoKind(r.type) !== "SecretStore") return;
    const meta = metaOf(r);
    const auth = specOf<SecretStoreSpec>(r).provider?.vault?.auth?.kubernetes;
    const where = objectName(r);
    const cluster = clusterOfAuthPath(auth?.mountPath ?? "", config);
    if (!cluster) {
      report(`SecretStore ${where} logs in at "${auth?.mountPath}", which is not a <cluster>-k8s kubernetes auth mount`);
      return;
    }
    if (meta.namespace === naming.PIPELINES_NAMESPACE) {
      if (meta.name !== naming.PIPELINES_STORE) report(`the store in ${naming.PIPELINES_NAMESPACE} must be named ${naming.PIPELINES_STORE}, not "${meta.name}"`);
      if (auth?.serviceAccountRef?.name !== naming.PIPELINES_SERVICE_ACCOUNT) report(`${where} must authenticate as ${naming.PIPELINES_SERVICE_ACCOUNT}`);
      if (auth?.role !== naming.pipelinesRole(cluster)) report(`${where} must use role ${naming.pipelinesRole(cluster)}, not "${auth?.role}"`);
      return;
    }
    if (meta.name === naming.PUSH_STORE && !meta.namespace?.startsWith(naming.TENANT_NAMESPACE_PREFIX)) {
      if (auth?.serviceAccountRef?.name !== naming.PUSH_SERVICE_ACCOUNT) report(`${where} must authenticate as ${naming.PUSH_SERVICE_ACCOUNT}`);
      if (auth?.role !== naming.platformPushRole(cluster)) report(`${where} must use role ${naming.platformPushRole(cluster)}, not "${auth?.role}"`);
      return;
    }
    if (meta.name !== naming.TENANT_STORE) report(`SecretStore ${where} must be named ${naming.TENANT_STORE}: tenants' ExternalSecrets and the onboarding docs refer to that name`);
    if (auth?.serviceAccountRef?.name !== naming.TENANT_SERVICE_ACCOUNT) {
      report(`SecretStore ${where} authenticates as "${auth?.serviceAccountRef?.name}"; it must be ${naming.TENANT_SERVICE_ACCOUNT}, the only ServiceAccount the division role binds`);
    }
    const rolePrefix = naming.tenantRole(cluster, "");
    const division = auth?.role?.startsWith(rolePrefix) ? auth.role.slice(rolePrefix.length) : undefined;
    if (!division || !meta.namespace?.startsWith(`${naming.TENANT_NAMESPACE_PREFIX}${division}-`)) {
      report(`SecretStore ${where} uses role "${auth?.role}"; a tenant store must use apps-${cluster}-<its division>`);
    }
  },
});

export const ciSecretNaming = resourceRule({
  name: "ci-secret-naming",
  description: `CI robot ExternalSecrets are ${naming.ciSecret("<team>")} in ${naming.PIPELINES_NAMESPACE}, rendering a Secret of the same name through ${naming.PIPELINES_STORE}.`,
  check(r, _config, report) {
    if (esoKind(r.type) !== "ExternalSecret") return;
    const meta = metaOf(r);
    const name = meta.name ?? "";
    const team = teamOfCiSecret(name);
    if (meta.namespace !== naming.PIPELINES_NAMESPACE) {
      if (team) report(`${objectName(r)}: CI robot secrets belong in ${naming.PIPELINES_NAMESPACE}, where the push-image-quay Task reads them`);
      return;
    }
    if (!team) {
      report(`ExternalSecret ${objectName(r)} in ${naming.PIPELINES_NAMESPACE} must be named ${naming.ciSecret("<team>")}`);
      return;
    }
    const spec = specOf<ExternalSecretSpec>(r);
    const target = spec.target?.name ?? name;
    if (target !== name) report(`${objectName(r)} renders Secret "${target}"; it must render ${name} (PipelineRuns pass that name to push-image-quay)`);
    if (spec.secretStoreRef?.kind !== "SecretStore" || spec.secretStoreRef.name !== naming.PIPELINES_STORE) {
      report(`${objectName(r)} must read through SecretStore ${naming.PIPELINES_STORE}, not ${spec.secretStoreRef?.kind} ${spec.secretStoreRef?.name}`);
    }
  },
});
