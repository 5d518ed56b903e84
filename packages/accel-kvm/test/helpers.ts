import { readdirSync, readFileSync } from 'node:fs';
import { type X86CpuState, x86Arch } from '@tsvm/arch-x86';
import { Machine, type MachineStop } from '@tsvm/core';
import { KvmAccelerator, type KvmAcceleratorOptions } from '../src/index.js';
import type { KvmVcpu } from '../src/vcpu/kvm-vcpu.js';

/** Why KVM tests cannot run here, or undefined when /dev/kvm is usable. */
export function kvmUnusableReason(): string | undefined {
  const probe = new KvmAccelerator().probe();
  if (probe.available) return undefined;
  const reason = `KVM tests skipped: ${probe.reason}`;
  console.log(reason);
  return reason;
}

export const guest = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../guests/${name}.bin`, import.meta.url)));

export const GUEST_BASE = 0x8000;
export const RAM_BYTES = 1024 * 1024;
export const ROM_BASE = 0xfffff000;

/** The test-only board: console, debug exit, report/parameter ports, reset and checkpoint ports. */
export interface TestBoard {
  readonly machine: Machine<X86CpuState>;
  readonly accel: KvmAccelerator;
  readonly vcpu: KvmVcpu;
  readonly reports: number[];
  output(): string;
  /** Values returned by reads of the parameter ports (0xf1, 0xf2). */
  params: [number, number];
  /** Called when the guest reads the checkpoint port (0xf6); returns the value read. */
  onCheckpoint: (count: number) => number;
  onReport?: (value: number) => void;
}

export async function createBoard(
  guestName: string | undefined,
  options: KvmAcceleratorOptions & {
    onShutdown?: 'reset' | 'stop';
    sliceMs?: number;
    cpuCount?: number;
  } = {},
): Promise<TestBoard> {
  const accel = new KvmAccelerator(options);
  const machine = await Machine.create<X86CpuState>({
    arch: x86Arch,
    accelerator: accel,
    onShutdown: options.onShutdown ?? 'stop',
    sliceMs: options.sliceMs,
    cpuCount: options.cpuCount,
  });
  machine.memory.addRam('ram', 0, RAM_BYTES);
  const rom = machine.memory.addRom('reset', ROM_BASE, 4096);
  rom.bytes!.set(guest('reset-stub'));
  if (guestName) machine.memory.load(GUEST_BASE, guest(guestName));
  let out = '';
  let checkpoints = 0;
  const board: TestBoard = {
    machine,
    accel,
    vcpu: accel.vcpus[0],
    reports: [],
    output: () => out,
    params: [0, 0],
    onCheckpoint: () => 0,
  };
  machine.ports.register('com1', 0x3f8, 1, { write: (_p, _s, v) => (out += String.fromCharCode(v)) });
  machine.ports.register('debug-exit', 0xf4, 1, {
    write: (_p, _s, v) => machine.requestStop({ reason: 'exit', status: ((v << 1) | 1) >>> 0 }),
  });
  machine.ports.register('params', 0xf1, 2, { read: (p) => board.params[p - 0xf1] });
  machine.ports.register('report', 0xf3, 1, {
    write: (_p, _s, v) => {
      board.reports.push(v);
      board.onReport?.(v);
    },
  });
  machine.ports.register('checkpoint', 0xf6, 1, { read: () => board.onCheckpoint(++checkpoints) });
  machine.ports.register('reset', 0x64, 1, { write: (_p, _s, v) => v === 0xfe && machine.requestReset() });
  return board;
}

export async function runToEnd(board: TestBoard, timeoutMs = 10_000): Promise<MachineStop> {
  return board.machine.run({ timeoutMs });
}

/** Open file descriptors of this process. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}
