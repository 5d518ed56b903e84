import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishablePackages, repoRoot } from './workspace.js';

/** A copy of the workspace's manifests and changeset config, where `changeset version` can run freely. */
function scratchWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsvm-changeset-'));
  for (const f of ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json']) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    cpSync(join(repoRoot, f), join(dir, f));
  }
  for (const pkg of publishablePackages()) {
    const rel = relative(repoRoot, pkg.dir);
    mkdirSync(join(dir, rel), { recursive: true });
    cpSync(join(pkg.dir, 'package.json'), join(dir, rel, 'package.json'));
  }
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}

function versions(dir: string): Record<string, string> {
  return Object.fromEntries(
    publishablePackages().map((p) => {
      const m = JSON.parse(readFileSync(join(dir, relative(repoRoot, p.dir), 'package.json'), 'utf8'));
      return [m.name, m.version];
    }),
  );
}

function dependentsOf(name: string): Set<string> {
  const all = publishablePackages();
  const result = new Set<string>([name]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      const deps = Object.keys((p.manifest.dependencies as Record<string, string>) ?? {});
      if (!result.has(p.name) && deps.some((d) => result.has(d))) {
        result.add(p.name);
        grew = true;
      }
    }
  }
  return result;
}

describe('independent versioning with changesets', () => {
  it('a changeset for one package bumps that package (and dependents as changesets decides), nothing else', () => {
    const dir = scratchWorkspace();
    const before = versions(dir);
    writeFileSync(
      join(dir, '.changeset', 'bump-arch.md'),
      "---\n'@tsvm/arch-x86': minor\n---\n\nA test bump.\n",
    );
    execFileSync(join(repoRoot, 'node_modules/.bin/changeset'), ['version'], { cwd: dir, stdio: 'pipe' });
    const after = versions(dir);
    const changed = Object.keys(after).filter((n) => after[n] !== before[n]);
    expect(changed).toContain('@tsvm/arch-x86');
    expect(after['@tsvm/arch-x86']).not.toBe(before['@tsvm/arch-x86']);
    const allowed = dependentsOf('@tsvm/arch-x86');
    expect(changed.filter((n) => !allowed.has(n))).toEqual([]);
    expect(after['@tsvm/core']).toBe(before['@tsvm/core']); // core does not depend on arch-x86
    const changelog = readFileSync(join(dir, 'packages/arch-x86/CHANGELOG.md'), 'utf8');
    expect(changelog).toContain('A test bump.');
  });
});
