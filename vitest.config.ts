import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/integration/**", "test/k8s/**", "test/eso/**", "test/e2e/**"],
    // Several suites start the program and the pack as the engine does, two Node processes each.
    testTimeout: 300_000,
    // Those suites mostly wait on their child processes: two files at a time on this 2-core
    // machine took the unit run from 354 s to 245 s (vitest's default here is one).
    maxWorkers: 2,
    hookTimeout: 600_000,
  },
});
