import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/integration/**", "test/k8s/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
