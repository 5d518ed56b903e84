import type { Accelerator } from '@tsvm/core';
import { createPcMachine, type PcMachine, type PcMachineOptions } from '../src/index.js';

/** An accelerator that runs no guest code: devices and loaders are tested without a CPU. */
export const idleAccelerator: Accelerator = {
  name: 'idle',
  probe: () => ({ available: true, reason: 'test double' }),
  createVm: () => ({
    createVcpu: () => ({ run: () => ({ kind: 'halt', wakeable: true }) }),
  }),
};

export function makePc(options: Partial<PcMachineOptions> = {}): Promise<PcMachine> {
  return createPcMachine({ accelerator: idleAccelerator, ramBytes: 16 * 1024 * 1024, ...options });
}

/** Advance the (stopped) virtual clock by `ns` and fire due timers, as the run loop would. */
export function advance(pc: PcMachine, ns: number): void {
  const clock = pc.machine.clock;
  clock.set(clock.nowNs() + ns);
  clock.runExpired();
}

/** Save the machine and load the snapshot into a freshly built one. */
export async function roundTrip(pc: PcMachine, options: Partial<PcMachineOptions> = {}): Promise<PcMachine> {
  const bytes = pc.machine.save();
  const fresh = await makePc(options);
  fresh.machine.load(bytes);
  fresh.machine.clock.stop();
  return fresh;
}
