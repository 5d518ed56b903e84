import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the '@tsvm/source' condition.
// The end-to-end tests run the built binary (dist/main.js) in child processes.
export default defineConfig({
  resolve: { conditions: ['@tsvm/source'] },
  ssr: { resolve: { conditions: ['@tsvm/source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
