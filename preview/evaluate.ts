// Evaluates the pack offline the way the engine does: policy config validated against each
// policy's configSchema, resource policies once per registered resource (on its inputs),
// stack policies once over all resources (on their outputs).
import Ajv from "ajv";
import type {
  EnforcementLevel,
  PolicyPackConfig,
  PolicyResource,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import { closest } from "../model/spelling";
import { plain, type RegisteredResource } from "./record";
import { DEFAULT_ENFORCEMENT, PACK_NAME, POLICIES } from "../policy/policies";

export interface Violation {
  policyPack: string;
  policy: string;
  enforcementLevel: EnforcementLevel;
  urn?: string;
  message: string;
}


const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export class PolicyConfigError extends Error {
  constructor(file: string, problems: string[]) {
    super(problems.length === 1 ? `invalid policy pack config ${file}: ${problems[0]}` : `invalid policy pack config ${file}:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "PolicyConfigError";
  }
}

/** What config resolution needs of a policy: the pack's own objects, or GetAnalyzerInfo's answer. */
export interface ConfigurablePolicy {
  name: string;
  enforcementLevel?: EnforcementLevel;
  configSchema?: { properties?: object; required?: string[] };
}

interface Resolved {
  level: EnforcementLevel;
  config: Record<string, unknown>;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
// Compiling a schema costs milliseconds and every evaluation validates every policy's entry.
const validators = new WeakMap<ConfigurablePolicy, ReturnType<typeof ajv.compile>>();

function validatorFor(policy: ConfigurablePolicy, schema: object): ReturnType<typeof ajv.compile> {
  let v = validators.get(policy);
  if (!v) validators.set(policy, (v = ajv.compile(schema)));
  return v;
}

/** Validates a `--policy-pack-config` document and resolves each policy's level and values. */
export function resolveConfig(packConfig: PolicyPackConfig, file = "policy config", policies: readonly ConfigurablePolicy[] = POLICIES): Map<string, Resolved> {
  const problems: string[] = [];
  const byName = new Map(policies.map((p) => [p.name, p]));
  for (const name of Object.keys(packConfig)) {
    if (byName.has(name) || name === "all") continue;
    const near = closest(name, byName.keys());
    problems.push(`"${name}": no such policy in ${PACK_NAME}${near ? ` (did you mean "${near}"?)` : ""}`);
  }
  const all = packConfig.all;
  const resolved = new Map<string, Resolved>();
  for (const policy of policies) {
    // A problem of the `all` entry is reported once, under its own name, not once per policy.
    const source = packConfig[policy.name] !== undefined ? policy.name : "all";
    const raw: unknown = packConfig[policy.name] ?? all;
    if (raw !== undefined && typeof raw !== "string" && (raw === null || typeof raw !== "object" || Array.isArray(raw))) {
      problems.push(`"${source}": must be an enforcement level (${LEVELS.join(", ")}) or an object of settings, not ${JSON.stringify(raw)}`);
      continue;
    }
    const entry: Record<string, unknown> = typeof raw === "string" ? { enforcementLevel: raw } : { ...(raw as object | undefined) };
    const schema = {
      type: "object",
      properties: { enforcementLevel: { enum: LEVELS }, ...(policy.configSchema?.properties ?? {}) },
      additionalProperties: false,
      ...(policy.configSchema?.required?.length ? { required: policy.configSchema.required } : {}),
    };
    const validate = validatorFor(policy, schema);
    if (!validate(entry)) {
      for (const e of validate.errors ?? []) problems.push(`"${source}"${e.instancePath}: ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`);
      continue;
    }
    const { enforcementLevel, ...config } = entry;
    resolved.set(policy.name, { level: (enforcementLevel as EnforcementLevel | undefined) ?? policy.enforcementLevel ?? DEFAULT_ENFORCEMENT, config });
  }
  if (problems.length) throw new PolicyConfigError(file, [...new Set(problems)]);
  return resolved;
}

class NotApplicable extends Error {}

/** Props as @pulumi/policy hands them to a policy: secrets unwrapped, unknowns throwing on access. */
function deserialized(props: Record<string, unknown>): Record<string, unknown> {
  return unknownCheckingProxy(plain(props));
}

function typeCheck(type: string) {
  return <T>(cls: { new (...rest: never[]): T }) => (cls as unknown as { __pulumiType?: string }).__pulumiType === type;
}

function resourceArgs(r: RegisteredResource, config: () => Record<string, unknown>, provider?: RegisteredResource): ResourceValidationArgs {
  const isType = typeCheck(r.type);
  return {
    type: r.type,
    props: deserialized(r.inputs),
    urn: r.urn,
    name: r.name,
    opts: { protect: r.protect, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [], ...(r.parent ? { parent: r.parent } : {}) },
    ...(provider ? { provider: { type: provider.type, props: deserialized(provider.inputs), urn: provider.urn, name: provider.name } } : {}),
    stackTags: new Map(),
    isType,
    asType: ((cls: { new (...rest: never[]): unknown }) => (isType(cls) ? deserialized(r.inputs) : undefined)) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => config() as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

/** What AnalyzeStack carries: every managed resource on its outputs; the engine leaves reads out. */
function stackResources(all: readonly RegisteredResource[]): PolicyResource[] {
  const resources = all.filter((r) => !r.read);
  const byUrn = new Map<string, PolicyResource>();
  for (const r of resources) {
    const isType = typeCheck(r.type);
    byUrn.set(r.urn, {
      type: r.type,
      props: deserialized(r.outputs),
      urn: r.urn,
      name: r.name,
      opts: { protect: r.protect, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
      dependencies: [],
      propertyDependencies: {},
      isType,
      asType: (() => undefined) as PolicyResource["asType"],
    });
  }
  for (const r of resources) {
    const pr = byUrn.get(r.urn)!;
    if (r.parent && byUrn.has(r.parent)) pr.parent = byUrn.get(r.parent)!;
    pr.dependencies = r.dependencies.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
    for (const [k, urns] of Object.entries(r.propertyDependencies)) pr.propertyDependencies[k] = urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
  }
  return [...byUrn.values()];
}

/**
 * Runs one validation; most are synchronous, so only a returned promise is awaited. A value
 * unknown during preview is an advisory "can't run" finding, as @pulumi/policy reports it.
 */
async function runValidation(fn: () => Promise<void> | void, unknown: (message: string) => void): Promise<void> {
  try {
    const pending = fn();
    if (pending) await pending;
  } catch (err) {
    if (err instanceof Error && "unknownTypeSentinel" in err) unknown(err.message);
    else if (!(err instanceof NotApplicable)) throw err;
  }
}

interface Current {
  policy: string;
  description: string;
  level: EnforcementLevel;
  config: Record<string, unknown>;
}

export async function evaluatePack(resources: readonly RegisteredResource[], packConfig: PolicyPackConfig = {}, configFile?: string): Promise<Violation[]> {
  const resolved = resolveConfig(packConfig, configFile);
  const violations: Violation[] = [];
  let current: Current = { policy: "", description: "", level: DEFAULT_ENFORCEMENT, config: {} };
  const reporter = (urn?: string) => (message: string, reportedUrn?: string) => {
    const at = reportedUrn ?? urn;
    // @pulumi/policy sends the policy's description, then the message, as the finding's text.
    violations.push({ policyPack: PACK_NAME, policy: current.policy, enforcementLevel: current.level, ...(at ? { urn: at } : {}), message: message ? `${current.description}\n${message}` : current.description });
  };
  // Arguments are built once per resource and shared by every policy, as the engine sends
  // one analysis request per resource; getConfig answers for the policy being run.
  const providers = new Map(resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));
  const providerOf = (r: RegisteredResource) => (r.provider ? providers.get(r.provider.slice(0, r.provider.lastIndexOf("::"))) : undefined);
  const managed = resources
    .filter((r) => !r.read)
    .map((r) => ({ urn: r.urn, args: resourceArgs(r, () => current.config, providerOf(r)), report: reporter(r.urn) }));
  const cannotRun = (urn?: string) => (message: string) =>
    violations.push({ policyPack: PACK_NAME, policy: current.policy, enforcementLevel: "advisory", ...(urn ? { urn } : {}), message: `can't run policy '${current.policy}' from policy pack '${PACK_NAME}' during preview: ${message}` });
  const stackArgs: StackValidationArgs = {
    resources: stackResources(resources),
    stackTags: new Map(),
    getConfig: <T extends object>() => current.config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
  for (const policy of POLICIES) {
    const { level, config } = resolved.get(policy.name)!;
    if (level === "disabled") continue;
    current = { policy: policy.name, description: policy.description ?? "", level, config };
    if ("validateResource" in policy && policy.validateResource) {
      const checks = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
      for (const { urn, args, report } of managed) for (const check of checks) await runValidation(() => check(args, report), cannotRun(urn));
    } else if ("validateStack" in policy) {
      await runValidation(() => policy.validateStack(stackArgs, reporter()), cannotRun());
    }
  }
  return violations;
}
