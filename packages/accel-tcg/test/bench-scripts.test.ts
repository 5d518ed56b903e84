import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const cmark = join(import.meta.dirname, '..', 'bench', 'cmark.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [cmark, ...args], { encoding: 'utf8' });

describe('bench/cmark.mjs', () => {
  test('a bad --runs is refused with the value named, before anything runs', () => {
    for (const bad of ['x', '0', '1.5']) {
      const r = run('on', '--runs', bad);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`cmark.mjs: --runs needs a positive whole number, not '${bad}'`);
      expect(r.stdout).toBe('');
    }
    expect(run('--runs').stderr).toContain("--runs needs a positive whole number, not ''");
  });

  test('an unknown argument is refused with its name and the usage', () => {
    const r = run('fast');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("cmark.mjs: unknown argument 'fast'");
    expect(r.stderr).toContain('usage: node bench/cmark.mjs [on|off] [--runs N] [--series]');
  });
});
