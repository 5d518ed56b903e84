import { MpState } from '@tsvm/arch-x86';
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
    let secondReads = 0;
    second.onCheckpoint = () => {
      secondReads++;
      return CHECKPOINT_VALUE;
    };
    second.machine.load(snapshot);
    const stop = await second.machine.run({ timeoutMs: 10_000 });
    second.machine.close();
    expect(stop).toEqual(refStop);
    expect(before + second.output()).toBe(ref.output());
    expect(second.reports).toEqual(ref.reports);
    // Each IN happened exactly once: the one in flight at the stop was completed before the save,
    // not replayed after the load (a device read twice would lose data).
    expect(6 + secondReads).toBe(12);
  });
});

describe.skipIf(skip !== undefined)('a halted guest round-trips as halted', () => {
  test('saved while waiting in HLT, loaded elsewhere, it stays halted until an interrupt wakes it', async () => {
    const first = await createBoard('irq');
    expect(await first.machine.run({ timeoutMs: 30 })).toEqual({ reason: 'timeout' });
    const snapshot = first.machine.save();
    expect(first.machine.vcpus[0].state.mpState).toBe(MpState.Halted);
    first.machine.close();

    const second = await createBoard(undefined);
    second.machine.load(snapshot);
    // No interrupt source yet: the guest must not run on past its HLT.
    expect(await second.machine.run({ timeoutMs: 30 })).toEqual({ reason: 'timeout' });
    expect(second.output()).toBe('');
    let pending = 0;
    second.machine.setInterruptLines({
      hasInterrupt: () => pending > 0,
      acknowledge: () => {
        pending--;
        return 0x20;
      },
      hasNmi: () => false,
      takeNmi: () => {},
    });
    const tick = () => {
      pending = 1;
      second.machine.kick();
      second.machine.clock.schedule(second.machine.clock.nowNs() + 1e6, tick);
    };
    tick();
    expect(await second.machine.run({ timeoutMs: 10_000 })).toEqual({ reason: 'exit', status: 7 });
    expect(second.output()).toBe('ttt\n');
    second.machine.close();
  });
});
