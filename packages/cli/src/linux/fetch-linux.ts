import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { buildInitramfs } from './initramfs.js';

/** The Debian packages tsvm boots: the stock i386 kernel (686 flavour) and a static busybox. */
export const KERNEL_METAPACKAGE = 'linux-image-686:i386';
export const BUSYBOX_PACKAGE = 'busybox-static:i386';
/** Bump when the initramfs contents change: cached images are rebuilt from the cached busybox. */
export const INITRAMFS_FORMAT = 1;

export interface LinuxAssets {
  readonly dir: string;
  readonly kernel: string;
  readonly initrd: string;
  readonly source: LinuxSource;
  /** True when this call downloaded or rebuilt something; false when the cache was complete. */
  readonly fetched: boolean;
}

/** Where the assets came from (kept as source.json beside them). */
export interface LinuxSource {
  readonly kernelPackage: string;
  readonly kernelVersion: string;
  readonly busyboxPackage: string;
  readonly busyboxVersion: string;
  readonly archive: string;
  readonly fetchedAt: string;
  readonly initramfsFormat: number;
}

export class LinuxFetchError extends Error {
  override readonly name = 'LinuxFetchError';
}

/** `$XDG_CACHE_HOME/tsvm/linux-686`, or `~/.cache/tsvm/linux-686`. */
export function linuxCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'tsvm', 'linux-686');
}

interface Tool {
  status: number | null;
  stdout: string;
  stderr: string;
}

function tool(command: string, args: string[], cwd?: string): Tool {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new LinuxFetchError(`'${command}' is not installed (fetching Linux needs Debian's apt and dpkg)`);
    throw new LinuxFetchError(`${command} ${args.join(' ')}: ${r.error.message}`);
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function must(command: string, args: string[], cwd?: string): string {
  const r = tool(command, args, cwd);
  if (r.status !== 0)
    throw new LinuxFetchError(
      `${command} ${args.join(' ')} failed (status ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`,
    );
  return r.stdout;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function candidate(pkg: string): string | undefined {
  const m = /Candidate:\s*(\S+)/.exec(tool('apt-cache', ['policy', pkg]).stdout);
  return m && m[1] !== '(none)' ? m[1] : undefined;
}

/** Make sure apt knows i386 packages (adding the architecture and updating when root). */
function prepareApt(log: (line: string) => void): void {
  const foreign = must('dpkg', ['--print-foreign-architectures']).split(/\s+/);
  const hasI386 = foreign.includes('i386') || must('dpkg', ['--print-architecture']).trim() === 'i386';
  if (hasI386 && candidate(KERNEL_METAPACKAGE) && candidate(BUSYBOX_PACKAGE)) return;
  if (!isRoot())
    throw new LinuxFetchError(
      `apt does not know ${KERNEL_METAPACKAGE} yet; as root run: dpkg --add-architecture i386 && apt-get update`,
    );
  if (!hasI386) {
    log('adding the i386 architecture to dpkg');
    must('dpkg', ['--add-architecture', 'i386']);
  }
  log('apt-get update');
  // The i386 security index may fail mid-sync; the main archive is enough, so carry on.
  const update = tool('apt-get', ['update']);
  if (update.status !== 0)
    log(`apt-get update reported status ${update.status}; trying with what it fetched`);
  if (!candidate(KERNEL_METAPACKAGE) || !candidate(BUSYBOX_PACKAGE))
    throw new LinuxFetchError(
      `apt has no candidate for ${KERNEL_METAPACKAGE} or ${BUSYBOX_PACKAGE} after apt-get update`,
    );
}

/** The versioned kernel package the metapackage points at (linux-image-6.1.0-N-686:i386). */
function resolveKernelPackage(): string {
  const deps = must('apt-cache', ['depends', KERNEL_METAPACKAGE]);
  const m = /Depends:\s*(linux-image-[^\s:]+-686)(?::i386)?/.exec(deps);
  if (!m) throw new LinuxFetchError(`cannot find the kernel package that ${KERNEL_METAPACKAGE} depends on`);
  return `${m[1]}:i386`;
}

function readSource(dir: string): LinuxSource | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'source.json'), 'utf8')) as LinuxSource;
  } catch {
    return undefined;
  }
}

/** The archive line apt-cache policy gives under `version` ("http://deb.debian.org/debian bookworm/main"). */
function archiveOf(pkg: string, version: string): string {
  const lines = tool('apt-cache', ['policy', pkg]).stdout.split('\n');
  const at = lines.findIndex((l) => l.replace('***', '').trim().split(/\s+/)[0] === version);
  const m = at >= 0 ? /^\s*\d+\s+(\S+)\s+(\S+)/.exec(lines[at + 1] ?? '') : null;
  return m ? `${m[1]} ${m[2]}` : 'the Debian archive';
}

/**
 * Obtain Debian's i386 kernel and a busybox initramfs, cached under the user's cache directory:
 * `apt-get download` the packages, unpack them with `dpkg-deb -x`, build the initramfs. A
 * complete cache is used as is (no apt, no network); `refresh` fetches again.
 */
export function fetchLinuxAssets(
  options: { cacheDir?: string; refresh?: boolean; log?: (line: string) => void } = {},
): LinuxAssets {
  const dir = options.cacheDir ?? linuxCacheDir();
  const log = options.log ?? (() => {});
  const kernel = join(dir, 'vmlinuz');
  const initrd = join(dir, 'initrd.gz');
  const busyboxCopy = join(dir, 'busybox');
  const cached = readSource(dir);
  if (!options.refresh && cached && existsSync(kernel) && existsSync(busyboxCopy)) {
    if (cached.initramfsFormat === INITRAMFS_FORMAT && existsSync(initrd))
      return { dir, kernel, initrd, source: cached, fetched: false };
    log('rebuilding the initramfs from the cached busybox');
    writeFileSync(initrd, buildInitramfs(readFileSync(busyboxCopy)));
    const source = { ...cached, initramfsFormat: INITRAMFS_FORMAT };
    writeFileSync(join(dir, 'source.json'), `${JSON.stringify(source, null, 2)}\n`);
    return { dir, kernel, initrd, source, fetched: true };
  }

  prepareApt(log);
  const kernelPackage = resolveKernelPackage();
  const kernelVersion = candidate(kernelPackage);
  const busyboxVersion = candidate(BUSYBOX_PACKAGE);
  if (!kernelVersion || !busyboxVersion)
    throw new LinuxFetchError(`apt has no candidate version for ${kernelPackage} or ${BUSYBOX_PACKAGE}`);
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(dir, 'download-'));
  try {
    log(`apt-get download ${kernelPackage} (${kernelVersion}) ${BUSYBOX_PACKAGE} (${busyboxVersion})`);
    must('apt-get', ['download', kernelPackage, BUSYBOX_PACKAGE], work);
    const debs = readdirSync(work).filter((f) => f.endsWith('.deb'));
    const kernelDeb = debs.find((f) => f.startsWith('linux-image-'));
    const busyboxDeb = debs.find((f) => f.startsWith('busybox-static'));
    if (!kernelDeb || !busyboxDeb)
      throw new LinuxFetchError(`apt-get download left ${debs.join(', ') || 'no .deb files'}`);
    const root = join(work, 'root');
    must('dpkg-deb', ['-x', join(work, busyboxDeb), root]);
    // Only boot/ of the kernel package: its hundreds of MiB of modules are not needed.
    mkdirSync(root, { recursive: true });
    must('sh', [
      '-c',
      'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards "./boot/vmlinuz-*"',
      'extract',
      join(work, kernelDeb),
      root,
    ]);
    const vmlinuz = readdirSync(join(root, 'boot')).find((f) => f.startsWith('vmlinuz-'));
    if (!vmlinuz) throw new LinuxFetchError(`${kernelDeb} has no boot/vmlinuz-*`);
    const busybox = readFileSync(join(root, 'bin', 'busybox'));
    // Write beside the final names, then rename: an interrupted fetch leaves no half cache.
    renameSync(join(root, 'boot', vmlinuz), `${kernel}.new`);
    writeFileSync(`${busyboxCopy}.new`, busybox);
    writeFileSync(`${initrd}.new`, buildInitramfs(busybox));
    const source: LinuxSource = {
      kernelPackage,
      kernelVersion,
      busyboxPackage: BUSYBOX_PACKAGE,
      busyboxVersion,
      archive: archiveOf(kernelPackage, kernelVersion),
      fetchedAt: new Date().toISOString(),
      initramfsFormat: INITRAMFS_FORMAT,
    };
    for (const f of [kernel, busyboxCopy, initrd]) renameSync(`${f}.new`, f);
    writeFileSync(join(dir, 'source.json'), `${JSON.stringify(source, null, 2)}\n`);
    return { dir, kernel, initrd, source, fetched: true };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
