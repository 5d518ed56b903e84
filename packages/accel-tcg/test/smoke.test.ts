import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { runGuest } from './harness/tcg-runner.js';

test('smoke', async () => {
  const r = await runGuest(new Uint8Array(readFileSync('/tmp/smoke.bin')));
  console.log(r.stop, r.text);
  expect(r.stop).toEqual({ reason: 'exit', status: 1 });
});
