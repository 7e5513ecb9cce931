// Kubernetes label selectors with k8s.io/apimachinery semantics, and which namespaces an ESO
// object's namespace selection can reach. Pure; the program (secret catalogue) and the pack share it.
//
// * matchLabels and matchExpressions are ANDed; an empty selector `{}` selects everything.
// * In: the key is present with one of the values. NotIn: absent, or present with none of
//   them. Exists / DoesNotExist: presence. In and NotIn need values; the others take none.
// * An absent (nil) selector selects nothing where ESO treats it so (a ClusterExternalSecret's
//   selector, a ClusterSecretStore condition's namespaceSelector).

export type Labels = Readonly<Record<string, string>>;

export interface Requirement {
  key: string;
  operator: string;
  values?: readonly string[];
}

export interface LabelSelector {
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: readonly Requirement[];
}

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;

/** Why apimachinery would reject the selector (ESO then selects nothing with it), if it would. */
export function selectorProblem(s: LabelSelector): string | undefined {
  for (const r of s.matchExpressions ?? []) {
    if (!(OPERATORS as readonly string[]).includes(r.operator)) return `operator "${r.operator}" is not one of ${OPERATORS.join(", ")}`;
    const n = (r.values ?? []).length;
    if ((r.operator === "In" || r.operator === "NotIn") && n === 0) return `${r.key} ${r.operator} needs values`;
    if ((r.operator === "Exists" || r.operator === "DoesNotExist") && n > 0) return `${r.key} ${r.operator} takes no values`;
  }
  return undefined;
}

/** All requirements of a selector, matchLabels as `In [value]`. */
export function requirements(s: LabelSelector): Requirement[] {
  return [...Object.entries(s.matchLabels ?? {}).map(([key, v]) => ({ key, operator: "In", values: [v] })), ...(s.matchExpressions ?? [])];
}

function holds(r: Requirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.operator) {
    case "In":
      return has && (r.values ?? []).includes(v!);
    case "NotIn":
      return !has || !(r.values ?? []).includes(v!);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    default:
      return false;
  }
}

/** Whether `s` selects an object with `labels`; undefined (nil) selects nothing, an invalid selector nothing. */
export function matches(s: LabelSelector | undefined, labels: Labels): boolean {
  if (!s || selectorProblem(s)) return false;
  return requirements(s).every((r) => holds(r, labels));
}

/**
 * Labels of some object that satisfies every requirement, or undefined when none can: the
 * decision over all label sets a namespace created later might carry.
 */
export function witness(reqs: readonly Requirement[]): Record<string, string> | undefined {
  const byKey = new Map<string, Requirement[]>();
  for (const r of reqs) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const labels: Record<string, string> = {};
  for (const [key, rs] of byKey) {
    if (rs.some((r) => !(OPERATORS as readonly string[]).includes(r.operator))) return undefined;
    const mustExist = rs.some((r) => r.operator === "In" || r.operator === "Exists");
    const mustNot = rs.some((r) => r.operator === "DoesNotExist");
    if (!mustExist) continue;
    if (mustNot) return undefined;
    const excluded = new Set(rs.filter((r) => r.operator === "NotIn").flatMap((r) => r.values ?? []));
    const ins = rs.filter((r) => r.operator === "In").map((r) => new Set(r.values ?? []));
    let value: string | undefined;
    if (ins.length) value = [...ins[0]!].find((v) => ins.every((s) => s.has(v)) && !excluded.has(v));
    else for (let i = 0; value === undefined; i++) if (!excluded.has(`x${i}`)) value = `x${i}`;
    if (value === undefined) return undefined;
    labels[key] = value;
  }
  return labels;
}

/** Labels of a namespace `s` selects that does not carry `key=value`, if one can exist. */
export function selectsWithout(s: LabelSelector | undefined, key: string, value: string): Record<string, string> | undefined {
  if (!s || selectorProblem(s)) return undefined;
  return witness([...requirements(s), { key, operator: "NotIn", values: [value] }]);
}

/** Namespace selection as ESO objects express it: selectors ORed, plus names and (unanchored) name regexes. */
export interface NamespaceSelection {
  selectors: ReadonlyArray<LabelSelector | undefined>;
  names: readonly string[];
  regexes: readonly string[];
}

export interface Namespace {
  name: string;
  labels: Labels;
}

/** Whether a namespace is selected: by any selector, by name, or by a regex found anywhere in its name (Go's regexp.MatchString). */
export function selects(sel: NamespaceSelection, ns: Namespace): boolean {
  if (sel.selectors.some((s) => matches(s, ns.labels))) return true;
  if (sel.names.includes(ns.name)) return true;
  return sel.regexes.some((re) => {
    try {
      return new RegExp(re).test(ns.name);
    } catch {
      return false;
    }
  });
}

/** Labels Kubernetes itself puts on every namespace. */
export function namespaceLabels(name: string, labels: Labels = {}): Labels {
  return { "kubernetes.io/metadata.name": name, ...labels };
}

const NEGATION: Record<string, string> = { In: "NotIn", NotIn: "In", Exists: "DoesNotExist", DoesNotExist: "Exists" };

/** The requirement that holds exactly where `r` does not (NotIn also holds where the key is absent). */
function negation(r: Requirement): Requirement {
  return { key: r.key, operator: NEGATION[r.operator] ?? r.operator, ...(r.values ? { values: r.values } : {}) };
}

/** Whether a valid selector selects every label set: no requirement of it can fail (`{}` is the only such selector). */
export function selectsEverything(s: LabelSelector): boolean {
  return !selectorProblem(s) && requirements(s).every((r) => witness([negation(r)]) === undefined);
}

/** Labels of an object that both selectors select, or undefined when no object can be selected by both. */
export function overlap(a: LabelSelector, b: LabelSelector): Record<string, string> | undefined {
  if (selectorProblem(a) || selectorProblem(b)) return undefined;
  return witness([...requirements(a), ...requirements(b)]);
}
