import { X86CpuState } from '@tsvm/arch-x86';
import { describe, expect, it } from 'vitest';
import { hasBreakpoints, watchpointsOf } from '../src/mmu/watchpoints.js';

/** DR7 with breakpoint n enabled locally, R/W and LEN as encoded in bits 16-31. */
const dr7 = (...bps: { n: number; rw: number; len: number }[]) =>
  bps.reduce(
    (v, { n, rw, len }) => v | (1 << (n * 2)) | (rw << (16 + n * 4)) | (len << (18 + n * 4)),
    0x400,
  ) >>> 0;

describe('data breakpoints from DR7', () => {
  it('takes write (01) and read/write (11) breakpoints, aligned down to their length', () => {
    const s = new X86CpuState();
    s.dr.set([0x1003n, 0x2005n, 0x3000n, 0x4007n]);
    s.dr7 = dr7(
      { n: 0, rw: 1, len: 3 },
      { n: 1, rw: 3, len: 1 },
      { n: 2, rw: 0, len: 0 },
      { n: 3, rw: 1, len: 2 },
    );
    expect(watchpointsOf(s)).toEqual([
      { index: 0, lin: 0x1000, len: 4, onRead: false },
      { index: 1, lin: 0x2004, len: 2, onRead: true },
      { index: 3, lin: 0x4000, len: 8, onRead: false },
    ]);
  });

  it('ignores disabled breakpoints and I/O breakpoints (10)', () => {
    const s = new X86CpuState();
    s.dr.set([0x1000n, 0x2000n, 0n, 0n]);
    s.dr7 = dr7({ n: 1, rw: 2, len: 0 }) | (1 << 16); // R/W0 = 01 but L0/G0 clear
    expect(watchpointsOf(s)).toEqual([]);
    expect(hasBreakpoints(s.dr7)).toBe(false);
    expect(hasBreakpoints(dr7({ n: 2, rw: 0, len: 0 }))).toBe(true);
    expect(hasBreakpoints(dr7({ n: 2, rw: 3, len: 3 }))).toBe(true);
  });
});
