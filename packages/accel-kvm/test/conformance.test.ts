import { x86Arch } from '@tsvm/arch-x86';
import { x86GuestScenarios } from '@tsvm/arch-x86/testing';
import { conformanceScenarios } from '@tsvm/core/testing';
import { describe, test } from 'vitest';
import { KvmAccelerator } from '../src/index.js';
import { kvmUnusableReason } from './helpers.js';

const skip = kvmUnusableReason();

describe.skipIf(skip !== undefined)('core conformance suite on /dev/kvm', () => {
  for (const scenario of conformanceScenarios({
    accelerator: () => new KvmAccelerator(),
    arch: x86Arch,
    guests: x86GuestScenarios(),
  })) {
    test(scenario.name, () => scenario.run());
  }
});
