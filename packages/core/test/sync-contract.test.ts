import { describe, expect, it } from 'vitest';
import { Machine } from '../src/machine/machine.js';
import { recordSection } from '../src/snapshot/snapshot-section.js';
import { WritebackLevel } from '../src/writeback-level.js';
import { RecordingAccelerator, type ToyState, toyArch } from './toy-arch.js';

async function twoCpuMachine() {
  const accel = new RecordingAccelerator();
  const machine = await Machine.create<ToyState>({ arch: toyArch, accelerator: accel, cpuCount: 2 });
  machine.memory.addRam('ram', 0, 64 * 1024);
  return { accel, machine };
}

const writes = (accel: RecordingAccelerator) => accel.calls.filter((c) => c.op === 'writeState');

describe('the four synchronization points', () => {
  it('start pushes Full to every vCPU before the first run', async () => {
    const { accel, machine } = await twoCpuMachine();
    machine.start();
    expect(accel.calls).toEqual([
      { op: 'writeState', vcpu: 0, level: WritebackLevel.Full },
      { op: 'writeState', vcpu: 1, level: WritebackLevel.Full },
    ]);
    machine.start(); // idempotent
    expect(accel.calls).toHaveLength(2);
  });

  it('save() synchronizes every vCPU before the first section is serialized', async () => {
    const { accel, machine } = await twoCpuMachine();
    const order: string[] = [];
    machine.registerSection(
      recordSection({
        name: 'probe-device',
        version: 1,
        save: () => {
          order.push(`section (reads so far: ${accel.calls.filter((c) => c.op === 'readState').length})`);
          return {};
        },
        load: () => () => {},
      }),
    );
    machine.start();
    accel.copies[0].acc = 41; // the vCPU ran: its private copy moved on
    machine.save();
    expect(order).toEqual(['section (reads so far: 2)']);
    expect(machine.vcpus[0].state.acc).toBe(41);
    expect(machine.vcpus.every((v) => v.dirty)).toBe(true);
  });

  it('load() pushes Full after every section is restored, and only then', async () => {
    const { accel, machine } = await twoCpuMachine();
    const events: string[] = [];
    machine.registerSection(
      recordSection({
        name: 'probe-device',
        version: 1,
        save: () => ({ x: 1 }),
        load: () => () => events.push(`restored (writes so far: ${writes(accel).length})`),
      }),
    );
    machine.start();
    const snapshot = machine.save();
    accel.calls.length = 0;
    machine.load(snapshot);
    expect(events).toEqual(['restored (writes so far: 0)']);
    expect(writes(accel)).toEqual([
      { op: 'writeState', vcpu: 0, level: WritebackLevel.Full },
      { op: 'writeState', vcpu: 1, level: WritebackLevel.Full },
    ]);
    expect(machine.vcpus.some((v) => v.dirty)).toBe(false);
  });

  it('reset() pushes Reset exactly once per vCPU after every reset handler ran', async () => {
    const { accel, machine } = await twoCpuMachine();
    machine.start();
    const seen: number[] = [];
    machine.resets.register('device-a', () => seen.push(writes(accel).length));
    machine.resets.register('device-b', () => seen.push(writes(accel).length));
    accel.calls.length = 0;
    machine.vcpus[0].state.pc = 0x999;
    machine.reset();
    expect(seen).toEqual([0, 0]);
    expect(writes(accel)).toEqual([
      { op: 'writeState', vcpu: 0, level: WritebackLevel.Reset },
      { op: 'writeState', vcpu: 1, level: WritebackLevel.Reset },
    ]);
    expect(machine.vcpus[0].state.pc).toBe(0x100); // the CPU reset handler ran first
    expect(accel.copies[0].pc).toBe(0x100); // …and the result reached the accelerator
    expect(accel.calls.filter((c) => c.op === 'reset')).toHaveLength(2); // caches dropped
  });
});

describe('the dirty contract', () => {
  it('synchronizeState then run pushes Runtime exactly once', async () => {
    const { accel, machine } = await twoCpuMachine();
    machine.start();
    const vcpu = machine.vcpus[0];
    accel.calls.length = 0;
    vcpu.synchronizeState();
    vcpu.state.acc = 7; // a debugger edits a register
    vcpu.synchronizeState(); // a second read must not clobber the edit
    expect(vcpu.state.acc).toBe(7);
    vcpu.run({ deadlineNs: 0 });
    vcpu.run({ deadlineNs: 0 });
    expect(accel.calls.filter((c) => c.vcpu === 0)).toEqual([
      { op: 'readState', vcpu: 0 },
      { op: 'writeState', vcpu: 0, level: WritebackLevel.Runtime },
      { op: 'run', vcpu: 0 },
      { op: 'run', vcpu: 0 },
    ]);
    expect(accel.copies[0].acc).toBe(9); // edit pushed, then two instructions ran
  });

  it('a clean vCPU is never pushed before it runs', async () => {
    const { accel, machine } = await twoCpuMachine();
    machine.start();
    accel.calls.length = 0;
    machine.vcpus[1].run({ deadlineNs: 0 });
    expect(accel.calls).toEqual([{ op: 'run', vcpu: 1 }]);
  });

  it('post-reset and post-init clear dirty; pre-loadvm sets it', async () => {
    const { machine } = await twoCpuMachine();
    const vcpu = machine.vcpus[0];
    vcpu.synchronizeState();
    vcpu.synchronizePostReset();
    expect(vcpu.dirty).toBe(false);
    vcpu.synchronizePreLoadvm();
    expect(vcpu.dirty).toBe(true);
    vcpu.synchronizePostInit();
    expect(vcpu.dirty).toBe(false);
  });
});
