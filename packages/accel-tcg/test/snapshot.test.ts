import { createGuestMachine } from '@tsvm/x86-testsuite';
import { expect, test } from 'vitest';
import { tcg } from '../src/index.js';
import { guests } from './guest-directory.js';

/**
 * The canonical state is exact whenever `run` has returned: a snapshot taken in the middle of
 * the paging-enabled benchmark guest and loaded into a fresh machine finishes with the same
 * checksum as the original run (translation caches and TLB are rebuilt from guest memory).
 */
test('a snapshot taken mid-run resumes on a fresh machine to the same result', async () => {
  const g = guests.load('bench');
  const first = await createGuestMachine(tcg, g.rom, { layout: 'qemu-pc' });
  first.machine.memory.write(0x7000, 4, 200); // iterations: ~14 M instructions, far more than 15 ms
  const partial = await first.machine.run({ timeoutMs: 15 });
  expect(partial.reason).toBe('timeout');
  expect(first.output().length).toBe(0); // not finished yet
  const snapshot = first.machine.save();
  const done = await first.machine.run({ timeoutMs: 60_000 });
  expect(done).toEqual({ reason: 'exit', status: 1 });
  const expected = first.text();

  const second = await createGuestMachine(tcg, g.rom, { layout: 'qemu-pc' });
  second.machine.load(snapshot);
  const resumed = await second.machine.run({ timeoutMs: 60_000 });
  expect(resumed).toEqual({ reason: 'exit', status: 1 });
  expect(second.text()).toBe(expected);
  expect(expected).toMatch(/^[0-9a-f]{8}\n$/);
}, 60_000);
