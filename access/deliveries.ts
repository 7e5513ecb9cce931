// The Kubernetes side: which Secret ESO writes in which namespace, from which Vault path, logged
// in as whom. ExternalSecrets and ClusterExternalSecrets read (the latter fanned out with its
// selectors over the stack's namespaces, then filtered by the ClusterSecretStore's conditions);
// PushSecrets write. Every object is evaluated the way ESO does, with model/labelSelector.ts.
import { namespaceLabels, selects, type Labels, type NamespaceSelection } from "../model/labelSelector";
import type { StackModel } from "../policy/model";
import { cesSelectors, esoKind, metaOf, objectName, specOf, type ClusterExternalSecretSpec, type ResourceView, type SecretStoreSpec, type StoreRef, type VaultStoreProvider } from "../policy/shapes";
import type { SecretKey } from "./types";

/** Who a store logs in as: a ServiceAccount through a kubernetes auth role. */
export interface Login {
  mount: string;
  role: string;
  namespace: string;
  serviceAccount: string;
}

/** One Secret in one namespace, before deliveries are grouped per principal. */
export interface Piece {
  direction: "read" | "write";
  secret: string;
  namespace: string;
  keys: SecretKey[];
  via: string;
  store: string;
  login?: Login;
  /** Why no principal is named: generators, stores that are missing or not Vault kubernetes logins. */
  unattributed?: string;
  /** The store's conditions refuse this namespace. */
  refused?: boolean;
}

interface Store {
  label: string;
  cluster: boolean;
  namespace?: string;
  vault?: VaultStoreProvider;
  conditions?: NamespaceSelection[];
}

function storesOf(resources: readonly ResourceView[]): Map<string, Store> {
  const stores = new Map<string, Store>();
  for (const r of resources) {
    const kind = esoKind(r.type);
    if (kind !== "SecretStore" && kind !== "ClusterSecretStore") continue;
    const spec = specOf<SecretStoreSpec>(r);
    const meta = metaOf(r);
    const cluster = kind === "ClusterSecretStore";
    const conditions = cluster && spec.conditions?.length ? spec.conditions.map((c) => ({ selectors: c.namespaceSelector ? [c.namespaceSelector] : [], names: c.namespaces ?? [], regexes: c.namespaceRegexes ?? [] })) : undefined;
    stores.set(storeKey(kind, meta.name, meta.namespace), {
      label: `${kind} ${objectName(r)}`,
      cluster,
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
      ...(spec.provider?.vault ? { vault: spec.provider.vault } : {}),
      ...(conditions ? { conditions } : {}),
    });
  }
  return stores;
}

const storeKey = (kind: string, name: string | undefined, namespace: string | undefined) => (kind === "ClusterSecretStore" ? `css/${name}` : `ss/${namespace ?? "default"}/${name}`);

/** The Vault API path ESO uses for `key` through a store (KV v2 inserts `data/` after the mount). */
function vaultApiPath(provider: VaultStoreProvider, key: string): string {
  const v2 = (provider.version ?? "v2") === "v2";
  if (provider.path) return v2 ? `${provider.path}/data/${key}` : `${provider.path}/${key}`;
  const [mount, ...rest] = key.split("/");
  return v2 ? `${mount}/data/${rest.join("/")}` : key;
}

/** The store an object in `namespace` refers to, and who ESO logs in as there. */
function resolve(stores: Map<string, Store>, ref: StoreRef | undefined, namespace: string): { store?: Store; label: string; login?: Login; why?: string } {
  const kind = ref?.kind ?? "SecretStore";
  const label = `${kind} ${kind === "ClusterSecretStore" ? "" : `${namespace}/`}${ref?.name ?? "?"}`;
  const store = stores.get(storeKey(kind, ref?.name, namespace));
  if (!store) return { label, why: `${label} is not defined by this stack` };
  const k8s = store.vault?.auth?.kubernetes;
  if (!store.vault) return { store, label, why: `${label} is not a Vault store` };
  if (!k8s?.role || !k8s.serviceAccountRef?.name) return { store, label, why: `${label} does not log in to Vault with a ServiceAccount through kubernetes auth` };
  // A ClusterSecretStore without a ServiceAccount namespace logs in from the namespace of the object using it.
  const saNamespace = store.cluster ? (k8s.serviceAccountRef.namespace ?? namespace) : (store.namespace ?? namespace);
  return { store, label, login: { mount: (k8s.mountPath ?? "kubernetes").replace(/\/$/, ""), role: k8s.role, namespace: saNamespace, serviceAccount: k8s.serviceAccountRef.name } };
}

interface DataItem {
  secretKey?: string;
  remoteRef?: { key?: string; property?: string };
  sourceRef?: { storeRef?: StoreRef; generatorRef?: { kind?: string; name?: string } };
}

interface DataFromItem {
  extract?: { key?: string };
  find?: { path?: string; name?: { regexp?: string } };
  sourceRef?: { storeRef?: StoreRef; generatorRef?: { kind?: string; name?: string } };
}

interface EsSpec {
  secretStoreRef?: StoreRef;
  target?: { name?: string };
  data?: DataItem[];
  dataFrom?: DataFromItem[];
}

/** The pieces one ExternalSecret spec yields in one namespace: one per store it reads through, one per generator. */
function readPieces(spec: EsSpec, fallbackName: string, namespace: string, via: string, stores: Map<string, Store>, labels: Labels): Piece[] {
  const secret = spec.target?.name ?? fallbackName;
  const byStore = new Map<string, { ref?: StoreRef; keys: Array<{ key: string; remote: string; property?: string }> }>();
  const generated: string[] = [];
  const add = (ref: StoreRef | undefined, key: string, remote: string, property?: string) => {
    const k = `${ref?.kind ?? "SecretStore"}/${ref?.name}`;
    if (!byStore.has(k)) byStore.set(k, { ...(ref ? { ref } : {}), keys: [] });
    byStore.get(k)!.keys.push({ key, remote, ...(property ? { property } : {}) });
  };
  for (const d of spec.data ?? []) {
    if (d.sourceRef?.generatorRef) generated.push(`${d.sourceRef.generatorRef.kind} ${d.sourceRef.generatorRef.name}`);
    else if (d.remoteRef?.key !== undefined) add(d.sourceRef?.storeRef ?? spec.secretStoreRef, d.secretKey ?? "?", d.remoteRef.key, d.remoteRef.property);
  }
  for (const d of spec.dataFrom ?? []) {
    if (d.sourceRef?.generatorRef) generated.push(`${d.sourceRef.generatorRef.kind} ${d.sourceRef.generatorRef.name}`);
    else if (d.extract?.key !== undefined) add(d.sourceRef?.storeRef ?? spec.secretStoreRef, "*", d.extract.key);
    // `find` lists under a path and reads whatever matches: the path is what the principal must list.
    else if (d.find) add(d.sourceRef?.storeRef ?? spec.secretStoreRef, "*", `${d.find.path ?? ""}${d.find.path ? "/" : ""}* (find${d.find.name?.regexp ? ` ${d.find.name.regexp}` : ""})`);
  }
  const pieces: Piece[] = [];
  for (const { ref, keys } of byStore.values()) {
    const { store, label, login, why } = resolve(stores, ref, namespace);
    const refused = store?.conditions ? !store.conditions.some((c) => selects(c, { name: namespace, labels })) : false;
    pieces.push({
      direction: "read",
      secret,
      namespace,
      keys: keys.map((k) => ({ key: k.key, vaultPath: store?.vault ? vaultApiPath(store.vault, k.remote) : k.remote, ...(k.property ? { property: k.property } : {}) })),
      via,
      store: label,
      ...(login ? { login } : { unattributed: why! }),
      ...(refused ? { refused } : {}),
    });
  }
  if (generated.length) pieces.push({ direction: "read", secret, namespace, keys: [{ key: "*", vaultPath: "" }], via, store: "", unattributed: `generated by ${generated.join(", ")} (no Vault login)` });
  return pieces;
}

/** Every Secret ESO would write or push in this stack, one piece per (object, namespace, store). */
export function deliveryPieces(resources: readonly ResourceView[], model: StackModel): Piece[] {
  const stores = storesOf(resources);
  const labelsOf = (ns: string) => namespaceLabels(ns, model.namespaces.get(ns)?.labels ?? {});
  const pieces: Piece[] = [];
  for (const r of resources) {
    const kind = esoKind(r.type);
    const meta = metaOf(r);
    if (kind === "ExternalSecret") {
      pieces.push(...readPieces(specOf<EsSpec>(r), meta.name ?? r.name, meta.namespace ?? "default", `ExternalSecret ${objectName(r)}`, stores, labelsOf(meta.namespace ?? "default")));
    } else if (kind === "ClusterExternalSecret") {
      const spec = specOf<ClusterExternalSecretSpec>(r);
      const selection: NamespaceSelection = { selectors: cesSelectors(spec), names: spec.namespaces ?? [], regexes: [] };
      const name = spec.externalSecretName ?? meta.name ?? r.name;
      for (const ns of model.namespaces.keys()) {
        if (!selects(selection, { name: ns, labels: labelsOf(ns) })) continue;
        pieces.push(...readPieces((spec.externalSecretSpec ?? {}) as EsSpec, name, ns, `ClusterExternalSecret ${objectName(r)}`, stores, labelsOf(ns)));
      }
    } else if (kind === "PushSecret") {
      const ns = meta.namespace ?? "default";
      const spec = specOf<{ secretStoreRefs?: StoreRef[]; selector?: { secret?: { name?: string }; generatorRef?: { kind?: string; name?: string } }; data?: Array<{ match?: { secretKey?: string; remoteRef?: { remoteKey?: string; property?: string } } }> }>(r);
      const source = spec.selector?.secret?.name ?? (spec.selector?.generatorRef ? `(generator ${spec.selector.generatorRef.kind} ${spec.selector.generatorRef.name})` : "?");
      for (const ref of spec.secretStoreRefs ?? []) {
        const { store, label, login, why } = resolve(stores, ref, ns);
        pieces.push({
          direction: "write",
          secret: source,
          namespace: ns,
          keys: (spec.data ?? []).map((d) => ({
            key: d.match?.secretKey ?? "*",
            vaultPath: store?.vault ? vaultApiPath(store.vault, d.match?.remoteRef?.remoteKey ?? "") : (d.match?.remoteRef?.remoteKey ?? ""),
            ...(d.match?.remoteRef?.property ? { property: d.match.remoteRef.property } : {}),
          })),
          via: `PushSecret ${objectName(r)}`,
          store: label,
          ...(login ? { login } : { unattributed: why! }),
        });
      }
    }
  }
  return pieces;
}
