/**
 * A writer for the cpio "newc" archive format (magic 070701), the format the Linux kernel
 * unpacks as an initramfs. Each member is a 110-byte ASCII header of thirteen 8-digit hex
 * fields, the NUL-terminated name padded to 4 bytes, then the data padded to 4 bytes; a member
 * named `TRAILER!!!` ends the archive.
 */

/** File-type bits of `mode` (as in stat's st_mode). */
export const CpioMode = {
  Directory: 0o040000,
  Regular: 0o100000,
  Symlink: 0o120000,
  CharDevice: 0o020000,
} as const;

export type CpioEntry =
  | { readonly kind: 'dir'; readonly path: string; readonly perm?: number }
  | { readonly kind: 'file'; readonly path: string; readonly data: Uint8Array; readonly perm?: number }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | {
      readonly kind: 'chardev';
      readonly path: string;
      readonly major: number;
      readonly minor: number;
      readonly perm?: number;
    };

const HEADER_BYTES = 110;
const TRAILER = 'TRAILER!!!';
const encoder = new TextEncoder();

const pad4 = (n: number) => (4 - (n % 4)) % 4;

function hex8(value: number, field: string, path: string): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new RangeError(`cpio: ${field} ${value} of '${path}' does not fit 32 bits`);
  return value.toString(16).padStart(8, '0');
}

interface Member {
  name: Uint8Array;
  header: string;
  data: Uint8Array;
}

/** Build a newc archive from `entries` (in order; parents before children). */
export function writeCpioNewc(entries: readonly CpioEntry[], mtimeSeconds = 0): Uint8Array {
  const members: Member[] = [];
  const member = (
    path: string,
    ino: number,
    mode: number,
    nlink: number,
    data: Uint8Array,
    rdev: [number, number] = [0, 0],
  ) => {
    if (path.length === 0 || path.startsWith('/'))
      throw new RangeError(`cpio: path '${path}' must be relative and not empty`);
    const name = encoder.encode(`${path}\0`);
    const fields = [
      ino,
      mode,
      0, // uid: root
      0, // gid: root
      nlink,
      mtimeSeconds,
      data.length,
      0, // devmajor
      0, // devminor
      rdev[0],
      rdev[1],
      name.length,
      0, // check: only used by the "crc" variant (070702)
    ];
    const names = ['ino', 'mode', 'uid', 'gid', 'nlink', 'mtime', 'filesize', 'devmajor', 'devminor'];
    const header = `070701${fields.map((v, i) => hex8(v, names[i] ?? 'field', path)).join('')}`;
    members.push({ name, header, data });
  };
  entries.forEach((e, i) => {
    const ino = i + 1;
    switch (e.kind) {
      case 'dir':
        member(e.path, ino, CpioMode.Directory | (e.perm ?? 0o755), 2, new Uint8Array(0));
        break;
      case 'file':
        member(e.path, ino, CpioMode.Regular | (e.perm ?? 0o644), 1, e.data);
        break;
      case 'symlink':
        member(e.path, ino, CpioMode.Symlink | 0o777, 1, encoder.encode(e.target));
        break;
      case 'chardev':
        member(e.path, ino, CpioMode.CharDevice | (e.perm ?? 0o600), 1, new Uint8Array(0), [
          e.major,
          e.minor,
        ]);
        break;
    }
  });
  member(TRAILER, 0, 0, 1, new Uint8Array(0));

  let total = 0;
  for (const m of members) {
    total += HEADER_BYTES + m.name.length + pad4(HEADER_BYTES + m.name.length);
    total += m.data.length + pad4(m.data.length);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const m of members) {
    out.set(encoder.encode(m.header), at);
    out.set(m.name, at + HEADER_BYTES);
    at += HEADER_BYTES + m.name.length;
    at += pad4(at); // the header starts 4-aligned, so aligning `at` pads the name
    out.set(m.data, at);
    at += m.data.length;
    at += pad4(at);
  }
  return out;
}

/** One member read back from a newc archive (for tests and diagnostics). */
export interface CpioMember {
  readonly path: string;
  readonly mode: number;
  readonly rdevMajor: number;
  readonly rdevMinor: number;
  readonly data: Uint8Array;
}

/** Read a newc archive (stops at the trailer); throws on anything malformed. */
export function readCpioNewc(archive: Uint8Array): CpioMember[] {
  const decoder = new TextDecoder();
  const members: CpioMember[] = [];
  let at = 0;
  for (;;) {
    if (at + HEADER_BYTES > archive.length) throw new Error(`cpio: truncated header at offset ${at}`);
    const header = decoder.decode(archive.subarray(at, at + HEADER_BYTES));
    if (!header.startsWith('070701')) throw new Error(`cpio: bad magic at offset ${at}`);
    const field = (i: number) => Number.parseInt(header.slice(6 + i * 8, 14 + i * 8), 16);
    const nameSize = field(11);
    const fileSize = field(6);
    const nameStart = at + HEADER_BYTES;
    const path = decoder.decode(archive.subarray(nameStart, nameStart + nameSize - 1));
    let dataStart = nameStart + nameSize;
    dataStart += pad4(dataStart);
    if (dataStart + fileSize > archive.length) throw new Error(`cpio: '${path}' data is truncated`);
    if (path === TRAILER) return members;
    members.push({
      path,
      mode: field(1),
      rdevMajor: field(9),
      rdevMinor: field(10),
      data: archive.subarray(dataStart, dataStart + fileSize),
    });
    at = dataStart + fileSize;
    at += pad4(at);
  }
}
