import type { Accelerator } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { acceleratorFromModule, loadAccelerator } from '../src/accelerators.js';

const make = (name: string): Accelerator => ({
  name,
  probe: () => ({ available: true, reason: 'test' }),
  createVm: () => {
    throw new Error('not for running');
  },
});

class ClassAccelerator implements Accelerator {
  readonly name = 'klass';
  probe() {
    return { available: true, reason: 'a class' };
  }
  createVm(): never {
    throw new Error('not for running');
  }
}

describe('finding the accelerator a module exports', () => {
  it('takes an exported accelerator object, preferring the requested name', async () => {
    const a = make('a');
    const b = make('b');
    expect(await acceleratorFromModule({ a, b, helper: 42 })).toBe(a);
    expect(await acceleratorFromModule({ a, b }, 'b')).toBe(b);
    expect(await acceleratorFromModule({ default: b })).toBe(b);
  });

  it('calls a create…Accelerator factory, or instantiates an accelerator class', async () => {
    expect((await acceleratorFromModule({ createFancyAccelerator: () => make('fancy') }))?.name).toBe(
      'fancy',
    );
    expect((await acceleratorFromModule({ ClassAccelerator }))?.name).toBe('klass');
  });

  it('finds nothing in a module without one', async () => {
    expect(await acceleratorFromModule({ x: 1, f: () => 2 })).toBeUndefined();
  });

  it('reports an unloadable module as unavailable with the reason, without throwing', async () => {
    const choice = await loadAccelerator('./definitely-not-here.mjs');
    expect(choice.probe.available).toBe(false);
    expect(choice.probe.reason).toMatch(/^cannot load \.\/definitely-not-here\.mjs: /);
  });
});
