import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../src/index.js';

describe('state records', () => {
  it('round-trip fields larger than the writer’s initial buffer', () => {
    const big = Uint8Array.from({ length: 10_000 }, (_, i) => i & 0xff);
    const record = { a: 1, big, nested: { n: 123456789n, list: [{ s: 'x'.repeat(500) }] } };
    const back = decodeRecord(encodeRecord(record), 'test');
    expect(back.big).toEqual(big);
    expect(back.a).toBe(1);
    expect(back.nested).toEqual(record.nested);
  });
});
