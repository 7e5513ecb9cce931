// The project as the end-to-end suite deploys it: a copy of the working tree whose stack files are
// the shipped ones with the test servers' addresses set (parsed and re-written key by key, so any
// other change to a shipped stack reaches the test), and one kubeconfig naming every control plane
// by the context its stack file asks for. The repository's own stacks/ is never written.
import { cpSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { stackFilePath } from "../../model/load";
import type { KubeCluster } from "../k8s/cluster";
import { overlay, type Endpoints } from "../eso/platform";

const PREFIX = "platform-secrets:";
/** Not part of the program: build output, the repository, caches. */
const LEFT_OUT = new Set(["node_modules", "out", ".git", ".cache", "scratch"]);

/** A copy of `root` at `to` with node_modules linked, not copied. */
export function copyWorkingTree(root: string, to: string): void {
  cpSync(root, to, { recursive: true, filter: (src) => !(dirname(src) === root && LEFT_OUT.has(basename(src))) });
  symlinkSync(join(root, "node_modules"), join(to, "node_modules"));
}

/**
 * The shipped stack file of `stack` (read from `root`) with the overlay's values in place of its
 * `platform-secrets:*` keys, written into the copy at `to`. Keys the overlay adds (kubeContext)
 * are set; every other key, project or not, is kept as shipped.
 */
export function writeOverlayStack(root: string, to: string, stack: string, at: Endpoints & { kubeContext?: string }): Record<string, unknown> {
  const file = stackFilePath(stack);
  const doc = (parse(readFileSync(join(root, file), "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const values = overlay(stack, at);
  if (at.kubeContext && typeof values.cluster === "object" && values.cluster !== null) values.cluster = { ...values.cluster, kubeContext: at.kubeContext };
  const config = { ...doc.config };
  for (const [key, value] of Object.entries(values)) config[`${PREFIX}${key}`] = value;
  writeFileSync(join(to, file), stringify({ ...doc, config }));
  return values;
}

/** One kubeconfig with a context per control plane, named as the stacks' kubeContext; no current context. */
export function writeKubeconfig(file: string, clusters: Record<string, KubeCluster>): void {
  const entries = Object.entries(clusters);
  writeFileSync(
    file,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: entries.map(([context, c]) => ({ name: context, cluster: { server: c.server, "certificate-authority": join(c.dir, "pki/ca.crt") } })),
      users: entries.map(([context, c]) => ({ name: `${context}-admin`, user: { "client-certificate": join(c.dir, "pki/admin.crt"), "client-key": join(c.dir, "pki/admin.key") } })),
      contexts: entries.map(([context]) => ({ name: context, context: { cluster: context, user: `${context}-admin` } })),
    }),
  );
}
