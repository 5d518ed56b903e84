import { writebackPlan } from '@tsvm/arch-x86';
import { type MemoryRegion, WritebackLevel } from '@tsvm/core';
import { describe, expect, test } from 'vitest';
import { KvmAccelerator, type KvmVm } from '../src/index.js';
import { loadAddon, type VcpuHandle } from '../src/native/addon.js';
import { createBoard, kvmUnusableReason, openFds, runToEnd } from './helpers.js';

const skip = kvmUnusableReason();

const ram = (name: string, base: number, bytes: Uint8Array, readonly = false): MemoryRegion => ({
  name,
  kind: readonly ? 'rom' : 'ram',
  base,
  size: bytes.length,
  bytes,
  readonly,
});

describe.skipIf(skip !== undefined)('bad input gives clear errors, no crash, no leaked fds', () => {
  test('invalid memory region layouts', () => {
    const vm = new KvmAccelerator().createVm({ arch: 'x86', cpuCount: 1 }) as KvmVm;
    try {
      const a = vm.allocateMemory(0x4000, 'a');
      const regionA = ram('a', 0, a);
      vm.mapRegion(regionA);
      // Overlap with an existing slot: the kernel refuses (EEXIST) and the error says which region.
      expect(() => vm.mapRegion(ram('b', 0x2000, vm.allocateMemory(0x2000, 'b')))).toThrow(
        /cannot map ram 'b' \[0x2000, 0x4000\) into KVM slot 1: KVM_SET_USER_MEMORY_REGION failed: EEXIST/,
      );
      // Host memory not on a page boundary.
      const odd = new Uint8Array(new ArrayBuffer(0x2000 + 16), 16, 0x2000);
      expect(() => vm.mapRegion(ram('odd', 0x10000, odd))).toThrow(
        /host memory must start on a page boundary/,
      );
      // Guest address not page aligned, or beyond the physical address space.
      expect(() => vm.mapRegion(ram('c', 0x10800, vm.allocateMemory(0x1000, 'c')))).toThrow(
        /guest address 0x10800 and size 0x1000 must be multiples of 4096/,
      );
      expect(() => vm.mapRegion(ram('far', 2 ** 52, vm.allocateMemory(0x1000, 'far')))).toThrow(
        /outside the 52-bit physical address space/,
      );
      // Region size and host memory disagree.
      expect(() =>
        vm.mapRegion({ ...ram('short', 0x20000, vm.allocateMemory(0x1000, 's')), size: 0x2000 }),
      ).toThrow(/host memory is 4096 bytes but the region is 8192/);
      expect(() => vm.allocateMemory(4095, 'x')).toThrow(/size must be a non-zero multiple of 4096/);
      expect(() => vm.mapRegion(regionA)).toThrow(/ram 'a' \[0x0, 0x4000\) is already mapped/);
      // Unmapping frees the slot: the overlapping region fits now.
      vm.unmapRegion(regionA);
      vm.mapRegion(ram('b', 0x2000, vm.allocateMemory(0x2000, 'b')));
    } finally {
      vm.close();
    }
  });

  test('a vCPU used after its VM is closed', async () => {
    const board = await createBoard('real');
    board.machine.start();
    expect(board.accel.vcpus).toEqual([board.vcpu]);
    board.machine.close();
    expect(board.accel.vcpus).toEqual([]);
    expect(() => board.vcpu.run({ deadlineNs: 1e9 })).toThrow(/vCPU 0 used after its VM was closed \(run\)/);
    expect(() => board.vcpu.readState()).toThrow(/used after its VM was closed \(readState\)/);
    expect(() => board.vcpu.writeState(WritebackLevel.Full)).toThrow(/used after its VM was closed/);
    expect(await board.machine.run()).toEqual({ reason: 'quit' });
    // Guest RAM outlives the VM: the mapping goes away only when JS can no longer reach it.
    const ram = board.machine.memory.find(0)!.bytes!;
    expect(ram[0x8000]).toBe(0xfa); // the guest's first byte (cli) is still there
    ram[0x8000] = 0x90;
    expect(ram[0x8000]).toBe(0x90);
    // Below the TS layer the addon refuses a closed handle itself.
    const handle = (board.vcpu as unknown as { handle?: VcpuHandle }).handle;
    expect(handle).toBeUndefined();
  });

  test('the addon refuses closed handles, wrong handle kinds and malformed arguments', () => {
    const addon = loadAddon();
    const sys = addon.openSystem('/dev/kvm');
    const vm = addon.createVm(sys);
    const { handle } = addon.createVcpu(vm, 0, addon.getVcpuMmapSize(sys));
    try {
      expect(() => addon.getRegs(vm as unknown as VcpuHandle)).toThrow(
        /KVM_GET_REGS: expected a vCPU handle/,
      );
      expect(() => addon.getRegs({} as VcpuHandle)).toThrow(/KVM_GET_REGS: expected a vCPU handle/);
      expect(() => addon.setRegs(handle, new Uint8Array(3))).toThrow(
        /KVM_SET_REGS: state must be exactly 144 bytes, got 3/,
      );
      expect(() => addon.setSregs(handle, [] as unknown as Uint8Array)).toThrow(
        /KVM_SET_SREGS: state must be a Uint8Array/,
      );
      expect(() => addon.interrupt(handle, 256)).toThrow(/KVM_INTERRUPT: vector must be 0..255, got 256/);
      expect(() => addon.setGuestDebug(handle, 0, new BigUint64Array(7))).toThrow(
        /KVM_SET_GUEST_DEBUG: debugreg holds 8 values \(DR0-DR7\), got 7/,
      );
      expect(() => addon.setGuestDebug(handle, 0, new Uint32Array(8) as unknown as BigUint64Array)).toThrow(
        /KVM_SET_GUEST_DEBUG: debugreg must be a BigUint64Array/,
      );
      // Control bits outside KVM_GUESTDBG_*: refused before the kernel (some KVMs ignore them).
      expect(() => addon.setGuestDebug(handle, 0x8000_0001, new BigUint64Array(8))).toThrow(
        /KVM_SET_GUEST_DEBUG: unknown control bits 0x80000000/,
      );
      expect(() => addon.armTimer(handle, -1)).toThrow(/timeout must be a non-negative safe integer/);
      expect(() => addon.setUserMemoryRegion(vm, 0, 0xff, 0, 0, null)).toThrow(/unknown flags 0xff/);
      expect(() => (addon.createVcpu as (...a: unknown[]) => unknown)(vm)).toThrow(
        /KVM_CREATE_VCPU: expected 3 argument\(s\), got 1/,
      );
      expect(() => addon.createVcpu(vm, 0, 1)).toThrow(/mmap size 1 is not a plausible/);
      expect(() => addon.createVcpu(vm, 0, addon.getVcpuMmapSize(sys))).toThrow(
        /KVM_CREATE_VCPU failed: EEXIST/,
      );
      addon.closeVcpu(handle);
      expect(() => addon.run(handle)).toThrow(
        /KVM_RUN failed: EBADF \(errno 9, Bad file descriptor\): the vCPU handle is closed/,
      );
      addon.close(vm);
      expect(() => addon.setTssAddr(vm, 0xfeffd000)).toThrow(
        /KVM_SET_TSS_ADDR failed: EBADF .*the handle is closed/,
      );
    } finally {
      addon.closeVcpu(handle);
      addon.close(vm);
      addon.close(sys);
    }
  });

  test('every addon function throws (never crashes) on missing or garbage arguments', () => {
    const addon = loadAddon() as unknown as Record<string, unknown>;
    const garbage: unknown[][] = [
      [],
      [undefined],
      [{}],
      [null, null, null],
      ['x', -1, 1.5],
      [Symbol('s'), 2 ** 64, {}, {}, {}, {}],
    ];
    const names = Object.keys(addon).filter((k) => typeof addon[k] === 'function');
    expect(names.length).toBeGreaterThan(40);
    for (const name of names) {
      for (const args of garbage) {
        if (name === 'openSystem' && typeof args[0] === 'string') continue; // 'x' is a valid (missing) path
        let threw: unknown;
        try {
          (addon[name] as (...a: unknown[]) => unknown)(...args);
        } catch (e) {
          threw = e;
        }
        expect(threw, `${name}(${args.map(String).join(', ')})`).toBeInstanceOf(Error);
        expect((threw as Error).message).toMatch(/^[A-Za-z_0-9]+/);
      }
    }
  });

  test('an ioctl trace file that cannot be written is refused before the VM exists', () => {
    const before = openFds();
    const accel = new KvmAccelerator({ traceFile: '/nonexistent-dir/trace.jsonl' });
    expect(() => accel.createVm({ arch: 'x86', cpuCount: 1 })).toThrow(
      "traceFile: cannot write the ioctl trace to '/nonexistent-dir/trace.jsonl': ENOENT",
    );
    expect(openFds()).toBe(before); // not even /dev/kvm was opened
    // The same from the environment (how a `tsvm` process is traced), named as such.
    process.env.TSVM_KVM_TRACE = '/nonexistent-dir/env.jsonl';
    try {
      expect(() => new KvmAccelerator().createVm({ arch: 'x86', cpuCount: 1 })).toThrow(
        "TSVM_KVM_TRACE: cannot write the ioctl trace to '/nonexistent-dir/env.jsonl': ENOENT",
      );
    } finally {
      delete process.env.TSVM_KVM_TRACE;
    }
    expect(openFds()).toBe(before);
  });

  test('out-of-range MSR batches name the MSR the kernel refused', () => {
    const addon = loadAddon();
    const sys = addon.openSystem('/dev/kvm');
    const vm = addon.createVm(sys);
    const { handle } = addon.createVcpu(vm, 0, addon.getVcpuMmapSize(sys));
    try {
      expect(() => addon.setMsrs(handle, new Uint32Array(0), new BigUint64Array(0))).toThrow(
        /KVM_SET_MSRS: an MSR batch holds 1..256 entries, got 0/,
      );
      expect(() => addon.getMsrs(handle, new Uint32Array(257))).toThrow(
        /KVM_GET_MSRS: an MSR batch holds 1..256 entries, got 257/,
      );
      expect(() => addon.setMsrs(handle, new Uint32Array([0x10]), new BigUint64Array(2))).toThrow(
        /1 indices but 2 values/,
      );
      expect(() =>
        addon.setMsrs(handle, Uint32Array.of(0x174, 0xdeadbeef, 0x175), new BigUint64Array(3)),
      ).toThrow(/KVM_SET_MSRS failed at MSR 0xdeadbeef \(entry 1 of 3\): the kernel refused it/);
      expect(() => addon.getMsrs(handle, Uint32Array.of(0xdeadbeef))).toThrow(
        /KVM_GET_MSRS failed at MSR 0xdeadbeef \(entry 0 of 1\)/,
      );
    } finally {
      addon.closeVcpu(handle);
      addon.close(vm);
      addon.close(sys);
    }
  });

  test('a plan step with an MSR KVM refuses fails the writeback with the MSR named', async () => {
    const board = await createBoard('real', {
      writebackPlan: (level) =>
        writebackPlan(level).map((s) =>
          s.substate === 'msrs' ? { ...s, msrs: [...(s.msrs ?? []), 0xdeadbeef] } : s,
        ),
    });
    try {
      expect(() => board.machine.start()).toThrow(/KVM_SET_MSRS failed at MSR 0xdeadbeef/);
    } finally {
      board.machine.close();
    }
  });

  test('a triple-faulting guest stops the machine with a clear reason', async () => {
    const board = await createBoard('triple', { onShutdown: 'stop' });
    try {
      expect(await runToEnd(board)).toEqual({
        reason: 'shutdown',
        message: 'vCPU 0 shut down (triple fault)',
      });
    } finally {
      board.machine.close();
    }
  });

  test('no file descriptors leak across machines, failures and closes', async () => {
    const before = openFds();
    for (let i = 0; i < 3; i++) {
      const board = await createBoard(i === 0 ? 'triple' : 'real', { onShutdown: 'stop' });
      await runToEnd(board);
      board.machine.close();
      board.machine.close(); // idempotent
      expect(() =>
        new KvmAccelerator({ devicePath: '/dev/null' }).createVm({ arch: 'x86', cpuCount: 1 }),
      ).toThrow(/not a KVM device/);
      const bad = await createBoard('real', {
        writebackPlan: (level) =>
          writebackPlan(level).map((s) => (s.substate === 'msrs' ? { ...s, msrs: [0xdeadbeef] } : s)),
      });
      expect(() => bad.machine.start()).toThrow(/0xdeadbeef/);
      bad.machine.close();
    }
    expect(openFds()).toBe(before);
  });
});
