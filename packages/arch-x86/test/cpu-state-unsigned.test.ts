import { decodeRecord, encodeRecord, RecordFields } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { applyPowerOnValues, Cr0, prepareCpuStateLoad, saveCpuState, X86CpuState } from '../src/index.js';

function roundTrip(state: X86CpuState): X86CpuState {
  const bytes = encodeRecord(saveCpuState(state));
  const fresh = new X86CpuState();
  prepareCpuStateLoad(fresh, new RecordFields(decodeRecord(bytes, 'cpu'), 'cpu'), 1)();
  return fresh;
}

describe('CPU state codec: unsigned 32-bit fields', () => {
  it('round-trips the power-on state of the bootstrap CPU (APIC base above 2^31)', () => {
    const state = new X86CpuState();
    applyPowerOnValues(state, 0);
    expect(roundTrip(state).apicBase).toBe(0xfee00900);
  });

  it('stores registers computed with signed bit operations as unsigned', () => {
    const state = new X86CpuState();
    applyPowerOnValues(state, 0);
    state.cr0 = state.cr0 | Cr0.PG | Cr0.PE; // negative as an int32
    state.cs.base = 0xffff0000 | 0;
    const back = roundTrip(state);
    expect(back.cr0).toBe((state.cr0 >>> 0) as number);
    expect(back.cs.base).toBe(0xffff0000);
  });
});
