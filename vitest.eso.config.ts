import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", "./test/requireRan.ts"],
    include: ["test/eso/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 900_000,
    // Two control planes, OpenBao and two controllers take both cores: one file at a time.
    fileParallelism: false,
  },
});
