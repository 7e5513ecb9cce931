// The Secret each catalogue format renders, as an ESO template (engine v2: Go text/template
// with sprig). Pure, and self-contained: every value a template needs is either an input the
// ExternalSecret's `data` provides under the same name, or a literal written into the template
// here, so a renderer can run it with nothing but sample inputs.

/** How the consumer recognises the Secret (seed 004): Kargo and Argo CD read these labels. */
const KARGO_CRED_TYPE_LABEL = "kargo.akuity.io/cred-type";
const ARGOCD_SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";

export type Format =
  /** Seed 000: the Vault field already holds the whole dockerconfigjson document. */
  | { type: "dockerconfigjson" }
  /** Seed 004: composed from username and token for one registry host. */
  | { type: "dockerconfigjson"; registry: string; email?: string }
  | { type: "opaque"; keys: readonly string[] }
  | { type: "opaque"; consumer: "kargo"; credType: "image" | "git" | "helm"; repoURL: string }
  | { type: "opaque"; consumer: "argocd"; secretType: "repository" | "repo-creds"; repoType: "git" | "helm"; url: string }
  | { type: "basic-auth" }
  | { type: "tls"; withCa: boolean };

export interface RenderedTemplate {
  /** Kubernetes Secret type. */
  type: string;
  /** Consumer labels (the standard labels are added by the caller). */
  labels: Record<string, string>;
  /** Secret key -> Go template over the inputs. */
  data: Record<string, string>;
  /** The inputs the template reads: the ExternalSecret's `data[].secretKey`s. */
  inputs: string[];
}

/** A template's reference to an input: `.name` for a Go identifier, else `index . "name"` (a Secret key may hold '-' or '.'). */
const ref = (input: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(input) ? `.${input}` : `index . ${JSON.stringify(input)}`);
/** JSON-quoted, so any value keeps the document valid JSON. */
const json = (input: string) => `{{ ${ref(input)} | toJson }}`;
const raw = (input: string) => `{{ ${ref(input)} }}`;

/** The field a dockerconfigjson document is kept under in Vault (seed 000). */
export const DOCKERCONFIGJSON_INPUT = "dockerconfigjson";

/** Inputs each format reads; `opaque` with explicit keys reads those keys. */
export function formatInputs(format: Format): string[] {
  switch (format.type) {
    case "dockerconfigjson":
      return "registry" in format ? ["username", "password"] : [DOCKERCONFIGJSON_INPUT];
    case "opaque":
      return "consumer" in format ? ["username", "password"] : [...format.keys];
    case "basic-auth":
      return ["username", "password"];
    case "tls":
      return format.withCa ? ["cert", "key", "ca"] : ["cert", "key"];
  }
}

export function renderTemplate(format: Format): RenderedTemplate {
  const inputs = formatInputs(format);
  switch (format.type) {
    case "dockerconfigjson":
      if (!("registry" in format)) return { type: "kubernetes.io/dockerconfigjson", labels: {}, data: { ".dockerconfigjson": raw(DOCKERCONFIGJSON_INPUT) }, inputs };
      return { type: "kubernetes.io/dockerconfigjson", labels: {}, data: { ".dockerconfigjson": dockerConfigTemplate(format.registry, format.email) }, inputs };
    case "opaque":
      if (!("consumer" in format)) return { type: "Opaque", labels: {}, data: Object.fromEntries(format.keys.map((k) => [k, raw(k)])), inputs };
      if (format.consumer === "kargo") {
        // Kargo's credential Secret: username, password, repoURL (seed 004).
        return { type: "Opaque", labels: { [KARGO_CRED_TYPE_LABEL]: format.credType }, data: { repoURL: format.repoURL, username: raw("username"), password: raw("password") }, inputs };
      }
      // Argo CD's repository (or credential template) Secret: type, url, username, password.
      return {
        type: "Opaque",
        labels: { [ARGOCD_SECRET_TYPE_LABEL]: format.secretType },
        data: { type: format.repoType, url: format.url, username: raw("username"), password: raw("password") },
        inputs,
      };
    case "basic-auth":
      return { type: "kubernetes.io/basic-auth", labels: {}, data: { username: raw("username"), password: raw("password") }, inputs };
    case "tls":
      return { type: "kubernetes.io/tls", labels: {}, data: { "tls.crt": raw("cert"), "tls.key": raw("key"), ...(format.withCa ? { "ca.crt": raw("ca") } : {}) }, inputs };
  }
}

/**
 * Seed 004's registry document, with the values JSON-quoted (`toJson`) instead of pasted
 * between quotes, so a token containing `"` or `\` still yields valid JSON. `auth` is
 * base64("username:password"), which is what the kubelet and podman read.
 */
export function dockerConfigTemplate(registry: string, email?: string): string {
  const fields = [`"username": ${json("username")}`, `"password": ${json("password")}`, `"auth": {{ printf "%s:%s" .username .password | b64enc | toJson }}`];
  if (email !== undefined) fields.push(`"email": ${JSON.stringify(email)}`);
  return `{"auths": {${JSON.stringify(registry)}: {${fields.join(", ")}}}}`;
}
