import { defineConfig } from 'vitest/config';

// Tests run under Node; workspace packages resolve to their TypeScript sources.
export default defineConfig({
  resolve: { conditions: ['@tsvm/source'] },
  ssr: { resolve: { conditions: ['@tsvm/source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 180_000 },
});
