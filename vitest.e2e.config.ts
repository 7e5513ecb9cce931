import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    // One pulumi command at a time already keeps both cores busy (CLI, program, pack, plugins).
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 900_000,
    reporters: ["default", "./test/requireRan.ts"],
  },
});
