import type { InterruptLines } from '@tsvm/core';
import { describe, expect, test } from 'vitest';
import { bareMachine } from '../harness/bare-machine.js';

const bytes = (hex: string) =>
  Uint8Array.from(
    hex
      .trim()
      .split(/\s+/)
      .map((b) => Number.parseInt(b, 16)),
  );

describe('x87 control and stack machinery', () => {
  test('the FPU probe Linux runs early: FNINIT, FNSTSW AX, FNSTCW; constants; FSTP m80', async () => {
    const { machine, ram } = await bareMachine();
    // fninit; fnstsw ax; mov [0x600], ax; fnstcw [0x602]; fld1; fldpi; fldz;
    // fstp tword [0x610]; fstp tword [0x620]; fstp tword [0x630]; fnstsw [0x604]; hlt
    machine.memory.load(
      0x7c00,
      bytes(
        'db e3 df e0 a3 00 06 d9 3e 02 06 d9 e8 d9 eb d9 ee db 3e 10 06 db 3e 20 06 db 3e 30 06 dd 3e 04 06 f4',
      ),
    );
    ram.bytes!.fill(0xaa, 0x600, 0x640);
    await machine.run({ timeoutMs: 1000 });
    const m = new DataView(ram.bytes!.buffer, ram.bytes!.byteOffset);
    expect(m.getUint16(0x600, true)).toBe(0); // status after FNINIT
    expect(m.getUint16(0x602, true)).toBe(0x037f); // control word after FNINIT
    const hex = (o: number) =>
      Array.from(ram.bytes!.subarray(o, o + 10), (b) => b.toString(16).padStart(2, '0')).join('');
    expect(hex(0x610)).toBe('00000000000000000000'); // +0.0
    expect(hex(0x620)).toBe('35c26821a2da0fc90040'); // pi rounded to nearest
    expect(hex(0x630)).toBe('0000000000000080ff3f'); // 1.0
    expect(m.getUint16(0x604, true)).toBe(0); // TOP back to 0, no exception
  });

  test('lazy switch: WAIT with MP+TS raises #NM, CLTS in the handler; an unmasked stack overflow is #MF at the next FWAIT', async () => {
    const { machine, ram, text } = await bareMachine();
    // nasm source: IVT[7]/IVT[16] set; CR0 |= MP|TS|NE; wait; fninit; fldcw [0x37e]; 9 × fld1;
    // fnstsw [0x600]; out 'W'; fwait; out 'E'; hlt. #NM handler: out 'N'; clts; iret.
    // #MF handler: out 'M'; fnstsw [0x602]; fnclex; iret.
    machine.memory.load(
      0x7c00,
      bytes(
        'c7 06 1c 00 3e 7c c7 06 1e 00 00 00 c7 06 40 00 45 7c c7 06 42 00 00 00 0f 20 c0 66 83 c8 2a 0f 22 c0 9b db e3 d9 2e 50 7c b9 09 00 d9 e8 e2 fc dd 3e 00 06 b0 57 e6 e9 9b b0 45 e6 e9 f4 b0 4e e6 e9 0f 06 cf b0 4d e6 e9 dd 3e 02 06 db e2 cf 7e 03',
      ),
    );
    await machine.run({ timeoutMs: 1000 });
    expect(text()).toBe('NWME');
    const m = new DataView(ram.bytes!.buffer, ram.bytes!.byteOffset);
    // IE | SF | C1 (overflow) | ES | B, TOP = 0 after eight pushes.
    expect(m.getUint16(0x600, true).toString(16)).toBe('82c1');
    expect(m.getUint16(0x602, true).toString(16)).toBe('82c1');
  });

  test('with CR0.NE = 0 the pending exception asserts FERR# toward the board instead of #MF', async () => {
    const { machine, text } = await bareMachine();
    // As above with CR0 |= MP|TS only.
    machine.memory.load(
      0x7c00,
      bytes(
        'c7 06 1c 00 3e 7c c7 06 1e 00 00 00 c7 06 40 00 45 7c c7 06 42 00 00 00 0f 20 c0 66 83 c8 0a 0f 22 c0 9b db e3 d9 2e 50 7c b9 09 00 d9 e8 e2 fc dd 3e 00 06 b0 57 e6 e9 9b b0 45 e6 e9 f4 b0 4e e6 e9 0f 06 cf b0 4d e6 e9 dd 3e 02 06 db e2 cf 7e 03',
      ),
    );
    const ferr: boolean[] = [];
    const lines: InterruptLines = {
      hasInterrupt: () => false,
      acknowledge: () => 0,
      hasNmi: () => false,
      takeNmi: () => {},
      cpuOutput: (line, level) => {
        if (line === 'ferr') ferr.push(level);
      },
    };
    machine.setInterruptLines(lines);
    await machine.run({ timeoutMs: 1000 });
    expect(text()).toBe('NWE');
    expect(ferr).toEqual([true]); // asserted once, at the FWAIT (FNINIT found it already low)
  });

  test('FNSTENV/FNSAVE/FRSTOR in the 16- and 32-bit real-mode layouts', async () => {
    const { machine, ram } = await bareMachine();
    // fninit; fld1; fldpi; fincstp; fnstenv [0x600]; fnstcw [0x640]; o32 fnsave [0x700];
    // fnstsw [0x642]; o32 frstor [0x700]; fnstsw [0x644]; fstp tword [0x650]; hlt
    machine.memory.load(
      0x7c00,
      bytes(
        'db e3 d9 e8 d9 eb d9 f7 d9 36 00 06 d9 3e 40 06 66 dd 36 00 07 dd 3e 42 06 66 dd 26 00 07 dd 3e 44 06 db 3e 50 06 f4',
      ),
    );
    await machine.run({ timeoutMs: 1000 });
    const b = ram.bytes!;
    const hex = (o: number, n: number) =>
      Array.from(b.subarray(o, o + n), (x) => x.toString(16).padStart(2, '0')).join(' ');
    // FCW, FSW (TOP = 7), tag word (R6, R7 valid), FIP = linear 7C06 (FINCSTP), FOP 1F7, no operand.
    expect(hex(0x600, 14)).toBe('7f 03 00 38 ff 0f 06 7c f7 01 00 00 00 00');
    expect(hex(0x700, 28)).toBe(
      '7f 03 00 00 00 38 00 00 ff 0f 00 00 06 7c 00 00 f7 01 00 00 00 00 00 00 00 00 00 00',
    );
    expect(hex(0x71c, 10)).toBe('00 00 00 00 00 00 00 80 ff 3f'); // ST(0) = 1.0
    expect(hex(0x71c + 70, 10)).toBe('35 c2 68 21 a2 da 0f c9 00 40'); // ST(7) = pi
    const m = new DataView(b.buffer, b.byteOffset);
    expect(m.getUint16(0x642, true)).toBe(0); // FNSAVE ends with FNINIT
    expect(m.getUint16(0x644, true)).toBe(0x3800); // FRSTOR brought TOP = 7 back
    expect(hex(0x650, 10)).toBe('00 00 00 00 00 00 00 80 ff 3f');
  });
});
