import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { describe, expect, it } from 'vitest';
import { pack, publishablePackages, tarballFiles } from './workspace.js';

describe.each(publishablePackages())('$name tarball', (pkg) => {
  const tarball = pack(pkg);
  const files = tarballFiles(tarball);

  it('contains the built ESM, its types, the README and the LICENSE', () => {
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']),
    );
  });

  it('contains no tests, build caches or dependencies', () => {
    const stray = files.filter(
      (f) => /^(test|node_modules|\.turbo|coverage)\//.test(f) || f.endsWith('.test.ts'),
    );
    expect(stray).toEqual([]);
  });

  it('resolves every export map target to a file in the tarball', () => {
    const manifest = JSON.parse(
      execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
    );
    const targets: string[] = [];
    const walk = (v: unknown) => {
      if (typeof v === 'string') targets.push(v.replace(/^\.\//, ''));
      else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
    };
    walk(manifest.exports);
    if (manifest.bin) walk(manifest.bin);
    expect(targets.length).toBeGreaterThan(0);
    // A subpath pattern ("./guests/*") must match at least one packed file.
    const packed = (t: string) =>
      t.includes('*')
        ? files.some((f) =>
            new RegExp(
              `^${t
                .split('*')
                .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
                .join('.+')}$`,
            ).test(f),
          )
        : files.includes(t);
    expect(targets.filter((t) => !packed(t))).toEqual([]);
    // workspace: ranges must have been rewritten to real versions
    expect(JSON.stringify(manifest.dependencies ?? {})).not.toContain('workspace:');
  });

  it('passes publint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsvm-publint-'));
    execFileSync('tar', ['xzf', tarball, '-C', dir]);
    const { messages } = await publint({ pkgDir: join(dir, 'package'), level: 'warning', strict: true });
    expect(
      messages.map((m) => `${m.type} ${m.code} ${JSON.stringify(m.args)} at ${m.path.join('.')}`),
    ).toEqual([]);
  });

  if (pkg.name === '@tsvm/accel-kvm') {
    it('ships the native sources and build files, not a prebuilt binary', () => {
      expect(files).toEqual(expect.arrayContaining(['binding.gyp']));
      expect(files.some((f) => /^native\/.*\.c$/.test(f))).toBe(true);
      expect(files.filter((f) => f.endsWith('.node'))).toEqual([]);
    });
  }

  it('carries its own version', () => {
    const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8'));
    expect(tarball).toContain(`-${manifest.version}.tgz`);
  });
});
