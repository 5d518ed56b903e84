import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Files shipped in this package (guest ROMs, fixtures), resolved from the source location so the
 * suite works when imported from another package's tests.
 */
const ROOT = new URL('../', import.meta.url);

export function packagePath(relative: string): string {
  return fileURLToPath(new URL(relative, ROOT));
}

export function readPackageFile(relative: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(packagePath(relative)));
  } catch (e) {
    throw new Error(`@tsvm/x86-testsuite: cannot read ${relative}: ${(e as Error).message}`);
  }
}
