import { x86Arch } from '@tsvm/arch-x86';
import { x86GuestScenarios } from '@tsvm/arch-x86/testing';
import { conformanceScenarios } from '@tsvm/core/testing';
import { describe, it } from 'vitest';
import { TcgAccelerator } from '../src/index.js';

describe('core conformance suite on accel-tcg', () => {
  for (const s of conformanceScenarios({
    accelerator: () => new TcgAccelerator(),
    arch: x86Arch,
    guests: x86GuestScenarios(),
  })) {
    it(s.name, () => s.run());
  }
});
