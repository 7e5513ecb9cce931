// A vitest reporter for the real-server configs (OpenBao, kube-apiserver, ESO, end-to-end). It
// prints every skipped test with its file, so a CI log says what did not run; and when
// PLATFORM_SECRETS_REQUIRE_SERVER_SUITES=1 (.ci/run sets it when the toolchain is present) a
// skipped test fails the run: a suite that quietly skips would otherwise leave CI green on
// nothing.
import { relative } from "node:path";
import type { Reporter, TestModule } from "vitest/node";

export const REQUIRE_ENV = "PLATFORM_SECRETS_REQUIRE_SERVER_SUITES";

export default class RequireRan implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped: string[] = [];
    let ran = 0;
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        if (t.result().state === "skipped") skipped.push(`${relative(process.cwd(), t.module.moduleId)} > ${t.fullName}`);
        else ran += 1;
      }
    }
    const required = process.env[REQUIRE_ENV] === "1";
    console.log(`\nreal-server suites: ${ran} ran, ${skipped.length} skipped${required ? ` (${REQUIRE_ENV}=1: a skip fails the run)` : ""}`);
    for (const s of skipped) console.log(`  skipped: ${s}`);
    if (required && skipped.length > 0) {
      console.error(`${skipped.length} real-server test(s) skipped while ${REQUIRE_ENV}=1: their binaries are missing or a suite was disabled (see the skip lines above)`);
      process.exitCode = 1;
    }
  }
}
