import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, defaultClientConditions } from 'vite';
import { describe, expect, it } from 'vitest';
import { type NodeBuiltinImport, noNodeBuiltins } from '../plugins/node-builtins.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Bundle `entry` for the browser as Vite would for a page; return every Node built-in it imports. */
async function nodeBuiltinsIn(entry: string, conditions: string[] = []): Promise<NodeBuiltinImport[]> {
  const found: NodeBuiltinImport[] = [];
  await build({
    configFile: false,
    logLevel: 'silent',
    root: FIXTURES,
    resolve: { conditions: [...conditions, ...defaultClientConditions] },
    plugins: [noNodeBuiltins({ onFound: (f) => found.push(f) })],
    build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName: 'bundle' } },
  });
  return found;
}

describe('the browser bundle of core, arch-x86, accel-tcg and pc', () => {
  it('contains no Node built-in, as published (dist)', async () => {
    expect(await nodeBuiltinsIn(join(FIXTURES, 'browser-packages.ts'))).toEqual([]);
  });

  it('contains no Node built-in, from the TypeScript sources the page is built from', async () => {
    expect(await nodeBuiltinsIn(join(FIXTURES, 'browser-packages.ts'), ['@tsvm/source'])).toEqual([]);
  });

  it('the check finds a planted import, with and without the node: prefix', async () => {
    const found = await nodeBuiltinsIn(join(FIXTURES, 'planted-node-import.ts'));
    expect(found.map((f) => f.specifier).sort()).toEqual(['node:fs', 'path']);
    for (const f of found) expect(f.importer).toBe(join(FIXTURES, 'planted-node-import.ts'));
  });

  it("fails the app's build on such an import, naming the importer", async () => {
    await expect(
      build({
        configFile: false,
        logLevel: 'silent',
        root: FIXTURES,
        plugins: [noNodeBuiltins()],
        build: { write: false, lib: { entry: join(FIXTURES, 'planted-node-import.ts'), formats: ['es'] } },
      }),
    ).rejects.toThrow(
      /fixtures\/planted-node-import\.ts' imports the Node built-in '(node:fs|path)': it cannot run in a browser/,
    );
  });
});
