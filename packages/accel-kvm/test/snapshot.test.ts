import { describe, expect, test } from 'vitest';
import { createBoard, kvmUnusableReason } from './helpers.js';

const skip = kvmUnusableReason();
const CHECKPOINT_VALUE = 7;

describe.skipIf(skip !== undefined)('save and load through the machine sync points', () => {
  test('a guest stopped mid-computation (inside an IN), saved and loaded into a fresh machine, finishes the same', async () => {
    // Reference: one uninterrupted run.
    const ref = await createBoard('compute');
    ref.onCheckpoint = () => CHECKPOINT_VALUE;
    const refStop = await ref.machine.run({ timeoutMs: 10_000 });
    ref.machine.close();
    expect(refStop.reason).toBe('exit');
    expect(ref.output()).toBe('abcdefghijkl\n');

    // Interrupted: stop inside round 6's IN; the value read must still reach the guest's sum.
    const first = await createBoard('compute');
    first.onCheckpoint = (n) => {
      if (n === 6) first.machine.requestStop({ reason: 'quit' });
      return CHECKPOINT_VALUE;
    };
    expect(await first.machine.run({ timeoutMs: 10_000 })).toEqual({ reason: 'quit' });
    const before = first.output();
    expect(before).toBe('abcde');
    const snapshot = first.machine.save();
    first.machine.close();

    const second = await createBoard(undefined); // no guest loaded: RAM comes from the snapshot
    second.onCheckpoint = () => CHECKPOINT_VALUE;
    second.machine.load(snapshot);
    const stop = await second.machine.run({ timeoutMs: 10_000 });
    second.machine.close();
    expect(stop).toEqual(refStop);
    expect(before + second.output()).toBe(ref.output());
    expect(second.reports).toEqual(ref.reports);
  });
});
