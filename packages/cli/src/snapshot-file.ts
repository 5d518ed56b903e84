import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CliError, ExitCode } from './exit-codes.js';

/**
 * Write a snapshot atomically: a temporary file in the same directory, fsync, rename over the
 * target, fsync the directory. A crash leaves either the old file or the new one, never half.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o644);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw new CliError(`cannot write snapshot '${path}': ${(e as Error).message}`, ExitCode.Startup);
  }
  try {
    const dfd = openSync(dir, 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is already done.
  }
}

/** Read a file after checking its size against `maxBytes` (nothing is allocated for an absurd file). */
export function readFileBounded(path: string, maxBytes: number, what: string): Uint8Array {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (e) {
    throw new CliError(`cannot read ${what} '${path}': ${(e as Error).message}`, ExitCode.Startup);
  }
  if (size > maxBytes) {
    throw new CliError(
      `${what} '${path}' is ${size} bytes, more than the ${maxBytes}-byte limit`,
      ExitCode.Startup,
    );
  }
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CliError(`cannot read ${what} '${path}': ${(e as Error).message}`, ExitCode.Startup);
  }
}
