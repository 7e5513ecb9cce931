// The access report on the shipped stacks (program under the mock runtime), its queries, its
// diff, its formats, and `npm run access` as a user runs it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { beforeAll, describe, expect, it } from "vitest";
import { aclOf, buildReport, resourceViews } from "../access/build";
import { deliveryPieces } from "../access/deliveries";
import { diffReports } from "../access/diff";
import { foundationPolicies, foundationStackOf } from "../access/foundation";
import { groupPrincipals } from "../access/group";
import { narrow, QueryError } from "../access/query";
import { reportMarkdown, reportTable } from "../access/render";
import { validateDiff, validateReport } from "../access/schema";
import { readSavedReport } from "../access/stackReport";
import { reportSvg } from "../access/svg";
import type { AccessReport, Grant } from "../access/types";
import { benchCatalogue, benchStackValues } from "../bench/catalogue";
import { matches, namespaceLabels } from "../model/labelSelector";
import * as naming from "../model/naming";
import { capabilitiesAt, compileAcl } from "../policy/acl";
import { accessDefaults, DEFAULT_POLICY_RULES } from "../policy/allowance";
import { BUILT_IN_DEFAULT, SERVERS } from "../policy/defaultPolicy";
import { policyHolders } from "../policy/holders";
import { buildModel } from "../policy/model";
import type { ResourceView } from "../policy/shapes";
import { runOffline, type OfflineRun } from "../preview/mock";
import { OUTPUT_MARKER } from "../preview/outputDir";
import type { RegisteredResource } from "../preview/record";
import { handWritten } from "./handWritten";
import { ROOT } from "./helpers";

const runs: Record<string, OfflineRun> = {};
/** A grant only the server's built-in `default` policy makes. */
const onlyDefault = (g: Grant) => g.policies.length === 1 && g.policies[0] === "default";
const reports: Record<string, AccessReport> = {};

async function reportOf(stack: string, resources: readonly RegisteredResource[], withFoundation = true): Promise<AccessReport> {
  const ref = foundationStackOf(resourceViews(resources));
  return buildReport({ stack, resources, ...(ref && withFoundation ? { foundation: foundationPolicies(ROOT, ref) } : {}) });
}

/** A copy of the records with one policy's text replaced, as a change to the program would make it. */
function withPolicy(resources: readonly RegisteredResource[], name: string, text: string): RegisteredResource[] {
  return resources.map((r) => (r.type === "vault:index/policy:Policy" && r.outputs.name === name ? { ...r, inputs: { ...r.inputs, policy: text }, outputs: { ...r.outputs, policy: text } } : r));
}

beforeAll(async () => {
  for (const stack of ["vault", "spoke-dc-v6", "spoke-dc-v7"]) {
    runs[stack] = await runOffline({ root: ROOT, stack });
    reports[stack] = await reportOf(stack, runs[stack]!.resources);
  }
});

describe("the report of the shipped stacks", () => {
  it("validates against its JSON Schema, and the schema refuses a report missing a field or with a bad capability", () => {
    for (const r of Object.values(reports)) expect(validateReport(JSON.parse(JSON.stringify(r)))).toEqual([]);
    const { principals: _p, ...missing } = reports["spoke-dc-v6"]!;
    expect(validateReport(missing).join()).toContain("principals");
    const bad = JSON.parse(JSON.stringify(reports["spoke-dc-v6"])) as AccessReport;
    bad.principals[0]!.grants[0]!.capabilities = ["reed"];
    expect(validateReport(bad).join()).toContain("capabilities");
  });

  it.each(["spoke-dc-v6", "spoke-dc-v7"])("%s: every tenant namespace's app-eso reads its division's subtree through the foundation's policy text, and gets its canary", (stack) => {
    const cluster = runs[stack]!.outputs.cluster!;
    for (const [ns, t] of Object.entries(cluster.tenantNamespaces)) {
      const p = reports[stack]!.principals.find((x) => x.id === `sa:${ns}/${naming.TENANT_SERVICE_ACCOUNT}@${cluster.authPath}/${t.role}`);
      expect(p, ns).toBeDefined();
      expect(p!.unresolvedPolicies).toEqual([]);
      expect(p!.policies).toEqual([t.policy, "default"]);
      expect(p!.grants.filter((g) => !onlyDefault(g))).toEqual([{ path: `${cluster.kvMount}/data/${naming.divisionKeyPrefix(t.division)}*`, match: "prefix", capabilities: ["read"], policies: [t.policy] }]);
      expect(p!.grants.filter(onlyDefault).map((g) => g.path)).toEqual(BUILT_IN_DEFAULT.vault.map((r) => r.path).sort());
      const canary = p!.secrets.find((d) => d.secret === naming.TENANT_CANARY);
      expect(canary?.namespaces).toEqual([ns]);
      expect(canary?.keys[0]?.vaultPath).toBe(`${cluster.kvMount}/data/${naming.canaryKey(t.division)}`);
      expect(canary?.deniedPaths).toBeUndefined();
    }
  });

  it("without the foundation's texts, its policies are unresolved and grant nothing", async () => {
    const bare = await reportOf("spoke-dc-v6", runs["spoke-dc-v6"]!.resources, false);
    const tenant = bare.principals.find((p) => p.serviceAccount?.name === naming.TENANT_SERVICE_ACCOUNT)!;
    expect(tenant.unresolvedPolicies).toEqual(tenant.policies.filter((p) => p !== "default"));
    expect(tenant.grants.filter((g) => !onlyDefault(g))).toEqual([]);
    expect(tenant.secrets[0]!.deniedPaths?.length).toBe(1);
  });

  it("the platform store's ServiceAccount gets each catalogue Secret in exactly the namespaces its selector picks, from its KV key", () => {
    const cluster = runs["spoke-dc-v6"]!.outputs.cluster!;
    const platform = reports["spoke-dc-v6"]!.principals.find((p) => p.login?.role === naming.platformRole(cluster.cluster))!;
    const namespaces = runs["spoke-dc-v6"]!.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => r.inputs.metadata as { name: string; labels?: Record<string, string> });
    let delivered = 0;
    for (const [entry, out] of Object.entries(cluster.secretCatalogue).filter(([, o]) => o.vaultKey)) {
      const selected = namespaces.filter((ns) => matches(out.selector, namespaceLabels(ns.name, ns.labels ?? {}))).map((ns) => ns.name);
      const d = platform.secrets.find((x) => x.secret === out.secret);
      if (selected.length === 0) {
        expect(d, entry).toBeUndefined();
        continue;
      }
      delivered++;
      expect(d!.namespaces.sort(), entry).toEqual(selected.sort());
      expect(new Set(d!.keys.map((k) => k.vaultPath))).toEqual(new Set([`${cluster.kvMount}/data/${out.vaultKey}`]));
      expect(d!.deniedPaths).toBeUndefined();
    }
    expect(delivered).toBeGreaterThanOrEqual(4);
  });

  it("the vault stack's admin group is a principal with its OIDC alias and its admin policy's grants", () => {
    const g = reports["vault"]!.principals.find((p) => p.kind === "identity-group")!;
    expect(g.group).toMatchObject({ name: naming.adminGroup("dc"), aliases: [{ name: naming.adminGroup("dc") }] });
    expect(g.policies).toEqual([naming.adminPolicy("dc"), "default"]);
    expect(g.grants.some((x) => x.path === "secret/data/apps/*" && x.capabilities.includes("update"))).toBe(true);
  });
});

describe("principals beyond Kubernetes, and the default policy", () => {
  const extras = [
    handWritten("spoke-dc-v6", "vault:appRole/authBackendRole:AuthBackendRole", "ci", { backend: "approle", roleName: "ci", tokenPolicies: ["apps-payments-read"] }),
    handWritten("spoke-dc-v6", "vault:generic/endpoint:Endpoint", "alice", { path: "auth/userpass/users/alice", dataJson: JSON.stringify({ password: "x", token_policies: ["platform-spoke-dc-v6-read"], token_no_default_policy: true }) }),
    handWritten("spoke-dc-v6", "vault:ldap/authBackendGroup:AuthBackendGroup", "ops", { backend: "ldap", groupname: "ops", policies: ["apps-platform-read"] }),
    handWritten("spoke-dc-v6", "vault:tokenauth/authBackendRole:AuthBackendRole", "deployer", { roleName: "deployer", allowedPolicies: ["apps-payments-read"] }),
  ];
  let report: AccessReport;
  beforeAll(async () => {
    report = await reportOf("spoke-dc-v6", [...runs["spoke-dc-v6"]!.resources, ...extras]);
  });

  it("every hand-written holder of policies is a principal of its kind, with its login, its reach and `default` unless it disables it", async () => {
    const by = (kind: string) => report.principals.filter((p) => p.kind === kind);
    const [approle] = by("approle");
    expect(approle).toMatchObject({ id: "approle:approle/ci", login: { method: "approle", mount: "approle", role: "ci" }, policies: ["apps-payments-read", "default"] });
    expect(capabilitiesAt(aclOf(approle!), "secret/data/apps/payments/x")).toContain("read");
    expect(capabilitiesAt(aclOf(approle!), "auth/token/lookup-self")).toEqual(["read"]);
    const [alice] = by("userpass-user");
    expect(alice).toMatchObject({ id: "userpass-user:userpass/alice", login: { method: "userpass", mount: "userpass", user: "alice" }, policies: ["platform-spoke-dc-v6-read"] });
    expect(capabilitiesAt(aclOf(alice!), "auth/token/lookup-self")).toEqual([]);
    expect(by("ldap-group")[0]).toMatchObject({ login: { method: "ldap", mount: "ldap", group: "ops" }, policies: ["apps-platform-read", "default"] });
    expect(by("token-role")[0]).toMatchObject({ login: { method: "token", mount: "token", role: "deployer" } });
    expect(validateReport(JSON.parse(JSON.stringify(report)))).toEqual([]);
    // Two holders without a login, of one kind and with the same grants, are two rows, each named.
    const entity = (name: string) => handWritten("spoke-dc-v6", "vault:identity/entity:Entity", name, { name, policies: ["apps-payments-read"] });
    const twins = await reportOf("spoke-dc-v6", [...runs["spoke-dc-v6"]!.resources, entity("robot-a"), entity("robot-b")]);
    expect(twins.principals.filter((p) => p.kind === "identity-entity")).toHaveLength(2);
    expect(groupPrincipals(twins).filter((g) => g.members.some((m) => m.kind === "identity-entity")).map((g) => g.members.length)).toEqual([1, 1]);
    expect(reportTable(twins)).not.toContain("identity-entity in 2 namespaces");
    // Queries find them by their login's name, and --path finds who reaches a path through them.
    expect(narrow(report, { principal: "alice" }).principals.map((p) => p.id)).toEqual(["userpass-user:userpass/alice"]);
    expect(narrow(report, { principal: "approle/ci" }).principals.map((p) => p.id)).toEqual(["approle:approle/ci"]);
    expect(narrow(report, { path: "secret/apps/payments/x" }).pathAnswer!.reaches.map((r) => r.principal)).toEqual(expect.arrayContaining(["approle:approle/ci", "token-role:token/deployer"]));
  });

  it("the report's principals are the pack's policy holders, one for one", () => {
    const views = resourceViews([...runs["spoke-dc-v6"]!.resources, ...extras]);
    const holders = policyHolders(views, accessDefaults({ kvMount: "secret" }));
    expect(new Set(report.principals.map((p) => p.grantedBy))).toEqual(new Set(holders.map((h) => h.grantedBy)));
    expect(report.principals.length).toBe(new Set(holders.map((h) => `${h.grantedBy}\n${h.principal}`)).size);
  });

  it("--server openbao takes OpenBao's default policy (no control groups); the pack allows both servers' default policies", async () => {
    const bao = await buildReport({ stack: "spoke-dc-v6", server: "openbao", resources: runs["spoke-dc-v6"]!.resources });
    const vault = await buildReport({ stack: "spoke-dc-v6", resources: runs["spoke-dc-v6"]!.resources });
    const at = (r: AccessReport, path: string) => capabilitiesAt(aclOf(r.principals[0]!), path);
    expect(at(vault, "sys/control-group/request")).toEqual(["update"]);
    expect(at(bao, "sys/control-group/request")).toEqual([]);
    expect(bao.policies.find((p) => p.name === "default")!.source).toBe("built-in (openbao)");
    const allowed = compileAcl(DEFAULT_POLICY_RULES.map((r) => ({ ...r, source: "allowed" })));
    for (const server of SERVERS) for (const r of BUILT_IN_DEFAULT[server]) for (const c of r.capabilities) expect(capabilitiesAt(allowed, r.path), `${server} ${r.path}`).toContain(c);
  });

  it("a saved @1 report is refused as a --diff base with a clear message", () => {
    const dir = mkdtempSync(join(tmpdir(), "access-v1-"));
    try {
      const file = join(dir, "old.json");
      writeFileSync(file, JSON.stringify({ ...reports["vault"]!, schema: "platform-secrets/access-report@1" }));
      expect(() => readSavedReport(file)).toThrow(/written as platform-secrets\/access-report@1.*regenerate the base/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("deliveries", () => {
  const view = (type: string, name: string, props: Record<string, unknown>): ResourceView => ({ type, urn: `urn:${type}::${name}`, name, props, protect: false });
  it("a ClusterSecretStore's conditions refuse namespaces its ClusterExternalSecret selects; the refused ones are listed apart", () => {
    const resources = [
      view("kubernetes:core/v1:Namespace", "a", { metadata: { name: "apps-x-a-dev", labels: { "apps.platform/tenant": "true", team: "x" } } }),
      view("kubernetes:core/v1:Namespace", "b", { metadata: { name: "tools", labels: { team: "x" } } }),
      view("kubernetes:external-secrets.io/v1:ClusterSecretStore", "s", { metadata: { name: "vault-platform" }, spec: { conditions: [{ namespaceSelector: { matchLabels: { "apps.platform/tenant": "true" } } }], provider: { vault: { path: "kv", version: "v2", auth: { kubernetes: { mountPath: "m", role: "r", serviceAccountRef: { name: "eso", namespace: "eso" } } } } } } }),
      view("kubernetes:external-secrets.io/v1:ClusterExternalSecret", "c", { metadata: { name: "c" }, spec: { namespaceSelectors: [{ matchLabels: { team: "x" } }], externalSecretSpec: { secretStoreRef: { kind: "ClusterSecretStore", name: "vault-platform" }, target: { name: "t" }, data: [{ secretKey: "k", remoteRef: { key: "a/b", property: "p" } }] } } }),
    ];
    const pieces = deliveryPieces(resources, buildModel(resources));
    expect(pieces.map((p) => [p.namespace, Boolean(p.refused), p.keys[0]!.vaultPath, p.login?.serviceAccount])).toEqual([
      ["apps-x-a-dev", false, "kv/data/a/b", "eso"],
      ["tools", true, "kv/data/a/b", "eso"],
    ]);
  });
});

describe("queries", () => {
  it("--path answers who reaches a KV path (asked as its data/ and metadata/ API paths) and by which rule", () => {
    const r = narrow(reports["spoke-dc-v7"]!, { path: "secret/apps/payments/checkout-api/prd/db" });
    expect(r.pathAnswer!.paths).toEqual(["secret/data/apps/payments/checkout-api/prd/db", "secret/metadata/apps/payments/checkout-api/prd/db"]);
    const cluster = runs["spoke-dc-v7"]!.outputs.cluster!;
    const payments = Object.entries(cluster.tenantNamespaces).filter(([, t]) => t.division === "payments").map(([ns]) => `${naming.TENANT_SERVICE_ACCOUNT}@${ns}`);
    expect(r.pathAnswer!.reaches.map((x) => x.name).sort()).toEqual(payments.sort());
    expect(r.pathAnswer!.reaches.every((x) => x.rule === "secret/data/apps/payments/*" && x.capabilities.join() === "read")).toBe(true);
    expect(r.principals.map((p) => p.name).sort()).toEqual(payments.sort());
  });

  it("--principal takes sa@namespace, a role or a group; an unknown name is an error that suggests", () => {
    const v6 = reports["spoke-dc-v6"]!;
    expect(narrow(v6, { principal: "app-eso@apps-payments-checkout-api-dev" }).principals).toHaveLength(1);
    expect(narrow(v6, { principal: "apps-spoke-dc-v6-payments" }).principals.map((p) => p.serviceAccount?.namespace)).toEqual(["apps-payments-checkout-api-dev", "apps-payments-checkout-api-stg"]);
    expect(narrow(reports["vault"]!, { principal: "vault-admins-dc" }).principals[0]!.kind).toBe("identity-group");
    expect(() => narrow(v6, { principal: "app-eso@apps-payments-checkout-api" })).toThrow(QueryError);
    expect(() => narrow(v6, { principal: "app-eso@apps-payments-checkout-api" })).toThrow(/did you mean "app-eso@apps-payments-checkout-api-dev"/);
  });

  it("--namespace keeps the principals of that namespace and the Secrets that land there, only there", () => {
    const r = narrow(reports["spoke-dc-v6"]!, { namespace: "apps-payments-checkout-api-dev" });
    expect(r.principals.every((p) => p.secrets.every((d) => d.namespaces.join() === "apps-payments-checkout-api-dev"))).toBe(true);
    expect(r.principals.flatMap((p) => p.secrets.map((d) => d.secret))).toEqual(expect.arrayContaining(["vault-apps-canary", "nexus-basic-auth", "app-registry-pull"]));
    expect(() => narrow(reports["spoke-dc-v6"]!, { namespace: "nowhere" })).toThrow(QueryError);
  });
});

describe("diff", () => {
  const v6 = () => runs["spoke-dc-v6"]!.resources;
  const policy = (rules: Array<[string, string[]]>) => rules.map(([p, c]) => `path "${p}" {\n  capabilities = [${c.map((x) => `"${x}"`).join(", ")}]\n}\n`).join("\n");
  const platform = "platform-spoke-dc-v6-read";

  it("the same plan is no change; a wider policy is widened, per principal and per path; the reverse only narrowed", async () => {
    const base = reports["spoke-dc-v6"]!;
    expect(diffReports(base, base, "same")).toMatchObject({ widened: false, principals: [] });
    const wider = await reportOf("spoke-dc-v6", withPolicy(v6(), platform, policy([["secret/data/ocp/spoke-dc-v6/*", ["read"]]])));
    const d = diffReports(wider, base, "main");
    expect(validateDiff(JSON.parse(JSON.stringify(d)))).toEqual([]);
    expect(d.widened).toBe(true);
    expect(d.principals.map((c) => c.id)).toEqual([expect.stringContaining("platform-spoke-dc-v6")]);
    expect(d.principals[0]!.reachAdded).toEqual([expect.objectContaining({ rule: "secret/data/ocp/spoke-dc-v6/*", capabilities: ["read"] })]);
    expect(d.byPath.map((p) => p.rule)).toContain("secret/data/ocp/spoke-dc-v6/*");
    const back = diffReports(base, wider, "wider");
    expect(back.widened).toBe(false);
    expect(back.principals[0]!.reachRemoved.length).toBeGreaterThan(0);
  });

  it("removing a deny widens though no grant is added; a new Secret in a namespace widens too", async () => {
    const denied = await reportOf("spoke-dc-v6", withPolicy(v6(), platform, policy([["secret/data/ocp/spoke-dc-v6/*", ["read"]], ["secret/data/ocp/spoke-dc-v6/tls/apps-wildcard", ["deny"]]])));
    const open = await reportOf("spoke-dc-v6", withPolicy(v6(), platform, policy([["secret/data/ocp/spoke-dc-v6/*", ["read"]]])));
    const d = diffReports(open, denied, "base");
    expect(d.principals[0]!.grantsAdded).toEqual([]);
    expect(d.widened).toBe(true);
    expect(d.principals[0]!.reachAdded[0]!.path).toBe("secret/data/ocp/spoke-dc-v6/tls/apps-wildcard");
    const fewer = { ...reports["spoke-dc-v6"]!, principals: reports["spoke-dc-v6"]!.principals.map((p) => ({ ...p, secrets: p.secrets.map((s) => ({ ...s, namespaces: s.namespaces.slice(1) })) })) };
    const more = diffReports(reports["spoke-dc-v6"]!, fewer, "fewer");
    expect(more.widened).toBe(true);
    expect(more.principals.every((c) => c.reachAdded.length === 0 && c.secretsAdded.length > 0)).toBe(true);
  });
});

describe("formats", () => {
  it("table and Markdown name every principal group, grant path and Secret; the SVG renders", () => {
    const r = reports["spoke-dc-v7"]!;
    const table = reportTable(r);
    const md = reportMarkdown(r);
    // The built-in default policy's own paths fold to one line a principal group; --principal lists them.
    for (const p of r.principals) for (const g of p.grants.filter((x) => !onlyDefault(x))) {
      expect(table).toContain(g.path);
      expect(md).toContain(g.path);
    }
    expect(table).not.toContain("auth/token/lookup-self");
    expect(table).toContain(`default policy's ${BUILT_IN_DEFAULT.vault.length} self-service paths`);
    const one = r.principals.find((p) => p.kind === "service-account")!;
    expect(reportTable(narrow(r, { principal: one.id }))).toContain("auth/token/lookup-self");
    for (const s of r.principals.flatMap((p) => p.secrets)) expect(table).toContain(s.secret);
    expect(md).toMatch(/^\| CAPABILITIES \| PATH \| MATCH \| POLICIES \|$/m);
    const png = new Resvg(reportSvg(r), { background: "white" }).render();
    expect(png.width).toBeGreaterThan(600);
  });

  it("at 1,000 tenant namespaces the picture stays one page: rows are grouped, paths folded to at most 40 columns", async () => {
    const run = await runOffline({ root: ROOT, stack: "bench", values: benchStackValues(), tenantsData: { tenants: benchCatalogue(1000) } });
    const r = await reportOf("bench", run.resources);
    expect(r.principals.filter((p) => p.kind === "service-account").length).toBeGreaterThanOrEqual(1000);
    const svg = reportSvg(r);
    const rows = (svg.match(/<title>sa:/g) ?? []).length;
    expect(rows).toBeLessThanOrEqual(20);
    const columns = (svg.match(/rotate\(-55\)/g) ?? []).length;
    expect(columns).toBeLessThanOrEqual(40);
    expect(columns).toBeGreaterThan(0);
    expect(new Resvg(svg).render().height).toBeLessThan(2000);
  }, 120_000);
});

describe("npm run access", () => {
  const cli = (args: string[], cwd = ROOT) => spawnSync(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "access/cli.ts"), ...args], { cwd, encoding: "utf8" });

  it("bad arguments exit 1 with the usage; an output directory that is not the preview's is refused before anything is written", () => {
    for (const args of [[], ["--stack", "vault", "--format", "pdf"], ["--stack", "vault", "--bogus"]]) {
      const r = cli(args);
      expect(r.status, args.join(" ")).toBe(1);
      expect(r.stderr).toContain("usage: npm run access");
    }
    const foreign = mkdtempSync(join(tmpdir(), "access-foreign-"));
    try {
      writeFileSync(join(foreign, "notes.txt"), "mine");
      const r = cli(["--stack", "vault", "--out", foreign]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("was not created by the preview");
      expect(readdirSync(foreign)).toEqual(["notes.txt"]);
    } finally {
      rmSync(foreign, { recursive: true, force: true });
    }
  });

  it("--diff against a saved report that lacks a grant exits 3 and names it; against HEAD (a temporary worktree, removed) exits 0", () => {
    const out = mkdtempSync(join(tmpdir(), "access-cli-"));
    try {
      // The preview's output directory: marked, holding its files, which access leaves alone.
      writeFileSync(join(out, OUTPUT_MARKER), "");
      writeFileSync(join(out, "preview.json"), "{}");
      const first = cli(["--stack", "spoke-dc-v6", "--format", "json", "--out", out]);
      expect(first.status, first.stderr).toBe(0);
      expect(readFileSync(join(out, "preview.json"), "utf8")).toBe("{}");
      const report = JSON.parse(first.stdout) as AccessReport;
      expect(JSON.parse(readFileSync(join(out, "access.json"), "utf8"))).toEqual(report);
      expect(readFileSync(join(out, "access.svg"), "utf8")).toContain("<svg");
      const pipelines = report.principals.find((p) => p.login?.role === naming.pipelinesRole("spoke-dc-v6"))!;
      const dropped = pipelines.grants.splice(pipelines.grants.findIndex((g) => !onlyDefault(g)), 1)[0]!;
      writeFileSync(join(out, "base.json"), JSON.stringify(report));
      const widened = cli(["--stack", "spoke-dc-v6", "--format", "markdown", "--diff", join(out, "base.json"), "--out", out]);
      expect(widened.status, widened.stderr).toBe(3);
      expect(widened.stdout).toContain("ACCESS WIDENED");
      expect(widened.stdout).toContain(dropped.path);
      const head = cli(["--stack", "spoke-dc-v6", "--diff", "HEAD", "--out", out]);
      expect(head.status, head.stderr).toBe(0);
      expect(head.stdout).toContain("No change in access.");
      const worktrees = spawnSync("git", ["-C", ROOT, "worktree", "list"], { encoding: "utf8" }).stdout;
      expect(worktrees).not.toContain("access-base-");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 600_000);
});
