import { describe, expect, it } from 'vitest';
import { Cr0, Cr4, Efer, translateLinear, X86CpuState } from '../src/index.js';

/** A sparse physical memory of 32-bit words. */
function memory(words: Record<number, number>) {
  return (a: number) => words[a] ?? 0;
}

describe('translateLinear', () => {
  it('is the identity without paging', () => {
    expect(translateLinear(new X86CpuState(), 0x12345, memory({}))).toBe(0x12345);
  });

  it('walks 32-bit tables, 4 MiB pages with PSE, and reports holes', () => {
    const s = new X86CpuState();
    s.cr0 |= Cr0.PG | Cr0.PE;
    s.cr3 = 0x1000;
    const mem = memory({ [0x1000 + 4 * 1]: 0x2003, [0x2000 + 4 * 2]: 0x5003, [0x1000 + 4 * 3]: 0x00c00083 });
    expect(translateLinear(s, 0x00402abc, mem)).toBe(0x5abc);
    expect(translateLinear(s, 0x00c12345, mem)).toBeUndefined(); // PS set but PSE off: a table at 0xc00000
    s.cr4 |= Cr4.PSE;
    expect(translateLinear(s, 0x00c12345, mem)).toBe(0x00c12345);
    expect(translateLinear(s, 0x00403000, mem)).toBeUndefined();
  });

  it('walks PAE and 4-level tables, ignoring NX in the frame', () => {
    const s = new X86CpuState();
    s.cr0 |= Cr0.PG | Cr0.PE;
    s.cr4 |= Cr4.PAE;
    s.cr3 = 0x1000;
    // PAE: PDPTE 0 → PD at 0x2000; PDE 1 → PT at 0x3000; PTE 2 → 0x7000 with NX (bit 63).
    const pae = memory({
      4096: 0x2001,
      [0x2000 + 8]: 0x3003,
      [0x3000 + 16]: 0x7003,
      [0x3000 + 16 + 4]: 0x80000000,
    });
    expect(translateLinear(s, 0x00202123, pae)).toBe(0x7123);
    s.efer |= Efer.LMA | Efer.LME;
    // 4-level: PML4E 0 → 0x4000; PDPTE 0 → 0x2000 (reused); then as above; plus a 1 GiB page at PDPTE 1.
    const long = memory({
      4096: 0x4003,
      16384: 0x2003,
      [0x4000 + 8]: 0x40000083,
      [0x2000 + 8]: 0x3003,
      [0x3000 + 16]: 0x7003,
      [0x3000 + 20]: 0x80000001, // NX and a frame above 4 GiB: 0x1_0000_7000
    });
    expect(translateLinear(s, 0x00202123, long)).toBe(0x1_0000_7123);
    expect(translateLinear(s, 0x40001234, long)).toBe(0x40001234);
    expect(translateLinear(s, 0x80000000, long)).toBeUndefined();
  });
});
