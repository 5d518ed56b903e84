import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = new URL('../../../', import.meta.url).pathname;

export interface WorkspacePackage {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  readonly manifest: Record<string, unknown>;
}

/** Every package under packages/ that is meant to be published (not private). */
export function publishablePackages(): WorkspacePackage[] {
  const base = join(repoRoot, 'packages');
  return readdirSync(base)
    .map((d) => join(base, d))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private)
    .map(({ dir, manifest }) => ({ dir, manifest, name: manifest.name, version: manifest.version }));
}

/** The example accelerator a third party would copy (private: packed for tests, never published). */
export function examplePackage(): WorkspacePackage {
  const dir = join(repoRoot, 'examples', 'recording-accelerator');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return { dir, manifest, name: manifest.name, version: manifest.version };
}

/** `pnpm pack` a package into a temporary folder (a fresh one unless `out` is given); returns the tarball path. */
export function pack(pkg: WorkspacePackage, out = mkdtempSync(join(tmpdir(), 'tsvm-pack-'))): string {
  execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: pkg.dir, stdio: 'pipe' });
  const prefix = pkg.name.replace(/^@/, '').replace('/', '-');
  const tarball = readdirSync(out).find(
    (f) => f.startsWith(`${prefix}-${pkg.version}`) && f.endsWith('.tgz'),
  );
  if (!tarball) throw new Error(`pnpm pack produced no tarball for ${pkg.name}`);
  return join(out, tarball);
}

export function tarballFiles(tarball: string): string[] {
  return execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
}
