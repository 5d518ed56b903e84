import { describe, expect, it } from 'vitest';
import { compareRuleFor } from '../src/guests/compare-rules.js';
import { lineDifferences, parseResultLine } from '../src/guests/result-lines.js';
import { AF, CF, KEEP_ALL, OF, PF, SF, shiftKeepMask, ZF } from '../src/sdm/undefined-flags.js';

const line = (text: string) => {
  const l = parseResultLine(text);
  if (!l) throw new Error(`unparsable ${text}`);
  return l;
};

describe('result lines', () => {
  it('parses inputs, outputs and a caught exception', () => {
    const l = line('div8 00000000 00000000 002 : 00000000 00000000 00000000 ffffffff 086 !00 ffff0e01');
    expect(l).toMatchObject({
      name: 'div8',
      a: 0,
      b: 0,
      flagsIn: 2,
      flagsOut: 0x86,
      exception: { vector: 0, eip: 0xffff0e01 },
    });
    expect(l.registers).toEqual([0, 0, 0, 0xffffffff]);
    expect(parseResultLine('unexpected exception 0000000d ffff1234')).toBeUndefined();
  });

  it('reports a changed register, a changed defined flag and a changed exception', () => {
    const e = line('add32 00000001 7fffffff 002 : 80000000 7fffffff 7fffffff fffffffe a96');
    expect(lineDifferences(e, e)).toBeUndefined();
    expect(
      lineDifferences(e, line('add32 00000001 7fffffff 002 : 80000001 7fffffff 7fffffff fffffffe a96')),
    ).toEqual(['eax: expected 80000000, got 80000001']);
    expect(
      lineDifferences(e, line('add32 00000001 7fffffff 002 : 80000000 7fffffff 7fffffff fffffffe 296'))?.[0],
    ).toMatch(/^eflags: expected a96, got 296/);
    expect(
      lineDifferences(
        e,
        line('add32 00000001 7fffffff 002 : 80000000 7fffffff 7fffffff fffffffe a96 !00 ffff0000'),
      )?.[0],
    ).toMatch(/^exception: expected no exception, got vector 0/);
    expect(
      lineDifferences(e, line('adc32 00000001 7fffffff 002 : 80000000 7fffffff 7fffffff fffffffe a96'))?.[0],
    ).toMatch(/inputs differ/);
  });
});

describe('SDM comparison rules', () => {
  it('compares every flag of ADD but not AF of AND', () => {
    expect(
      compareRuleFor(line('add32 00000000 00000000 002 : 00000000 00000000 00000000 ffffffff 046')).flags,
    ).toBe(KEEP_ALL);
    const and = compareRuleFor(line('and8h 00000000 00000000 002 : 00000000 00000000 00000000 00000000 046'));
    expect(and.flags & AF).toBe(0);
    expect(and.flags & (CF | ZF | SF | OF | PF)).toBe(CF | ZF | SF | OF | PF);
  });

  it('masks shifts by their count: nothing for 0, OF for counts above 1, CF past the size for SHL/SHR', () => {
    expect(shiftKeepMask('shl', 32, 0)).toBe(KEEP_ALL);
    expect(shiftKeepMask('shl', 32, 32)).toBe(KEEP_ALL); // masked to 0
    expect(shiftKeepMask('shl', 8, 1) & OF).toBe(OF);
    expect(shiftKeepMask('shl', 8, 2) & OF).toBe(0);
    expect(shiftKeepMask('shr', 8, 9) & CF).toBe(0);
    expect(shiftKeepMask('sar', 8, 9) & CF).toBe(CF);
    expect(shiftKeepMask('rol', 8, 9) & (CF | SF | ZF | PF | AF)).toBe(CF | SF | ZF | PF | AF);
    const byCl = compareRuleFor(
      line('shl16 0000ffff 00000011 002 : 00000000 00000011 00000011 ffff0000 046'),
    );
    expect(byCl.flags & (CF | OF | AF)).toBe(0);
    const byImm = compareRuleFor(
      line('rcl32o1 0000ffff 00000011 002 : 00000000 00000011 00000011 ffff0000 046'),
    );
    expect(byImm.flags & OF).toBe(OF);
  });

  it('masks the BSF destination only when the source is zero', () => {
    const zero = compareRuleFor(
      line('bsf16 12345678 ffff0000 002 : 12345678 ffff0000 ffff0000 edcba987 046'),
    );
    expect(zero.registers[0]).toBe(0xffff0000);
    expect(zero.flags & ZF).toBe(ZF);
    const nonzero = compareRuleFor(
      line('bsf32 12345678 00000010 002 : 00000004 00000010 00000010 edcba987 002'),
    );
    expect(nonzero.registers[0]).toBe(0xffffffff);
  });

  it('ignores status flags after a caught exception and after DIV', () => {
    const r = compareRuleFor(
      line('aam0 5a3c0000 00000000 002 : 5a3c0000 00000000 00000000 a5c3ffff 086 !00 ffff0d61'),
    );
    expect(r.flags & (CF | ZF | SF | OF | PF | AF)).toBe(0);
    expect(r.why).toMatch(/exception/);
    expect(
      compareRuleFor(line('idiv32x 5a3c96e1 5a3c96e1 002 : 00000001 5a3c96e1 5a3c96e1 00000000 002')).flags &
        ZF,
    ).toBe(0);
  });

  it('compares only non-status flags where a system case ends with bookkeeping instructions', () => {
    const r = compareRuleFor(
      line('pf_accessed_dirty 00000000 00000000 002 : 32323232 00000020 00000060 00000020 002'),
    );
    expect(r.flags & (CF | ZF | SF | OF | PF | AF)).toBe(0);
    expect(r.flags & 0x400).toBe(0x400); // DF still compared
    expect(
      compareRuleFor(line('sahf 00000001 00000000 002 : 00000101 00000000 00000000 fffffffe 003')).flags,
    ).toBe(KEEP_ALL);
  });

  it('does not report a difference in an undefined flag', () => {
    const e = line('mul32 00000002 00000003 002 : 00000006 00000003 00000003 00000000 006');
    const a = line('mul32 00000002 00000003 002 : 00000006 00000003 00000003 00000000 0c2');
    expect(lineDifferences(e, a)).toBeUndefined();
    const wrongCf = line('mul32 00000002 00000003 002 : 00000006 00000003 00000003 00000000 007');
    expect(lineDifferences(e, wrongCf)?.[0]).toMatch(/eflags: expected 006, got 007/);
  });
});
