import { crc32 } from './crc32.js';
import { SnapshotError } from './snapshot-error.js';

/** First bytes of every tsvm snapshot. */
export const SNAPSHOT_MAGIC = 'TSVMSNAP';
/** Container layout version this code writes and reads. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** Largest header accepted; a bigger declared header is corruption, not a reason to allocate. */
const MAX_HEADER_BYTES = 1 << 20;
const PREAMBLE_BYTES = 16; // magic(8) + format version(4) + header length(4)

export interface SnapshotSectionData {
  readonly name: string;
  readonly version: number;
  readonly data: Uint8Array;
}

export interface SnapshotMetadata {
  readonly arch: string;
  /** Accelerator that wrote the snapshot (informational: snapshots are accelerator-neutral). */
  readonly savedBy: string;
  readonly createdAt: string;
}

export interface DecodedSnapshot extends SnapshotMetadata {
  readonly formatVersion: number;
  readonly sections: readonly SnapshotSectionData[];
}

interface HeaderSection {
  name: string;
  version: number;
  offset: number;
  length: number;
  crc32: number;
}

interface Header extends SnapshotMetadata {
  sections: HeaderSection[];
  /** Length of the whole file including the trailing checksum. */
  totalLength: number;
}

/**
 * Layout: magic, format version (u32 LE), header length (u32 LE), header (UTF-8 JSON),
 * header CRC-32, section payloads back to back, then a CRC-32 of every preceding byte.
 */
export function encodeSnapshot(meta: SnapshotMetadata, sections: readonly SnapshotSectionData[]): Uint8Array {
  const names = new Set<string>();
  for (const s of sections) {
    if (names.has(s.name)) throw new Error(`duplicate snapshot section '${s.name}'`);
    names.add(s.name);
  }
  let offset = 0;
  const entries: HeaderSection[] = sections.map((s) => {
    const e = { name: s.name, version: s.version, offset, length: s.data.length, crc32: crc32(s.data) };
    offset += s.data.length;
    return e;
  });
  // The header states the total length, which depends on the header's own length: iterate to a fixpoint.
  let header: Header = { ...meta, sections: entries, totalLength: 0 };
  let headerBytes = new Uint8Array();
  for (let i = 0; i < 4; i++) {
    headerBytes = new TextEncoder().encode(JSON.stringify(header));
    const total = PREAMBLE_BYTES + headerBytes.length + 4 + offset + 4;
    if (total === header.totalLength) break;
    header = { ...header, totalLength: total };
  }
  const total = header.totalLength;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(SNAPSHOT_MAGIC), 0);
  view.setUint32(8, SNAPSHOT_FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, PREAMBLE_BYTES);
  const dataStart = PREAMBLE_BYTES + headerBytes.length + 4;
  view.setUint32(dataStart - 4, crc32(headerBytes), true);
  sections.forEach((s, i) => {
    out.set(s.data, dataStart + entries[i].offset);
  });
  view.setUint32(total - 4, crc32(out, 0, total - 4), true);
  return out;
}

/** Parse and verify a snapshot completely; throws `SnapshotError` saying what is wrong. */
export function decodeSnapshot(bytes: Uint8Array): DecodedSnapshot {
  const magic = new TextEncoder().encode(SNAPSHOT_MAGIC);
  const prefix = Math.min(bytes.length, magic.length);
  for (let i = 0; i < prefix; i++) {
    if (bytes[i] !== magic[i]) throw new SnapshotError('foreign', 'not a tsvm snapshot (bad magic bytes)');
  }
  if (bytes.length < PREAMBLE_BYTES) {
    throw new SnapshotError(
      'truncated',
      `file has ${bytes.length} bytes, less than the ${PREAMBLE_BYTES}-byte preamble`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const formatVersion = view.getUint32(8, true);
  if (formatVersion > SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotError(
      'newer-version',
      `container format ${formatVersion}; this tsvm reads up to ${SNAPSHOT_FORMAT_VERSION}`,
    );
  }
  if (formatVersion === 0) throw new SnapshotError('corrupt', 'container format version 0');
  const headerLength = view.getUint32(12, true);
  if (headerLength > MAX_HEADER_BYTES) {
    throw new SnapshotError(
      'corrupt',
      `header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`,
    );
  }
  const dataStart = PREAMBLE_BYTES + headerLength + 4;
  if (bytes.length < dataStart) {
    throw new SnapshotError('truncated', `file has ${bytes.length} bytes, header needs ${dataStart}`);
  }
  const headerBytes = bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength);
  if (crc32(headerBytes) !== view.getUint32(dataStart - 4, true)) {
    throw new SnapshotError('corrupt', 'header checksum mismatch');
  }
  const header = parseHeader(headerBytes);
  if (bytes.length < header.totalLength) {
    throw new SnapshotError(
      'truncated',
      `file has ${bytes.length} bytes, header declares ${header.totalLength}`,
    );
  }
  if (bytes.length > header.totalLength) {
    throw new SnapshotError('corrupt', `${bytes.length - header.totalLength} unexpected bytes after the end`);
  }
  if (crc32(bytes, 0, bytes.length - 4) !== view.getUint32(bytes.length - 4, true)) {
    throw new SnapshotError('corrupt', 'file checksum mismatch');
  }
  const dataLength = header.totalLength - 4 - dataStart;
  const sections = header.sections.map((s): SnapshotSectionData => {
    if (s.offset + s.length > dataLength) {
      throw new SnapshotError('corrupt', `section '${s.name}' extends past the data area`);
    }
    const data = bytes.subarray(dataStart + s.offset, dataStart + s.offset + s.length);
    if (crc32(data) !== s.crc32) throw new SnapshotError('corrupt', `section '${s.name}' checksum mismatch`);
    return { name: s.name, version: s.version, data };
  });
  return {
    formatVersion,
    arch: header.arch,
    savedBy: header.savedBy,
    createdAt: header.createdAt,
    sections,
  };
}

const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function parseHeader(bytes: Uint8Array): Header {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new SnapshotError('corrupt', 'header is not valid JSON');
  }
  const h = raw as Partial<Header>;
  if (
    typeof h !== 'object' ||
    h === null ||
    typeof h.arch !== 'string' ||
    typeof h.savedBy !== 'string' ||
    typeof h.createdAt !== 'string' ||
    !isUint(h.totalLength) ||
    !Array.isArray(h.sections)
  ) {
    throw new SnapshotError('corrupt', 'header lacks arch, savedBy, createdAt, totalLength or sections');
  }
  const seen = new Set<string>();
  for (const s of h.sections as Partial<HeaderSection>[]) {
    if (
      typeof s?.name !== 'string' ||
      !isUint(s.version) ||
      !isUint(s.offset) ||
      !isUint(s.length) ||
      !isUint(s.crc32)
    ) {
      throw new SnapshotError('corrupt', 'header has a malformed section entry');
    }
    if (seen.has(s.name)) throw new SnapshotError('corrupt', `header lists section '${s.name}' twice`);
    seen.add(s.name);
  }
  return h as Header;
}
