import { describe, expect, it } from 'vitest';
import { JsonStreamSplitter, MAX_REQUEST_BYTES } from '../src/qmp/json-stream.js';

const feed = (s: JsonStreamSplitter, ...parts: string[]) => parts.flatMap((p) => s.push(Buffer.from(p)));

describe('JsonStreamSplitter', () => {
  it('splits values without newlines and across chunk boundaries, strings with braces included', () => {
    const s = new JsonStreamSplitter();
    expect(feed(s, '{"a": "}{\\"", "b": [1, {"c"', ': 2}]}{"d"', ':3}  \n[4]')).toEqual([
      { value: { a: '}{"', b: [1, { c: 2 }] } },
      { value: { d: 3 } },
      { value: [4] },
    ]);
  });

  it('reports stray words one by one, a stray closer, and unparsable values', () => {
    const s = new JsonStreamSplitter();
    expect(feed(s, 'not js', 'on\n} {"x": ]')).toEqual([
      { error: "JSON parse error, invalid keyword 'not'" },
      { error: "JSON parse error, invalid keyword 'json'" },
      { error: 'JSON parse error, expecting value' },
      { error: expect.stringMatching(/^JSON parse error, /) },
    ]);
  });

  it('refuses an oversized value once, drops the rest of its line, then works again', () => {
    const s = new JsonStreamSplitter();
    const big = `{"pad": "${'x'.repeat(MAX_REQUEST_BYTES)}"}`;
    expect(feed(s, big.slice(0, 1000), big.slice(1000), '{"ignored": 1}\n{"ok": 1}')).toEqual([
      { error: `request longer than ${MAX_REQUEST_BYTES} bytes; the rest of its line is ignored` },
      { value: { ok: 1 } },
    ]);
    expect(feed(s, `${'['.repeat(65)}]\n[]`)).toEqual([
      { error: 'JSON parse error, nesting deeper than 64 levels' },
      { value: [] },
    ]);
    expect(feed(s, `${'w'.repeat(MAX_REQUEST_BYTES + 1)} more\n{}`)).toEqual([
      { error: `input word longer than ${MAX_REQUEST_BYTES} bytes; the rest of its line is ignored` },
      { value: {} },
    ]);
  });
});
