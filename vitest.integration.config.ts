import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", "./test/requireRan.ts"],
    include: ["test/integration/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
    // One server, one process: the suites share it and its counters.
    fileParallelism: false,
  },
});
