// The tenant catalogue (stacks/tenants.yaml): every tenant declared once, read by the
// foundation stack (division policies, canaries) and by each cluster stack (namespaces,
// roles, CI secrets). Onboarding a tenant is one entry in that one file.
import { z } from "zod";
import { ConfigError, formatKeyPath, type ConfigIssue, type KeyPath } from "./configError";
import { dnsLabel, PARSE_PARAMS, zodIssues } from "./schema";
import * as naming from "./naming";
import { closest } from "./spelling";

const tenantSchema = z.strictObject({
  division: dnsLabel.describe("The tenant's division: namespaces apps-<division>-<app>-<env>, Vault path <kv>/apps/<division>/<app>/, read policy apps-<division>-read, role apps-<cluster>-<division>."),
  app: dnsLabel.describe("The application. Checked: each division/app once; every namespace it produces is a DNS-1123 label of at most 63 characters and belongs to one tenant."),
  team: dnsLabel
    .optional()
    .describe("Quay team whose robot pushes this app's images: CI push Secret quay-robot-team-<team> in openshift-pipelines, read from <kv>/apps/<division>/<app>/ci/quay-robot. Leave it out for a tenant without CI push. Checked: one tenant per team (seed 001: two tenants sharing one Secret)."),
  secrets: z
    .array(dnsLabel)
    .optional()
    .describe(
      "Secret catalogue entries this tenant's namespaces opt into: each gets the label secrets/<name>: \"true\" (seed 004) and, for a dockerconfigjson entry, the Secret on its default ServiceAccount's imagePullSecrets. Checked: each name is an entry selected by its opt-in label in the stack of every cluster the tenant is deployed to, listed once.",
    ),
  deployments: z
    .record(dnsLabel, z.array(dnsLabel).min(1, { message: "list at least one environment" }))
    .refine((d) => Object.keys(d).length > 0, { message: "deploy the tenant to at least one cluster" })
    .describe("Cluster name to the environments deployed there: one namespace per cluster and environment. Checked: at least one cluster, each the cluster.name of some stack file in stacks/ (the error names the closest), each environment listed once."),
});

export const tenantsFileSchema = z
  .strictObject({ tenants: z.array(tenantSchema).describe("Every tenant, once.") })
  .describe(
    "The tenant catalogue, stacks/tenants.yaml: every tenant declared once, read by the foundation stack (division policies and canaries) and by each cluster stack (namespaces, roles, CI secrets). Unknown fields are refused; every problem is reported at once with its file, line and key.",
  );

export type Tenant = z.infer<typeof tenantSchema>;

export interface TenantNamespace {
  namespace: string;
  division: string;
  app: string;
  env: string;
  team?: string;
  /** Catalogue entries opted into. */
  secrets?: string[];
}

export interface CatalogueSource {
  file: string;
  lineOf?: (path: KeyPath) => number | undefined;
  sourceOf?: (path: KeyPath) => string | undefined;
  /** Clusters some stack defines; a deployment to any other cluster is an error. Unchecked when absent. */
  knownClusters?: ReadonlySet<string>;
}

export function parseCatalogue(data: unknown, source: CatalogueSource): Tenant[] {
  const toIssue = ({ path, message }: Conflict): ConfigIssue => {
    const line = source.lineOf?.(path);
    return { file: source.file, key: formatKeyPath(path), message, ...(line ? { line } : {}) };
  };
  // Read from the raw data, so that a typo'd cluster is reported along with schema errors elsewhere.
  const issues = source.knownClusters ? unknownClusters(data, source.knownClusters).map(toIssue) : [];
  const parsed = tenantsFileSchema.safeParse(data, PARSE_PARAMS);
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error, { file: source.file, ...(source.lineOf ? { lineOf: source.lineOf } : {}), ...(source.sourceOf ? { sourceOf: source.sourceOf } : {}) }));
  } else {
    issues.push(...conflicts(parsed.data.tenants).map(toIssue));
  }
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues);
  return parsed.data.tenants;
}

/** Deployment keys naming no cluster that a stack defines: the tenant would silently be deployed nowhere there. */
function unknownClusters(data: unknown, known: ReadonlySet<string>): Conflict[] {
  const tenants = isRecord(data) && Array.isArray(data.tenants) ? data.tenants : [];
  const found: Conflict[] = [];
  tenants.forEach((t: unknown, i) => {
    if (!isRecord(t) || !isRecord(t.deployments)) return;
    for (const cluster of Object.keys(t.deployments)) {
      if (known.has(cluster)) continue;
      const near = closest(cluster, known);
      const names = known.size > 0 ? `known clusters: ${[...known].sort().join(", ")}` : "no stack defines a cluster";
      found.push({ path: ["tenants", i, "deployments", cluster], message: `no stack in stacks/ defines cluster "${cluster}"${near ? ` (did you mean "${near}"?)` : ""}; ${names}` });
    }
  });
  return found;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

interface Conflict {
  path: KeyPath;
  message: string;
}

/** Name collisions and length limits that only show once names are derived. */
export function conflicts(tenants: readonly Tenant[]): Conflict[] {
  const found: Conflict[] = [];
  const apps = new Map<string, number>();
  const teams = new Map<string, number>();
  const namespaces = new Map<string, { tenant: number; cluster: string }>();
  tenants.forEach((t, i) => {
    const id = `${t.division}/${t.app}`;
    const firstApp = apps.get(id);
    if (firstApp !== undefined) {
      found.push({ path: ["tenants", i, "app"], message: `${id} is already declared at tenants[${firstApp}]; declare each app once and list all its clusters under deployments` });
    } else apps.set(id, i);

    if (t.team !== undefined) {
      const secret = naming.ciSecret(t.team);
      const problem = naming.dns1123Problem(secret);
      if (problem) found.push({ path: ["tenants", i, "team"], message: `CI Secret name "${secret}" ${problem}` });
      const owner = teams.get(t.team);
      if (owner !== undefined) {
        const other = tenants[owner]!;
        found.push({
          path: ["tenants", i, "team"],
          message: `team "${t.team}" already owns ${secret} for ${other.division}/${other.app} (tenants[${owner}]); two tenants would share one CI Secret in ${naming.PIPELINES_NAMESPACE} (seed 001 failure mode): give this tenant its own team`,
        });
      } else teams.set(t.team, i);
    }

    const optedIn = new Set<string>();
    (t.secrets ?? []).forEach((s, k) => {
      if (optedIn.has(s)) found.push({ path: ["tenants", i, "secrets", k], message: `"${s}" is listed twice` });
      optedIn.add(s);
    });

    for (const [cluster, envs] of Object.entries(t.deployments)) {
      const seenEnv = new Set<string>();
      envs.forEach((env, k) => {
        const path: KeyPath = ["tenants", i, "deployments", cluster, k];
        if (seenEnv.has(env)) found.push({ path, message: `environment "${env}" is listed twice for ${cluster}` });
        seenEnv.add(env);
        const ns = naming.tenantNamespace({ division: t.division, app: t.app, env });
        const problem = naming.dns1123Problem(ns);
        if (problem) found.push({ path, message: `namespace "${ns}" ${problem}` });
        const key = `${cluster}/${ns}`;
        const owner = namespaces.get(key);
        if (owner !== undefined && owner.tenant !== i) {
          const other = tenants[owner.tenant]!;
          found.push({ path, message: `namespace "${ns}" on ${cluster} is also produced by ${other.division}/${other.app} (tenants[${owner.tenant}]); rename the app or division` });
        } else namespaces.set(key, { tenant: i, cluster });
      });
    }
  });
  return found;
}

/** Tenant namespaces on one cluster, in catalogue order. */
export function namespacesOn(tenants: readonly Tenant[], cluster: string): TenantNamespace[] {
  const out: TenantNamespace[] = [];
  for (const t of tenants) {
    for (const env of t.deployments[cluster] ?? []) {
      out.push({
        namespace: naming.tenantNamespace({ division: t.division, app: t.app, env }),
        division: t.division,
        app: t.app,
        env,
        ...(t.team ? { team: t.team } : {}),
        ...(t.secrets?.length ? { secrets: t.secrets } : {}),
      });
    }
  }
  return out;
}

/** Tenants with a CI team that run on `cluster`: each gets a quay-robot ExternalSecret. */
export function ciTenantsOn(tenants: readonly Tenant[], cluster: string): Array<Tenant & { team: string }> {
  return tenants.filter((t): t is Tenant & { team: string } => t.team !== undefined && cluster in t.deployments);
}

export function divisionsOf(tenants: readonly Tenant[]): string[] {
  return [...new Set(tenants.map((t) => t.division))].sort();
}
