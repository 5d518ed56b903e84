import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { examplePackage, pack, publishablePackages } from './workspace.js';

/**
 * The packages as a user gets them: packed tarballs installed with plain npm into a project
 * outside the workspace (no workspace links, no registry: --offline), then the installed
 * `tsvm` runs guests that ship inside the packages.
 */
let project: string;

beforeAll(() => {
  const tarballs = mkdtempSync(join(tmpdir(), 'tsvm-tarballs-'));
  const files = [...publishablePackages(), examplePackage()].map((p) => pack(p, tarballs));
  project = mkdtempSync(join(tmpdir(), 'tsvm-consumer-'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  // A fresh HOME: no user npmrc (e.g. a nodedir setting) may help the install along.
  const home = mkdtempSync(join(tmpdir(), 'tsvm-home-'));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', ...files], {
    cwd: project,
    env: { ...process.env, HOME: home, npm_config_userconfig: join(home, '.npmrc') },
    stdio: 'pipe',
  });
}, 300_000);

function tsvm(...args: string[]) {
  return spawnSync(join(project, 'node_modules/.bin/tsvm'), args, {
    cwd: project,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

const ROM = 'node_modules/@tsvm/arch-x86/guests/realmode-hello.bin';
const DEMO = 'node_modules/@tsvm/pc/guests/demo/demo.bin';

describe('installed from tarballs into a fresh project', () => {
  it('installs real copies, not links into the workspace', () => {
    for (const name of ['core', 'arch-x86', 'accel-tcg', 'accel-kvm', 'pc', 'cli']) {
      const dir = join(project, 'node_modules/@tsvm', name);
      expect(existsSync(join(dir, 'package.json'))).toBe(true);
      expect(execFileSync('readlink', ['-f', dir], { encoding: 'utf8' }).trim()).toBe(dir);
    }
  });

  it('runs a shipped guest with tcg', () => {
    const r = tsvm('run', '--rom', ROM, '--accel', 'tcg', '--timeout', '30');
    expect(r.stdout).toBe('real mode ok\n');
    expect(r.status).toBe(67);
  });

  it('runs the shipped demo on tcg', () => {
    const r = tsvm('run', DEMO, '--accel', 'tcg', '--timeout', '60');
    expect(r.stdout).toContain('tsvm demo guest: 32-bit protected mode, booted by Multiboot');
    expect(r.stdout).toContain('Done: the guest halts with interrupts off; tsvm exits.');
    expect(r.status).toBe(0);
  });

  it('runs a shipped guest with kvm where available (the addon was built during npm install)', () => {
    const accels = tsvm('accels', '--json');
    const kvm = (JSON.parse(accels.stdout) as { name: string; available: boolean; reason: string }[]).find(
      (a) => a.name === 'kvm',
    )!;
    const hostHasKvm = existsSync('/dev/kvm');
    if (!kvm.available) {
      console.log(`kvm from tarballs: unavailable (${kvm.reason})`);
      // With /dev/kvm present, an addon that npm install did not build is a packaging bug.
      expect(hostHasKvm && /not built|failed to build/.test(kvm.reason)).toBe(false);
      return;
    }
    const r = tsvm('run', '--rom', ROM, '--accel', 'kvm', '--timeout', '60');
    expect(r.stdout).toBe('real mode ok\n');
    expect(r.status).toBe(67);
  });

  it('runs a shipped guest with the example accelerator loaded by path', () => {
    const r = tsvm(
      'run',
      '--rom',
      ROM,
      '--accel',
      './node_modules/@tsvm-examples/recording-accelerator',
      '--timeout',
      '30',
    );
    expect(r.stdout).toBe('real mode ok\n');
    expect(r.status).toBe(67);
    expect(r.stderr).toMatch(/^recorder: writebacks: none; readbacks: 0; exits: /);
  });
});
