import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PATHS = ['/usr/bin', '/usr/local/bin', '/bin'];
let updated = false;

/**
 * The path of a program from a Debian package, installing the package with apt-get when it is
 * missing and we are root. Returns `{ skip }` with the reason when it cannot be had.
 */
export function debianTool(binary: string, pkg: string): { path: string } | { skip: string } {
  const find = () => PATHS.map((d) => `${d}/${binary}`).find((p) => existsSync(p));
  const found = find();
  if (found) return { path: found };
  if (process.getuid?.() !== 0) return { skip: `${binary} is missing and installing ${pkg} needs root` };
  try {
    if (!updated) execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: 300_000 });
    updated = true;
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], {
      stdio: 'ignore',
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (e) {
    return { skip: `${binary} is missing and 'apt-get install ${pkg}' failed: ${(e as Error).message}` };
  }
  const installed = find();
  return installed ? { path: installed } : { skip: `${pkg} installed but ${binary} was not found` };
}
