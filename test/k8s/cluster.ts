// A real Kubernetes control plane on 127.0.0.1 for the tests: etcd, kube-apiserver and a
// kube-controller-manager running only the controllers the program relies on. Binaries come
// from `bash scripts/kube-build.sh` (built from the Go module proxy into a cache outside the
// clone); nothing here downloads anything.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { freePort } from "../helpers";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";

const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The Kubernetes release tools/kube builds: the cache directory is keyed on it, as in kube-build.sh. */
export const KUBE_VERSION = /^\s*k8s\.io\/kubernetes (v\S+)/m.exec(readFileSync(join(PROJECT_ROOT, "tools/kube/go.mod"), "utf8"))![1]!;

export const KUBE_CACHE = join(process.env.PLATFORM_SECRETS_CACHE ?? join(homedir(), ".cache/platform-secrets"), "kube", KUBE_VERSION);

export interface KubeBinaries {
  etcd: string;
  apiserver: string;
  controllerManager: string;
  kubectl: string;
}

function onPath(name: string): string | undefined {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((d) => join(d, name))
    .find((p) => existsSync(p));
}

/** The binaries the cluster needs, or the names of those missing. */
export function findBinaries(): { binaries: KubeBinaries; missing: [] } | { binaries?: undefined; missing: string[] } {
  const etcd = process.env.ETCD_BIN ?? onPath("etcd");
  const found = {
    etcd,
    apiserver: join(KUBE_CACHE, "kube-apiserver"),
    controllerManager: join(KUBE_CACHE, "kube-controller-manager"),
    kubectl: join(KUBE_CACHE, "kubectl"),
  };
  const missing = Object.entries(found)
    .filter(([, p]) => !p || !existsSync(p))
    .map(([k, p]) => (k === "etcd" ? "etcd (on PATH or $ETCD_BIN)" : p!));
  return missing.length ? { missing } : { binaries: found as KubeBinaries, missing: [] };
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.once("error", reject);
    p.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    // A process that exits before reading its input must not crash the test run.
    p.stdin.on("error", () => undefined);
    p.stdin.end(opts.input ?? "");
  });
}

export async function openssl(dir: string, args: string[]): Promise<void> {
  const r = await run("openssl", args, { cwd: dir });
  if (r.code !== 0) throw new Error(`openssl ${args.join(" ")} failed:\n${r.stderr}`);
}

/** CA, serving and client certificates and the service-account key pair, made with openssl. */
async function makePki(dir: string): Promise<void> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl(dir, ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=platform-secrets-test-ca"]);
  const leaf = async (name: string, subject: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    await openssl(dir, ["req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
    await openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out", `${name}.crt`, "-extfile", `${name}.ext`]);
  };
  // 10.96.0.1 is the `kubernetes` Service address of --service-cluster-ip-range below.
  await leaf("serving", "/CN=kube-apiserver", "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc,IP:10.96.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n");
  // system:masters bypasses RBAC: the tests act as the platform's cluster-admin.
  await leaf("admin", "/O=system:masters/CN=platform-secrets-admin", "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n");
  // RSA because it is what most clusters sign service-account tokens with (RS256).
  await openssl(dir, ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "sa.key"]);
  await openssl(dir, ["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"]);
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A Kubernetes object as YAML/JSON gives it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; managedFields?: ManagedFieldsEntry[] } & Record<string, unknown>;
  [field: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  fieldsV1?: Record<string, unknown>;
}

export interface ApplyOptions {
  /** The identity server-side apply records in managedFields. */
  fieldManager: string;
  /** `--force-conflicts`: take fields other managers own (pulumi.com/patchForce). */
  force?: boolean;
  dryRun?: boolean;
}

export interface ApplyResult extends KubectlResult {
  /** The objects as the server returned them (for a dry run: as it would store them). */
  stored: KubeObject[];
  /** API warnings (kubectl prints them as `Warning: …`). */
  warnings: string[];
}

/** Every process a Proc started that has not exited: killed when the test process exits. */
const live = new Set<Proc>();
// A crashed test run must not leave etcd, the API server or a controller behind.
process.once("exit", () => {
  for (const p of live) if (!p.exited && p.child.pid) {
    try {
      process.kill(-p.child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** A server binary in its own process group, its output appended to `logFile`. */
export class Proc {
  readonly child: ChildProcess;
  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    readonly logFile: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const fd = openSync(logFile, "a");
    // Own process group so stop() reaches anything the binary starts, and nothing else.
    this.child = spawn(cmd, args, { stdio: ["ignore", fd, fd], detached: true, env });
    closeSync(fd);
    live.add(this);
    this.child.once("exit", () => live.delete(this));
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  logTail(chars = 4000): string {
    try {
      return readFileSync(this.logFile, "utf8").slice(-chars);
    } catch {
      return "";
    }
  }

  async stop(): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    const gone = new Promise((r) => this.child.once("exit", r));
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-this.child.pid!, s);
      } catch {
        // already gone
      }
    };
    signal("SIGTERM");
    await Promise.race([gone, sleep(10_000)]);
    if (!this.exited) {
      signal("SIGKILL");
      await Promise.race([gone, sleep(5_000)]);
    }
  }
}

export interface StartOptions {
  binaries?: KubeBinaries;
  /** Keep the temporary directory (logs, certificates, etcd data) after stop(). */
  keep?: boolean;
}

export class KubeCluster {
  readonly processes: Proc[] = [];
  /** Milliseconds from spawning etcd to an API server answering /readyz and the controllers working. */
  startupMs = 0;
  server = "";
  kubeconfig = "";
  caPem = "";

  private constructor(
    readonly dir: string,
    private readonly bin: KubeBinaries,
    private readonly keep: boolean,
  ) {}

  static async start(opts: StartOptions = {}): Promise<KubeCluster> {
    const found = opts.binaries ? { binaries: opts.binaries, missing: [] } : findBinaries();
    if (!found.binaries) throw new Error(`missing ${found.missing.join(", ")}: run bash scripts/kube-build.sh`);
    // etcd fsyncs every write; tmpfs keeps that off the shared disk.
    const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
    for (let attempt = 1; ; attempt++) {
      const cluster = new KubeCluster(mkdtempSync(join(base, "platform-secrets-kube-")), found.binaries, opts.keep ?? false);
      try {
        await cluster.boot();
        return cluster;
      } catch (err) {
        await cluster.stop({ discard: true });
        // A port found free can be taken by another process before the server binds it (seen
        // once with a second control plane running); fresh ports are the only remedy.
        if (attempt < 3 && /address already in use/.test((err as Error).message)) continue;
        throw err;
      }
    }
  }

  private async boot(): Promise<void> {
    const { dir, bin } = this;
    const pki = join(dir, "pki");
    mkdirSync(pki);
    await makePki(pki);
    this.caPem = readFileSync(join(pki, "ca.crt"), "utf8");
    const t0 = Date.now();

    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    const etcd = this.spawn("etcd", bin.etcd, [
      "--name=test",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=test=${peerUrl}`,
      "--log-level=warn",
    ]);
    await this.waitFor("etcd", etcd, async () => (await fetch(`${etcdUrl}/health`)).ok, 30_000);

    this.server = `https://127.0.0.1:${apiPort}`;
    const apiserver = this.spawn("kube-apiserver", bin.apiserver, [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, "apiserver")}`,
      `--tls-cert-file=${join(pki, "serving.crt")}`,
      `--tls-private-key-file=${join(pki, "serving.key")}`,
      `--client-ca-file=${join(pki, "ca.crt")}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${join(pki, "sa.pub")}`,
      `--service-account-signing-key-file=${join(pki, "sa.key")}`,
      "--service-cluster-ip-range=10.96.0.0/24",
      "--authorization-mode=RBAC",
      // The default reconciler writes 127.0.0.1 into the `kubernetes` Endpoints, which the
      // API server refuses (loopback); nothing here routes through that Service.
      "--endpoint-reconciler-type=none",
      "--profiling=false",
    ]);
    await this.waitFor("kube-apiserver", apiserver, () => this.readyz(), 90_000);

    const adminConfig = this.writeKubeconfig("admin.kubeconfig", {
      "client-certificate": join(pki, "admin.crt"),
      "client-key": join(pki, "admin.key"),
    });
    this.kubeconfig = adminConfig;

    const kcm = this.spawn("kube-controller-manager", bin.controllerManager, [
      `--kubeconfig=${adminConfig}`,
      // serviceaccount-token fills token Secrets (the reviewer's); serviceaccount creates each
      // namespace's `default` (what the pull-secret patch targets); namespace deletes contents;
      // garbage-collector removes the foregroundDeletion finalizer pulumi-kubernetes deletes with
      // (without it a deleted ClusterExternalSecret waits forever: seen with the real CLI).
      "--controllers=serviceaccount-token-controller,serviceaccount-controller,namespace-controller,garbage-collector-controller",
      `--service-account-private-key-file=${join(pki, "sa.key")}`,
      `--root-ca-file=${join(pki, "ca.crt")}`,
      "--leader-elect=false",
      "--use-service-account-credentials=false",
      // No HTTPS endpoint: readiness is observed through what the controllers do.
      "--secure-port=0",
    ]);
    await this.waitFor(
      "kube-controller-manager",
      kcm,
      async () => (await this.kubectl(["get", "serviceaccount", "default", "-n", "default", "-o", "name"], { allowFailure: true })).code === 0,
      60_000,
    );
    this.startupMs = Date.now() - t0;
  }

  private spawn(name: string, cmd: string, args: string[]): Proc {
    const p = new Proc(name, cmd, args, join(this.dir, `${name}.log`));
    this.processes.push(p);
    return p;
  }

  private async waitFor(name: string, proc: Proc, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (proc.exited) throw new Error(`${name} exited (${proc.child.exitCode ?? proc.child.signalCode}):\n${proc.logTail()}`);
      try {
        if (await ready()) return;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    throw new Error(`${name} not ready after ${timeoutMs / 1000} s:\n${proc.logTail()}`);
  }

  private readyz(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request(`${this.server}/readyz`, { ca: this.caPem, timeout: 5000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.once("error", () => resolve(false));
      req.once("timeout", () => req.destroy());
      req.end();
    });
  }

  /** A kubeconfig for this server with the given user credentials (certificate paths or a token). */
  writeKubeconfig(file: string, user: Record<string, string>): string {
    const path = join(this.dir, file);
    writeFileSync(
      path,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "test", cluster: { server: this.server, "certificate-authority": join(this.dir, "pki/ca.crt") } }],
        users: [{ name: "user", user }],
        contexts: [{ name: "test", context: { cluster: "test", user: "user" } }],
        "current-context": "test",
      }),
    );
    return path;
  }

  /** Runs kubectl against this cluster as cluster-admin; throws on a non-zero exit unless allowFailure. */
  async kubectl(args: string[], opts: { input?: string; allowFailure?: boolean; kubeconfig?: string } = {}): Promise<KubectlResult> {
    const r = await run(this.bin.kubectl, args, { input: opts.input, env: { ...process.env, KUBECONFIG: opts.kubeconfig ?? this.kubeconfig } });
    if (r.code !== 0 && !opts.allowFailure) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
    return r;
  }

  async getJson<T = KubeObject>(args: string[]): Promise<T> {
    return JSON.parse((await this.kubectl(["get", ...args, "-o", "json"])).stdout) as T;
  }

  /**
   * A service-account token Secret's `data` (base64) once the token controller has written
   * `token` and `ca.crt`, or what it holds after `timeoutMs`.
   */
  async tokenSecretData(namespace: string, name: string, timeoutMs = 30_000): Promise<Record<string, string>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const data = ((await this.getJson(["secret", name, "-n", namespace])).data as Record<string, string> | undefined) ?? {};
      if ((data.token && data["ca.crt"]) || Date.now() > deadline) return data;
      await sleep(250);
    }
  }

  /**
   * One server-side apply of `objects`, in order, with strict field validation (unknown or
   * duplicate fields are errors, not warnings). Does not throw: callers assert on the result.
   */
  async apply(objects: readonly KubeObject[], opts: ApplyOptions): Promise<ApplyResult> {
    const input = objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
    const args = ["apply", "--server-side", `--field-manager=${opts.fieldManager}`, "--validate=strict", "-o", "json", "-f", "-"];
    if (opts.force) args.push("--force-conflicts");
    if (opts.dryRun) args.push("--dry-run=server");
    const r = await this.kubectl(args, { input, allowFailure: true });
    return { ...r, stored: parseObjects(r.stdout), warnings: warningsOf(r.stderr) };
  }

  /** Stops kube-controller-manager, kube-apiserver and etcd (their process groups) and removes the directory. */
  async stop(opts: { discard?: boolean } = {}): Promise<void> {
    for (const p of [...this.processes].reverse()) await p.stop();
    if (!this.keep || opts.discard) rmSync(this.dir, { recursive: true, force: true });
  }
}

function parseObjects(stdout: string): KubeObject[] {
  if (!stdout.trim()) return [];
  // kubectl prints one JSON document per applied object, or a List.
  const out: KubeObject[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < stdout.length; i++) {
    const c = stdout[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && --depth === 0) {
      const doc = JSON.parse(stdout.slice(start, i + 1)) as KubeObject & { items?: KubeObject[] };
      if (doc.kind === "List" && Array.isArray(doc.items)) out.push(...doc.items);
      else out.push(doc);
    }
  }
  return out;
}

function warningsOf(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((l) => l.startsWith("Warning:"))
    .map((l) => l.trim());
}
