import { defaultClientConditions, defineConfig } from 'vite';
import { noNodeBuiltins } from './plugins/node-builtins.js';

// Workspace packages are bundled from their TypeScript sources ('@tsvm/source'): `pnpm web`
// needs no package build first. The output is static files with relative URLs (host anywhere).
export default defineConfig({
  base: './',
  resolve: { conditions: ['@tsvm/source', ...defaultClientConditions] },
  plugins: [noNodeBuiltins()],
  worker: {
    format: 'es',
    plugins: () => [noNodeBuiltins()],
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  // No timing report: on a busy machine it fires on every build and says nothing about the app.
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: { port: 5173 },
  preview: { port: 4173 },
});
