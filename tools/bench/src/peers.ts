import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { benchDir } from './guests.js';

/** A peer VMM the bench compares against: present (with its version) or missing (with why). */
export type PeerStatus =
  | { readonly status: 'available'; readonly version: string; readonly installedNow: boolean }
  | { readonly status: 'missing'; readonly reason: string };

/** The v86 release the bench pins (tools/bench/package.json devDependencies). */
export const V86_VERSION = (
  JSON.parse(readFileSync(join(benchDir, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  }
).devDependencies.v86;

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

function qemuVersion(): string | undefined {
  try {
    const out = execFileSync('qemu-system-i386', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\n')[0].trim();
  } catch {
    return undefined;
  }
}

export interface InstallPolicy {
  /** Install missing peers (apt-get for QEMU, pnpm for v86). Off in the smoke test. */
  readonly install: boolean;
  readonly log: (line: string) => void;
}

/** QEMU from Debian: `qemu-system-i386`, installed with apt-get when missing. */
export function ensureQemu(policy: InstallPolicy): PeerStatus {
  const present = qemuVersion();
  if (present) return { status: 'available', version: present, installedNow: false };
  if (!policy.install)
    return { status: 'missing', reason: 'qemu-system-i386 is not installed (install disabled)' };
  if (process.getuid?.() !== 0)
    return { status: 'missing', reason: 'qemu-system-i386 is not installed and apt-get needs root' };
  policy.log('installing QEMU: apt-get update && apt-get install -y qemu-system-x86');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'qemu-system-x86']]) {
    const r = spawnSync('apt-get', args, { env, encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      const why = r.error?.message ?? lastLine(r.stderr) ?? `status ${r.status}`;
      return { status: 'missing', reason: `apt-get ${args.join(' ')} failed: ${why}` };
    }
  }
  const installed = qemuVersion();
  return installed
    ? { status: 'available', version: installed, installedNow: true }
    : {
        status: 'missing',
        reason: 'apt-get install qemu-system-x86 succeeded but qemu-system-i386 is not on PATH',
      };
}

function v86Version(): string | undefined {
  try {
    const require = createRequire(join(benchDir, 'package.json'));
    const manifest = require.resolve('v86/package.json');
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** v86 from npm, a devDependency of this package; `pnpm install` fetches it when missing. */
export function ensureV86(policy: InstallPolicy, repoRoot: string): PeerStatus {
  const check = (installedNow: boolean): PeerStatus | undefined => {
    const version = v86Version();
    if (!version) return undefined;
    // The published manifest carries build metadata ("0.5.462+g5f9a90f"); the release is the part before '+'.
    if (version.split('+')[0] !== V86_VERSION)
      return { status: 'missing', reason: `v86 ${version} is installed but the bench pins ${V86_VERSION}` };
    return { status: 'available', version: `v86 ${version} (npm)`, installedNow };
  };
  const present = check(false);
  if (present) return present;
  if (!policy.install)
    return { status: 'missing', reason: 'the v86 npm package is not installed (install disabled)' };
  policy.log(`installing v86@${V86_VERSION}: pnpm install --filter @tsvm/bench`);
  const r = spawnSync('pnpm', ['install', '--filter', '@tsvm/bench'], { cwd: repoRoot, encoding: 'utf8' });
  if (r.error || r.status !== 0)
    return {
      status: 'missing',
      reason: `pnpm install of v86@${V86_VERSION} failed: ${r.error?.message ?? lastLine(r.stderr || r.stdout)}`,
    };
  return (
    check(true) ?? {
      status: 'missing',
      reason: `v86@${V86_VERSION} is still not resolvable after pnpm install`,
    }
  );
}

/** The tsvm command as built in this checkout, if it is. */
export function tsvmCliPath(repoRoot: string): string | undefined {
  const path = join(repoRoot, 'packages', 'cli', 'dist', 'main.js');
  return existsSync(path) ? path : undefined;
}
