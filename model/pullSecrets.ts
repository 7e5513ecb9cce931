// The `default` ServiceAccount's imagePullSecrets on a platform where other managers write it too.
// The list is atomic for server-side apply: whoever applies it owns all of it, and applying any
// value other than the one another manager set conflicts with that manager (seen on
// kube-apiserver v1.37.2: "before-first-apply" on a controller-made ServiceAccount,
// "openshift-controller-manager" once its update is recorded). The program therefore reads the
// live list, computes the value below and applies it with force: forcing a value that keeps every
// entry it did not put there takes ownership without dropping them. Pure: the program applies this.
/**
 * The live entries in their order, without the platform's pull secrets that are no longer
 * enabled, followed by the enabled ones that are missing. Entries other managers put there
 * (`default-dockercfg-*`) are always kept; only names in `platformNames` (every registry Secret
 * the cluster's catalogue distributes) can be removed. An entry deleted from the catalogue is
 * no longer known as ours, so its name stays on `default` until removed by hand.
 */
export function pullSecretsToApply(live: readonly string[], enabled: readonly string[], platformNames: readonly string[]): string[] {
  const kept = live.filter((name) => enabled.includes(name) || !platformNames.includes(name));
  return [...kept, ...enabled.filter((name) => !kept.includes(name))];
}
