// What the consumer of each rendered Secret reads, per Secret type and consumer label, and
// sample data for the keys a template fetches. A Secret of a shape this file does not know is
// a problem, never a pass.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { fromB64, type RenderedSecret } from "./engine";
import type { TemplateSite } from "./sites";

/** Sample values by key, as bytes; a tls pair comes from the caller (it needs a real certificate). */
export type Sample = Record<string, Buffer>;

export interface TlsPair {
  cert: string;
  key: string;
}

/** A dockerconfigjson value as Vault holds it for the pass-through pull secrets (seed 000). */
export function dockerConfigJson(host: string, username: string, token: string): string {
  return JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${username}:${token}`).toString("base64"), email: "platform-bot@sample.invalid" } } });
}

/** Host a pass-through dockerconfigjson sample names when the stack configures none for it. */
export const SAMPLE_REGISTRY = "registry.sample.invalid";

export interface SampleInput {
  username: string;
  token: string;
  tls: TlsPair;
  /** Host the site's Secret must name, when the stack configures one. */
  host?: string;
}

/** A distinct, recognisable value for every fetched key; the credentials from `input`. */
export function sampleFor(keys: readonly string[], input: SampleInput): Sample {
  const value = (key: string): string => {
    switch (key) {
      case "username":
      case "user":
        return input.username;
      case "token":
      case "password":
        return input.token;
      case "dockerconfigjson":
      case ".dockerconfigjson":
        return dockerConfigJson(input.host ?? SAMPLE_REGISTRY, input.username, input.token);
      case "tls.crt":
      case "cert":
      case "certificate":
        return input.tls.cert;
      case "tls.key":
      case "key":
      case "privateKey":
        return input.tls.key;
      case "url":
      case "repoURL":
        return "https://git.sample.invalid/platform/repo.git";
      default:
        return `sample-${key}-value`;
    }
  };
  return Object.fromEntries(keys.map((k) => [k, Buffer.from(value(k))]));
}

// Kubernetes validates Secret keys and label values on write: a Secret ESO cannot store is
// as broken as one the consumer cannot read.
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const ARGOCD_LABEL = "argocd.argoproj.io/secret-type";
const KARGO_LABEL = "kargo.akuity.io/cred-type";

export interface Expectation {
  site: TemplateSite;
  sample: Sample;
  /** The registry host the stack configures for this Secret, if any. */
  host?: string;
}

const text = (b: Buffer | undefined) => b?.toString("utf8");

/** Everything wrong with a rendered Secret for its consumer; [] when it is what the consumer needs. */
export function consumerProblems(e: Expectation, s: RenderedSecret): string[] {
  const problems: string[] = [];
  const data = Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, fromB64(v)]));
  for (const k of Object.keys(data)) if (!SECRET_KEY.test(k)) problems.push(`data key ${JSON.stringify(k)} is not a valid Secret key`);
  for (const [k, v] of Object.entries(s.labels)) {
    if (v.length > 63 || !LABEL_VALUE.test(v)) problems.push(`label ${k}=${JSON.stringify(v)} is not a valid label value`);
  }
  const type = s.type || "Opaque";
  switch (type) {
    case "kubernetes.io/dockerconfigjson":
      problems.push(...dockerConfigProblems(e, data));
      break;
    case "kubernetes.io/basic-auth":
      problems.push(...credentialProblems(e, data, "username", "password"));
      break;
    case "kubernetes.io/tls":
      problems.push(...tlsProblems(data));
      break;
    case "Opaque":
      problems.push(...opaqueProblems(e, s, data));
      break;
    default:
      problems.push(`Secret type ${type}: the suite does not know what its consumer reads (test/templates/consumers.ts)`);
  }
  return problems;
}

/** username must be the sample's username, password its token: not swapped, not re-encoded. */
function credentialProblems(e: Expectation, data: Record<string, Buffer>, userKey: string, passKey: string): string[] {
  const problems: string[] = [];
  const user = e.sample.username ?? e.sample.user;
  const pass = e.sample.password ?? e.sample.token;
  if (!data[userKey]) problems.push(`no ${userKey}`);
  else if (user && !data[userKey].equals(user)) problems.push(`${userKey} is ${JSON.stringify(text(data[userKey]))}, the fetched username is ${JSON.stringify(text(user))}`);
  if (!data[passKey]) problems.push(`no ${passKey}`);
  else if (pass && !data[passKey].equals(pass)) problems.push(`${passKey} is not the fetched token/password`);
  return problems;
}

function dockerConfigProblems(e: Expectation, data: Record<string, Buffer>): string[] {
  const raw = data[".dockerconfigjson"];
  if (!raw) return ["no .dockerconfigjson key (the kubelet reads only that one)"];
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString("utf8"));
  } catch (err) {
    return [`.dockerconfigjson is not JSON: ${(err as Error).message}`];
  }
  const auths = (doc as { auths?: unknown }).auths;
  if (typeof auths !== "object" || auths === null || Array.isArray(auths)) return [".dockerconfigjson has no auths object"];
  const passThrough = Object.values(e.sample).find((v) => v.equals(raw));
  const user = e.sample.username ?? e.sample.user;
  const token = e.sample.token ?? e.sample.password;
  if (passThrough) {
    // The Vault value is the whole file (seed 000): its bytes must arrive unchanged.
    return [];
  }
  if (!user || !token) return ["dockerconfigjson composed from neither a fetched dockerconfigjson nor a username and token: unknown shape"];
  if (!e.host) return [`${e.site.object}: no registry host configured for Secret ${e.site.secretName} (test/templates/sites.ts configuredRegistryHosts)`];
  const problems: string[] = [];
  const hosts = Object.keys(auths);
  if (hosts.length !== 1 || hosts[0] !== e.host) problems.push(`auths names ${JSON.stringify(hosts)}, the stack configures ${e.host}`);
  const entry = (auths as Record<string, { auth?: unknown; username?: unknown; password?: unknown }>)[e.host];
  if (entry) {
    if (typeof entry.auth !== "string") problems.push("auths entry has no auth string");
    else if (!Buffer.from(entry.auth, "base64").equals(Buffer.concat([user, Buffer.from(":"), token])) || Buffer.from(entry.auth, "base64").toString("base64") !== entry.auth) {
      problems.push(`auth does not base64-decode to username:token (got ${JSON.stringify(entry.auth)})`);
    }
    if (entry.username !== undefined && entry.username !== user.toString("utf8")) problems.push("auths entry username is not the fetched username");
    if (entry.password !== undefined && entry.password !== token.toString("utf8")) problems.push("auths entry password is not the fetched token");
  }
  return problems;
}

function tlsProblems(data: Record<string, Buffer>): string[] {
  const crt = data["tls.crt"];
  const key = data["tls.key"];
  if (!crt || !key) return [`kubernetes.io/tls needs tls.crt and tls.key (has ${Object.keys(data).join(", ")})`];
  try {
    const cert = new X509Certificate(crt);
    const pk = createPrivateKey(key);
    return cert.checkPrivateKey(pk) ? [] : ["tls.key is not the key of tls.crt"];
  } catch (err) {
    return [`tls.crt/tls.key are not PEM a TLS server can load: ${(err as Error).message}`];
  }
}

// Argo CD, declarative setup (https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/):
// a `repository` or `repo-creds` Secret needs `url` (plus username/password for HTTPS); a
// `cluster` Secret needs `name`, `server` and `config` (JSON).
// Kargo, managing credentials (https://docs.kargo.io/user-guide/security/managing-credentials/):
// `git`, `helm` and `image` need `repoURL`, `username` and `password`; `generic` holds any keys.
function opaqueProblems(e: Expectation, s: RenderedSecret, data: Record<string, Buffer>): string[] {
  const argocd = s.labels[ARGOCD_LABEL];
  const kargo = s.labels[KARGO_LABEL];
  if (argocd !== undefined) {
    if (argocd === "repository" || argocd === "repo-creds") {
      const problems = data.url?.length ? [] : [`Argo CD ${argocd} Secret has no url`];
      if (data.username || data.password) problems.push(...credentialProblems(e, data, "username", "password"));
      return problems;
    }
    if (argocd === "cluster") {
      const problems = ["name", "server", "config"].filter((k) => !data[k]?.length).map((k) => `Argo CD cluster Secret has no ${k}`);
      try {
        if (data.config) JSON.parse(data.config.toString("utf8"));
      } catch {
        problems.push("Argo CD cluster Secret config is not JSON");
      }
      return problems;
    }
    return [`${ARGOCD_LABEL}=${argocd}: not a type Argo CD reads (repository, repo-creds, cluster)`];
  }
  if (kargo !== undefined) {
    if (["git", "helm", "image"].includes(kargo)) {
      const problems = data.repoURL?.length ? [] : [`Kargo ${kargo} credentials have no repoURL`];
      return [...problems, ...credentialProblems(e, data, "username", "password")];
    }
    if (kargo === "generic") return Object.keys(data).length ? [] : ["Kargo generic Secret is empty"];
    return [`${KARGO_LABEL}=${kargo}: not a type Kargo reads (git, helm, image, generic)`];
  }
  // No consumer label: the workload reads the keys it was promised (the ExternalSecret's
  // secretKeys, or a generator's output keys) and each must hold exactly the fetched value, with
  // or without a data template (the catalogue's plain Opaque template only adds labels).
  const got = Object.keys(data).sort();
  const want = Object.keys(e.sample).sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) return [`keys ${JSON.stringify(got)}, fetched ${JSON.stringify(want)}`];
  return want.filter((k) => !data[k]!.equals(e.sample[k]!)).map((k) => `${k} is not the fetched value`);
}
