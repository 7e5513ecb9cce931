// An in-process stand-in for the Pulumi engine's side of a program run: the ResourceMonitor and
// Engine gRPC services the Node.js SDK talks to under `pulumi preview`. It records each request as
// the engine receives it and answers as a preview would: inputs echoed as outputs, ids and every
// output a provider computes unknown, StackReferences read from the shipped stacks' contracts.
import * as grpc from "@grpc/grpc-js";
import emptyproto from "google-protobuf/google/protobuf/empty_pb.js";
import structproto from "google-protobuf/google/protobuf/struct_pb.js";
import engrpc from "@pulumi/pulumi/proto/engine_grpc_pb.js";
import engproto from "@pulumi/pulumi/proto/engine_pb.js";
import resrpc from "@pulumi/pulumi/proto/resource_grpc_pb.js";
import resproto from "@pulumi/pulumi/proto/resource_pb.js";
import { fromWire, UNKNOWN, type RegisteredResource } from "../record";
import { type LiveServiceAccounts, SERVICE_ACCOUNT_TYPE, standInExists, standInServiceAccount } from "../standIns";

/** Features this stand-in implements; the SDK falls back for the rest, as with an older CLI. */
const FEATURES = new Set(["secrets", "resourceReferences", "outputValues", "deletedWith", "aliasSpecs"]);

export interface Diagnostic {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn?: string;
  ephemeral: boolean;
}

const SEVERITY: Record<number, Diagnostic["severity"]> = { 0: "debug", 1: "info", 2: "warning", 3: "error" };

export interface MonitorOptions {
  project: string;
  stack: string;
  /** A StackReference's `outputs` for a referenced stack name (undefined: no such stack; throwing: why it cannot be read). */
  stackOutputs(name: string): Record<string, unknown> | undefined;
  /** Invoke answers a provider would give; throwing reports the invoke as failed. */
  invoke(token: string, args: Record<string, unknown>): Record<string, unknown>;
  /** ServiceAccounts the stand-in cluster holds (default: none, an empty cluster). */
  liveServiceAccounts?: LiveServiceAccounts;
}

type Call<Req> = grpc.ServerUnaryCall<Req, unknown>;
type Done = grpc.sendUnaryData<unknown>;

function unimplemented(_call: unknown, done: Done): void {
  done({ code: grpc.status.UNIMPLEMENTED, details: "not implemented by the offline engine" } as grpc.ServiceError);
}

function struct(value: Record<string, unknown>): InstanceType<typeof structproto.Struct> {
  return structproto.Struct.fromJavaScript(value as Record<string, structproto.JavaScriptValue>);
}

function javascript(s: InstanceType<typeof structproto.Struct> | undefined): Record<string, unknown> {
  return (s?.toJavaScript() ?? {}) as Record<string, unknown>;
}

export class RecordingEngine {
  readonly resources: RegisteredResource[] = [];
  readonly diagnostics: Diagnostic[] = [];
  private readonly byUrn = new Map<string, RegisteredResource>();
  private rootUrn = "";
  private server?: grpc.Server;

  constructor(private readonly opts: MonitorOptions) {}

  /** Starts both services on one loopback port; returns `127.0.0.1:<port>`. */
  async start(): Promise<string> {
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024, "grpc.max_send_message_length": 400 * 1024 * 1024 });
    server.addService(resrpc.ResourceMonitorService, this.monitorService());
    server.addService(engrpc.EngineService, this.engineService());
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
    return `127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  }

  /** The engine's URN scheme: a child's type is qualified by its parent's, unless the parent is the stack. */
  private urn(type: string, name: string, parent: string): string {
    const parentType = parent && parent !== this.rootUrn ? parent.split("::")[2] : undefined;
    return `urn:pulumi:${this.opts.stack}::${this.opts.project}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
  }

  /**
   * A custom resource registered without a provider gets the engine's default provider for its
   * package (`pulumi:providers:<pkg>::default_<version>`), which is itself a resource of the stack.
   */
  private defaultProvider(type: string, version: string): string {
    const pkg = type.split(":")[0]!;
    const name = version ? `default_${version.replace(/[.+-]/g, "_")}` : "default";
    const urn = `urn:pulumi:${this.opts.stack}::${this.opts.project}::pulumi:providers:${pkg}::${name}`;
    if (!this.byUrn.has(urn)) {
      const inputs = version ? { version } : {};
      this.add({ urn, type: `pulumi:providers:${pkg}`, name, custom: true, protect: false, read: false, dependencies: [], propertyDependencies: {}, inputs, outputs: inputs });
    }
    return `${urn}::${UNKNOWN}`;
  }

  private add(r: RegisteredResource): void {
    if (this.byUrn.has(r.urn)) throw new Error(`Duplicate resource URN '${r.urn}'; try giving it a unique name`);
    this.resources.push(r);
    this.byUrn.set(r.urn, r);
  }

  private monitorService(): grpc.UntypedServiceImplementation {
    return {
      supportsFeature: (call: Call<InstanceType<typeof resproto.SupportsFeatureRequest>>, done: Done) => {
        done(null, new resproto.SupportsFeatureResponse().setHassupport(FEATURES.has(call.request.getId())));
      },
      registerResource: (call: Call<InstanceType<typeof resproto.RegisterResourceRequest>>, done: Done) => {
        const req = call.request;
        try {
          const urn = this.urn(req.getType(), req.getName(), req.getParent());
          const inputs = fromWire(javascript(req.getObject())) as Record<string, unknown>;
          const provider = req.getProvider() || (req.getCustom() && !req.getType().startsWith("pulumi:providers:") ? this.defaultProvider(req.getType(), req.getVersion()) : "");
          const propertyDependencies: Record<string, string[]> = {};
          req.getPropertydependenciesMap().forEach((deps, key) => {
            propertyDependencies[key] = deps.getUrnsList();
          });
          this.add({
            urn,
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            ...(req.getParent() ? { parent: req.getParent() } : {}),
            ...(provider ? { provider } : {}),
            protect: req.getProtect() ?? false,
            read: false,
            ...(req.getImportid() ? { importId: req.getImportid() } : {}),
            ...(req.getIgnorechangesList().length ? { ignoreChanges: req.getIgnorechangesList() } : {}),
            ...(req.getAdditionalsecretoutputsList().length ? { additionalSecretOutputs: req.getAdditionalsecretoutputsList() } : {}),
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            inputs,
            // Its own copy: a preview's outputs start as the inputs, components then register theirs.
            outputs: structuredClone(inputs),
          });
          // A create preview: the provider echoes the inputs; an empty id and every property it
          // does not echo resolve as unknown in the SDK during a dry run.
          const response = new resproto.RegisterResourceResponse().setUrn(urn).setId("").setObject(req.getObject() ?? struct({}));
          done(null, response);
        } catch (err) {
          done({ code: grpc.status.INVALID_ARGUMENT, details: (err as Error).message } as grpc.ServiceError);
        }
      },
      registerResourceOutputs: (call: Call<InstanceType<typeof resproto.RegisterResourceOutputsRequest>>, done: Done) => {
        const r = this.byUrn.get(call.request.getUrn());
        if (r) r.outputs = fromWire(javascript(call.request.getOutputs())) as Record<string, unknown>;
        done(null, new emptyproto.Empty());
      },
      readResource: (call: Call<InstanceType<typeof resproto.ReadResourceRequest>>, done: Done) => {
        const req = call.request;
        const urn = this.urn(req.getType(), req.getName(), req.getParent());
        const inputs = fromWire(javascript(req.getProperties())) as Record<string, unknown>;
        let properties: Record<string, unknown>;
        if (req.getType() === "pulumi:pulumi:StackReference") {
          let outputs: Record<string, unknown> | undefined;
          try {
            outputs = this.opts.stackOutputs(req.getId());
          } catch (err) {
            done({ code: grpc.status.UNKNOWN, details: (err as Error).message } as grpc.ServiceError);
            return;
          }
          if (!outputs) {
            done({ code: grpc.status.UNKNOWN, details: `unknown stack "${req.getId()}"` } as grpc.ServiceError);
            return;
          }
          properties = { name: req.getId(), outputs, secretOutputNames: [] };
        } else if (req.getType() === SERVICE_ACCOUNT_TYPE) {
          properties = standInServiceAccount(this.opts.liveServiceAccounts ?? {}, req.getId());
        } else {
          done({ code: grpc.status.UNIMPLEMENTED, details: `the offline engine cannot read ${req.getType()} ${req.getId()}` } as grpc.ServiceError);
          return;
        }
        try {
          this.add({
            urn,
            type: req.getType(),
            name: req.getName(),
            custom: true,
            ...(req.getParent() ? { parent: req.getParent() } : {}),
            ...(req.getProvider() ? { provider: req.getProvider() } : {}),
            protect: false,
            read: true,
            readId: req.getId(),
            dependencies: req.getDependenciesList(),
            propertyDependencies: {},
            inputs,
            outputs: properties,
          });
        } catch (err) {
          done({ code: grpc.status.INVALID_ARGUMENT, details: (err as Error).message } as grpc.ServiceError);
          return;
        }
        done(null, new resproto.ReadResourceResponse().setUrn(urn).setProperties(struct(properties)));
      },
      invoke: (call: Call<InstanceType<typeof resproto.ResourceInvokeRequest>>, done: Done) => {
        const req = call.request;
        try {
          const result = this.opts.invoke(req.getTok(), fromWire(javascript(req.getArgs())) as Record<string, unknown>);
          done(null, new resproto.ResourceInvokeResponse().setReturn(struct(result)));
        } catch (err) {
          done({ code: grpc.status.UNKNOWN, details: (err as Error).message } as grpc.ServiceError);
        }
      },
      signalAndWaitForShutdown: (_call: unknown, done: Done) => done(null, new emptyproto.Empty()),
      getDeploymentInfo: unimplemented,
      call: unimplemented,
      // The engine asks the provider (a Read that reports absence instead of failing); an unknown
      // id answers unknown, as source_eval.go's ExistsResource does in a preview.
      existsResource: (call: Call<InstanceType<typeof resproto.ExistsResourceRequest>>, done: Done) => {
        const req = call.request;
        const response = new resproto.ExistsResourceResponse();
        if (req.getId() === UNKNOWN) response.setUnknown(true);
        else response.setExists(standInExists(this.opts.liveServiceAccounts ?? {}, req.getType(), req.getId()));
        done(null, response);
      },
      registerStackTransform: unimplemented,
      registerStackInvokeTransform: unimplemented,
      registerResourceHook: unimplemented,
      registerErrorHook: unimplemented,
      registerPackage: unimplemented,
    };
  }

  private engineService(): grpc.UntypedServiceImplementation {
    return {
      log: (call: Call<InstanceType<typeof engproto.LogRequest>>, done: Done) => {
        const req = call.request;
        this.diagnostics.push({ severity: SEVERITY[req.getSeverity()] ?? "info", message: req.getMessage(), ...(req.getUrn() ? { urn: req.getUrn() } : {}), ephemeral: req.getEphemeral() });
        done(null, new emptyproto.Empty());
      },
      getRootResource: (_call: unknown, done: Done) => done(null, new engproto.GetRootResourceResponse().setUrn(this.rootUrn)),
      setRootResource: (call: Call<InstanceType<typeof engproto.SetRootResourceRequest>>, done: Done) => {
        this.rootUrn = call.request.getUrn();
        done(null, new engproto.SetRootResourceResponse());
      },
      requirePulumiVersion: (_call: unknown, done: Done) => done(null, new engproto.RequirePulumiVersionResponse()),
      startDebugging: unimplemented,
    };
  }
}
