import { type X86CpuState, x86Arch } from '@tsvm/arch-x86';
import { type Accelerator, Machine, type MachineStop } from '@tsvm/core';
import { createPcMachine, mapRom } from '@tsvm/pc';
import { tcg } from '../../src/index.js';

export interface GuestRun {
  stop: MachineStop;
  /** Bytes the guest wrote to the debug console (port 0xE9). */
  output: Uint8Array;
  text: string;
  machine: Machine<X86CpuState>;
}

/** RAM the test guests see: 0-640 KiB and 1-32 MiB, as on a PC (the hole holds nothing). */
const LOW_RAM = 0xa0000;
const HIGH_RAM_BASE = 0x100000;
const HIGH_RAM_SIZE = 31 * 1024 * 1024;

/**
 * Build a machine the way QEMU's `-bios` sees a test ROM: the image ends at 4 GiB and its last
 * 128 KiB (or all of it, if smaller) also appear below 1 MiB. Ports: 0xE9 debug console,
 * 0xF4 isa-debug-exit (status (v << 1) | 1).
 */
export async function createGuestMachine(
  rom: Uint8Array,
  accelerator: Accelerator = tcg,
  nsPerInstruction?: number,
): Promise<{ machine: Machine<X86CpuState>; output: number[] }> {
  if (rom.length % 0x10000 !== 0) throw new Error(`ROM size ${rom.length} is not a multiple of 64 KiB`);
  const machine = await Machine.create({ arch: x86Arch, accelerator, onShutdown: 'stop', nsPerInstruction });
  machine.memory.addRam('low', 0, LOW_RAM);
  machine.memory.addRam('high', HIGH_RAM_BASE, HIGH_RAM_SIZE);
  const high = machine.memory.addRom('bios', 0x100000000 - rom.length, rom.length);
  high.bytes!.set(rom);
  const shadowSize = Math.min(rom.length, 0x20000);
  const low = machine.memory.addRom('isa-bios', 0x100000 - shadowSize, shadowSize);
  low.bytes!.set(rom.subarray(rom.length - shadowSize));
  const output: number[] = [];
  machine.ports.register('debugcon', 0xe9, 1, {
    write: (_p, _s, v) => void output.push(v & 0xff),
    read: () => 0xe9,
  });
  machine.ports.register('debug-exit', 0xf4, 4, {
    write: (_p, _s, v) => machine.requestStop({ reason: 'exit', status: ((v << 1) | 1) & 0xff }),
  });
  return { machine, output };
}

/** `nsPerInstruction`: a fixed clock rate, which makes `timeoutMs` an exact instruction budget. */
export async function runGuest(
  rom: Uint8Array,
  timeoutMs = 20000,
  accelerator: Accelerator = tcg,
  nsPerInstruction?: number,
): Promise<GuestRun> {
  const { machine, output } = await createGuestMachine(rom, accelerator, nsPerInstruction);
  const stop = await machine.run({ timeoutMs });
  const bytes = Uint8Array.from(output);
  return { stop, output: bytes, text: new TextDecoder('latin1').decode(bytes), machine };
}

/**
 * Run a test ROM on the whole PC board (8259 pair, FERR# → IRQ 13, port 0xF0...), for guests
 * whose source says `; BOARD: pc`: the ROM mapped below 4 GiB with its low mirror, port 0xE9
 * added as the debug console.
 */
export async function runGuestOnPc(
  rom: Uint8Array,
  timeoutMs = 20000,
  accelerator: Accelerator = tcg,
  nsPerInstruction?: number,
): Promise<GuestRun> {
  const pc = await createPcMachine({
    accelerator,
    ramBytes: 32 * 1024 * 1024,
    onGuestReset: 'stop',
    nsPerInstruction,
  });
  const machine = pc.machine;
  mapRom(machine.memory, rom);
  const output: number[] = [];
  machine.ports.register('debugcon', 0xe9, 1, { write: (_p, _s, v) => void output.push(v & 0xff) });
  const stop = await machine.run({ timeoutMs });
  const bytes = Uint8Array.from(output);
  return { stop, output: bytes, text: new TextDecoder('latin1').decode(bytes), machine };
}
