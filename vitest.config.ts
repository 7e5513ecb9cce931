import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/integration/**", "test/k8s/**"],
    // Several suites start the program and the pack as the engine does, two Node processes each.
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
