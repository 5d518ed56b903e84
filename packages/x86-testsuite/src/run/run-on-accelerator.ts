import type { X86CpuState } from '@tsvm/arch-x86';
import type { Machine, MachineStop } from '@tsvm/core';
import { type AcceleratorSource, createGuestMachine, type GuestMachineOptions } from './guest-machine.js';

export { type AcceleratorSource, EXIT_PORT, RESULT_PORT } from './guest-machine.js';

export interface GuestRun {
  /** Every byte the guest wrote to port 0xe9. */
  readonly output: Uint8Array;
  /** The same, as Latin-1 text. */
  readonly text: string;
  readonly stop: MachineStop;
  /** The machine after the run, only with `keepMachine` (the caller closes it). */
  readonly machine?: Machine<X86CpuState>;
}

/**
 * Boot a test ROM on a tsvm machine with the given accelerator (see `createGuestMachine` for the
 * memory layouts) and run it until it exits, stops or `timeoutMs` passes.
 */
export async function runGuestOnAccelerator(
  accelerator: AcceleratorSource,
  image: Uint8Array,
  options: GuestMachineOptions & { timeoutMs?: number; keepMachine?: boolean } = {},
): Promise<GuestRun> {
  const g = await createGuestMachine(accelerator, image, options);
  try {
    const stop = await g.machine.run({ timeoutMs: options.timeoutMs ?? 60_000 });
    const output = g.output();
    const text = new TextDecoder('latin1').decode(output);
    return options.keepMachine ? { output, text, stop, machine: g.machine } : { output, text, stop };
  } finally {
    if (!options.keepMachine) g.machine.close();
  }
}

export function describeStop(stop: MachineStop): string {
  switch (stop.reason) {
    case 'exit':
      return `exit status ${stop.status}`;
    case 'error':
      return `error: ${stop.message}${stop.dump ? `\n${stop.dump}` : ''}`;
    case 'shutdown':
    case 'halted':
      return `${stop.reason}: ${stop.message}`;
    default:
      return stop.reason;
  }
}
