// The `default` ServiceAccount's imagePullSecrets on a platform where other managers write it too.
// The list is atomic for server-side apply: whoever applies it owns all of it. OpenShift's
// openshift-controller-manager keeps `default-dockercfg-*` there. Applying exactly the live list
// plus our entries gives the same value the controller holds, so server-side apply records both
// managers as owners without a conflict and nothing is removed; the controller sees its entry
// present and writes nothing back. Pure: the program reads the live list and applies this.

/** The live entries, in their order, followed by ours that are missing. */
export function unionPullSecrets(live: readonly string[], ours: readonly string[]): string[] {
  return [...live, ...ours.filter((name) => !live.includes(name))];
}
