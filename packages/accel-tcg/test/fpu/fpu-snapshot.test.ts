import { paintNonTrivialFpuState } from '@tsvm/arch-x86/testing';
import { expect, test } from 'vitest';
import { bareMachine } from '../harness/bare-machine.js';

// 16-bit code at 0000:7C00:
//   mov ecx, 3000000 / l: dec ecx / jnz l / fxsave [0x1000] / hlt
const PROGRAM = Uint8Array.from([
  0x66, 0xb9, 0xc0, 0xc6, 0x2d, 0x00, 0x66, 0x49, 0x75, 0xfc, 0x0f, 0xae, 0x06, 0x00, 0x10, 0xf4,
]);

async function machineWithPaintedFpu() {
  const bm = await bareMachine();
  bm.machine.memory.load(0x7c00, PROGRAM);
  const image = paintNonTrivialFpuState(bm.state);
  return { ...bm, image };
}

test('a snapshot taken mid-run keeps a non-trivial x87 state exactly (TOP 5, empty tags, pending IE)', async () => {
  const first = await machineWithPaintedFpu();
  const partial = await first.machine.run({ timeoutMs: 10 });
  expect(partial.reason).toBe('timeout');
  const snapshot = first.machine.save();
  expect(await first.machine.run({ timeoutMs: 60_000 })).toMatchObject({ reason: 'halted' });
  const savedByFirst = first.machine.memory.readBytes(0x1000, 160);

  const second = await bareMachine();
  second.machine.load(snapshot);
  expect(Array.from(second.state.fxsave)).toEqual(Array.from(first.image));
  expect(await second.machine.run({ timeoutMs: 60_000 })).toMatchObject({ reason: 'halted' });
  // FXSAVE after the resumed run stores the same x87 state the uninterrupted run stored, and both
  // equal the painted image (MXCSR is not stored without CR4.OSFXSR: bytes 24-31 stay zero).
  const savedBySecond = second.machine.memory.readBytes(0x1000, 160);
  expect(Array.from(savedBySecond)).toEqual(Array.from(savedByFirst));
  const expected = first.image.slice(0, 160);
  expected.fill(0, 24, 32);
  for (let k = 0; k < 8; k++) expected.fill(0, 32 + 16 * k + 10, 32 + 16 * k + 16);
  expect(Array.from(savedBySecond)).toEqual(Array.from(expected));
}, 60_000);
