import { describe, expect, it } from 'vitest';
import type { Accelerator, VcpuBinding, VcpuExit } from '../src/accelerator.js';
import { Machine } from '../src/machine/machine.js';
import { type ToyState, toyArch } from './toy-arch.js';

/** An accelerator whose vCPU behaviour is a script of exits (or thrown errors). */
function scripted(script: (binding: VcpuBinding, call: number) => VcpuExit): Accelerator {
  return {
    name: 'scripted',
    probe: () => ({ available: true, reason: 'test double' }),
    createVm: () => ({
      createVcpu: (binding) => {
        let call = 0;
        return { run: () => script(binding, call++) };
      },
    }),
  };
}

const create = (accelerator: Accelerator, onShutdown?: 'reset' | 'stop') =>
  Machine.create<ToyState>({ arch: toyArch, accelerator, onShutdown });

describe('machine run loop', () => {
  it('returns the stop a device requested (debug exit)', async () => {
    let machine!: Machine<ToyState>;
    machine = await create(
      scripted((_b, call) => {
        if (call === 3) machine.requestStop({ reason: 'exit', status: 7 });
        return { kind: 'yield' };
      }),
    );
    expect(await machine.run()).toEqual({ reason: 'exit', status: 7 });
  });

  it('ends a run whose vCPU halted with nothing able to wake it', async () => {
    const machine = await create(scripted(() => ({ kind: 'halt', wakeable: false })));
    expect(await machine.run()).toEqual({
      reason: 'halted',
      message: 'vCPU halted with interrupts disabled and nothing pending',
    });
  });

  it('wakes a halted vCPU at the next timer', async () => {
    let machine!: Machine<ToyState>;
    let fired = false;
    machine = await create(
      scripted(() => {
        if (fired) machine.requestStop({ reason: 'exit', status: 1 });
        return { kind: 'halt', wakeable: true };
      }),
    );
    machine.clock.schedule(2e6, () => {
      fired = true;
    });
    expect(await machine.run({ timeoutMs: 5000 })).toEqual({ reason: 'exit', status: 1 });
  });

  it('stops at the timeout', async () => {
    const machine = await create(scripted(() => ({ kind: 'yield' })));
    expect(await machine.run({ timeoutMs: 20 })).toEqual({ reason: 'timeout' });
  });

  it('resets on shutdown by default and stops with --no-reboot semantics', async () => {
    let machine!: Machine<ToyState>;
    let resets = 0;
    machine = await create(
      scripted((b, call) => {
        (b.state as ToyState).pc = 0x555;
        if (call === 0) return { kind: 'shutdown', reason: 'triple fault' };
        machine.requestStop({ reason: 'exit', status: 3 });
        return { kind: 'yield' };
      }),
    );
    machine.resets.register('count', () => resets++);
    expect(await machine.run()).toEqual({ reason: 'exit', status: 3 });
    expect(resets).toBe(1);

    const stopping = await create(
      scripted(() => ({ kind: 'shutdown', reason: 'triple fault' })),
      'stop',
    );
    expect(await stopping.run()).toEqual({ reason: 'shutdown', message: 'triple fault' });
  });

  it('turns an accelerator that throws or returns garbage into an error stop', async () => {
    const throwing = await create(
      scripted(() => {
        throw new Error('KVM_RUN: EFAULT');
      }),
    );
    expect(await throwing.run()).toEqual({
      reason: 'error',
      message: "accelerator 'scripted' failed: KVM_RUN: EFAULT",
    });
    const garbage = await create(scripted(() => ({ kind: 'banana' }) as unknown as VcpuExit));
    expect(await garbage.run()).toEqual({
      reason: 'error',
      message: 'accelerator \'scripted\' returned an invalid exit: {"kind":"banana"}',
    });
  });

  it('runs safe-point work between slices, never inside the guest', async () => {
    let machine!: Machine<ToyState>;
    let inGuest = false;
    const order: string[] = [];
    machine = await create(
      scripted((_b, call) => {
        inGuest = true;
        if (call === 1) {
          void machine.atSafePoint(() => order.push(`safe point (in guest: ${inGuest})`));
        }
        if (call === 3) machine.requestStop({ reason: 'quit' });
        inGuest = false;
        return { kind: 'yield' };
      }),
    );
    expect(await machine.run()).toEqual({ reason: 'quit' });
    expect(order).toEqual(['safe point (in guest: false)']);
  });

  it('a requested reset runs between slices', async () => {
    let machine!: Machine<ToyState>;
    machine = await create(
      scripted((b, call) => {
        const s = b.state as ToyState;
        if (call === 0) {
          s.pc = 0x999;
          machine.requestReset();
        } else {
          machine.requestStop({ reason: 'exit', status: s.pc });
        }
        return { kind: 'yield' };
      }),
    );
    expect(await machine.run()).toEqual({ reason: 'exit', status: 0x100 });
  });

  it('refuses a non-positive vCPU count', async () => {
    await expect(
      Machine.create({ arch: toyArch, accelerator: scripted(() => ({ kind: 'yield' })), cpuCount: 0 }),
    ).rejects.toThrow('cpuCount must be a positive integer, got 0');
  });
});
