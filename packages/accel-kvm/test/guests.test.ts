import { MpState } from '@tsvm/arch-x86';
import { afterEach, describe, expect, test } from 'vitest';
import { createBoard, kvmUnusableReason, runToEnd, type TestBoard } from './helpers.js';

const skip = kvmUnusableReason();

describe.skipIf(skip !== undefined)('test guests on /dev/kvm', () => {
  let board: TestBoard | undefined;
  afterEach(() => board?.machine.close());

  test('real mode: string I/O and single OUTs reach the port bus, debug exit ends the run', async () => {
    board = await createBoard('real');
    board.onCheckpoint = (n) => n * 0x11;
    expect(await runToEnd(board)).toEqual({ reason: 'exit', status: 33 });
    expect(board.output()).toBe('real mode ok!\n');
    expect(board.reports).toEqual([0x44332211]); // rep insb: four reads, in order, into memory
  });

  test('32-bit protected mode: ROM writes are dropped, MMIO goes to the memory bus', async () => {
    board = await createBoard('pm32');
    const writes: [number, number, number][] = [];
    board.machine.memory.addMmio('test-mmio', 0xe0000000, 0x1000, {
      read: (offset, size) => (size === 4 && offset === 0 ? (writes.at(-1)?.[2] ?? 0) + 1 : 0),
      write: (offset, size, value) => writes.push([offset, size, value]),
    });
    expect(await runToEnd(board)).toEqual({ reason: 'exit', status: 35 });
    expect(board.output()).toBe('protected mode ok\n');
    // The ROM byte at 0xfffff000 is still the stub's 0xf4 filler after the guest wrote 0xa5 to it.
    expect(board.reports[0]).toBe(0xf4f4f4f4);
    expect(writes).toEqual([[0, 4, 0x1234abcd]]);
    expect(board.reports[1]).toBe(0x1234abce);
  });

  test('64-bit long mode with paging: prints through rep outsb, 64-bit arithmetic works', async () => {
    board = await createBoard('long64');
    expect(await runToEnd(board)).toEqual({ reason: 'exit', status: 37 });
    expect(board.output()).toBe('long mode ok\n');
    expect(board.reports).toEqual([0x12]);
    const state = board.machine.vcpus[0].state;
    board.machine.vcpus[0].synchronizeState();
    expect(state.efer & 0x500).toBe(0x500); // LME and LMA
    expect(state.cs.l).toBe(true);
  });

  test('an alias shares host memory with its target, and unmapping it mid-run takes effect', async () => {
    board = await createBoard('alias');
    const { machine } = board;
    const ram = machine.memory.find(0)!;
    const alias = machine.memory.addAlias('low-alias', 0x100000, ram, 0, 0x10000);
    ram.bytes![1] = 0x77;
    machine.ports.register('unmap', 0xf5, 1, { write: () => machine.memory.remove(alias) });
    expect(await runToEnd(board)).toEqual({ reason: 'exit', status: 39 });
    expect(ram.bytes![0]).toBe(0x5a); // written through the alias, landed in RAM
    expect(board.reports).toEqual([0x77, 0xff]);
  });

  test('application processors wait (no LAPIC to start them) while the BSP runs', async () => {
    board = await createBoard('real', { cpuCount: 2 });
    expect(await runToEnd(board)).toEqual({ reason: 'exit', status: 33 });
    expect(board.output()).toBe('real mode ok!\n');
    expect(board.machine.vcpus[1].state.mpState).toBe(MpState.Uninitialized);
  });

  test('a timer interrupt from the board wakes a halted guest (PIC path, KVM_INTERRUPT)', async () => {
    board = await createBoard('irq');
    const { machine } = board;
    let pending = false;
    let acknowledged = 0;
    machine.setInterruptLines({
      hasInterrupt: () => pending,
      acknowledge: () => {
        pending = false;
        acknowledged++;
        return 0x20;
      },
      hasNmi: () => false,
      takeNmi: () => {},
    });
    const tick = () => {
      pending = true;
      machine.kick();
      machine.clock.schedule(machine.clock.nowNs() + 2e6, tick);
    };
    machine.clock.schedule(2e6, tick);
    expect(await runToEnd(board)).toEqual({ reason: 'exit', status: 7 });
    expect(board.output()).toBe('ttt\n');
    expect(acknowledged).toBe(3);
  });

  test('a guest halted with interrupts disabled and nothing pending ends the run with a clear message', async () => {
    board = await createBoard('real');
    board.machine.ports.register('stop-exit', 0xf5, 1, {}); // unrelated, proves the bus is untouched
    // Replace the guest with CLI; HLT.
    board.machine.memory.load(0x8000, new Uint8Array([0xfa, 0xf4]));
    expect(await runToEnd(board)).toEqual({
      reason: 'halted',
      message: 'vCPU halted with interrupts disabled and nothing pending',
    });
  });
});
