import { describe, expect, it } from 'vitest';
import { cpuTestGuest } from '../src/guests/catalog.js';
import { compareRuleFor } from '../src/guests/compare-rules.js';
import { parseResultLine } from '../src/guests/result-lines.js';
import { sdmModel } from './helpers/sdm-model.js';

/**
 * The fixtures come from QEMU; this checks them against a second, independent reference — the
 * SDM pseudocode in helpers/sdm-model.ts — on every bit the SDM defines. A disagreement here
 * means QEMU (or the model) departs from the SDM: fix the model, or correct the fixture in
 * fixtures/sdm-overrides.txt with a justification.
 */
/** Share of each guest's lines the model covers (bitops: memory bit strings are not modelled). */
const COVERAGE: Record<string, number> = {
  alu: 0.95,
  shifts: 0.95,
  muldiv: 0.95,
  bcd: 0.95,
  realmode: 0.95,
  bitops: 0.5,
  cond: 0.95,
  exchange: 0.9,
  loop: 0.95,
};

describe.each(Object.keys(COVERAGE))('%s fixture agrees with the SDM model', (name) => {
  it('on every defined bit of every modelled case', () => {
    const lines = cpuTestGuest(name)
      .reference()
      .split('\n')
      .filter((l) => l !== '');
    const disagreements: string[] = [];
    let modelled = 0;
    for (const text of lines) {
      const line = parseResultLine(text)!;
      const model = sdmModel(line);
      if (!model) continue;
      modelled++;
      const rule = compareRuleFor(line);
      const bad: string[] = [];
      model.registers.forEach((v, i) => {
        if (((v ^ line.registers[i]) & rule.registers[i]) !== 0)
          bad.push(`reg${i} model ${(v >>> 0).toString(16)}`);
      });
      if (((model.flags ^ line.flagsOut) & rule.flags) !== 0)
        bad.push(`flags model ${model.flags.toString(16)}`);
      if ((model.exception !== undefined) !== (line.exception !== undefined))
        bad.push(`exception model ${model.exception}`);
      if (bad.length > 0) disagreements.push(`${text}  <- ${bad.join(', ')}`);
    }
    expect(modelled / lines.length, 'share of lines the model covers').toBeGreaterThan(COVERAGE[name]);
    expect(disagreements.slice(0, 12)).toEqual([]);
  });
});
