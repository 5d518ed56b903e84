import { existsSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { packagePath, readPackageFile } from '../package-files.js';

/**
 * The committed reference results. Group guests: `fixtures/<guest>.txt.gz`, QEMU's debugcon
 * output verbatim, with hand-made corrections from `fixtures/sdm-overrides.txt` applied on
 * load. `fixtures/manifest.json` ties every fixture to the CRC-32 of the image it came from.
 */

export interface GuestFixtureInfo {
  readonly imageCrc32: string;
  readonly status: number;
  readonly lines: number;
}

export interface RandomFixtureInfo {
  readonly file: string;
  readonly seed: number;
  readonly count: number;
  readonly records: number;
}

export interface FixtureManifest {
  readonly generator: string;
  readonly qemu: string;
  readonly guests: Readonly<Record<string, GuestFixtureInfo>>;
  readonly random: readonly RandomFixtureInfo[];
}

const MANIFEST = 'fixtures/manifest.json';

export function readManifest(): FixtureManifest {
  if (!existsSync(packagePath(MANIFEST))) return { generator: '', qemu: '', guests: {}, random: [] };
  return JSON.parse(new TextDecoder().decode(readPackageFile(MANIFEST))) as FixtureManifest;
}

export function writeManifest(manifest: FixtureManifest): void {
  writeFileSync(packagePath(MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function hex32(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

/** A hand correction: the QEMU line for these inputs is replaced, for the stated reason. */
export interface SdmOverride {
  readonly guest: string;
  /** `<name> <a> <b> <flags-in>`: the inputs the override applies to. */
  readonly inputs: string;
  /** The corrected outputs: `<eax> <ebx> <ecx> <edx> <flags-out>[ !<vector> <eip>]`. */
  readonly outputs: string;
  readonly justification: string;
}

/**
 * Parse `sdm-overrides.txt`: `<guest>: <name> <a> <b> <flags-in> => <outputs>  # <justification>`.
 * Blank lines and lines starting with # are ignored; a line without a justification is refused.
 */
export function parseOverrides(text: string): SdmOverride[] {
  const out: SdmOverride[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m =
      /^([\w-]+):\s+(\S+ [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{3})\s+=>\s+([0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{3}(?: ![0-9a-f]{2} [0-9a-f]{8})?)\s+#\s*(\S.*)$/.exec(
        line,
      );
    if (!m)
      throw new Error(
        `sdm-overrides.txt line ${i + 1}: expected '<guest>: <name> <a> <b> <flags-in> => <eax> <ebx> <ecx> <edx> <flags> # why', got ${JSON.stringify(line)}`,
      );
    out.push({ guest: m[1], inputs: m[2], outputs: m[3], justification: m[4] });
  });
  return out;
}

export function readOverrides(): SdmOverride[] {
  return parseOverrides(new TextDecoder().decode(readPackageFile('fixtures/sdm-overrides.txt')));
}

/** Apply the overrides for `guest` to QEMU's output; every override must match a line. */
export function applyOverrides(guest: string, text: string, overrides: readonly SdmOverride[]): string {
  const lines = text.split('\n');
  for (const o of overrides.filter((x) => x.guest === guest)) {
    const at = lines.findIndex((l) => l.startsWith(`${o.inputs} : `));
    if (at < 0) throw new Error(`sdm-overrides.txt: no line '${o.inputs}' in the ${guest} fixture`);
    lines[at] = `${o.inputs} : ${o.outputs}`;
  }
  return lines.join('\n');
}

export function guestFixturePath(guest: string): string {
  return `fixtures/${guest}.txt.gz`;
}

/** QEMU's output for a group guest, exactly as recorded (no overrides). */
export function readRawGuestFixture(guest: string): string {
  const file = guestFixturePath(guest);
  if (!existsSync(packagePath(file)))
    throw new Error(`no fixture ${file}: run scripts/regenerate-fixtures.sh (needs QEMU)`);
  return new TextDecoder().decode(gunzipSync(readPackageFile(file)));
}

export function writeRawGuestFixture(guest: string, output: Uint8Array): void {
  writeFileSync(packagePath(guestFixturePath(guest)), gzipSync(output, { level: 9 }));
}

// ---- random-sequence fixtures: one CRC-32 per record ---------------------------------------

const CRC_MAGIC = 'TSVMRCRC';
const CRC_VERSION = 1;

export interface RandomCrcFixture {
  readonly seed: number;
  readonly count: number;
  /** CRC-32 of each image the fixture was made from, then the record CRCs per image. */
  readonly images: readonly { readonly imageCrc32: number; readonly crcs: Uint32Array }[];
}

export function encodeRandomFixture(f: RandomCrcFixture): Uint8Array {
  const words = 4 + f.images.reduce((n, img) => n + 2 + img.crcs.length, 0);
  const out = new Uint8Array(8 + words * 4);
  out.set(new TextEncoder().encode(CRC_MAGIC), 0);
  const view = new DataView(out.buffer);
  let p = 8;
  const put = (v: number) => {
    view.setUint32(p, v >>> 0, true);
    p += 4;
  };
  put(CRC_VERSION);
  put(f.seed);
  put(f.count);
  put(f.images.length);
  for (const img of f.images) {
    put(img.imageCrc32);
    put(img.crcs.length);
    for (const c of img.crcs) put(c);
  }
  return out;
}

export function decodeRandomFixture(bytes: Uint8Array, name = 'random fixture'): RandomCrcFixture {
  const fail = (why: string) => {
    throw new Error(`${name}: ${why}`);
  };
  if (bytes.length < 24) fail(`too short (${bytes.length} bytes)`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== CRC_MAGIC) fail(`not a CRC fixture (magic ${JSON.stringify(magic)})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let p = 8;
  const get = () => {
    if (p + 4 > bytes.length) fail(`truncated at byte ${p}`);
    const v = view.getUint32(p, true);
    p += 4;
    return v;
  };
  const version = get();
  if (version !== CRC_VERSION) fail(`version ${version}, this suite reads version ${CRC_VERSION}`);
  const seed = get();
  const count = get();
  const imageCount = get();
  if (imageCount > 10_000) fail(`implausible image count ${imageCount}`);
  const images: { imageCrc32: number; crcs: Uint32Array }[] = [];
  for (let i = 0; i < imageCount; i++) {
    const imageCrc32 = get();
    const n = get();
    if (p + n * 4 > bytes.length) fail(`truncated: image ${i} claims ${n} records`);
    const crcs = new Uint32Array(n);
    for (let k = 0; k < n; k++) crcs[k] = get();
    images.push({ imageCrc32, crcs });
  }
  if (p !== bytes.length) fail(`${bytes.length - p} bytes of trailing garbage`);
  return { seed, count, images };
}

export function randomFixtureFile(seed: number, count: number, mode: 16 | 32 = 32): string {
  return `fixtures/random${mode === 16 ? '16' : ''}-${seed.toString(16).padStart(8, '0')}-${count}.crc`;
}

export function readRandomFixture(
  seed: number,
  count: number,
  mode: 16 | 32 = 32,
): RandomCrcFixture | undefined {
  const file = randomFixtureFile(seed, count, mode);
  if (!existsSync(packagePath(file))) return undefined;
  return decodeRandomFixture(readPackageFile(file), file);
}

export function writeRandomFixture(f: RandomCrcFixture, mode: 16 | 32 = 32): string {
  const file = randomFixtureFile(f.seed, f.count, mode);
  writeFileSync(packagePath(file), encodeRandomFixture(f));
  return file;
}
