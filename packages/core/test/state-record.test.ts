import { describe, expect, it } from 'vitest';
import { RecordFields } from '../src/snapshot/record-fields.js';
import { decodeRecord, encodeRecord } from '../src/snapshot/state-record.js';

describe('named-field state records', () => {
  const sample = {
    counter: 42,
    fraction: -0.5,
    wide: 0xffff_ffff_ffff_ffffn,
    enabled: true,
    label: 'ünïcode',
    blob: new Uint8Array([1, 2, 3]),
    nested: { a: 1, b: { c: false } },
    list: [{ x: 1 }, { x: 2 }],
  };

  it('round-trips every field type bit-exactly', () => {
    expect(decodeRecord(encodeRecord(sample), 'test')).toEqual(sample);
  });

  it('round-trips records far larger than the initial write buffer', () => {
    const big: Record<string, number | bigint> = {};
    for (let i = 0; i < 500; i++) big[`field${i}`] = i % 2 ? BigInt(i) << 40n : i * 1.25;
    expect(decodeRecord(encodeRecord(big), 'big')).toEqual(big);
  });

  it('refuses negative or over-wide bigints when encoding', () => {
    expect(() => encodeRecord({ v: -1n })).toThrow("field 'v': -1 is not an unsigned 64-bit value");
    expect(() => encodeRecord({ v: 1n << 64n })).toThrow(/is not an unsigned 64-bit value/);
  });

  it('reports truncation with the context and offset', () => {
    const bytes = encodeRecord(sample);
    expect(() => decodeRecord(bytes.subarray(0, bytes.length - 3), "section 'x'")).toThrow(
      /snapshot is corrupt: section 'x': needs \d+ bytes, \d+ left \(at byte \d+\)/,
    );
  });

  it('refuses absurd counts before allocating', () => {
    const bytes = new Uint8Array([0xff, 0xff, 0xff, 0x7f]);
    expect(() => decodeRecord(bytes, 'r')).toThrow(
      'snapshot is corrupt: r: field count 2147483647 exceeds the data (at byte 4)',
    );
  });

  it('refuses unknown type tags and trailing bytes', () => {
    const bytes = encodeRecord({ a: 1 });
    const badTag = bytes.slice();
    badTag[4 + 2 + 1] = 99; // count(4) + name length(2) + 'a'(1) → tag
    expect(() => decodeRecord(badTag, 'r')).toThrow("r: field 'a' has unknown type tag 99");
    expect(() => decodeRecord(new Uint8Array([...bytes, 0]), 'r')).toThrow('r: 1 trailing bytes');
  });

  it('typed field access names the field that is missing or wrong', () => {
    const f = new RecordFields({ n: 1.5, s: 'x', big: 5n }, "section 'dev'");
    expect(() => f.number('missing')).toThrow("section 'dev': field 'missing' is missing number");
    expect(() => f.string('n')).toThrow("section 'dev': field 'n' is not a string");
    expect(() => f.uint('n')).toThrow("section 'dev': field 'n' = 1.5 is not a 32-bit unsigned integer");
    expect(() => f.bytes('s')).toThrow("field 's' is not a byte string");
    expect(f.bigint('big')).toBe(5n);
  });
});
