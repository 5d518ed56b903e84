import { describe, expect, it } from 'vitest';
import type { Accelerator, AcceleratorVcpu } from '../src/accelerator.js';
import type { DebugExit, GuestDebugRequest } from '../src/guest-debug.js';
import { guestDebugProblem } from '../src/guest-debug.js';
import { Machine } from '../src/machine/machine.js';
import { type ToyState, toyArch } from './toy-arch.js';

function accelerator(vcpu: () => AcceleratorVcpu): Accelerator {
  return {
    name: 'debuggable',
    probe: () => ({ available: true, reason: 'test double' }),
    createVm: () => ({ createVcpu: vcpu }),
  };
}

const support = { kinds: ['software', 'hardware', 'write'] as const, maxHardware: 2 };

describe('the optional debug capability', () => {
  it('a debug exit pauses the machine and reaches the listeners; resume runs on', async () => {
    const armed: GuestDebugRequest[] = [];
    let calls = 0;
    const machine = await Machine.create<ToyState>({
      arch: toyArch,
      accelerator: accelerator(() => ({
        debug: { support, set: (r) => armed.push(r) },
        run: () => {
          calls++;
          if (calls === 2) return { kind: 'debug', reason: 'breakpoint', address: 0x1234 };
          if (calls === 3) machine.requestStop({ reason: 'exit', status: 9 });
          return { kind: 'yield' };
        },
      })),
    });
    const seen: [number, DebugExit][] = [];
    machine.onDebugExit((vcpu, exit) => {
      seen.push([vcpu, exit]);
      expect(machine.paused).toBe(true);
      machine.vcpus[0].setGuestDebug({ singleStep: true, breakpoints: [] });
      setTimeout(() => machine.resume(), 30);
    });
    expect(await machine.run()).toEqual({ reason: 'exit', status: 9 });
    expect(seen).toEqual([[0, { kind: 'debug', reason: 'breakpoint', address: 0x1234 }]]);
    expect(armed).toEqual([{ singleStep: true, breakpoints: [] }]);
  });

  it('refuses what the accelerator cannot do, and says why; an accelerator without it says so', async () => {
    const bp = (kind: 'software' | 'hardware' | 'read' | 'write', address = 0) => ({
      kind,
      address,
      length: 1,
    });
    expect(guestDebugProblem(support, { singleStep: false, breakpoints: [bp('read')] })).toBe(
      'this accelerator has no read breakpoints',
    );
    expect(
      guestDebugProblem(support, {
        singleStep: false,
        breakpoints: [bp('hardware'), bp('write'), bp('hardware', 4)],
      }),
    ).toBe('3 hardware breakpoints/watchpoints requested, this accelerator has 2');
    expect(
      guestDebugProblem(support, {
        singleStep: true,
        breakpoints: [bp('software'), bp('software', 1), bp('hardware')],
      }),
    ).toBeUndefined();
    const plain = await Machine.create<ToyState>({
      arch: toyArch,
      accelerator: accelerator(() => ({ run: () => ({ kind: 'yield' }) })),
    });
    expect(plain.vcpus[0].debugSupport).toBeUndefined();
    expect(() => plain.vcpus[0].setGuestDebug({ singleStep: true, breakpoints: [] })).toThrow(
      'this accelerator offers no debug capability (breakpoints, single-step)',
    );
  });
});
