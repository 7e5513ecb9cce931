// Secrets outside Vault: credentials written as literals into what the stack manages, where
// they end up in the state, in Git and in every reader of the object.
import { resourceRule } from "../rule";
import { esoKind, kindIn, objectName, specOf, type ResourceView } from "../shapes";
import { podSpecOf } from "./workloads";

/** Values that are credentials by their shape, wherever they appear. */
const SHAPES: ReadonlyArray<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a PEM private key"],
  [/"auth"\s*:\s*"[A-Za-z0-9+/]{8,}={0,2}"/, "a registry auth (base64 user:password)"],
  [/"(password|token|identitytoken)"\s*:\s*"[^"]+"/i, "a registry password or token"],
  [/\bAKIA[0-9A-Z]{16}\b/, "an AWS access key"],
  [/\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})\b/, "a GitHub token"],
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/, "a GitLab token"],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}\b/, "a Slack token"],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/, "a signed JWT"],
  [/\b(hvs|hvb|hvr)\.[A-Za-z0-9_-]{20,}\b/, "a Vault token"],
  [/[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@{}]+@/i, "a URL with a password"],
];

/** Keys whose non-empty literal value is a credential. */
const KEY = /(^|[-_.])(password|passwd|passphrase|pwd|secret|token|api[-_]?key|apikey|private[-_]?key|client[-_]?secret|access[-_]?key|secret[-_]?key|credentials?|dockerconfigjson|dockercfg)$/i;

/** ESO templates render `{{ … }}` from the provider at sync time; what is left is literal. */
const literalPart = (value: string) => value.replace(/\{\{[\s\S]*?\}\}/g, "");

/** Why `value` under `key` is a literal credential, if it is one. */
export function credentialIn(key: string, value: unknown): string | undefined {
  if (typeof value !== "string" || value.length === 0) return undefined;
  const literal = literalPart(value);
  for (const [re, what] of SHAPES) if (re.test(literal)) return what;
  return KEY.test(key) && literal === value && value.trim().length > 0 ? `a literal ${key}` : undefined;
}

interface Template {
  data?: Record<string, unknown>;
  templateFrom?: Array<{ literal?: unknown }>;
}

/** [place, key, value] of everything a resource writes that could hold a literal credential. */
function literalsOf(r: ResourceView): Array<[string, string, unknown]> {
  const entries = (where: string, obj: unknown) => Object.entries((obj ?? {}) as Record<string, unknown>).map(([k, v]): [string, string, unknown] => [where, k, v]);
  const template = (where: string, t: Template | undefined) => [...entries(`${where}.data`, t?.data), ...(t?.templateFrom ?? []).map((f, i): [string, string, unknown] => [`${where}.templateFrom[${i}]`, "literal", f.literal])];
  const kind = kindIn(r);
  if (kind === "ConfigMap" || kind === "ConfigMapPatch") return [...entries("data", r.props.data), ...entries("binaryData", r.props.binaryData)];
  switch (esoKind(r.type)) {
    case "ExternalSecret":
      return template("spec.target.template", specOf<{ target?: { template?: Template } }>(r).target?.template);
    case "ClusterExternalSecret":
      return template("spec.externalSecretSpec.target.template", specOf<{ externalSecretSpec?: { target?: { template?: Template } } }>(r).externalSecretSpec?.target?.template);
    case "PushSecret":
      return template("spec.template", specOf<{ template?: Template }>(r).template);
  }
  const pod = podSpecOf(r);
  if (pod) return [...(pod.containers ?? []), ...(pod.initContainers ?? [])].flatMap((c) => (c.env ?? []).map((e): [string, string, unknown] => [`container ${c.name} env`, e.name ?? "", e.value]));
  return [];
}

export const noLiteralSecrets = resourceRule({
  name: "no-literal-secrets",
  description:
    "No credential is written as a literal into what the stack manages: no Kubernetes Secret (or SecretPatch) with data or stringData at all (the reviewer token Secret has none: the cluster fills it), and no value that looks like a credential (a password, registry auth, token, access key, PEM private key, a URL with a password, or any literal under a key named like one) in a ConfigMap, an ExternalSecret/ClusterExternalSecret/PushSecret template or a workload's env. Secrets live in Vault and arrive through ExternalSecrets.",
  check(r, _config, report) {
    const kind = kindIn(r);
    if (kind === "Secret" || kind === "SecretPatch") {
      const data = { ...((r.props.data as Record<string, unknown> | undefined) ?? {}), ...((r.props.stringData as Record<string, unknown> | undefined) ?? {}) };
      if (Object.keys(data).length > 0) report(`Secret ${objectName(r)} carries literal ${Object.keys(data).join(", ")}: put the value in Vault and deliver it with an ExternalSecret`);
      return;
    }
    for (const [where, key, value] of literalsOf(r)) {
      const what = credentialIn(key, value);
      if (what) report(`${esoKind(r.type) ?? kind ?? r.type.split(":").pop()} ${objectName(r)} ${where} key "${key}" holds ${what}: put the value in Vault and reference it (an ExternalSecret, or a template reading it from the provider)`);
    }
  },
});
