import { describe, expect, test } from 'vitest';
import { type KvmAddon, loadAddon } from '../src/native/addon.js';
import { createBoard, kvmUnusableReason, runToEnd } from './helpers.js';

const skip = kvmUnusableReason();

/**
 * The real addon, except that KVM_RUN reports `reason` without entering the guest: failed
 * entries and internal errors cannot be provoked on demand from a correct guest.
 */
function failingRun(reason: 'EXIT_FAIL_ENTRY' | 'EXIT_INTERNAL_ERROR'): () => KvmAddon {
  const real = loadAddon();
  const c = real.constants;
  let view: DataView | undefined;
  return () => ({
    ...real,
    createVcpu(vm, id, size) {
      const created = real.createVcpu(vm, id, size);
      view = new DataView(created.run);
      return created;
    },
    run() {
      if (reason === 'EXIT_INTERNAL_ERROR') {
        view!.setUint32(c.RUN_INTERNAL_SUBERROR, 1, true); // emulation failure
        view!.setUint32(c.RUN_INTERNAL_NDATA, 1, true);
        view!.setBigUint64(c.RUN_INTERNAL_DATA, 0xf00dn, true);
      } else {
        view!.setBigUint64(c.RUN_FAIL_ENTRY_REASON, 0x21n, true);
      }
      return c[reason];
    },
  });
}

describe.skipIf(skip !== undefined)('exits that stop the machine', () => {
  test('a failed entry stops the machine with the reason and a register dump', async () => {
    const board = await createBoard('real', { addon: failingRun('EXIT_FAIL_ENTRY') });
    try {
      const stop = await runToEnd(board);
      expect(stop).toMatchObject({
        reason: 'error',
        message: 'KVM_RUN failed to enter the guest (hardware entry failure reason 0x21)',
      });
      expect(stop.reason === 'error' && stop.dump).toMatch(/RIP=000000000000fff0 .*\nES =0000/s);
    } finally {
      board.machine.close();
    }
  });

  test('an internal error stops the machine with the suberror, its data and a register dump', async () => {
    const board = await createBoard('real', { addon: failingRun('EXIT_INTERNAL_ERROR') });
    try {
      const stop = await runToEnd(board);
      expect(stop).toMatchObject({
        reason: 'error',
        message: 'KVM internal error: emulation failure [0xf00d]',
      });
      expect(stop.reason === 'error' && stop.dump).toMatch(/CS =f000 base=00000000ffff0000/);
    } finally {
      board.machine.close();
    }
  });

  test('a guest spinning without exits still returns at each deadline (timer kick)', async () => {
    const board = await createBoard(undefined);
    board.machine.memory.load(0x8000, new Uint8Array([0xeb, 0xfe])); // jmp $
    try {
      const started = performance.now();
      expect(await board.machine.run({ timeoutMs: 100 })).toEqual({ reason: 'timeout' });
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      board.machine.close();
    }
  });
});
