import { describe, expect, it } from 'vitest';
import { crc32 } from '../src/snapshot/crc32.js';

/** The plain bit-by-bit definition, to check the sliced implementation against. */
function reference(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('matches the bitwise definition for every length 0..40 and any sub-range', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 151 + 7) & 0xff);
    for (let n = 0; n <= 40; n++) expect(crc32(data.subarray(0, n))).toBe(reference(data.subarray(0, n)));
    expect(crc32(data, 13, 277)).toBe(reference(data.subarray(13, 277)));
  });
});
