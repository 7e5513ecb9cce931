// Realistic KV values at every path the seeds name and a cluster stack reads, as the platform
// admin and the tenants write them before ESO can deliver anything (seed 000: "Until this path
// is populated server-side, the ClusterExternalSecret reports Ready=False"). The list of paths is
// derived from the stack's plan; the values are fresh on every run, so nothing downstream can
// be a constant. Canaries are not here: the foundation stack writes them; nor the generated
// keys: their PushSecrets write them.
import { randomInt } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CatalogueEntry } from "../../model/catalogue";
import type { ClusterPlan } from "../../model/plan";
import * as naming from "../../model/naming";
import type { VaultClient } from "../integration/vaultClient";
import { openssl } from "../k8s/cluster";

/** A KV v2 secret: its key under the mount and its fields. */
export interface KvSecret {
  key: string;
  data: Record<string, string>;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Quay robot tokens: 64 upper-case letters and digits. */
const QUAY_TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** What a password manager or Nexus' own generator puts in a bot password: quotes and backslashes included. */
const PASSWORD_CHARS = `${ALNUM}!#$%&*+-=?@^_~"\\`;
const random = (length: number, chars: string) => Array.from({ length }, () => chars[randomInt(chars.length)]).join("");
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** Seed 000: the registry each built-in pull secret is for, and the bot that pulls from it. */
const REGISTRIES: Record<string, { host: string; email: string }> = {
  "app-registry-pull": { host: "app-registry.apps.sub.comptech-lab.com", email: "platform-bot@comptech-lab.local" },
  "quay-pull": { host: "quay.apps.sub.comptech-lab.com", email: "platform-bot@comptech-lab.local" },
};

/** Seed 000's value shape: the whole dockerconfigjson document, as `vault kv put` stores it from a file. */
function registryDocument(entry: string): string {
  const registry = REGISTRIES[entry] ?? { host: `${entry}.sub.comptech-lab.com`, email: "platform-bot@comptech-lab.local" };
  const auth = b64(`platform-bot:${random(24, PASSWORD_CHARS)}`);
  return `${JSON.stringify({ auths: { [registry.host]: { auth, email: registry.email } } }, null, 2)}\n`;
}

export interface TlsMaterial {
  certificate: string;
  privateKey: string;
  issuingCa: string;
}

/** A CA and the `*.apps.<cluster>` certificate it issued, as cert-manager would store them (PEM). */
export async function tlsMaterial(cluster: string): Promise<TlsMaterial> {
  const dir = mkdtempSync(join(tmpdir(), "platform-secrets-tls-"));
  try {
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    await openssl(dir, ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=comptech-lab issuing CA"]);
    await openssl(dir, ["req", ...ec, "-keyout", "tls.key", "-out", "tls.csr", "-subj", `/CN=*.apps.${cluster}.sub.comptech-lab.com`]);
    await openssl(dir, ["x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out", "tls.crt"]);
    const read = (f: string) => readFileSync(join(dir, f), "utf8");
    return { certificate: read("tls.crt"), privateKey: read("tls.key"), issuingCa: read("ca.crt") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The value a catalogue entry's format input reads, by what the input is (seeds 000, 004). */
function inputValue(entry: CatalogueEntry, input: string, key: string, tls: TlsMaterial): string {
  const system = key.split("/")[2] ?? "platform";
  switch (input) {
    case "dockerconfigjson":
      return registryDocument(entry.name);
    case "username":
      return `comptech-${system}-bot`;
    // A GitHub PAT (seed 004's "token"), else a bot password.
    case "password":
      return system === "github" ? `ghp_${random(36, ALNUM)}` : random(24, PASSWORD_CHARS);
    case "cert":
      return tls.certificate;
    case "key":
      return tls.privateKey;
    case "ca":
      return tls.issuingCa;
    default:
      return random(32, ALNUM);
  }
}

/** Where a tenant keeps an app runtime secret (seed 000: "App runtime secrets (DB creds, …)" under apps/<division>/). */
export function tenantSecretKey(t: { division: string; app: string; env: string }): string {
  return `apps/${t.division}/${t.app}/${t.env}/db`;
}

/**
 * Every KV secret a cluster stack's stores read that neither the program nor ESO writes:
 * each Vault-sourced catalogue key (fields shared between entries written once), each CI robot
 * (seed 001: username `<team>+ci`, a 64-character Quay token), and one runtime secret per
 * tenant namespace under its division.
 */
export function clusterValues(plan: ClusterPlan, tls: TlsMaterial): KvSecret[] {
  const byKey = new Map<string, Record<string, string>>();
  const field = (key: string, name: string, value: () => string) => {
    const data = byKey.get(key) ?? {};
    data[name] ??= value();
    byKey.set(key, data);
  };
  for (const { entry } of plan.catalogue) {
    const src = entry.source;
    if (src.kind !== "vault") continue;
    for (const [input, vaultField] of Object.entries(src.properties)) field(src.key, vaultField, () => inputValue(entry, input, src.key, tls));
  }
  for (const ci of plan.pipelines?.ciSecrets ?? []) {
    field(ci.vaultKey, "username", () => `${ci.team}+ci`);
    field(ci.vaultKey, "token", () => random(64, QUAY_TOKEN_CHARS));
  }
  for (const t of plan.tenants) {
    field(tenantSecretKey(t), "username", () => `${t.app}-${t.env}`);
    field(tenantSecretKey(t), "password", () => random(24, PASSWORD_CHARS));
  }
  return [...byKey].map(([key, data]) => ({ key, data }));
}

/** `vault kv put <mount>/<key> …` for each, as the platform admin. */
export async function writeValues(vault: VaultClient, kvMount: string, secrets: readonly KvSecret[]): Promise<void> {
  for (const s of secrets) await vault.must("POST", `${kvMount}/data/${s.key}`, { data: s.data });
}

/** The current fields of a KV v2 secret (what `vault kv get` prints), or undefined when absent. */
export async function readValue(vault: VaultClient, kvMount: string, key: string): Promise<{ data: Record<string, string>; version: number } | undefined> {
  const r = await vault.request("GET", `${kvMount}/data/${key}`);
  if (r.status === 404) return undefined;
  if (r.status !== 200) throw new Error(`GET ${kvMount}/data/${key} -> ${r.status} ${JSON.stringify(r.body)}`);
  return { data: r.body.data.data as Record<string, string>, version: Number(r.body.data.metadata.version) };
}

/** Every KV key whose value some Secret of the stack is computed from: catalogue sources (pushed ones too), CI robots, canaries. */
export function keysRead(plan: ClusterPlan): string[] {
  const catalogue = plan.catalogue.flatMap(({ entry }) => (entry.source.kind === "vault" || entry.source.via === "pushsecret" ? [entry.source.key] : []));
  const ci = (plan.pipelines?.ciSecrets ?? []).map((c) => c.vaultKey);
  const canaries = [...new Set(plan.tenants.map((t) => naming.canaryKey(t.division)))];
  return [...new Set([...catalogue, ...ci, ...canaries])];
}

/** The fields of `keys` as Vault holds them now, as a lookup that fails loudly on a key it was not given. */
export async function snapshot(vault: VaultClient, kvMount: string, keys: readonly string[]): Promise<(key: string) => Record<string, string>> {
  const values = new Map<string, Record<string, string>>();
  for (const key of keys) {
    const v = await readValue(vault, kvMount, key);
    if (v) values.set(key, v.data);
  }
  return (key) => {
    const v = values.get(key);
    if (!v) throw new Error(`${kvMount}/${key} holds no value`);
    return v;
  };
}
