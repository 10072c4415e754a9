import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const raycastApiFake = fileURLToPath(new URL("./extension/test/raycast-api-fake/index.tsx", import.meta.url));

// Three projects split by cost (as node-llama-cpp splits standalone and model-dependent tests):
// unit tests need nothing, integration tests run the real patched binaries on the real model,
// extension tests render the Raycast commands against an in-repo fake of @raycast/api.
// Vitest puts every project whose files run one at a time into one shared queue, so `npm test` runs the
// integration project in a vitest process of its own beside the other two (scripts/test.mjs).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["tuner/src/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["tuner/test/**/*.test.ts"],
          environment: "node",
          // 2 cores: real llama.cpp processes must not fight each other
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
      {
        resolve: { alias: { "@raycast/api": raycastApiFake } },
        test: {
          name: "extension",
          include: ["extension/src/**/*.test.{ts,tsx}", "extension/test/**/*.test.{ts,tsx}"],
          environment: "jsdom",
          // @raycast/utils must be bundled by vite so its `import "@raycast/api"` also resolves to the fake
          server: { deps: { inline: ["@raycast/utils"] } },
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
