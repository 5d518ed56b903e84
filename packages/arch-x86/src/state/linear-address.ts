import { Cr0, Cr4, Efer } from './registers.js';
import type { X86CpuState } from './x86-cpu-state.js';

/** Reads 4 bytes of guest-physical memory (little-endian, unsigned). */
export type PhysicalRead32 = (address: number) => number;

const PRESENT = 1;
const LARGE = 0x80;

/**
 * Translate a linear address through the guest's page tables as the CPU would (32-bit, PAE or
 * 4-level paging, large pages included), for debuggers and monitors that look at guest memory.
 * Returns undefined when the address is not mapped. Accessed/dirty bits are not touched and
 * permissions are not checked: this is a look, not an access.
 */
export function translateLinear(
  state: X86CpuState,
  linear: number,
  read32: PhysicalRead32,
): number | undefined {
  if (!(state.cr0 & Cr0.PG)) return linear;
  // 8-byte entries: flags from the low half, the frame from bits 12-51 (bit 63, NX, is dropped so
  // the result stays an exact double).
  const read64 = (a: number) => {
    const low = read32(a);
    return { low, frame: (read32(a + 4) & 0xfffff) * 2 ** 32 + ((low & ~0xfff) >>> 0) };
  };
  const frame = (cr3: number) => (cr3 & ~0xfff) >>> 0;
  if (!(state.cr4 & Cr4.PAE)) {
    const pde = read32(((state.cr3 & ~0xfff) >>> 0) + ((linear >>> 22) << 2));
    if (!(pde & PRESENT)) return undefined;
    if (pde & LARGE && state.cr4 & Cr4.PSE) return ((pde & 0xffc00000) >>> 0) + (linear & 0x3fffff);
    const pte = read32(((pde & ~0xfff) >>> 0) + (((linear >>> 12) & 0x3ff) << 2));
    if (!(pte & PRESENT)) return undefined;
    return ((pte & ~0xfff) >>> 0) + (linear & 0xfff);
  }
  // PAE and 4-level: 9 bits per level, 8-byte entries.
  const longMode = (state.efer & Efer.LMA) !== 0;
  const index = (shift: number) => Math.floor(linear / 2 ** shift) % 512;
  let table: number;
  if (longMode) {
    const pml4e = read64(frame(state.cr3) + index(39) * 8);
    if (!(pml4e.low & PRESENT)) return undefined;
    const pdpte = read64(pml4e.frame + index(30) * 8);
    if (!(pdpte.low & PRESENT)) return undefined;
    if (pdpte.low & LARGE) return pdpte.frame - (pdpte.frame % 2 ** 30) + (linear % 2 ** 30);
    table = pdpte.frame;
  } else {
    const pdpte = read64(((state.cr3 & ~0x1f) >>> 0) + (linear >>> 30) * 8);
    if (!(pdpte.low & PRESENT)) return undefined;
    table = pdpte.frame;
  }
  const pde = read64(table + index(21) * 8);
  if (!(pde.low & PRESENT)) return undefined;
  if (pde.low & LARGE) return pde.frame - (pde.frame % 2 ** 21) + (linear % 2 ** 21);
  const pte = read64(pde.frame + index(12) * 8);
  if (!(pte.low & PRESENT)) return undefined;
  return pte.frame + (linear % 4096);
}
