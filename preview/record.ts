// What a preview records of one resource, as the engine receives it, and the property-value
// conventions of Pulumi's wire format that the record keeps: unknown values stay the engine's
// sentinel string, secrets stay wrapped, so the record can be sent to a policy pack unchanged.

/** The engine's marker for a value not known until `up` (what `pulumi preview --json` prints too). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

export interface RegisteredResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  /** Provider reference `urn::id`, as the SDK sends it. */
  provider?: string;
  protect: boolean;
  /** Read, not managed: a StackReference or a `.get`. */
  read: boolean;
  /** `import` resource option: the id of an existing object to adopt. */
  importId?: string;
  /** A read's id: the object read (a StackReference's stack name, a `.get`'s `<namespace>/<name>`). */
  readId?: string;
  ignoreChanges?: string[];
  /** Outputs the resource (its SDK class) asks the engine to keep secret. */
  additionalSecretOutputs?: string[];
  /** URNs this resource depends on (explicit dependsOn plus input dependencies). */
  dependencies: string[];
  /** input property -> URNs its value came from */
  propertyDependencies: Record<string, string[]>;
  /** Wire-format values: secrets wrapped, unknowns as UNKNOWN. */
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/** A JSON value from a protobuf Struct, normalised as the engine marshals it for analyzers. */
export function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  switch (obj[SIG_KEY]) {
    case SECRET_SIG:
      return secret(fromWire(obj.value));
    case OUTPUT_SIG: {
      // An Output carries known-ness and secretness beside its value; the engine keeps both.
      const inner = "value" in obj ? fromWire(obj.value) : UNKNOWN;
      return obj.secret ? secret(inner) : inner;
    }
    case RESOURCE_SIG:
      // Without KeepResources the engine sends a reference as its id (custom) or URN (component).
      return typeof obj.id === "string" && obj.id !== "" ? obj.id : obj.urn;
    default:
      return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fromWire(v)]));
  }
}

function secret(value: unknown): Record<string, unknown> {
  return { [SIG_KEY]: SECRET_SIG, value };
}

export function isSecret(value: unknown): value is { value: unknown } {
  return value !== null && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The value with every secret unwrapped (what policies and manifests read). */
export function plain<T>(value: T): T {
  if (Array.isArray(value)) return value.map(plain) as T;
  if (value !== null && typeof value === "object") {
    if (isSecret(value)) return plain(value.value) as T;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)])) as T;
  }
  return value;
}

/** The value as `pulumi preview --json` shows it: secrets as "[secret]", unknowns as the sentinel. */
export function masked<T>(value: T): T {
  if (Array.isArray(value)) return value.map(masked) as T;
  if (value !== null && typeof value === "object") {
    if (isSecret(value)) return "[secret]" as T;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v)])) as T;
  }
  return value;
}

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}
