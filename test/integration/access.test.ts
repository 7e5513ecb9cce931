// The access report against a real OpenBao server. The Vault side of every shipped stack is
// applied as the program registered it (the admin group and its OIDC alias included, on a JWT
// auth method at the alias's mount); then every principal of every report logs in for real and
// asks `sys/capabilities-self` for every path its report names and for paths around and outside
// them. The report's answer (its grants through the pack's evaluator) must equal the server's.
// Beside spoke-dc-v6, hand-written approle roles and userpass users (test/handWritten.ts) log in
// too, with and without the `default` policy, which the report takes as OpenBao ships it.
import { generateKeyPairSync, sign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aclOf, buildReport, resourceViews } from "../../access/build";
import { foundationPolicies, foundationStackOf } from "../../access/foundation";
import { loginName } from "../../access/group";
import type { AccessReport, Principal } from "../../access/types";
import { projectValues, readStackConfig } from "../../model/load";
import { capabilitiesAt } from "../../policy/acl";
import { BUILT_IN_DEFAULT } from "../../policy/defaultPolicy";
import { parsePolicy } from "../../policy/model";
import { runOffline, type OfflineRun } from "../../preview/mock";
import { plain } from "../../preview/record";
import { fixturePassword, loginFixture } from "../handWritten";
import { ROOT } from "../helpers";
import { applyVaultSide, makeAdoptedAuthMounts } from "./apply";
import { DevServer, findServerBinary, NO_SERVER_BINARY, SERVER_SUITES_SKIPPED } from "./server";
import { TokenReviewServer } from "./tokenReview";
import { VaultClient } from "./vaultClient";

const STACKS = ["vault", "spoke-dc-v6", "spoke-dc-v7"];
/** The stack the hand-written approle and userpass principals are added to. */
const FIXTURE_STACK = "spoke-dc-v6";
const BINARY = findServerBinary();
if (!BINARY) console.log(`access report vs OpenBao: skipped, ${SERVER_SUITES_SKIPPED ?? NO_SERVER_BINARY}`);

/** Concrete paths a grant decides or borders: itself, its wildcards filled, a level deeper, its parent, a sibling. */
function around(path: string): string[] {
  const stem = path.endsWith("*") ? path.slice(0, -1) : path;
  const filled = stem.split("/").map((s) => (s === "+" ? "zz-seg" : s));
  const concrete = filled.join("/");
  const out = new Set([concrete, `${concrete}zz-tail`, `${concrete}/zz-deeper`, filled.slice(0, -1).join("/"), [...filled.slice(0, -1), `${filled.at(-1)}-zz`].join("/")]);
  if (filled.length > 2) out.add([...filled.slice(0, 2), "zz-other", ...filled.slice(3)].join("/"));
  return [...out].filter((p) => p && !p.endsWith("/"));
}

/** Paths outside every grant the stack names: other mounts, the objects that govern access, other tenants' trees. */
function outside(report: AccessReport, all: readonly AccessReport[]): string[] {
  const kv = report.kvMount ?? "secret";
  const others = all.flatMap((r) => r.principals.flatMap((p) => p.grants.flatMap((g) => around(g.path))));
  return [
    ...others,
    `${kv}/data/zz-nobody/key`,
    `${kv}/metadata/apps`,
    `${kv}/config`,
    "sys/policies/acl/apps-payments-read",
    "sys/auth",
    "sys/mounts/secret",
    "identity/group/name/vault-admins-dc",
    // Another entity than the token's own: the default policy's templated paths must not reach it.
    "identity/entity/id/zz-other-entity",
    "identity/entity/name/zz-other-entity",
    ...report.principals.flatMap((p) => (p.login ? [`auth/${p.login.mount}/${p.login.user ? "users" : p.login.group ? "groups" : "role"}/${loginName(p.login)}`, `auth/${p.login.mount}/config`] : [])),
  ];
}

describe.skipIf(!BINARY)("access report vs OpenBao sys/capabilities-self", () => {
  let server: DevServer;
  let reviewer: TokenReviewServer;
  let vault: VaultClient;
  const runs: Record<string, OfflineRun> = {};
  const reports: Record<string, AccessReport> = {};
  const jwtKey = generateKeyPairSync("rsa", { modulusLength: 2048 });

  beforeAll(async () => {
    server = new DevServer(BINARY!);
    await server.start();
    reviewer = new TokenReviewServer();
    const kubeHost = await reviewer.start();
    vault = new VaultClient(server.address, server.token);
    for (const stack of STACKS) {
      const values = projectValues(readStackConfig(ROOT, stack).config) as Record<string, unknown>;
      const cluster = values.cluster as Record<string, unknown> | undefined;
      // Cluster stacks' auth backends point at the TokenReview stand-in (the vault stack adopts the dev server's secret/ mount itself).
      const atServer = cluster ? { ...values, cluster: { ...cluster, apiServer: kubeHost, caCert: reviewer.caCert, apiServerCa: "configured" } } : values;
      const run = await runOffline({ root: ROOT, stack, values: atServer });
      runs[stack] = stack === FIXTURE_STACK ? { ...run, resources: [...run.resources, ...loginFixture(stack, { tenant: "apps-payments-read", platform: "platform-spoke-dc-v6-read" })] } : run;
      const ref = foundationStackOf(resourceViews(runs[stack]!.resources));
      reports[stack] = await buildReport({ stack, server: "openbao", resources: runs[stack]!.resources, ...(ref ? { foundation: foundationPolicies(ROOT, ref) } : {}) });
    }
    for (const run of Object.values(runs)) {
      const config = run.resources.find((r) => r.type === "vault:kubernetes/authBackendConfig:AuthBackendConfig");
      const jwt = config && (plain(config.inputs) as { tokenReviewerJwt?: unknown }).tokenReviewerJwt;
      if (typeof jwt === "string") reviewer.reviewers.add(jwt);
      await makeAdoptedAuthMounts(vault, run.resources);
      await applyVaultSide(vault, run.resources);
    }
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    await reviewer?.stop();
  });

  /**
   * What pulumi-vault does for the admin group: the group with its policies, and an alias named
   * like it on the OIDC mount. The mount is a JWT/OIDC auth method trusting a local key, so a
   * member logs in with a signed token whose `groups` claim names the group.
   */
  async function applyGroup(run: OfflineRun, p: Principal): Promise<string> {
    const group = run.resources.find((r) => r.type === "vault:identity/group:Group" && plain(r.outputs).name === p.group!.name)!;
    const mountPath = run.loaded.plan.foundation!.adminGroups.find((g) => g.group === p.group!.name)!.oidcMountPath;
    await vault.request("POST", `sys/auth/${mountPath}`, { type: "oidc" });
    const accessor = (await vault.must("GET", "sys/auth")).data[`${mountPath}/`].accessor as string;
    await vault.must("POST", `auth/${mountPath}/config`, { jwt_validation_pubkeys: [jwtKey.publicKey.export({ type: "spki", format: "pem" })], default_role: "people" });
    await vault.must("POST", `auth/${mountPath}/role/people`, { role_type: "jwt", user_claim: "sub", groups_claim: "groups", bound_audiences: ["vault"], token_policies: [] });
    const inputs = plain(group.inputs) as { name: string; type: string; policies: string[] };
    const created = await vault.must("POST", "identity/group", { name: inputs.name, type: inputs.type, policies: inputs.policies });
    for (const alias of p.group!.aliases) await vault.must("POST", "identity/group-alias", { name: alias.name, mount_accessor: accessor, canonical_id: created.data.id });
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ sub: "admin-user", aud: "vault", groups: p.group!.aliases.map((a) => a.name), iat: now, nbf: now - 5, exp: now + 600 })}`;
    const jwt = `${unsigned}.${sign("sha256", Buffer.from(unsigned), jwtKey.privateKey).toString("base64url")}`;
    return (await vault.must("POST", `auth/${mountPath}/login`, { role: "people", jwt })).auth.client_token as string;
  }

  async function login(stack: string, p: Principal): Promise<string> {
    if (p.kind === "identity-group") return applyGroup(runs[stack]!, p);
    const l = p.login!;
    if (p.kind === "approle") {
      const roleId = (await vault.must("GET", `auth/${l.mount}/role/${l.role}/role-id`)).data.role_id as string;
      const secretId = (await vault.must("POST", `auth/${l.mount}/role/${l.role}/secret-id`, {})).data.secret_id as string;
      return (await vault.must("POST", `auth/${l.mount}/login`, { role_id: roleId, secret_id: secretId })).auth.client_token as string;
    }
    if (p.kind === "userpass-user") return (await vault.must("POST", `auth/${l.mount}/login/${l.user}`, { password: fixturePassword(l.user!) })).auth.client_token as string;
    if (p.kind !== "service-account") throw new Error(`no way to log in as ${p.id}`);
    const r = await vault.must("POST", `auth/${l.mount}/login`, { role: l.role, jwt: reviewer.mint(p.serviceAccount!) });
    return r.auth.client_token as string;
  }

  /** The default policy's templates, filled in for one token as the server fills them. */
  async function templateValues(token: string): Promise<Record<string, string> | undefined> {
    // Asked with the root token: a token without the default policy may not look itself up.
    const id = (await vault.must("POST", "auth/token/lookup", { token })).data.entity_id as string;
    if (!id) return undefined;
    const name = (await vault.must("GET", `identity/entity/id/${id}`)).data.name as string;
    return { "{{identity.entity.id}}": id, "{{identity.entity.name}}": name };
  }

  it("the default policy the report assumes for OpenBao is the server's own", async () => {
    const text = (await vault.must("GET", "sys/policy/default")).data.rules as string;
    const served = await parsePolicy({ name: "default", text, via: "sys/policy/default", urn: "server" });
    const key = (rules: ReadonlyArray<{ path: string; capabilities: readonly string[] }>) => rules.map((r) => `${r.path} ${[...r.capabilities].sort().join(",")}`).sort();
    expect(key(BUILT_IN_DEFAULT.openbao)).toEqual(key(served));
  });

  it("every principal of every shipped stack: the report's capabilities equal the server's on every path it names and on paths outside it", async () => {
    const all = Object.values(reports);
    let compared = 0;
    let principals = 0;
    let templated = 0;
    const kinds = new Map<string, number>();
    const disagreements: string[] = [];
    for (const stack of STACKS) {
      const report = reports[stack]!;
      for (const p of report.principals) {
        principals++;
        kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
        const token = await login(stack, p);
        const acl = aclOf(p);
        const values = await templateValues(token);
        // The server is asked about the path with the token's own entity filled in; the report about the path as written.
        const onServer = (path: string) => (values ? Object.entries(values).reduce((at, [t, v]) => at.split(t).join(v), path) : path);
        const paths = [...new Set([...p.grants.flatMap((g) => around(g.path)), ...p.secrets.flatMap((d) => d.keys.map((k) => k.vaultPath)).filter(Boolean), ...outside(report, all)])];
        for (let i = 0; i < paths.length; i += 400) {
          const part = paths.slice(i, i + 400);
          const asked = part.map(onServer);
          // A token without the default policy may not ask about itself: the root token asks for it.
          const answer = p.policies.includes("default") ? await vault.withToken(token).must("POST", "sys/capabilities-self", { paths: asked }) : await vault.must("POST", "sys/capabilities", { token, paths: asked });
          for (const [n, path] of part.entries()) {
            compared++;
            if (asked[n] !== path) templated++;
            const mine = capabilitiesAt(acl, path);
            const expected = mine.length ? mine : ["deny"];
            const theirs = [...((answer.data ?? answer)[asked[n]!] as string[])].sort();
            if (JSON.stringify(expected) !== JSON.stringify(theirs)) disagreements.push(`${stack} ${p.id} ${path}: report ${expected.join(",")}, OpenBao ${theirs.join(",")}`);
          }
        }
      }
    }
    console.log(
      `access report vs OpenBao ${await server.version()}: ${principals} principals of ${STACKS.length} stacks logged in (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}), ${compared} (principal, path) pairs compared (${templated} with the token's entity filled in), ${disagreements.length} disagreements`,
    );
    expect(principals).toBeGreaterThanOrEqual(10);
    expect(kinds.get("approle")).toBe(2);
    expect(kinds.get("userpass-user")).toBe(2);
    expect(templated).toBeGreaterThan(0);
    expect(disagreements.slice(0, 20)).toEqual([]);
  }, 600_000);

  it("each delivery the report says a principal can read, it reads on the server; a denied one is denied", async () => {
    for (const stack of ["spoke-dc-v6", "spoke-dc-v7"]) {
      for (const p of reports[stack]!.principals.filter((x) => x.secrets.some((d) => d.direction === "read"))) {
        const token = await login(stack, p);
        for (const d of p.secrets.filter((x) => x.direction === "read")) {
          for (const k of d.keys) {
            const caps = ((await vault.withToken(token).must("POST", "sys/capabilities-self", { paths: [k.vaultPath] })).data ?? {})[k.vaultPath] as string[];
            expect(caps.includes("read"), `${p.id} ${k.vaultPath}`).toBe(!(d.deniedPaths ?? []).includes(k.vaultPath));
          }
        }
      }
    }
  }, 300_000);
});
