import { Msr } from '@tsvm/arch-x86';
import { describe, expect, test } from 'vitest';
import { loadAddon } from '../src/native/addon.js';
import { createBoard, kvmUnusableReason } from './helpers.js';

const skip = kvmUnusableReason();

describe.skipIf(skip !== undefined)('guest clock under a debugger', () => {
  test('an RDTSC loop stays monotonic and keeps pace with the host while the host synchronizes state ≥200 times', async () => {
    const board = await createBoard('rdtsc', { trace: true, sliceMs: 1 });
    const { machine, vcpu } = board;
    try {
      const tscKhz = loadAddon().getTscKhz((vcpu as unknown as { handle: never }).handle);
      // The guest runs until the host lowers its tick target (re-read every 256 iterations): once
      // ≥200 real synchronizations happened and at least half a second passed.
      board.params = [0xffffffff, 0x7fffffff];
      const hostAt: number[] = [];
      board.onReport = () => hostAt.push(performance.now());
      machine.start();
      vcpu.takeTrace();
      // Count only calls that really read KVM (a dirty vCPU's synchronizeState is a no-op).
      let syncs = 0;
      let polling = true;
      const poll = () => {
        if (!polling) return;
        if (!machine.vcpus[0].dirty) syncs++;
        machine.vcpus[0].synchronizeState(); // as a debugger reading registers would
        if (syncs >= 250 && hostAt.length > 0 && performance.now() - hostAt[0] >= 500) board.params = [0, 0];
        setImmediate(poll);
      };
      setImmediate(poll);
      const stop = await machine.run({ timeoutMs: 20_000 });
      polling = false;
      expect(stop).toEqual({ reason: 'exit', status: 1 }); // status 3 would mean the TSC went backwards
      expect(syncs).toBeGreaterThanOrEqual(200);
      expect(hostAt[2] - hostAt[1]).toBeGreaterThanOrEqual(450);
      const [startLo, startHi, endLo, endHi] = board.reports;
      const guestTicks =
        ((BigInt(endHi) << 32n) | BigInt(endLo)) - ((BigInt(startHi) << 32n) | BigInt(startLo));
      const guestMs = Number(guestTicks) / tscKhz;
      const hostMs = hostAt[2] - hostAt[1];
      console.log(
        `rdtsc: ${syncs} synchronizeState calls; guest ${guestMs.toFixed(1)} ms vs host ${hostMs.toFixed(1)} ms`,
      );
      // Guest time between its two reports vs host time between the same two port writes.
      expect(guestMs / hostMs).toBeGreaterThan(0.8);
      expect(guestMs / hostMs).toBeLessThan(1.25);
      // Every writeback during the run was Runtime level: IA32_TSC never written.
      const trace = vcpu.takeTrace();
      expect(trace.filter((t) => t.ioctl === 'KVM_SET_REGS').length).toBeGreaterThanOrEqual(200);
      expect(trace.filter((t) => t.msrs?.includes(Msr.IA32_TSC))).toEqual([]);
      expect(trace.filter((t) => t.ioctl === 'KVM_SET_MP_STATE')).toEqual([]);
    } finally {
      machine.close();
    }
  });
});
