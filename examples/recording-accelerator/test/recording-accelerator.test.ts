import { KvmAccelerator } from '@tsvm/accel-kvm';
import { tcg } from '@tsvm/accel-tcg';
import { x86Arch } from '@tsvm/arch-x86';
import { setUpConformanceGuest, x86GuestScenarios } from '@tsvm/arch-x86/testing';
import { Machine, WritebackLevel } from '@tsvm/core';
import { conformanceScenarios } from '@tsvm/core/testing';
import { describe, expect, it } from 'vitest';
import { createRecordingAccelerator, RecordingAccelerator } from '../src/index.js';

const quiet = { report: () => {} };
const kvmProbe = await new KvmAccelerator().probe();
if (!kvmProbe.available) console.log(`recorder around kvm: skipped, ${kvmProbe.reason}`);

describe('conformance: recorder around tcg', () => {
  for (const s of conformanceScenarios({
    accelerator: () => new RecordingAccelerator({ inner: tcg, ...quiet }),
    arch: x86Arch,
    guests: x86GuestScenarios(),
  })) {
    it(s.name, s.run);
  }
});

describe.skipIf(!kvmProbe.available)('conformance: recorder around kvm', () => {
  for (const s of conformanceScenarios({
    accelerator: () => new RecordingAccelerator({ inner: new KvmAccelerator(), ...quiet }),
    arch: x86Arch,
    guests: x86GuestScenarios(),
  })) {
    it(s.name, s.run, 60_000);
  }
});

describe('the journal', () => {
  it.skipIf(!kvmProbe.available)(
    'records Full at start, Runtime after a debugger read, and the exits',
    async () => {
      const recorder = new RecordingAccelerator({ inner: new KvmAccelerator(), ...quiet });
      const machine = await Machine.create({ arch: x86Arch, accelerator: recorder });
      const output = setUpConformanceGuest(machine, 'realmode-hello');
      machine.start();
      machine.vcpus[0].synchronizeState(); // as `info registers` would
      const stop = await machine.run({ timeoutMs: 30_000 });
      machine.close();
      expect(stop).toEqual({ reason: 'exit', status: 0x43 });
      expect(output.join('')).toBe('real mode ok\n');
      expect(recorder.journal.levels()).toEqual(['Full', 'Runtime']);
      const kinds = recorder.journal.entries.map((e) => e.event);
      expect(kinds.indexOf('readback')).toBeLessThan(kinds.lastIndexOf('writeback'));
      expect(kinds.filter((k) => k === 'exit').length).toBeGreaterThan(0);
    },
  );

  it('asks nothing of an accelerator without state hooks (tcg), but records its exits and resets', async () => {
    const recorder = new RecordingAccelerator({ inner: tcg, ...quiet });
    const machine = await Machine.create({ arch: x86Arch, accelerator: recorder });
    setUpConformanceGuest(machine, 'protected-hello');
    machine.reset();
    const stop = await machine.run({ timeoutMs: 10_000 });
    machine.close();
    expect(stop).toEqual({ reason: 'exit', status: 0x45 });
    expect(recorder.journal.levels()).toEqual([]);
    expect(recorder.journal.entries.some((e) => e.event === 'reset')).toBe(true);
    expect(recorder.journal.summary()).toMatch(/^writebacks: none; readbacks: 0; exits: yield×\d+/);
  });

  it('reports its summary when the VM closes', async () => {
    const lines: string[] = [];
    const recorder = createRecordingAccelerator({ inner: tcg, report: (s) => lines.push(s) });
    const machine = await Machine.create({ arch: x86Arch, accelerator: recorder });
    setUpConformanceGuest(machine, 'realmode-hello');
    await machine.run({ timeoutMs: 10_000 });
    machine.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/exits: /);
    expect(WritebackLevel.Full).toBe(3);
  });

  it('refuses an unknown inner accelerator name with a clear message', async () => {
    const previous = process.env.TSVM_RECORD_INNER;
    process.env.TSVM_RECORD_INNER = 'hvf';
    try {
      await expect(createRecordingAccelerator().probe()).rejects.toThrow(
        "TSVM_RECORD_INNER must be 'tcg' or 'kvm', not 'hvf'",
      );
    } finally {
      if (previous === undefined) delete process.env.TSVM_RECORD_INNER;
      else process.env.TSVM_RECORD_INNER = previous;
    }
  });
});
