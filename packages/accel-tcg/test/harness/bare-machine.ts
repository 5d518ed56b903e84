import { makeSegment, type X86CpuState, x86Arch } from '@tsvm/arch-x86';
import { type Accelerator, Machine } from '@tsvm/core';
import { tcg } from '../../src/index.js';

/**
 * A machine with plain RAM, the debug console at 0xE9 and debug-exit at 0xF4, and the vCPU
 * pointed at 0000:7C00 in real mode (or a flat 32-bit protected mode) — for small hand-made
 * programs whose bytes the tests carry (nasm sources are in comments next to them).
 */
export async function bareMachine(
  options: { ramBytes?: number; protectedMode?: boolean; accelerator?: Accelerator } = {},
) {
  const machine = await Machine.create({
    arch: x86Arch,
    accelerator: options.accelerator ?? tcg,
    onShutdown: 'stop',
  });
  const ram = machine.memory.addRam('ram', 0, options.ramBytes ?? 0x80000);
  const output: number[] = [];
  machine.ports.register('debugcon', 0xe9, 1, { write: (_p, _s, v) => void output.push(v) });
  machine.ports.register('debug-exit', 0xf4, 4, {
    write: (_p, _s, v) => machine.requestStop({ reason: 'exit', status: ((v << 1) | 1) & 0xff }),
  });
  const s: X86CpuState = machine.vcpus[0].state;
  s.cs = makeSegment({ selector: 0, base: 0, type: 0xb });
  s.eip = 0x7c00;
  if (options.protectedMode) {
    s.cr0 |= 1;
    const flat = (type: number, sel: number) =>
      makeSegment({ selector: sel, base: 0, limit: 0xffffffff, type, db: true, g: true });
    s.cs = flat(0xb, 8);
    s.ds = flat(3, 16);
    s.es = flat(3, 16);
    s.ss = flat(3, 16);
    s.idt = { base: 0, baseHigh: 0, limit: 0 };
  }
  const text = () => String.fromCharCode(...output);
  return { machine, ram, output, text, state: s };
}
