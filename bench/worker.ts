// One measurement in its own process: `tsx bench/worker.ts <program|pack|floor|pack-floor> <namespaces> <resources.json>`.
// program: `npm run preview`'s path without the pack: the real program on cmd/run against the
// recording engine, on a generated fleet; saves what it registered.
// floor: bench/floor.ts on cmd/run against the same engine, registering those resources bare.
// pack: the policy pack on run-policy-pack, Analyze and AnalyzeStack over the wire on that record.
// pack-floor: the same requests to bench/packFloor, a pack whose two policies judge nothing.
// Times cover the run (process start and module loading included for program and floor, whose
// processes are what `pulumi preview` starts); RSS is the whole tree: this process plus the child.
// CPU seconds (user + system) are the whole tree's too, read from /proc: unlike wall time they do
// not grow when other work on the machine takes the cores, so they compare runs under any load.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PolicyPackProcess } from "../preview/engine/analyzer";
import { RecordingEngine } from "../preview/engine/monitor";
import { launchProgram } from "../preview/engine/program";
import { readProject } from "../preview/engine/project";
import type { RegisteredResource } from "../preview/record";
import { ORGANIZATION, previewStack } from "../preview/run";
import { invokeAnswer } from "../preview/standIns";
import { benchProject } from "./catalogue";

const ROOT = process.cwd();
const STACK = "bench";
const selfRssMb = () => process.resourceUsage().maxRSS / 1024;
const loadAverage = () => Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);

/** CPU seconds of a live process, or of its waited-for children (the program once it has exited). */
function cpuSeconds(pid: number | "self", of: "process" | "children"): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command: state is field 3; utime, stime, cutime, cstime are fields 14-17.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  const ticks = of === "process" ? f[11]! + f[12]! : f[13]! + f[14]!;
  return ticks / 100; // USER_HZ
}
const treeCpu = () => cpuSeconds("self", "process") + cpuSeconds("self", "children");


const [mode, nArg, file] = process.argv.slice(2);
const namespaces = Number(nArg);
let resources: RegisteredResource[] = [];
let seconds: number;
let cpu: number;
let rssMb: number;
const loadBefore = loadAverage();
if (mode === "program") {
  const root = benchProject(ROOT, STACK, namespaces);
  try {
    const t0 = performance.now();
    const c0 = treeCpu();
    const run = await previewStack({ root, stack: STACK, sampleRss: true });
    seconds = (performance.now() - t0) / 1000;
    cpu = treeCpu() - c0;
    resources = run.resources;
    rssMb = selfRssMb() + (run.program.peakRssMb ?? 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  writeFileSync(file!, JSON.stringify(resources));
} else {
  resources = JSON.parse(readFileSync(file!, "utf8")) as RegisteredResource[];
  const engine = new RecordingEngine({ project: "platform-secrets", stack: STACK, stackOutputs: () => undefined, invoke: invokeAnswer });
  const address = await engine.start();
  const env = { config: {}, secretKeys: [] };
  if (mode === "floor") {
    const project = { ...readProject(ROOT), programDirectory: join(ROOT, "bench"), entryPoint: "floor.ts" };
    const t0 = performance.now();
    const c0 = treeCpu();
    const proc = await launchProgram({ root: ROOT, project, stack: STACK, organization: ORGANIZATION, env, address, extraEnv: { BENCH_RESOURCES: file! }, sampleRss: true }).result;
    seconds = (performance.now() - t0) / 1000;
    cpu = treeCpu() - c0;
    if (proc.exitCode !== 0) throw new Error(`floor program failed (${proc.exitCode}):\n${proc.stderr}`);
    rssMb = selfRssMb() + (proc.peakRssMb ?? 0);
  } else if (mode === "pack" || mode === "pack-floor") {
    const pack = await PolicyPackProcess.start(join(ROOT, mode === "pack" ? "policy" : "bench/packFloor"), address, { organization: ORGANIZATION, project: "platform-secrets", stack: STACK, env });
    await pack.configure({});
    const t0 = performance.now();
    const c0 = cpuSeconds("self", "process") + cpuSeconds(pack.pid, "process");
    const findings = await pack.analyze(resources);
    seconds = (performance.now() - t0) / 1000;
    cpu = cpuSeconds("self", "process") + cpuSeconds(pack.pid, "process") - c0;
    await pack.stop();
    const mandatory = findings.find((f) => f.enforcementLevel === "mandatory");
    if (mandatory) throw new Error(`the bench stack violates the pack: ${mandatory.policy}: ${mandatory.message}`);
    rssMb = selfRssMb();
  } else throw new Error(`unknown mode ${mode}`);
  await engine.stop();
}
process.stdout.write(`${JSON.stringify({ mode, namespaces, resources: resources.filter((r) => !r.read).length, seconds, cpu, rssMb, load: [loadBefore, loadAverage()] })}\n`);
