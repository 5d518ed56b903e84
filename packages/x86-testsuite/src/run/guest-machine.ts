import { type X86CpuState, x86Arch } from '@tsvm/arch-x86';
import { type Accelerator, Machine } from '@tsvm/core';
import { createPcMachine, mapRom } from '@tsvm/pc';

/** The port the test guests write results to (QEMU's debugcon) and the debug-exit port. */
export const RESULT_PORT = 0xe9;
export const EXIT_PORT = 0xf4;

/** Something that yields an accelerator: the object itself or a factory (one per run). */
export type AcceleratorSource = Accelerator | (() => Accelerator);

export interface GuestMachineOptions {
  /**
   * `flat` (default): RAM from 0 and the ROM ending at 4 GiB, nothing else. `qemu-pc`: what
   * QEMU's `-M pc -bios` gives a ROM — RAM 0-640 KiB and from 1 MiB, the ROM's last 128 KiB
   * mirrored below 1 MiB (real-mode guests jump into the mirror). `pc-board`: the whole tsvm PC
   * (PIC pair, PIT, FERR# → IRQ 13, port 0xF0 ...), for guests that need interrupt controllers.
   */
  readonly layout?: 'flat' | 'qemu-pc' | 'pc-board';
  /** Guest RAM in MiB: 16 for `flat` (QEMU's `-m 16` of the fixtures), 32 otherwise. */
  readonly ramMiB?: number;
  /** Fixed guest ns per instruction (accelerators that count instructions); default: adaptive. */
  readonly nsPerInstruction?: number;
}

export interface GuestMachine {
  readonly machine: Machine<X86CpuState>;
  /** Bytes written to port 0xe9 so far. */
  output(): Uint8Array;
  /** The same, as Latin-1 text. */
  text(): string;
}

class ByteSink {
  private bytes = new Uint8Array(1 << 16);
  length = 0;
  push(b: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = b;
  }
  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

const MIB = 1 << 20;
const LOW_RAM = 0xa0000;
const ISA_BIOS_MIRROR = 0x20000;

async function bareMachine(accelerator: Accelerator, image: Uint8Array, options: GuestMachineOptions) {
  const machine = await Machine.create({
    arch: x86Arch,
    accelerator,
    onShutdown: 'stop',
    nsPerInstruction: options.nsPerInstruction,
  });
  const romBase = 2 ** 32 - image.length;
  if (options.layout === 'qemu-pc') {
    machine.memory.addRam('low', 0, LOW_RAM);
    machine.memory.addRam('high', MIB, (options.ramMiB ?? 32) * MIB - MIB);
    const mirror = Math.min(image.length, ISA_BIOS_MIRROR);
    machine.memory.addRom('isa-bios', MIB - mirror, mirror);
    machine.memory.load(MIB - mirror, image.subarray(image.length - mirror));
  } else {
    machine.memory.addRam('ram', 0, (options.ramMiB ?? 16) * MIB);
  }
  machine.memory.addRom('rom', romBase, image.length);
  machine.memory.load(romBase, image);
  machine.ports.register('test-exit', EXIT_PORT, 4, {
    write: (_port, _size, value) => machine.requestStop({ reason: 'exit', status: ((value << 1) | 1) >>> 0 }),
  });
  return machine;
}

/**
 * A machine booting a test ROM at the reset vector with the given accelerator; port 0xe9
 * collects output and port 0xf4 ends the run with status (value << 1) | 1, as QEMU's
 * isa-debug-exit does. The caller runs it (and may inspect, snapshot or close it).
 */
export async function createGuestMachine(
  source: AcceleratorSource,
  image: Uint8Array,
  options: GuestMachineOptions = {},
): Promise<GuestMachine> {
  if (image.length === 0 || image.length % 0x1000 !== 0)
    throw new Error(`a test ROM must be a non-empty multiple of 4 KiB, got ${image.length} bytes`);
  const accelerator = typeof source === 'function' ? source() : source;
  let machine: Machine<X86CpuState>;
  if (options.layout === 'pc-board') {
    const pc = await createPcMachine({
      accelerator,
      ramBytes: (options.ramMiB ?? 32) * MIB,
      onGuestReset: 'stop',
      nsPerInstruction: options.nsPerInstruction,
    });
    machine = pc.machine;
    mapRom(machine.memory, image);
  } else {
    machine = await bareMachine(accelerator, image, options);
  }
  const sink = new ByteSink();
  machine.ports.register('test-results', RESULT_PORT, 1, {
    write: (_port, size, value) => {
      // A wider write lands as its bytes, as on QEMU's byte-wide debugcon.
      for (let i = 0; i < size; i++) sink.push((value >>> (8 * i)) & 0xff);
    },
    // QEMU's debugcon reads back 0xe9 (guests probe for it).
    read: () => RESULT_PORT,
  });
  return {
    machine,
    output: () => sink.result(),
    text: () => new TextDecoder('latin1').decode(sink.result()),
  };
}
