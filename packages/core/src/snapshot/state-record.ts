import { SnapshotError } from './snapshot-error.js';

/** A value in a named-field state record. Integers up to 2^53 travel as numbers, 64-bit values as bigint. */
export type FieldValue = number | bigint | boolean | string | Uint8Array | StateRecord | StateRecord[];

/** Named, self-describing state: what every snapshot section is made of (never positional arrays). */
export interface StateRecord {
  readonly [field: string]: FieldValue;
}

const enum Tag {
  Number = 1,
  BigUint64 = 2,
  Boolean = 3,
  String = 4,
  Bytes = 5,
  Record = 6,
  RecordList = 7,
}

const MAX_U64 = (1n << 64n) - 1n;

/** Encode a record into bytes: a field count, then for each field its name, a type tag and the value. */
export function encodeRecord(record: StateRecord): Uint8Array {
  const out = new ByteWriter();
  writeRecord(out, record);
  return out.finish();
}

function writeRecord(out: ByteWriter, record: StateRecord): void {
  const names = Object.keys(record);
  out.u32(names.length);
  for (const name of names) {
    out.string16(name);
    const v = record[name];
    if (typeof v === 'number') {
      out.u8(Tag.Number);
      out.f64(v);
    } else if (typeof v === 'bigint') {
      if (v < 0n || v > MAX_U64)
        throw new RangeError(`field '${name}': ${v} is not an unsigned 64-bit value`);
      out.u8(Tag.BigUint64);
      out.u64(v);
    } else if (typeof v === 'boolean') {
      out.u8(Tag.Boolean);
      out.u8(v ? 1 : 0);
    } else if (typeof v === 'string') {
      out.u8(Tag.String);
      out.bytes(new TextEncoder().encode(v));
    } else if (v instanceof Uint8Array) {
      out.u8(Tag.Bytes);
      out.bytes(v);
    } else if (Array.isArray(v)) {
      out.u8(Tag.RecordList);
      out.u32(v.length);
      for (const item of v) writeRecord(out, item);
    } else {
      out.u8(Tag.Record);
      writeRecord(out, v);
    }
  }
}

/** Decode bytes made by `encodeRecord`. Every length is checked before anything is allocated. */
export function decodeRecord(bytes: Uint8Array, context: string): StateRecord {
  const input = new ByteReader(bytes, context);
  const record = readRecord(input, 0);
  if (input.remaining !== 0)
    throw new SnapshotError('corrupt', `${context}: ${input.remaining} trailing bytes`);
  return record;
}

const MAX_DEPTH = 16;

function readRecord(input: ByteReader, depth: number): StateRecord {
  if (depth > MAX_DEPTH) input.fail('records nested too deeply');
  const count = input.u32();
  // Each field takes at least 4 bytes (name length, tag, 1-byte value); refuse absurd counts early.
  if (count * 4 > input.remaining) input.fail(`field count ${count} exceeds the data`);
  const record: Record<string, FieldValue> = {};
  for (let i = 0; i < count; i++) {
    const name = input.string16();
    const tag = input.u8();
    switch (tag) {
      case Tag.Number:
        record[name] = input.f64();
        break;
      case Tag.BigUint64:
        record[name] = input.u64();
        break;
      case Tag.Boolean:
        record[name] = input.u8() !== 0;
        break;
      case Tag.String:
        record[name] = new TextDecoder().decode(input.bytes());
        break;
      case Tag.Bytes:
        record[name] = input.bytes().slice();
        break;
      case Tag.Record:
        record[name] = readRecord(input, depth + 1);
        break;
      case Tag.RecordList: {
        const n = input.u32();
        if (n * 4 > input.remaining) input.fail(`list length ${n} exceeds the data`);
        const list: StateRecord[] = [];
        for (let k = 0; k < n; k++) list.push(readRecord(input, depth + 1));
        record[name] = list;
        break;
      }
      default:
        input.fail(`field '${name}' has unknown type tag ${tag}`);
    }
  }
  return record;
}

/** Little-endian growable writer. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private length = 0;

  private reserve(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  u8(v: number): void {
    const at = this.reserve(1); // reserve may replace the view
    this.view.setUint8(at, v);
  }
  u16(v: number): void {
    const at = this.reserve(2); // reserve may replace the view
    this.view.setUint16(at, v, true);
  }
  u32(v: number): void {
    const at = this.reserve(4); // reserve may replace the view
    this.view.setUint32(at, v, true);
  }
  u64(v: bigint): void {
    const at = this.reserve(8); // reserve may replace the view
    this.view.setBigUint64(at, v, true);
  }
  f64(v: number): void {
    const at = this.reserve(8); // reserve may replace the view
    this.view.setFloat64(at, v, true);
  }
  string16(s: string): void {
    const b = new TextEncoder().encode(s);
    if (b.length > 0xffff) throw new RangeError('field name too long');
    this.u16(b.length);
    this.raw(b);
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.raw(b);
  }
  raw(b: Uint8Array): void {
    const at = this.reserve(b.length); // reserve may replace this.buf
    this.buf.set(b, at);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Little-endian bounds-checked reader; every failure is a `SnapshotError('corrupt')` naming the offset. */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    private readonly context: string,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  get remaining(): number {
    return this.buf.length - this.offset;
  }
  fail(what: string): never {
    throw new SnapshotError('corrupt', `${this.context}: ${what} (at byte ${this.offset})`);
  }
  private take(n: number): number {
    if (n > this.remaining) this.fail(`needs ${n} bytes, ${this.remaining} left`);
    const at = this.offset;
    this.offset += n;
    return at;
  }
  u8(): number {
    return this.view.getUint8(this.take(1));
  }
  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }
  u64(): bigint {
    return this.view.getBigUint64(this.take(8), true);
  }
  f64(): number {
    return this.view.getFloat64(this.take(8), true);
  }
  string16(): string {
    const n = this.u16();
    return new TextDecoder().decode(this.buf.subarray(this.take(n), this.offset));
  }
  bytes(): Uint8Array {
    const n = this.u32();
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }
}
