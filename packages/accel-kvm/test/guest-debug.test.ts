import { describe, expect, test } from 'vitest';
import type { KvmAddon, VcpuHandle } from '../src/native/addon.js';
import { KvmGuestDebug } from '../src/vcpu/kvm-guest-debug.js';

// The encoding of a debugger's request into KVM_SET_GUEST_DEBUG, with a recording stand-in
// for the binding (the real ioctl is exercised by the CLI's gdb tests on /dev/kvm).
const constants = {
  GUESTDBG_ENABLE: 0x1,
  GUESTDBG_SINGLESTEP: 0x2,
  GUESTDBG_USE_SW_BP: 0x10000,
  GUESTDBG_USE_HW_BP: 0x20000,
  GUESTDBG_INJECT_DB: 0x40000,
  GUESTDBG_INJECT_BP: 0x80000,
};

function recorder(watchpoints = true) {
  const calls: { control: number; regs: bigint[] }[] = [];
  const addon = {
    constants,
    setGuestDebug: (_h: VcpuHandle, control: number, regs: BigUint64Array) =>
      calls.push({ control, regs: [...regs] }),
  } as unknown as KvmAddon;
  return { calls, debug: new KvmGuestDebug(addon, () => ({}) as VcpuHandle, watchpoints) };
}

describe('KVM guest debug: requests become KVM_SET_GUEST_DEBUG', () => {
  test('breakpoints take debug registers: execute for instructions, R/W and LEN for watchpoints', () => {
    const { calls, debug } = recorder();
    debug.set({
      singleStep: false,
      breakpoints: [
        { kind: 'software', address: 0x10007c, length: 1 },
        { kind: 'write', address: 0x2000, length: 4 },
        { kind: 'access', address: 0x3002, length: 2 },
      ],
    });
    const { control, regs } = calls[0];
    expect(control).toBe(0x1 | 0x20000);
    expect(regs.slice(0, 4)).toEqual([0x10007cn, 0x2000n, 0x3002n, 0n]);
    // G0-G2; DR0 execute/1 byte; DR1 write (01) 4 bytes (11); DR2 access (11) 2 bytes (01).
    expect(regs[7]).toBe(BigInt(0b101010 | (0b1101 << 20) | (0b0111 << 24)));
  });

  test('single-step alone enables only stepping; an empty request disarms everything', () => {
    const { calls, debug } = recorder();
    debug.set({ singleStep: true, breakpoints: [] });
    expect(calls[0].control).toBe(0x1 | 0x2);
    expect(debug.stepping).toBe(true);
    debug.set({ singleStep: false, breakpoints: [] });
    expect(calls[1]).toEqual({ control: 0, regs: [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n] });
    expect(debug.stepping).toBe(false);
  });

  test('refusals name the problem and arm nothing', () => {
    const { calls, debug } = recorder();
    const bp = (address: number) => ({ kind: 'hardware' as const, address, length: 1 });
    expect(() => debug.set({ singleStep: false, breakpoints: [1, 2, 3, 4, 5].map(bp) })).toThrow(
      'KVM: 5 breakpoints/watchpoints requested; the KVM accelerator keeps all of them in the 4 debug registers',
    );
    expect(() =>
      debug.set({ singleStep: false, breakpoints: [{ kind: 'write', address: 0x2001, length: 4 }] }),
    ).toThrow(
      'KVM: a write watchpoint covers 1, 2, 4 or 8 bytes at an address aligned to its length, not 4 at 0x2001',
    );
    expect(() =>
      debug.set({ singleStep: false, breakpoints: [{ kind: 'read', address: 0x2000, length: 4 }] }),
    ).toThrow('KVM: this accelerator has no read breakpoints');
    expect(calls).toEqual([]);
  });

  test('without hardware-backed KVM there are no watchpoints (the stub tells gdb "not supported")', () => {
    const { debug } = recorder(false);
    expect(debug.support.kinds).toEqual(['software', 'hardware']);
    expect(() =>
      debug.set({ singleStep: false, breakpoints: [{ kind: 'write', address: 0x2000, length: 4 }] }),
    ).toThrow('KVM: this accelerator has no write breakpoints');
  });

  test('a debug exit is attributed from DR6: breakpoint, watchpoint, step, or the guest’s own', () => {
    const { calls, debug } = recorder();
    debug.set({
      singleStep: true,
      breakpoints: [
        { kind: 'hardware', address: 0x100000, length: 1 },
        { kind: 'write', address: 0x2000, length: 4 },
      ],
    });
    expect(debug.exitFor(1, 0x100000, 0x1)).toEqual({
      kind: 'debug',
      reason: 'breakpoint',
      address: 0x100000,
    });
    expect(debug.exitFor(1, 0x100010, 0x2)).toEqual({
      kind: 'debug',
      reason: 'watchpoint',
      address: 0x100010,
      dataAddress: 0x2000,
      watchKind: 'write',
    });
    expect(debug.exitFor(1, 0x100004, 1 << 14)).toEqual({ kind: 'debug', reason: 'step', address: 0x100004 });
    // The guest's own INT3, or a DR6 bit of a register the debugger did not arm: not ours.
    expect(debug.exitFor(3, 0x100008, 0)).toBeUndefined();
    expect(debug.exitFor(1, 0x100008, 0x4)).toBeUndefined();
    debug.reinject(3);
    expect(calls.at(-1)?.control).toBe(calls[0].control | constants.GUESTDBG_INJECT_BP);
  });
});
