// Runs the program in-process under Pulumi's mock runtime and records every registration the
// way the engine receives it, in the same record format as the gRPC engine (preview/engine/).
// Fast, so unit tests and property tests use it; `npm run preview` runs the real runner.
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor, type MockCallArgs, type MockResourceArgs, type MockResourceResult, type Mocks } from "@pulumi/pulumi/runtime/mocks";
import resproto from "@pulumi/pulumi/proto/resource_pb.js";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { PROJECT } from "../model/config";
import { loadStack, type LoadedStack } from "../model/load";
import type { PlatformSecretsOutputs } from "../model/outputs";
import { definePlatform } from "../infra/program";
import { fromWire, type RegisteredResource } from "./record";
import { fakeValue, invokeAnswer, type LiveServiceAccounts, SERVICE_ACCOUNT_TYPE, shippedStackOutputs, standInExists, standInServiceAccount } from "./standIns";

export type { RegisteredResource };

interface ProtoStruct {
  toJavaScript(): unknown;
}

interface ProtoRegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getProtect(): boolean | undefined;
  getImportid(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
  getObject(): ProtoStruct;
}

interface ProtoRegisterResponse {
  getUrn(): string;
  getObject(): ProtoStruct;
}

type Callback = (err: unknown, response: ProtoRegisterResponse | undefined) => void;

interface ProtoReadRequest {
  getId(): string;
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getDependenciesList(): string[];
  getProperties(): ProtoStruct;
}

interface ProtoReadResponse {
  getUrn(): string;
  getProperties(): ProtoStruct;
}

interface CommonRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getDependenciesList(): string[];
}

class RecordingMonitor extends MockMonitor {
  readonly registered: RegisteredResource[] = [];

  constructor(
    mocks: Mocks,
    private readonly live: LiveServiceAccounts,
  ) {
    super(mocks);
  }

  /** The engine asks the provider; the stand-in cluster answers (the SDK's mock would look in its own registrations). */
  override existsResource(req: { getType(): string; getId(): string }, callback: (err: unknown, response: unknown) => void): void {
    callback(null, new resproto.ExistsResourceResponse().setExists(standInExists(this.live, req.getType(), req.getId())));
  }

  /** One record per registration or read, as the engine receives it. */
  private record(req: CommonRequest, urn: string, inputs: ProtoStruct, outputs: ProtoStruct, kind: Pick<RegisteredResource, "custom" | "protect" | "read" | "readId" | "propertyDependencies" | "importId">): void {
    this.registered.push({
      urn,
      type: req.getType(),
      name: req.getName(),
      ...(req.getParent() ? { parent: req.getParent() } : {}),
      ...(req.getProvider() ? { provider: req.getProvider() } : {}),
      ...kind,
      dependencies: req.getDependenciesList(),
      inputs: fromWire(inputs.toJavaScript()) as Record<string, unknown>,
      outputs: fromWire(outputs.toJavaScript()) as Record<string, unknown>,
    });
  }

  override async registerResource(req: ProtoRegisterRequest, callback: Callback): Promise<void> {
    return super.registerResource(req, (err: unknown, response: ProtoRegisterResponse | undefined) => {
      if (!err && response) {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((value, key) => {
          propertyDependencies[key] = value.getUrnsList();
        });
        this.record(req, response.getUrn(), req.getObject(), response.getObject(), {
          custom: req.getCustom(),
          protect: req.getProtect() ?? false,
          read: false,
          propertyDependencies,
          ...(req.getImportid() ? { importId: req.getImportid() } : {}),
        });
      }
      callback(err, response);
    });
  }

  /** A component's outputs arrive after its registration; stack policies read them (FoundationReference). */
  override registerResourceOutputs(req: { getUrn(): string; getOutputs(): ProtoStruct | undefined }, callback: (err: unknown, response: unknown) => void): void {
    const r = this.registered.find((x) => x.urn === req.getUrn());
    const outputs = req.getOutputs();
    if (r && outputs) r.outputs = fromWire(outputs.toJavaScript()) as Record<string, unknown>;
    super.registerResourceOutputs(req, callback);
  }

  override async readResource(req: ProtoReadRequest, callback: (err: unknown, response: ProtoReadResponse | undefined) => void): Promise<void> {
    return super.readResource(req, (err: unknown, response: ProtoReadResponse | undefined) => {
      if (!err && response) this.record(req, response.getUrn(), req.getProperties(), response.getProperties(), { custom: true, protect: false, read: true, readId: req.getId(), propertyDependencies: {} });
      callback(err, response);
    });
  }
}



const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

export interface OfflineContext {
  /** Resolves another stack's outputs for StackReferences (the foundation stack). */
  stackOutputs(stackRef: string): PlatformSecretsOutputs;
  /**
   * The `data` a real token controller put in a service-account token Secret (base64, as the
   * API server returns it), when the run is wired to a real cluster; otherwise stand-ins.
   */
  tokenSecretData?(namespace: string, name: string): Record<string, string> | undefined;
  /** ServiceAccounts the stand-in cluster holds (default: none, an empty cluster). */
  liveServiceAccounts?: LiveServiceAccounts;
}

/** What providers and controllers would add to a resource's state on a real `up`. */
export function mockState(args: MockResourceArgs, ctx: OfflineContext): MockResourceResult {
  const inputs = args.inputs as Record<string, unknown>;
  const id = `${args.name}-id`;
  switch (args.type) {
    case "pulumi:pulumi:StackReference": {
      const name = String(inputs.name);
      return { id: name, state: { name, outputs: ctx.stackOutputs(name), secretOutputNames: [] } };
    }
    case "kubernetes:core/v1:Secret": {
      if (inputs.type !== "kubernetes.io/service-account-token") return { id, state: inputs };
      // The token controller fills these; the provider's awaiter waits for them.
      const metadata = inputs.metadata as { name?: string; namespace?: string; annotations?: Record<string, string> };
      const real = ctx.tokenSecretData?.(metadata.namespace ?? "", metadata.name ?? "");
      if (real) return { id, state: { ...inputs, data: real } };
      const sa = metadata.annotations?.["kubernetes.io/service-account.name"] ?? "unknown";
      return {
        id,
        state: {
          ...inputs,
          data: {
            token: b64(`offline-preview-token.${metadata.namespace}.${sa}`),
            "ca.crt": b64("-----BEGIN CERTIFICATE-----\nOFFLINE-PREVIEW-CLUSTER-CA\n-----END CERTIFICATE-----\n"),
            namespace: b64(metadata.namespace ?? ""),
          },
        },
      };
    }
    case SERVICE_ACCOUNT_TYPE: {
      if (args.id === undefined || args.id === "") return { id, state: inputs };
      return { id: args.id, state: standInServiceAccount(ctx.liveServiceAccounts ?? {}, args.id) };
    }
    case "random:index/randomPassword:RandomPassword":
      return { id, state: { ...inputs, result: fakeValue(args.name, Number(inputs.length ?? 16)) } };
    case "vault:index/authBackend:AuthBackend":
    case "vault:index/mount:Mount":
      return { id: String(inputs.path), state: { ...inputs, accessor: `${String(inputs.type)}_${fakeValue(args.name, 8)}` } };
    default:
      return { id, state: inputs };
  }
}

export function mockCall(args: MockCallArgs): Record<string, unknown> {
  return invokeAnswer(args.token, args.inputs as Record<string, unknown>);
}

export interface OfflineRun {
  loaded: LoadedStack;
  resources: RegisteredResource[];
  outputs: PlatformSecretsOutputs;
}


export interface OfflineOptions {
  root: string;
  stack: string;
  values?: Record<string, unknown>;
  tenantsData?: unknown;
  stackOutputs?: (stackRef: string) => PlatformSecretsOutputs;
  tokenSecretData?: OfflineContext["tokenSecretData"];
  liveServiceAccounts?: LiveServiceAccounts;
  /** More resources registered after the program's, as a user adds them by hand (the pack's adversarial tests). */
  fragment?: () => void | Promise<void>;
}

/** The program failed (not a config error); `registered` is what it had registered by then. */
export class ProgramError extends Error {
  constructor(
    readonly messages: string[],
    readonly registered: RegisteredResource[],
  ) {
    super([...new Set(messages)].join("\n"));
    this.name = "ProgramError";
  }
}

interface RpcSettings {
  waitForRPCs(): Promise<void>;
}

/** Waits until every registration the program started has reached the (mock) monitor. */
export function waitForRegistrations(): Promise<void> {
  // Internal to the SDK (not in its typings), but it is what Pulumi itself awaits before exiting.
  return (settings as unknown as RpcSettings).waitForRPCs();
}

/** Validates config, then runs definePlatform under mocks; config errors throw before any registration. */
export async function runOffline(opts: OfflineOptions): Promise<OfflineRun> {
  const loaded = loadStack(opts);
  const ctx: OfflineContext = { stackOutputs: opts.stackOutputs ?? shippedStackOutputs(opts.root), tokenSecretData: opts.tokenSecretData, liveServiceAccounts: opts.liveServiceAccounts ?? {} };
  const mocks: Mocks = { newResource: (args) => mockState(args, ctx), call: mockCall };
  await pulumi.runtime.setMocks(mocks, PROJECT, opts.stack, true);
  const monitor = new RecordingMonitor(mocks, ctx.liveServiceAccounts ?? {});
  settings.setMockOptions(monitor, PROJECT, opts.stack, true);
  // A failed registration surfaces as an unhandled rejection, as under the real engine;
  // collect them so the run fails with the program's own message.
  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);
  const message = (f: unknown) => (f instanceof Error ? f.message : String(f));
  try {
    let outputs: PlatformSecretsOutputs;
    try {
      outputs = await definePlatform(loaded);
      await opts.fragment?.();
    } catch (err) {
      await waitForRegistrations();
      throw new ProgramError([message(err)], monitor.registered);
    }
    await waitForRegistrations();
    await new Promise((resolve) => setImmediate(resolve));
    if (failures.length > 0) throw new ProgramError(failures.map(message), monitor.registered);
    return { loaded, resources: monitor.registered, outputs };
  } finally {
    process.off("unhandledRejection", onRejection);
  }
}
