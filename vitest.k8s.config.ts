import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", "./test/requireRan.ts"],
    include: ["test/k8s/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Each control plane takes both cores while it starts; one at a time.
    fileParallelism: false,
  },
});
