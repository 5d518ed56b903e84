// Host gcc for the C-guest tests: the native build of each workload (the checksum reference) and
// a guest build with a deliberately wrong checksum. Installed with apt-get when missing (as root),
// otherwise the tests that need it skip and say why.
import { spawnSync } from 'node:child_process';

function compiles(args: readonly string[]): boolean {
  const r = spawnSync('gcc', [...args, '-x', 'c', '-o', '/dev/null', '-'], {
    input: 'int main(void) { return 0; }\n',
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  return r.status === 0;
}

function aptInstall(packages: readonly string[]): string | undefined {
  if (process.getuid?.() !== 0) return 'not root, so apt-get cannot install it';
  const update = spawnSync('apt-get', ['update'], { stdio: 'ignore' });
  const install = spawnSync('apt-get', ['install', '-y', ...packages], { stdio: 'ignore' });
  if (update.error || install.error || install.status !== 0)
    return `apt-get install ${packages.join(' ')} failed (status ${install.status})`;
  return undefined;
}

/** Undefined when `gcc` (and, with m32, `gcc -m32`) works; otherwise why not. */
export function gccUnavailable(m32: boolean): string | undefined {
  const args = m32 ? ['-m32'] : [];
  if (compiles(args)) return undefined;
  const failure = aptInstall(m32 ? ['gcc', 'gcc-multilib'] : ['gcc']);
  if (compiles(args)) return undefined;
  return `gcc${m32 ? ' -m32' : ''} does not work here and ${failure ?? 'installing it did not help'}`;
}
