import { x86Arch } from '@tsvm/arch-x86';
import { type Accelerator, Machine, type MachineStop } from '@tsvm/core';

/** The port the test guests write results to (QEMU's debugcon) and the debug-exit port. */
export const RESULT_PORT = 0xe9;
export const EXIT_PORT = 0xf4;
/** RAM for the test guests: the same 16 MiB QEMU gets (-m 16), so even a stray access sees the same memory. */
const RAM_BYTES = 16 << 20;

export interface GuestRun {
  /** Every byte the guest wrote to port 0xe9. */
  readonly output: Uint8Array;
  readonly stop: MachineStop;
}

/** Something that yields an accelerator: the object itself or a factory (one per run). */
export type AcceleratorSource = Accelerator | (() => Accelerator);

function resolve(source: AcceleratorSource): Accelerator {
  return typeof source === 'function' ? source() : source;
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

/**
 * Boot a test ROM on a tsvm machine with the given accelerator: 16 MiB of RAM at 0, the ROM
 * at `romBase` (ending at 4 GiB, so it holds the reset vector), port 0xe9 collecting output and
 * port 0xf4 ending the run with status (value << 1) | 1, as QEMU's isa-debug-exit does.
 */
export async function runGuestOnAccelerator(
  accelerator: AcceleratorSource,
  image: Uint8Array,
  options: {
    timeoutMs?: number;
    /** Fixed guest ns per instruction (accelerators that count instructions); default: adaptive. */
    nsPerInstruction?: number;
  } = {},
): Promise<GuestRun> {
  const romBase = 2 ** 32 - image.length;
  if (image.length === 0 || image.length % 0x1000 !== 0)
    throw new Error(`a test ROM must be a non-empty multiple of 4 KiB, got ${image.length} bytes`);
  const machine = await Machine.create({
    arch: x86Arch,
    accelerator: resolve(accelerator),
    onShutdown: 'stop',
    nsPerInstruction: options.nsPerInstruction,
  });
  try {
    machine.memory.addRam('ram', 0, RAM_BYTES);
    machine.memory.addRom('rom', romBase, image.length);
    machine.memory.load(romBase, image);
    const sink = new ByteSink();
    machine.ports.register('test-results', RESULT_PORT, 1, {
      write: (_port, size, value) => {
        // A wider write lands as its bytes, as on QEMU's byte-wide debugcon.
        for (let i = 0; i < size; i++) sink.push((value >>> (8 * i)) & 0xff);
      },
    });
    machine.ports.register('test-exit', EXIT_PORT, 4, {
      write: (_port, _size, value) =>
        machine.requestStop({ reason: 'exit', status: ((value << 1) | 1) >>> 0 }),
    });
    const stop = await machine.run({ timeoutMs: options.timeoutMs ?? 60_000 });
    return { output: sink.result(), stop };
  } finally {
    machine.close();
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
