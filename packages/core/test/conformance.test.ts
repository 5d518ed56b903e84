import { describe, expect, it } from 'vitest';
import type { Accelerator } from '../src/accelerator.js';
import { conformanceScenarios } from '../src/testing/conformance.js';
import { HooklessAccelerator, RecordingAccelerator, toyArch } from './toy-arch.js';

describe('conformance suite: accelerator with no hooks', () => {
  for (const s of conformanceScenarios({ accelerator: () => new HooklessAccelerator(), arch: toyArch }))
    it(s.name, s.run);
});

describe('conformance suite: accelerator with its own register copy', () => {
  for (const s of conformanceScenarios({ accelerator: () => new RecordingAccelerator(), arch: toyArch }))
    it(s.name, s.run);
});

describe('conformance suite catches broken accelerators', () => {
  const run = async (accelerator: Accelerator, name: string) => {
    const s = conformanceScenarios({ accelerator: () => accelerator, arch: toyArch }).find(
      (x) => x.name === name,
    )!;
    await s.run();
  };

  it('an empty probe reason', async () => {
    const broken = Object.assign(new HooklessAccelerator(), {
      probe: () => ({ available: true, reason: '' }),
    });
    await expect(run(broken, 'probe() says whether it is available and why')).rejects.toThrow(
      'probe().reason is empty',
    );
  });

  it('an unusable name', async () => {
    const broken = Object.assign(new HooklessAccelerator(), { name: 'My Accel!' });
    await expect(run(broken, 'has a short command-line name')).rejects.toThrow(
      'name "My Accel!" is not a short lowercase identifier',
    );
  });

  it('a run that returns garbage', async () => {
    const broken: Accelerator = {
      name: 'garbage',
      probe: () => ({ available: true, reason: 'test' }),
      createVm: () => ({ createVcpu: () => ({ run: () => ({ kind: 'nope' }) as never }) }),
    };
    await expect(run(broken, 'synchronizeState then run pushes Runtime exactly once')).rejects.toThrow(
      'run returned an invalid exit {"kind":"nope"}',
    );
  });

  it('memory that is not the memory it gave out', async () => {
    const broken: Accelerator = {
      name: 'copying',
      probe: () => ({ available: true, reason: 'test' }),
      createVm: () => ({
        allocateMemory: (n: number) => new Uint8Array(n / 2),
        createVcpu: () => ({ run: () => ({ kind: 'yield' }) }),
      }),
    };
    await expect(
      run(broken, 'RAM allocated through the accelerator is the memory the machine reads and writes'),
    ).rejects.toThrow('RAM region has no bytes of the requested size');
  });
});
