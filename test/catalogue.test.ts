// Issue 13: the secret catalogue in stack config. Each bad entry is refused at config time with
// its file, line and key; good entries render the Secret their consumer reads.
import { describe, expect, it } from "vitest";
import { builtinEntries, entrySelector, optInLabel, selectsNamespace, type CatalogueEntry } from "../model/catalogue";
import { distributedSecret, pushSecret } from "../model/eso";
import { loadStack } from "../model/load";
import { ROTATIONS } from "../model/rotation";
import { dockerConfigTemplate, renderTemplate } from "../model/secretTemplates";
import { fixtureRoot, issuesIn, SEED_TENANTS, oneIssue } from "./helpers";

const STACK = "stacks/Pulumi.x.yaml";
const TENANTS = "stacks/tenants.yaml";

const stackYaml = (secrets: string, extra = "") => `config:
  platform-secrets:cluster:
    name: spoke-dc-v6
    apiServer: https://api.spoke-dc-v6.example:6443
  platform-secrets:vault:
    address: https://vault.example:8200
    egressCidrs: [10.20.0.15/32]
${extra}  platform-secrets:secrets:
${secrets}`;

const PAT = `      source:
        key: ocp/<cluster>/github/pat
        properties: { username: username, password: token }
`;

const issuesOf = (secrets: string, tenants: object = SEED_TENANTS) => issuesIn(fixtureRoot({ [STACK]: stackYaml(secrets), [TENANTS]: tenants }));
const load = (secrets: string, tenants: object = SEED_TENANTS, extra = "") => loadStack({ root: fixtureRoot({ [STACK]: stackYaml(secrets, extra), [TENANTS]: tenants }), stack: "x" });

const one = oneIssue;

describe("config errors name the key and the file", () => {
  it("rejects unknown fields in an entry and in its format", () => {
    const issues = issuesOf(`    - name: gh\n      colour: blue\n${PAT}      format: { type: dockerconfigjson, registry: ghcr.io, host: x }\n`);
    expect(one(issues, "platform-secrets:secrets[0].colour")).toMatchObject({ file: STACK, line: 10, message: expect.stringMatching(/unknown key/) });
    expect(one(issues, "platform-secrets:secrets[0].format.host")).toMatchObject({ file: STACK, line: 14 });
  });

  it("rejects a key outside ocp/<cluster>/, and another cluster's", () => {
    const outside = issuesOf(`    - name: gh\n      source: { key: apps/payments/pat }\n      format: { type: basic-auth }\n`);
    expect(one(outside, "platform-secrets:secrets[0].source.key")).toMatchObject({ line: 10, message: expect.stringMatching(/"apps\/payments\/pat" is outside ocp\/spoke-dc-v6\//) });
    const other = issuesOf(`    - name: gh\n      source: { key: ocp/spoke-dc-v7/github/pat }\n      format: { type: basic-auth }\n`);
    expect(one(other, "platform-secrets:secrets[0].source.key").message).toMatch(/outside ocp\/spoke-dc-v6\//);
    const bare = issuesOf(`    - name: gh\n      source: { key: ocp/<cluster> }\n      format: { type: basic-auth }\n`);
    expect(one(bare, "platform-secrets:secrets[0].source.key").message).toMatch(/outside/);
  });

  it("rejects a selector that selects every namespace, and one that selects none", () => {
    const empty = issuesOf(`    - name: gh\n      select: {}\n${PAT}      format: { type: basic-auth }\n`);
    expect(one(empty, "platform-secrets:secrets[0].select")).toMatchObject({ line: 10, message: expect.stringMatching(/selects every namespace/) });
    const emptyParts = issuesOf(`    - name: gh\n      select: { matchLabels: {}, matchExpressions: [] }\n${PAT}      format: { type: basic-auth }\n`);
    expect(one(emptyParts, "platform-secrets:secrets[0].select").message).toMatch(/selects every namespace/);
    const none = issuesOf(`    - name: gh\n      select:\n        matchExpressions: [{ key: apps.platform/tenant, operator: DoesNotExist }]\n${PAT}      format: { type: basic-auth }\n`);
    expect(one(none, "platform-secrets:secrets[0].select").message).toMatch(/selects no namespace/);
    const invalid = issuesOf(`    - name: gh\n      select:\n        matchExpressions: [{ key: apps.platform/env, operator: In }]\n${PAT}      format: { type: basic-auth }\n`);
    expect(one(invalid, "platform-secrets:secrets[0].select").message).toMatch(/needs values/);
  });

  it("rejects two entries producing one Secret in one namespace, naming both", () => {
    const issues = issuesOf(
      `    - name: gh-a\n      secretName: gh\n${PAT}      format: { type: basic-auth }\n      select: { matchLabels: { apps.platform/env: dev } }\n` +
        `    - name: gh-b\n      secretName: gh\n${PAT}      format: { type: basic-auth }\n      select: { matchLabels: { apps.platform/division: payments } }\n`,
    );
    expect(one(issues, "platform-secrets:secrets[1].secretName").message).toMatch(/entry gh-b and secrets\[0\] \(gh-a\) both produce Secret "gh" in a namespace labelled (?=.*"apps.platform\/env":"dev")(?=.*"apps.platform\/division":"payments")/);
  });

  it("accepts one Secret name for entries whose selections cannot meet", () => {
    const loaded = load(
      `    - name: gh-dev\n      secretName: gh\n${PAT}      format: { type: basic-auth }\n      select: { matchLabels: { apps.platform/env: dev } }\n` +
        `    - name: gh-prd\n      secretName: gh\n${PAT}      format: { type: basic-auth }\n      select: { matchExpressions: [{ key: apps.platform/env, operator: NotIn, values: [dev] }] }\n`,
    );
    expect(loaded.config.cluster!.catalogue.map((e) => e.name)).toEqual(["app-registry-pull", "gh-dev", "gh-prd"]);
  });

  it("rejects a Secret name the platform already uses: the built-in pull secrets and the canary", () => {
    const issues = issuesOf(`    - name: app-registry-pull\n${PAT}      format: { type: basic-auth }\n    - name: canary\n      secretName: vault-apps-canary\n${PAT}      format: { type: basic-auth }\n`);
    expect(one(issues, "platform-secrets:secrets[0].name").message).toMatch(/built-in pull secret/);
    expect(one(issues, "platform-secrets:secrets[1].secretName").message).toMatch(/canary/);
    const clash = issuesOf(`    - name: registry\n      secretName: app-registry-pull\n${PAT}      format: { type: dockerconfigjson, registry: ghcr.io }\n`);
    expect(one(clash, "platform-secrets:secrets[0].secretName").message).toMatch(/the built-in app-registry-pull both produce Secret "app-registry-pull"/);
  });

  it("rejects a duplicate name, both or neither of source and generate, and fields a format does not read", () => {
    const issues = issuesOf(
      `    - name: gh\n${PAT}      format: { type: basic-auth }\n    - name: gh\n${PAT}      format: { type: basic-auth }\n` +
        `    - name: neither\n      format: { type: basic-auth }\n` +
        `    - name: cert\n      source: { key: ocp/<cluster>/tls/x, properties: { cert: c, key: k, chain: ch } }\n      format: { type: tls }\n`,
    );
    expect(one(issues, "platform-secrets:secrets[1].name").message).toMatch(/already declared at secrets\[0\]/);
    expect(one(issues, "platform-secrets:secrets[2]").message).toMatch(/exactly one of `source`/);
    expect(one(issues, "platform-secrets:secrets[3].source.properties").message).toMatch(/chain: the tls format reads only cert, key, ca/);
  });

  it("rejects generated entries that cannot work: no key for a PushSecret, a refresh that fights the rotation, a consumer format", () => {
    const issues = issuesOf(
      `    - name: a\n      generate: { generator: Password, rotation: database-password, via: pushsecret }\n      format: { type: opaque }\n` +
        `    - name: b\n      generate: { generator: UUID, rotation: api-key, via: externalsecret }\n      refreshInterval: 1h\n      format: { type: opaque }\n` +
        `    - name: c\n      generate: { generator: Password, rotation: jwt-signing-key, via: externalsecret }\n      format: { type: tls }\n`,
    );
    expect(one(issues, "platform-secrets:secrets[0].generate.key").message).toMatch(/required with via: pushsecret/);
    expect(one(issues, "platform-secrets:secrets[1].refreshInterval").message).toMatch(/rotation type \(api-key\) sets it to 0s/);
    expect(one(issues, "platform-secrets:secrets[2].format").message).toMatch(/cert-manager/);
  });

  it("rejects a tenant opting into an entry its cluster's stack does not define, in the tenant file", () => {
    const tenants = { tenants: [{ division: "payments", app: "checkout-api", secrets: ["gh", "nope"], deployments: { "spoke-dc-v6": ["dev"] } }] };
    const issues = issuesOf(`    - name: gh\n${PAT}      format: { type: basic-auth }\n`, tenants);
    expect(one(issues, "tenants[0].secrets[1]")).toMatchObject({ file: TENANTS, message: expect.stringMatching(/no entry "nope" in the secret catalogue .* of stacks\/Pulumi.x.yaml/) });
  });

  it("rejects opting into an entry that selects by name, and a name that is no tenant namespace", () => {
    const tenants = { tenants: [{ division: "payments", app: "checkout-api", secrets: ["gh"], deployments: { "spoke-dc-v6": ["dev"] } }] };
    const issues = issuesOf(`    - name: gh\n      select: { namespaces: [apps-payments-checkout-api-dev, kube-system] }\n${PAT}      format: { type: basic-auth }\n`, tenants);
    expect(one(issues, "tenants[0].secrets[0]").message).toMatch(/selects namespaces by name/);
    expect(one(issues, "platform-secrets:secrets[0].select.namespaces[1]")).toMatchObject({ file: STACK, line: 10, message: expect.stringMatching(/"kube-system" is not a tenant namespace/) });
  });

  it("rejects secrets on a stack without a cluster", () => {
    const root = fixtureRoot({ [STACK]: "config:\n  platform-secrets:vault:\n    address: https://vault.example:8200\n  platform-secrets:secrets: []\n", [TENANTS]: SEED_TENANTS });
    expect(one(issuesIn(root), "platform-secrets:secrets").message).toMatch(/only applies to a cluster stack/);
  });
});

describe("what a catalogue entry renders", () => {
  const entry = (name: string, loadedSecrets: string, tenants: object = SEED_TENANTS) => load(loadedSecrets, tenants).config.cluster!.catalogue.find((e) => e.name === name)!;

  it("keeps seed 000's pull secrets exactly: every tenant namespace, the dockerconfigjson whole", () => {
    const [pull] = builtinEntries("spoke-dc-v6", false);
    const ces = distributedSecret("v1", pull!, "1h");
    expect(ces.spec).toEqual({
      externalSecretName: "app-registry-pull",
      namespaceSelectors: [{ matchLabels: { "apps.platform/tenant": "true" } }],
      refreshTime: "1h",
      externalSecretSpec: {
        secretStoreRef: { kind: "ClusterSecretStore", name: "vault-platform" },
        target: {
          name: "app-registry-pull",
          template: {
            type: "kubernetes.io/dockerconfigjson",
            metadata: { labels: { "app.kubernetes.io/managed-by": "external-secrets", "platform-secrets/source": "vault", "platform-secrets/secret-type": "dockerconfigjson" } },
            data: { ".dockerconfigjson": "{{ .dockerconfigjson }}" },
          },
        },
        data: [{ secretKey: "dockerconfigjson", remoteRef: { key: "ocp/spoke-dc-v6/registries/app-registry-pull", property: "dockerconfigjson" } }],
      },
    });
  });

  it("composes a dockerconfigjson for the configured host from the mapped fields, JSON-quoted", () => {
    const e = entry("gh", `    - name: gh\n${PAT}      format: { type: dockerconfigjson, registry: ghcr.io }\n`);
    const ces = distributedSecret("v1", e, "1h");
    const es = (ces.spec as { externalSecretSpec: { data: unknown[]; target: { template: { data: Record<string, string>; type: string } } } }).externalSecretSpec;
    expect(es.data).toEqual([
      { secretKey: "username", remoteRef: { key: "ocp/spoke-dc-v6/github/pat", property: "username" } },
      { secretKey: "password", remoteRef: { key: "ocp/spoke-dc-v6/github/pat", property: "token" } },
    ]);
    expect(es.target.template.type).toBe("kubernetes.io/dockerconfigjson");
    expect(es.target.template.data[".dockerconfigjson"]).toBe(dockerConfigTemplate("ghcr.io"));
    expect(dockerConfigTemplate("ghcr.io")).toBe('{"auths": {"ghcr.io": {"username": {{ .username | toJson }}, "password": {{ .password | toJson }}, "auth": {{ printf "%s:%s" .username .password | b64enc | toJson }}}}}');
  });

  it("labels Kargo and Argo CD Secrets the way each consumer looks for them, next to the standard labels", () => {
    const kargo = renderTemplate({ type: "opaque", consumer: "kargo", credType: "image", repoURL: "ghcr.io/comptech-lab" });
    expect(kargo).toEqual({ type: "Opaque", labels: { "kargo.akuity.io/cred-type": "image" }, data: { repoURL: "ghcr.io/comptech-lab", username: "{{ .username }}", password: "{{ .password }}" }, inputs: ["username", "password"] });
    const argo = renderTemplate({ type: "opaque", consumer: "argocd", secretType: "repo-creds", repoType: "git", url: "https://github.com/comptech-lab" });
    expect(argo.labels).toEqual({ "argocd.argoproj.io/secret-type": "repo-creds" });
    expect(argo.data).toEqual({ type: "git", url: "https://github.com/comptech-lab", username: "{{ .username }}", password: "{{ .password }}" });
    const e = entry("gh", `    - name: gh\n${PAT}      format: { type: opaque, kargo: { credType: git, repoURL: "https://github.com/x/y.git" } }\n`);
    const labels = (distributedSecret("v1", e, "1h").spec as { externalSecretSpec: { target: { template: { metadata: { labels: Record<string, string> } } } } }).externalSecretSpec.target.template.metadata.labels;
    expect(labels).toEqual({ "app.kubernetes.io/managed-by": "external-secrets", "platform-secrets/source": "vault", "platform-secrets/secret-type": "kargo", "kargo.akuity.io/cred-type": "git" });
  });

  it("renders basic-auth and TLS with the Kubernetes types and keys, and plain Opaque keys that are not Go identifiers through index", () => {
    expect(renderTemplate({ type: "basic-auth" })).toMatchObject({ type: "kubernetes.io/basic-auth", data: { username: "{{ .username }}", password: "{{ .password }}" } });
    expect(renderTemplate({ type: "tls", withCa: true })).toMatchObject({ type: "kubernetes.io/tls", data: { "tls.crt": "{{ .cert }}", "tls.key": "{{ .key }}", "ca.crt": "{{ .ca }}" } });
    expect(renderTemplate({ type: "opaque", keys: ["api_key", "client-id"] }).data).toEqual({ api_key: "{{ .api_key }}", "client-id": '{{ index . "client-id" }}' });
  });

  it("rotates generated secrets on seed 003's cadence: per namespace with a ClusterGenerator, or once in Vault through a PushSecret", () => {
    const secrets =
      `    - name: jwt\n      generate: { generator: Password, rotation: jwt-signing-key, via: externalsecret, password: { length: 64 } }\n      format: { type: opaque }\n` +
      `    - name: db\n      generate: { generator: Password, rotation: database-password, via: pushsecret, key: ocp/<cluster>/db/pw }\n      format: { type: opaque }\n` +
      `    - name: key\n      generate: { generator: UUID, rotation: api-key, via: pushsecret, key: ocp/<cluster>/api/key }\n      format: { type: opaque }\n`;
    const loaded = load(secrets);
    const plan = loaded.plan.cluster!;
    const jwt = plan.catalogue.find((d) => d.entry.name === "jwt")!;
    expect((jwt.fanout.spec as { externalSecretSpec: Record<string, unknown> }).externalSecretSpec).toMatchObject({
      refreshInterval: ROTATIONS["jwt-signing-key"].refreshInterval,
      dataFrom: [{ sourceRef: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "ClusterGenerator", name: "jwt" } } }],
    });
    expect(jwt.clusterGenerator?.spec).toEqual({ kind: "Password", generator: { passwordSpec: { length: 64, noUpper: false, allowRepeat: true } } });
    expect(plan.push!.secrets.map((s) => [s.pushSecret.spec.refreshInterval, s.pushSecret.spec.updatePolicy])).toEqual([
      ["2160h", "Replace"],
      ["0s", "IfNotExists"],
    ]);
    expect(plan.push!.policy.rules.map((r) => r.path)).toEqual(["secret/data/ocp/spoke-dc-v6/db/pw", "secret/metadata/ocp/spoke-dc-v6/db/pw", "secret/data/ocp/spoke-dc-v6/api/key", "secret/metadata/ocp/spoke-dc-v6/api/key"]);
    expect(plan.platform.policy.rules.map((r) => r.path)).toEqual(["secret/data/ocp/spoke-dc-v6/registries/app-registry-pull", "secret/data/ocp/spoke-dc-v6/db/pw", "secret/data/ocp/spoke-dc-v6/api/key"]);
    const db = plan.catalogue.find((d) => d.entry.name === "db")!;
    expect((db.fanout.spec as { externalSecretSpec: Record<string, unknown> }).externalSecretSpec).toMatchObject({ data: [{ secretKey: "password", remoteRef: { key: "ocp/spoke-dc-v6/db/pw", property: "password" } }] });
    expect(() => pushSecret({ ...db.entry, source: { kind: "generated", generator: "Password", rotation: "database-password", via: "pushsecret", key: "ocp/spoke-dc-v6/db/pw", property: "password" } }, "external-secrets", "vault-platform-push")).not.toThrow();
  });

  it("reads through the replica and pushes to the primary", () => {
    const loaded = load(`    - name: db\n      generate: { generator: Password, rotation: database-password, via: pushsecret, key: ocp/<cluster>/db/pw }\n      format: { type: opaque }\n`, SEED_TENANTS, "");
    const replica = loadStack({
      root: fixtureRoot({
        [STACK]: stackYaml(`    - name: db\n      generate: { generator: Password, rotation: database-password, via: pushsecret, key: ocp/<cluster>/db/pw }\n      format: { type: opaque }\n`).replace("    egressCidrs: [10.20.0.15/32]\n", "    egressCidrs: [10.20.0.15/32]\n    readReplica: https://vault-local.example:8300\n"),
        [TENANTS]: SEED_TENANTS,
      }),
      stack: "x",
    });
    const server = (m: { spec: Record<string, unknown> }) => (m.spec as { provider: { vault: { server: string } } }).provider.vault.server;
    expect(server(loaded.plan.cluster!.platform.store)).toBe("https://vault.example:8200");
    const c = replica.plan.cluster!;
    expect([c.platform.store, ...c.tenants.map((t) => t.store)].map(server)).toEqual(Array(1 + c.tenants.length).fill("https://vault-local.example:8300"));
    expect(server(c.push!.store)).toBe("https://vault.example:8200");
  });
});

describe("tenants opt in", () => {
  const tenants = { tenants: [{ division: "payments", app: "checkout-api", secrets: ["gh"], deployments: { "spoke-dc-v6": ["dev"] } }, { division: "platform", app: "web", deployments: { "spoke-dc-v6": ["dev"] } }] };

  it("labels the tenant's namespaces and attaches registry Secrets they receive to default, and only those", () => {
    const c = load(`    - name: gh\n${PAT}      format: { type: dockerconfigjson, registry: ghcr.io }\n    - name: gh-auth\n${PAT}      format: { type: basic-auth }\n      select: { matchLabels: { apps.platform/division: payments } }\n`, tenants).plan.cluster!;
    const [opted, other] = c.tenants;
    expect(opted!.labels[optInLabel("gh")]).toBe("true");
    expect(opted!.imagePullSecrets).toEqual(["app-registry-pull", "gh"]);
    expect(other!.labels[optInLabel("gh")]).toBeUndefined();
    expect(other!.imagePullSecrets).toEqual(["app-registry-pull"]);
    const gh = c.config.catalogue.find((e) => e.name === "gh") as CatalogueEntry;
    expect(selectsNamespace(gh, opted!.namespace, opted!.labels)).toBe(true);
    expect(selectsNamespace(gh, other!.namespace, other!.labels)).toBe(false);
    expect(entrySelector({ kind: "names", namespaces: ["apps-a-b-dev"] })).toEqual({ matchLabels: { "apps.platform/tenant": "true" }, matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["apps-a-b-dev"] }] });
  });
});
