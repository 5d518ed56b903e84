import { describe, expect, test } from 'vitest';
import { FpuState, Fx } from '../../src/fpu/fpu-state.js';
import { MXCSR_MASK } from '../../src/ops/fxsave.js';
import { bareMachine } from '../harness/bare-machine.js';

// Where the MMX/FXSAVE behaviour is the SDM's and QEMU 7.2 differs (so the QEMU-referenced
// guests/src/mmx.asm cannot show it), and the all-or-nothing fault behaviour of FXSAVE/FXRSTOR.
// Each program is 16-bit real-mode code at 0000:7C00 (nasm source beside the bytes) ending in HLT;
// exception vectors 6, 7 and 13 print their number on the debug console and halt.

const bytes = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((b) => Number.parseInt(b, 16)));
const CR0_EM = 1 << 2;
const CR4_OSFXSR = 1 << 9;
const AREA = 0x1000;

async function run(code: string, setup: (m: Awaited<ReturnType<typeof bareMachine>>) => void = () => {}) {
  const bm = await bareMachine();
  for (const v of [6, 7, 13]) {
    const stub = 0x7000 + v * 8;
    bm.machine.memory.load(stub, Uint8Array.of(0xb0, v, 0xe6, 0xe9, 0xf4)); // mov al, v / out 0xe9, al / hlt
    bm.machine.memory.load(v * 4, Uint8Array.of(stub & 0xff, stub >> 8, 0, 0));
  }
  bm.machine.memory.load(0x7c00, bytes(code));
  setup(bm);
  const stop = await bm.machine.run({ timeoutMs: 2000 });
  expect(stop.reason).toBe('halted');
  const fpu = new FpuState(bm.state.fxsave);
  const vector = bm.output.length > 0 ? bm.output[0] : null;
  return { ...bm, fpu, vector };
}

describe('MMX and the x87 state (SDM Vol. 3 §12.2)', () => {
  test('an MMX write sets bits 79..64 of the register to all ones (QEMU 7.2 leaves them)', async () => {
    // movd mm3, eax
    const r = await run('0f6ed8f4', ({ state }) => {
      state.gprLow[0] = 0x12345678;
      new FpuState(state.fxsave).top = 5;
    });
    expect(r.vector).toBeNull();
    expect(r.fpu.top).toBe(0);
    expect(r.fpu.abridgedTag).toBe(0xff);
    expect(r.fpu.readSt(3)).toEqual({ lo: 0x12345678, hi: 0, signExp: 0xffff });
  });

  test('EMMS empties every tag and sets TOP to 0 (QEMU keeps TOP)', async () => {
    const r = await run('0f77f4', ({ state }) => {
      const f = new FpuState(state.fxsave);
      f.top = 3;
      f.abridgedTag = 0x5a;
    });
    expect(r.vector).toBeNull();
    expect(r.fpu.top).toBe(0);
    expect(r.fpu.abridgedTag).toBe(0);
  });

  test('EMMS and FXSAVE raise #UD with CR0.EM (QEMU runs EMMS and raises #NM for FXSAVE)', async () => {
    for (const code of ['0f77f4', '0fae060010f4']) {
      const r = await run(code, ({ state }) => {
        state.cr0 |= CR0_EM;
      });
      expect(r.vector).toBe(6);
    }
  });
});

describe('FXSAVE / FXRSTOR', () => {
  test('without CR4.OSFXSR, MXCSR and the XMM registers are neither saved nor restored', async () => {
    // fxsave [0x1000]
    const r = await run('0fae060010f4', ({ machine, state }) => {
      machine.memory.load(AREA, new Uint8Array(512).fill(0xaa));
      new FpuState(state.fxsave).fcw = 0x027f;
    });
    const area = r.machine.memory.readBytes(AREA, 512);
    expect(area[Fx.FCW] | (area[Fx.FCW + 1] << 8)).toBe(0x027f);
    expect(Array.from(area.subarray(Fx.MXCSR, Fx.ST0))).toEqual(new Array(8).fill(0xaa));
    expect(Array.from(area.subarray(Fx.XMM0, Fx.XMM0 + 128))).toEqual(new Array(128).fill(0xaa));
    // The six reserved bytes after each 80-bit register and the area's tail are not written.
    expect(Array.from(area.subarray(Fx.ST0 + 10, Fx.ST0 + 16))).toEqual(new Array(6).fill(0xaa));
    expect(area[511]).toBe(0xaa);
  });

  test('with CR4.OSFXSR, MXCSR, MXCSR_MASK and the XMM registers are saved', async () => {
    const r = await run('0fae060010f4', ({ machine, state }) => {
      machine.memory.load(AREA, new Uint8Array(512).fill(0xaa));
      state.cr4 |= CR4_OSFXSR;
      new FpuState(state.fxsave).mxcsr = 0x1f80;
    });
    const saved = r.machine.memory.readBytes(AREA, 512);
    const view = new DataView(saved.buffer, saved.byteOffset, 512);
    expect(view.getUint32(Fx.MXCSR, true)).toBe(0x1f80);
    expect(view.getUint32(Fx.MXCSR_MASK, true)).toBe(MXCSR_MASK);
    expect(view.getUint32(Fx.XMM0, true)).toBe(0);
  });

  test('a misaligned area raises #GP(0) and writes nothing', async () => {
    // fxsave [0x1008]
    const r = await run('0fae060810f4', ({ machine }) =>
      machine.memory.load(AREA, new Uint8Array(1024).fill(0xaa)),
    );
    expect(r.vector).toBe(13);
    expect(Array.from(r.machine.memory.readBytes(AREA, 1024)).every((b) => b === 0xaa)).toBe(true);
  });

  test('FXRSTOR with reserved MXCSR bits raises #GP(0) and changes nothing', async () => {
    // fxrstor [0x1000]
    const r = await run('0fae0e0010f4', ({ machine, state }) => {
      state.cr4 |= CR4_OSFXSR;
      const area = new Uint8Array(512).fill(0x11);
      new DataView(area.buffer).setUint32(Fx.MXCSR, 0x10000, true);
      machine.memory.load(AREA, area);
    });
    expect(r.vector).toBe(13);
    expect(r.fpu.fcw).toBe(0x0040); // the power-on value, untouched
    expect(r.fpu.readSt(0)).toEqual({ lo: 0, hi: 0, signExp: 0 });
  });

  test('FXRSTOR past the segment limit raises #GP(0) before loading anything', async () => {
    // fxrstor [0xfff0]: the 512-byte area crosses the 64 KiB real-mode limit
    const r = await run('0fae0ef0fff4', ({ machine }) =>
      machine.memory.load(0xfff0, new Uint8Array(16).fill(0x22)),
    );
    expect(r.vector).toBe(13);
    expect(r.fpu.fcw).toBe(0x0040);
  });

  test('FXRSTOR then FXSAVE round-trips the x87 state, TOP and tags included', async () => {
    // fxrstor [0x1000] / fxsave [0x1200] / hlt
    const image = new Uint8Array(512);
    const v = new DataView(image.buffer);
    v.setUint16(Fx.FCW, 0x0c7f, true);
    v.setUint16(Fx.FSW, (6 << 11) | 0x81, true); // TOP 6, IE and ES pending
    image[Fx.FTW] = 0xc3;
    v.setUint16(Fx.FOP, 0x5d9, true);
    v.setUint32(Fx.FIP, 0x1234, true);
    for (let k = 0; k < 8; k++) {
      v.setUint32(Fx.ST0 + 16 * k, 0x01010101 * k, true);
      v.setUint32(Fx.ST0 + 16 * k + 4, 0x80000000 | k, true);
      v.setUint16(Fx.ST0 + 16 * k + 8, 0x3fff + k, true);
    }
    const r = await run('0fae0e00100fae060012f4', ({ machine }) => machine.memory.load(AREA, image));
    expect(r.vector).toBeNull();
    expect(r.fpu.top).toBe(6);
    expect(r.fpu.readSt(2)).toEqual({ lo: 0x02020202, hi: 0x80000002, signExp: 0x4001 });
    const out = r.machine.memory.readBytes(AREA + 0x200, 512);
    expect(Array.from(out.subarray(0, Fx.MXCSR))).toEqual(Array.from(image.subarray(0, Fx.MXCSR)));
    for (let k = 0; k < 8; k++) {
      const o = Fx.ST0 + 16 * k;
      expect(Array.from(out.subarray(o, o + 10))).toEqual(Array.from(image.subarray(o, o + 10)));
    }
  });
});
