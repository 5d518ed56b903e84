import type { Machine, MachineStop } from '@tsvm/core';
import type { GuestScenario } from '@tsvm/core/testing';
import type { X86CpuState } from '../state/x86-cpu-state.js';
import { GUEST_IMAGES } from './guest-images.js';

/** Port the conformance guests print to (COM1's data register) and the debug-exit port. */
export const CONFORMANCE_OUTPUT_PORT = 0x3f8;
export const CONFORMANCE_EXIT_PORT = 0xf4;

/** Where the 4 KiB guest ROMs go: the last page below 4 GiB, which holds the reset vector. */
const ROM_BASE = 0xfffff000;

function decodeBase64(text: string): Uint8Array {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

const outputs = new WeakMap<object, string[]>();

/**
 * Build a bare x86 machine for a conformance guest: 2 MiB of RAM, the guest ROM at the reset
 * vector, a byte-output port and a QEMU-style debug-exit port (status = value << 1 | 1).
 * Returns the array the guest's output accumulates in.
 */
export function setUpConformanceGuest(machine: Machine<X86CpuState>, image: string): string[] {
  const bytes = GUEST_IMAGES[image];
  if (!bytes) throw new Error(`no conformance guest named '${image}'`);
  machine.memory.addRam('ram', 0, 2 << 20);
  machine.memory.addRom('rom', ROM_BASE, 0x1000);
  machine.memory.load(ROM_BASE, decodeBase64(bytes));
  const output: string[] = [];
  machine.ports.register('test-output', CONFORMANCE_OUTPUT_PORT, 1, {
    write: (_port, _size, value) => output.push(String.fromCharCode(value & 0xff)),
  });
  machine.ports.register('test-exit', CONFORMANCE_EXIT_PORT, 4, {
    write: (_port, _size, value) => machine.requestStop({ reason: 'exit', status: ((value << 1) | 1) >>> 0 }),
  });
  outputs.set(machine, output);
  return output;
}

function expectExit(name: string, expectedOutput: string, expectedStatus: number) {
  return (stop: MachineStop, machine: Machine<X86CpuState>) => {
    const output = (outputs.get(machine) ?? []).join('');
    if (output !== expectedOutput) {
      throw new Error(
        `${name}: printed ${JSON.stringify(output)}, expected ${JSON.stringify(expectedOutput)}`,
      );
    }
    if (stop.reason !== 'exit' || stop.status !== expectedStatus) {
      throw new Error(
        `${name}: stopped with ${JSON.stringify(stop)}, expected exit status ${expectedStatus}`,
      );
    }
  };
}

/**
 * x86 guests for `conformanceScenarios({ guests })`. Both start at the reset vector, print a
 * line through port I/O and leave through the debug-exit port; they are short enough for
 * software-emulated KVM.
 */
export function x86GuestScenarios(): GuestScenario<X86CpuState>[] {
  return [
    {
      name: 'real mode from the reset vector: port output, arithmetic, stack, debug exit',
      setup: (m) => void setUpConformanceGuest(m, 'realmode-hello'),
      check: expectExit('realmode-hello', 'real mode ok\n', 0x43),
    },
    {
      name: '32-bit protected mode with a flat GDT and memory above 1 MiB',
      setup: (m) => void setUpConformanceGuest(m, 'protected-hello'),
      check: expectExit('protected-hello', 'protected mode ok\n', 0x45),
    },
  ];
}
