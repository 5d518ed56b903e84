import { paintNonTrivialFpuState } from '@tsvm/arch-x86/testing';
import { describe, expect, test } from 'vitest';
import { createBoard, kvmUnusableReason } from './helpers.js';

const skip = kvmUnusableReason();
if (skip) console.log(`accel-kvm x87 state round trip skipped: ${skip}`);

describe.skipIf(skip !== undefined)('x87 state through KVM_SET_XSAVE / KVM_GET_XSAVE', () => {
  test('a non-trivial x87 state (TOP 5, empty tags, pending IE, pointers) reads back byte for byte', async () => {
    const board = await createBoard('real');
    try {
      const vcpu = board.machine.vcpus[0];
      const image = paintNonTrivialFpuState(vcpu.state);
      board.machine.start(); // Full writeback, xsave included
      vcpu.state.fxsave.fill(0);
      vcpu.synchronizeState();
      // The x87 part of the legacy area (0..159: control, status, tags, pointers, ST0-7) and
      // MXCSR; bytes 28-31 are MXCSR_MASK, which KVM fills with the host's mask.
      const got = vcpu.state.fxsave;
      expect(Array.from(got.subarray(0, 28))).toEqual(Array.from(image.subarray(0, 28)));
      expect(Array.from(got.subarray(32, 160))).toEqual(Array.from(image.subarray(32, 160)));
    } finally {
      board.machine.close();
    }
  });
});
