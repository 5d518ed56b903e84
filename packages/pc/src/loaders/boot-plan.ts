import type { X86CpuState } from '@tsvm/arch-x86';
import type { GuestMemory } from '@tsvm/core';

/** Bytes to place in guest memory: `data`, then `zeroBytes` zeros (BSS). */
export interface BootSegment {
  readonly address: number;
  readonly data: Uint8Array;
  readonly zeroBytes?: number;
  /** What it is, for messages ("ELF segment 1", "module 0", "multiboot info"). */
  readonly what: string;
  /** Where in the image file the segment's description is (for error messages). */
  readonly fileOffset?: number;
}

/**
 * Everything a loader decided: memory contents and the CPU state to start in. Built and
 * validated completely before anything is written, so a refused image loads nothing; applied
 * at creation and again after every system reset (the job firmware does on a real PC).
 */
export interface BootPlan {
  readonly format: string;
  readonly segments: readonly BootSegment[];
  /** Set the registers the boot protocol defines (runs after the CPU's reset values are in place). */
  readonly setCpu: (state: X86CpuState) => void;
  readonly entry: number;
  readonly cmdline?: string;
  readonly kernel?: { readonly address: number; readonly entry: number; readonly image: Uint8Array };
  readonly modules?: readonly { readonly data: Uint8Array; readonly string: string }[];
}

/** Throws (writing nothing) unless every segment lies in RAM/ROM. */
export function checkBootPlan(memory: GuestMemory, plan: BootPlan): void {
  for (const s of plan.segments) {
    const length = s.data.length + (s.zeroBytes ?? 0);
    if (length === 0) continue;
    memory.assertLoadable(s.address, length);
  }
}

export function applyBootPlan(memory: GuestMemory, state: X86CpuState, plan: BootPlan): void {
  checkBootPlan(memory, plan);
  for (const s of plan.segments) {
    memory.load(s.address, s.data);
    if (s.zeroBytes) zero(memory, s.address + s.data.length, s.zeroBytes);
  }
  plan.setCpu(state);
}

/** Clear guest memory in place (a BSS can be as large as RAM: no zero buffer is allocated). */
function zero(memory: GuestMemory, address: number, length: number): void {
  for (let at = address; at < address + length; ) {
    const r = memory.find(at)!; // checkBootPlan proved every byte is RAM or ROM
    const end = Math.min(address + length, r.base + r.size);
    r.bytes!.fill(0, at - r.base, end - r.base);
    at = end;
  }
}
