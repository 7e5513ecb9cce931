// What the offline engine answers in place of other stacks and providers, shared by the gRPC
// engine and the in-process mock runtime so both paths see the same world.
import { createHash } from "node:crypto";
import { PROJECT } from "../model/config";
import { loadStack, STACKS_DIR } from "../model/load";
import { ORGANIZATION, parseStackReference, qualified } from "../model/stackReference";
import { planOutputs, type PlatformSecretsOutputs } from "../model/outputs";

/** A stable stand-in string for a value only a real server knows. */
export function fakeValue(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("base64url").slice(0, length);
}

/**
 * Outputs of a stack of this project for a StackReference to it: the contract `planOutputs`
 * computes from its stack file, which is what that stack exports after its `pulumi up`. A
 * reference is resolved as the engine resolves it (missing parts from the running stack's
 * organization and project); a stack of another organization or project is not in stacks/, and
 * reading a local stack of the same name in its place would preview against the wrong foundation.
 */
export function shippedStackOutputs(root: string, within: { organization: string; project: string } = { organization: ORGANIZATION, project: PROJECT }): (stackRef: string) => PlatformSecretsOutputs {
  return (stackRef) => {
    const ref = parseStackReference(stackRef);
    const name = qualified(ref, within);
    if (name !== qualified({ stack: ref.stack }, within)) {
      throw new Error(`${name} is not a stack of ${within.organization}/${within.project}; the offline preview reads only those (from ${STACKS_DIR}/): read it with \`pulumi preview\``);
    }
    return planOutputs(loadStack({ root, stack: ref.stack }).plan);
  };
}

/** Invoke results a provider would return; anything else is refused with the token named. */
export function invokeAnswer(token: string, args: Record<string, unknown>): Record<string, unknown> {
  if (token === "vault:index/getAuthBackend:getAuthBackend") {
    const path = String(args.path);
    return { id: path, path, type: "oidc", accessor: `auth_oidc_${fakeValue(path, 8)}`, description: "", local: false };
  }
  throw new Error(`the offline preview has no stand-in for invoke ${token}`);
}

/**
 * The ServiceAccounts a stand-in cluster holds, by `<namespace>/<name>`, with their
 * `imagePullSecrets`. The offline preview's cluster is empty: no namespace exists yet, so the
 * program's existence check of `default` answers no. A read of `default` in a namespace the
 * stack declares as existing (`platform-secrets:adopt`) finds it with no entries.
 */
export type LiveServiceAccounts = Readonly<Record<string, readonly string[]>>;

export const SERVICE_ACCOUNT_TYPE = "kubernetes:core/v1:ServiceAccount";

/** Whether the stand-in cluster holds the object (the engine's ExistsResource). */
export function standInExists(live: LiveServiceAccounts, type: string, id: string): boolean {
  return type === SERVICE_ACCOUNT_TYPE && id in live;
}

/** A read of a live ServiceAccount by `<namespace>/<name>`, as the provider returns it. */
export function standInServiceAccount(live: LiveServiceAccounts, id: string): Record<string, unknown> {
  const [namespace, name] = id.split("/");
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace }, imagePullSecrets: (live[id] ?? []).map((n) => ({ name: n })) };
}
