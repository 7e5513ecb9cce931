// Runs a policy pack the way the engine does under `pulumi preview --policy-pack <dir>`: the
// Node.js language host starts `node <@pulumi/pulumi/cmd/run-policy-pack> <nodeargs> <engine>
// <packDir>` in the pack directory, reads the pack's port from its stdout, and the engine speaks
// the Analyzer protocol to it: Handshake, ConfigureStack, GetAnalyzerInfo, Configure, one Analyze
// per resource (inputs) and one AnalyzeStack (every resource's outputs; reads left out).
import type { ChildProcess } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import emptyproto from "google-protobuf/google/protobuf/empty_pb.js";
import structproto from "google-protobuf/google/protobuf/struct_pb.js";
import anrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb.js";
import anproto from "@pulumi/pulumi/proto/analyzer_pb.js";
import type { RegisteredResource } from "../record";
import { signalGroup, spawnTied } from "./children";
import { locateModule } from "./program";
import { pulumiConfigVar, readPolicyPackOptions, splitArgs, type StackConfigEnv } from "./project";

export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";
const LEVEL_NAMES: Record<number, EnforcementLevel> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };
const LEVEL_CODES: Record<EnforcementLevel, number> = { advisory: 0, mandatory: 1, disabled: 2, remediate: 3 };

export interface PolicyInfo {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  configSchema?: { properties: Record<string, unknown>; required: string[] };
}

export interface AnalyzerInfo {
  name: string;
  version: string;
  policies: PolicyInfo[];
}

export interface Finding {
  policyPack: string;
  policyPackVersion: string;
  policy: string;
  enforcementLevel: EnforcementLevel;
  urn?: string;
  message: string;
}

/** A resolved `--policy-pack-config`: each configured policy's level and properties. */
export type PolicyConfig = Record<string, { enforcementLevel?: EnforcementLevel; properties: Record<string, unknown> }>;

export interface StackContext {
  organization: string;
  project: string;
  stack: string;
  env: StackConfigEnv;
}

type Message = { toObject(): unknown };
type Unary = (req: unknown, cb: (err: grpc.ServiceError | null, res: never) => void) => void;

function struct(value: Record<string, unknown>): InstanceType<typeof structproto.Struct> {
  return structproto.Struct.fromJavaScript(value as Record<string, structproto.JavaScriptValue>);
}

export class PolicyPackProcess {
  /** Settles when the pack's process has ended, saying how. */
  readonly exited: Promise<string>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly client: grpc.Client & Record<string, Unary>,
    readonly stderr: () => string,
  ) {
    const how = () => `the policy pack's process ended (${child.signalCode ?? `exit code ${child.exitCode}`})`;
    this.exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve(how()) : new Promise((resolve) => child.once("exit", () => resolve(how())));
  }

  /** The pack's process id (benchmarks read its CPU time). */
  get pid(): number {
    return this.child.pid!;
  }

  /**
   * Starts the pack as the language host does and connects to the port it prints. Aborting
   * `signal` kills the pack at once, started or not (the program failed: nothing to analyze).
   */
  static async start(packDir: string, engineAddress: string, ctx: StackContext, opts: { node?: string; signal?: AbortSignal } = {}): Promise<PolicyPackProcess> {
    const options = readPolicyPackOptions(packDir);
    // The language host puts the pack's nodeargs after the script, as arguments of it.
    const script = locateModule("@pulumi/pulumi/cmd/run-policy-pack", packDir);
    // The language host's policy proxy adds the stack's identity and config to the environment.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PULUMI_NODEJS_ORGANIZATION: ctx.organization,
      PULUMI_NODEJS_PROJECT: ctx.project,
      PULUMI_NODEJS_STACK: ctx.stack,
      PULUMI_NODEJS_DRY_RUN: "true",
      PULUMI_CONFIG: pulumiConfigVar(ctx.env.config),
      ...(options.typescript ? { PULUMI_NODEJS_TYPESCRIPT: "true" } : {}),
    };
    const child = spawnTied(opts.node ?? process.execPath, [], script, [...splitArgs(options.nodeargs), engineAddress, packDir], { cwd: packDir, env });
    opts.signal?.addEventListener("abort", () => signalGroup(child, "SIGKILL"), { once: true });
    if (opts.signal?.aborted) signalGroup(child, "SIGKILL");
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const onData = (d: Buffer) => {
        out += d.toString();
        const m = /^\s*(\d+)\s*$/m.exec(out);
        if (m) {
          child.stdout!.off("data", onData);
          resolve(Number(m[1]));
        }
      };
      child.stdout!.on("data", onData);
      // Rejecting on exit, not on the abort, so that no pack process outlives a failed start.
      child.once("exit", (code, signal) =>
        reject(new Error(opts.signal?.aborted ? `policy pack start abandoned: ${packDir}` : `policy pack not started: ${packDir} exited with ${code ?? signal} before printing its port\n${stderr}`)),
      );
      child.once("error", (err) => {
        if (!opts.signal?.aborted) reject(err);
      });
    });
    const Client = grpc.makeGenericClientConstructor(anrpc.AnalyzerService, "Analyzer");
    const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { "grpc.max_receive_message_length": 400 * 1024 * 1024, "grpc.max_send_message_length": 400 * 1024 * 1024 }) as grpc.Client & Record<string, Unary>;
    const pack = new PolicyPackProcess(child, client, () => stderr);
    try {
      await pack.configureStack(engineAddress, packDir, ctx);
    } catch (err) {
      await pack.stop();
      throw err;
    }
    return pack;
  }

  private call<R>(method: string, req: unknown): Promise<R> {
    return new Promise((resolve, reject) => this.client[method]!(req, (err, res) => (err ? reject(err) : resolve(res as R))));
  }

  private async configureStack(engineAddress: string, packDir: string, ctx: StackContext): Promise<void> {
    const handshake = new anproto.AnalyzerHandshakeRequest().setEngineAddress(engineAddress).setRootDirectory(packDir).setProgramDirectory(packDir);
    await this.call("handshake", handshake).catch(ignoreUnimplemented);
    const req = new anproto.AnalyzerStackConfigureRequest().setStack(ctx.stack).setProject(ctx.project).setOrganization(ctx.organization).setDryRun(true);
    for (const [k, v] of Object.entries(ctx.env.config)) req.getConfigMap().set(k, v);
    req.setConfigSecretKeysList(ctx.env.secretKeys);
    await this.call("configureStack", req).catch(ignoreUnimplemented);
  }

  async info(): Promise<AnalyzerInfo> {
    const res = await this.call<InstanceType<typeof anproto.AnalyzerInfo>>("getAnalyzerInfo", new emptyproto.Empty());
    return {
      name: res.getName(),
      version: res.getVersion(),
      policies: res.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        return {
          name: p.getName(),
          description: p.getDescription(),
          enforcementLevel: LEVEL_NAMES[p.getEnforcementlevel()] ?? "advisory",
          ...(schema ? { configSchema: { properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>, required: schema.getRequiredList() } } : {}),
        };
      }),
    };
  }

  async configure(config: PolicyConfig): Promise<void> {
    const req = new anproto.ConfigureAnalyzerRequest();
    for (const [name, c] of Object.entries(config)) {
      const pc = new anproto.PolicyConfig().setProperties(struct(c.properties));
      if (c.enforcementLevel) pc.setEnforcementlevel(LEVEL_CODES[c.enforcementLevel]);
      req.getPolicyconfigMap().set(name, pc);
    }
    await this.call("configure", req);
  }

  /** Analyze per managed resource on its inputs, then AnalyzeStack on every resource's outputs. */
  async analyze(resources: readonly RegisteredResource[]): Promise<Finding[]> {
    const managed = resources.filter((r) => !r.read);
    // A handful of providers serve every resource: each is converted to its message once.
    const providers = new Map(
      managed
        .filter((r) => r.type.startsWith("pulumi:providers:"))
        .map((p) => [p.urn, new anproto.AnalyzerProviderResource().setType(p.type).setUrn(p.urn).setName(p.name).setProperties(struct(p.inputs))]),
    );
    const providerOf = (r: RegisteredResource) => (r.provider ? providers.get(r.provider.slice(0, r.provider.lastIndexOf("::"))) : undefined);
    const findings: Finding[] = [];
    // The engine analyzes resources as they register, several at a time.
    const queue = [...managed];
    const worker = async () => {
      for (let r = queue.shift(); r; r = queue.shift()) {
        const req = new anproto.AnalyzeRequest().setUrn(r.urn).setType(r.type).setName(r.name).setProperties(struct(r.inputs)).setOptions(options(r));
        const provider = providerOf(r);
        if (provider) req.setProvider(provider);
        findings.push(...diagnostics(await this.call("analyze", req), r.urn));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const stack = new anproto.AnalyzeStackRequest().setResourcesList(
      managed.map((r) => {
        const res = new anproto.AnalyzerResource().setUrn(r.urn).setType(r.type).setName(r.name).setProperties(struct(r.outputs)).setOptions(options(r));
        if (r.parent) res.setParent(r.parent);
        res.setDependenciesList(r.dependencies);
        for (const [k, urns] of Object.entries(r.propertyDependencies)) {
          if (urns.length) res.getPropertydependenciesMap().set(k, new anproto.AnalyzerPropertyDependencies().setUrnsList(urns));
        }
        const provider = providerOf(r);
        if (provider) res.setProvider(provider);
        return res;
      }),
    );
    findings.push(...diagnostics(await this.call("analyzeStack", stack)));
    // The engine sorts nothing; sorting here keeps reports stable between runs.
    return findings.sort((a, b) => (a.urn ?? "").localeCompare(b.urn ?? "") || a.policy.localeCompare(b.policy) || a.message.localeCompare(b.message));
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    signalGroup(this.child, "SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    signalGroup(this.child, "SIGKILL");
  }
}

function ignoreUnimplemented(err: grpc.ServiceError): void {
  if (err.code !== grpc.status.UNIMPLEMENTED) throw err;
}

function options(r: RegisteredResource): InstanceType<typeof anproto.AnalyzerResourceOptions> {
  const o = new anproto.AnalyzerResourceOptions().setProtect(r.protect).setIgnorechangesList(r.ignoreChanges ?? []);
  if (r.parent) o.setParent(r.parent);
  return o.setCustomtimeouts(new anproto.AnalyzerResourceOptions.CustomTimeouts());
}

function diagnostics(res: { getDiagnosticsList(): Array<InstanceType<typeof anproto.AnalyzeDiagnostic>> } & Message, urn?: string): Finding[] {
  return res.getDiagnosticsList().map((d) => {
    const at = d.getUrn() || urn;
    return {
      policyPack: d.getPolicypackname(),
      policyPackVersion: d.getPolicypackversion(),
      policy: d.getPolicyname(),
      enforcementLevel: LEVEL_NAMES[d.getEnforcementlevel()] ?? "advisory",
      ...(at ? { urn: at } : {}),
      message: d.getMessage(),
    };
  });
}
