import { describe, expect, it } from 'vitest';
import type { Accelerator, RunLimits, VcpuExit } from '../src/accelerator.js';
import {
  InstructionPacer,
  MAX_NS_PER_INSTRUCTION,
  MIN_NS_PER_INSTRUCTION,
} from '../src/machine/instruction-pacer.js';
import { InstructionTime } from '../src/machine/instruction-time.js';
import { Machine } from '../src/machine/machine.js';
import { VirtualClock } from '../src/machine/virtual-clock.js';
import { type ToyState, toyArch } from './toy-arch.js';

/**
 * A vCPU that retires instructions as told: `step(limits)` returns how many it retires in this
 * call and the exit; the limits it was given are recorded.
 */
function counting(step: (limits: RunLimits, call: number) => [number, VcpuExit]) {
  const seen: RunLimits[] = [];
  const accelerator: Accelerator = {
    name: 'counting',
    probe: () => ({ available: true, reason: 'test double' }),
    createVm: () => ({
      createVcpu: () => {
        let retired = 0;
        let call = 0;
        return {
          get instructionsRetired() {
            return retired;
          },
          run(limits: RunLimits) {
            seen.push(limits);
            const [n, exit] = step(limits, call++);
            retired += n;
            return exit;
          },
        };
      },
    }),
  };
  return { accelerator, seen };
}

const yieldExit: VcpuExit = { kind: 'yield' };

describe('instruction-driven virtual clock', () => {
  it('is chosen automatically when every vCPU counts instructions, and reads retired × ns', async () => {
    let machine!: Machine<ToyState>;
    const { accelerator } = counting((_l, call) => {
      if (call === 2) machine.requestStop({ reason: 'exit', status: 0 });
      return [1000, yieldExit];
    });
    machine = await Machine.create<ToyState>({ arch: toyArch, accelerator, nsPerInstruction: 5 });
    expect(machine.clockSource).toBe('instructions');
    await machine.run();
    expect(machine.clock.nowNs()).toBe(3 * 1000 * 5);
    expect(machine.nsPerInstruction).toBe(5);
  });

  it('turns the next deadline into an exact instruction budget', async () => {
    let machine!: Machine<ToyState>;
    const { accelerator, seen } = counting((limits) => [limits.maxInstructions ?? 1, yieldExit]);
    machine = await Machine.create<ToyState>({ arch: toyArch, accelerator, nsPerInstruction: 10 });
    const firedAt: number[] = [];
    machine.clock.schedule(12_345, () => {
      firedAt.push(machine.clock.nowNs());
      machine.requestStop({ reason: 'exit', status: 0 });
    });
    await machine.run();
    expect(seen[0].maxInstructions).toBe(1235); // ceil(12345 / 10)
    expect(firedAt).toEqual([12_350]);
  });

  it('adds idle time while the vCPU is halted, so a halted guest still reaches its timers', async () => {
    let machine!: Machine<ToyState>;
    let woke = false;
    const { accelerator } = counting(() => {
      if (woke) machine.requestStop({ reason: 'exit', status: 0 });
      return [0, { kind: 'halt', wakeable: true }];
    });
    machine = await Machine.create<ToyState>({ arch: toyArch, accelerator });
    machine.clock.schedule(3e6, () => {
      woke = true;
    });
    expect(await machine.run({ timeoutMs: 1000 })).toEqual({ reason: 'exit', status: 0 });
    // No instruction retired: the 3 ms are idle time, added up to the timer and not beyond.
    expect(machine.clock.nowNs()).toBe(3e6);
  });

  it('can be refused: host time on request, and a clear error where instructions are not counted', async () => {
    const { accelerator } = counting(() => [1, yieldExit]);
    const host = await Machine.create<ToyState>({ arch: toyArch, accelerator, clock: 'host' });
    expect(host.clockSource).toBe('host');
    const notCounting: Accelerator = {
      name: 'plain',
      probe: () => ({ available: true, reason: 'test double' }),
      createVm: () => ({ createVcpu: () => ({ run: () => yieldExit }) }),
    };
    const auto = await Machine.create<ToyState>({ arch: toyArch, accelerator: notCounting });
    expect(auto.clockSource).toBe('host');
    await expect(
      Machine.create<ToyState>({ arch: toyArch, accelerator: notCounting, clock: 'instructions' }),
    ).rejects.toThrow(
      "accelerator 'plain' does not count guest instructions, so the instruction clock cannot be used",
    );
    await expect(
      Machine.create<ToyState>({ arch: toyArch, accelerator, nsPerInstruction: 'fast' as never }),
    ).rejects.toThrow("nsPerInstruction must be a positive number or 'auto', got 'fast'");
    await expect(
      Machine.create<ToyState>({ arch: toyArch, accelerator, clock: 'wall' as never }),
    ).rejects.toThrow("clock must be 'auto', 'host' or 'instructions', got 'wall'");
    expect(() => new InstructionTime(() => 0, 0)).toThrow(
      'nsPerInstruction must be a positive number, got 0',
    );
  });

  it('switching the source keeps the time continuous', () => {
    let host = 1000;
    let other = 5;
    const clock = new VirtualClock(() => host);
    clock.start();
    host += 700;
    expect(clock.nowNs()).toBe(700);
    clock.setSource(() => other);
    expect(clock.nowNs()).toBe(700);
    other += 50;
    expect(clock.nowNs()).toBe(750);
  });
});

describe('instruction pacer (adaptive rate)', () => {
  /** A host running `ips` instructions per host ns; `busy(ns)` / `idle(ns)` move both clocks. */
  function world(ips: number, startRate = 10) {
    let host = 0;
    let retired = 0;
    const time = new InstructionTime(() => retired, startRate);
    const pacer = new InstructionPacer(
      time,
      () => host,
      () => time.nowNs(),
    );
    return {
      time,
      pacer,
      busy(ns: number) {
        for (let t = 0; t < ns; t += 1e6) {
          host += 1e6;
          retired += Math.round(1e6 * ips);
          pacer.update();
        }
      },
      idle(ns: number) {
        host += ns;
        time.skip(ns);
        pacer.update();
      },
      drift: () => time.nowNs() - host,
    };
  }

  it('settles where guest time keeps up with host time, from above and from below', () => {
    for (const startRate of [0.5, 100]) {
      const w = world(0.05, startRate); // 50 M instructions per host second: 20 ns each
      w.busy(10e9);
      expect(w.time.nsPerInstruction).toBeGreaterThan(19);
      expect(w.time.nsPerInstruction).toBeLessThan(21);
      // The lag or lead of the first periods has been worked off.
      expect(Math.abs(w.drift())).toBeLessThan(50e6);
    }
  });

  it('follows a change of host speed and ignores idle time when measuring it', () => {
    const w = world(0.05);
    w.busy(5e9);
    for (let i = 0; i < 100; i++) {
      w.busy(10e6);
      w.idle(40e6); // a mostly idle guest: idle time must not read as a slow host
    }
    expect(w.time.nsPerInstruction).toBeGreaterThan(15);
    expect(w.time.nsPerInstruction).toBeLessThan(25);
  });

  it('stays inside its bounds on absurdly fast or slow hosts', () => {
    const fast = world(1000);
    fast.busy(5e9);
    expect(fast.time.nsPerInstruction).toBe(MIN_NS_PER_INSTRUCTION);
    const slow = world(0.0001);
    slow.busy(5e9);
    expect(slow.time.nsPerInstruction).toBe(MAX_NS_PER_INSTRUCTION);
  });

  it('changing the rate never makes the time jump', () => {
    let retired = 1000;
    const time = new InstructionTime(() => retired, 4);
    retired += 250;
    expect(time.nowNs()).toBe(1000);
    time.nsPerInstruction = 20;
    expect(time.nowNs()).toBe(1000);
    retired += 10;
    expect(time.nowNs()).toBe(1200);
    expect(() => {
      time.nsPerInstruction = Number.NaN;
    }).toThrow('nsPerInstruction must be a positive number, got NaN');
  });
});
