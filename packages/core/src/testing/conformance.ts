import type { Accelerator, AcceleratorVcpu, AcceleratorVm, VcpuExit } from '../accelerator.js';
import type { ArchSupport } from '../machine/arch-support.js';
import { Machine, type MachineStop } from '../machine/machine.js';
import { SnapshotError } from '../snapshot/snapshot-error.js';
import { WritebackLevel } from '../writeback-level.js';

/** One check of the suite; `run` throws (with a message saying what is wrong) on failure. */
export interface ConformanceScenario {
  readonly name: string;
  run(): Promise<void>;
}

/**
 * A scenario that boots a guest: `setup` builds memory and devices on a fresh machine, the
 * suite runs it, `check` judges the stop reason and whatever the devices collected.
 */
export interface GuestScenario<State = unknown> {
  readonly name: string;
  setup(machine: Machine<State>): void | Promise<void>;
  check(stop: MachineStop, machine: Machine<State>): void;
  /** Virtual-time budget (default 10 s). */
  readonly timeoutMs?: number;
}

export interface ConformanceOptions<State> {
  /** Returns a fresh accelerator object (called once per scenario). */
  readonly accelerator: () => Accelerator;
  readonly arch: ArchSupport<State>;
  /** Architecture-specific guests (for x86 see `x86GuestScenarios` in `@tsvm/arch-x86/testing`). */
  readonly guests?: readonly GuestScenario<State>[];
}

export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceFailure(message);
}

const EXIT_KINDS = new Set<VcpuExit['kind']>(['yield', 'halt', 'shutdown', 'error']);

/** What the suite records about the accelerator's vCPU hooks while a scenario runs. */
type HookCall = 'readState' | `writeState:${WritebackLevel}` | 'reset' | 'run';

/** Wrap an accelerator so every vCPU hook call is recorded (and still forwarded). */
function recording(accel: Accelerator, calls: HookCall[]): Accelerator {
  return {
    name: accel.name,
    probe: () => accel.probe(),
    async createVm(options) {
      const vm = await accel.createVm(options);
      const wrapped: AcceleratorVm = {
        allocateMemory: vm.allocateMemory?.bind(vm),
        mapRegion: vm.mapRegion?.bind(vm),
        unmapRegion: vm.unmapRegion?.bind(vm),
        close: vm.close?.bind(vm),
        async createVcpu(binding) {
          const v = await vm.createVcpu(binding);
          const w: AcceleratorVcpu = {
            run(limits) {
              calls.push('run');
              return v.run(limits);
            },
            close: v.close?.bind(v),
            reset: () => {
              calls.push('reset');
              v.reset?.();
            },
          };
          if (v.readState) {
            w.readState = () => {
              calls.push('readState');
              v.readState!();
            };
          }
          if (v.writeState) {
            w.writeState = (level) => {
              calls.push(`writeState:${level}`);
              v.writeState!(level);
            };
          }
          return w;
        },
      };
      return wrapped;
    },
  };
}

/**
 * The conformance suite every accelerator must pass, as plain async checks so any test runner
 * can host it:
 *
 * ```ts
 * for (const s of conformanceScenarios({ accelerator: () => myAccel, arch: x86Arch })) it(s.name, s.run);
 * ```
 * Run it only when `probe()` says the accelerator is available.
 */
export function conformanceScenarios<State>(options: ConformanceOptions<State>): ConformanceScenario[] {
  const { arch } = options;
  const machine = async (calls: HookCall[] = []) =>
    Machine.create({ arch, accelerator: recording(options.accelerator(), calls), onShutdown: 'stop' });

  const scenarios: ConformanceScenario[] = [
    {
      name: 'has a short command-line name',
      async run() {
        const { name } = options.accelerator();
        check(
          typeof name === 'string' && /^[a-z][a-z0-9-]{0,31}$/.test(name),
          `name ${JSON.stringify(name)} is not a short lowercase identifier`,
        );
      },
    },
    {
      name: 'probe() says whether it is available and why',
      async run() {
        const p = await options.accelerator().probe();
        check(typeof p === 'object' && p !== null, 'probe() returned no object');
        check(typeof p.available === 'boolean', 'probe().available is not a boolean');
        check(typeof p.reason === 'string' && p.reason.trim().length > 0, 'probe().reason is empty');
        check(p.available, `probe() says unavailable: ${p.reason}`);
      },
    },
    {
      name: 'RAM allocated through the accelerator is the memory the machine reads and writes',
      async run() {
        const m = await machine();
        try {
          const ram = m.memory.addRam('ram', 0, 1 << 20);
          check(ram.bytes?.length === 1 << 20, 'RAM region has no bytes of the requested size');
          m.memory.write(0x1234, 4, 0xdeadbeef);
          check(
            ram.bytes[0x1234] === 0xef && ram.bytes[0x1237] === 0xde,
            'write did not land in the region bytes',
          );
          ram.bytes[0x2000] = 0x5a;
          check(m.memory.read(0x2000, 1) === 0x5a, 'bytes written directly are not visible to reads');
        } finally {
          m.close();
        }
      },
    },
    {
      name: 'start pushes Full state once before the first instruction',
      async run() {
        const calls: HookCall[] = [];
        const m = await machine(calls);
        try {
          m.start();
          const writes = calls.filter((c) => c.startsWith('writeState'));
          check(!calls.includes('run'), 'the vCPU ran before start()');
          const hasHooks = writes.length > 0;
          if (hasHooks)
            check(
              writes.join() === `writeState:${WritebackLevel.Full}`,
              `start() wrote ${writes.join() || 'nothing'}`,
            );
        } finally {
          m.close();
        }
      },
    },
    {
      name: 'synchronizeState then run pushes Runtime exactly once',
      async run() {
        const calls: HookCall[] = [];
        const m = await machine(calls);
        try {
          m.memory.addRam('ram', 0, 1 << 20);
          m.start();
          const vcpu = m.vcpus[0];
          calls.length = 0;
          vcpu.synchronizeState();
          vcpu.synchronizeState(); // second call must not re-read (would lose edits)
          check(vcpu.dirty, 'vCPU is not dirty after synchronizeState');
          check(calls.filter((c) => c === 'readState').length <= 1, 'readState called twice');
          m.pause(); // makes exitRequested() true: the vCPU must return promptly
          const exit = await vcpu.run({ deadlineNs: m.clock.nowNs() + 50e6 });
          check(EXIT_KINDS.has(exit?.kind), `run returned an invalid exit ${JSON.stringify(exit)}`);
          const writes = calls.filter((c) => c.startsWith('writeState'));
          if (writes.length > 0)
            check(writes.join() === `writeState:${WritebackLevel.Runtime}`, `wrote ${writes.join()}`);
          check(!vcpu.dirty, 'vCPU still dirty after run');
        } finally {
          m.close();
        }
      },
    },
    {
      name: 'reset runs handlers, drops caches and pushes Reset once per vCPU',
      async run() {
        const calls: HookCall[] = [];
        const m = await machine(calls);
        try {
          let handlerRan = false;
          m.resets.register('probe-handler', () => {
            handlerRan = true;
            check(!calls.some((c) => c.startsWith('writeState')), 'state pushed before a reset handler ran');
          });
          m.start();
          calls.length = 0;
          m.reset();
          check(handlerRan, 'reset handler did not run');
          const writes = calls.filter((c) => c.startsWith('writeState'));
          if (writes.length > 0)
            check(writes.join() === `writeState:${WritebackLevel.Reset}`, `reset wrote ${writes.join()}`);
        } finally {
          m.close();
        }
      },
    },
    {
      name: 'save and load round-trip; a corrupt snapshot changes nothing',
      async run() {
        const m = await machine();
        try {
          const ram = m.memory.addRam('ram', 0, 1 << 20);
          ram.bytes![0x100] = 0x42;
          m.start();
          const good = m.save();
          ram.bytes![0x100] = 0x17;
          const bad = good.slice();
          bad[bad.length - 10] ^= 0xff;
          let refused: unknown;
          try {
            m.load(bad);
          } catch (e) {
            refused = e;
          }
          check(refused instanceof SnapshotError, 'a corrupted snapshot was not refused');
          check(m.memory.read(0x100, 1) === 0x17, 'a refused snapshot changed memory');
          m.load(good);
          check(m.memory.read(0x100, 1) === 0x42, 'load did not restore memory');
        } finally {
          m.close();
        }
      },
    },
    {
      name: 'close releases the VM and may be called twice',
      async run() {
        const m = await machine();
        m.memory.addRam('ram', 0, 1 << 16);
        m.close();
        m.close();
      },
    },
  ];

  for (const guest of options.guests ?? []) {
    scenarios.push({
      name: `guest: ${guest.name}`,
      async run() {
        const m = await Machine.create({ arch, accelerator: options.accelerator(), onShutdown: 'stop' });
        try {
          await guest.setup(m);
          const stop = await m.run({ timeoutMs: guest.timeoutMs ?? 10_000 });
          guest.check(stop, m);
        } finally {
          m.close();
        }
      },
    });
  }
  return scenarios;
}
