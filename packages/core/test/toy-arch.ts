import type { Accelerator, AcceleratorVcpu, VcpuBinding, VcpuExit } from '../src/accelerator.js';
import type { ArchSupport } from '../src/machine/arch-support.js';
import type { WritebackLevel } from '../src/writeback-level.js';

/** A two-register architecture, just enough to exercise the machine without x86. */
export interface ToyState {
  pc: number;
  acc: number;
}

export const toyArch: ArchSupport<ToyState> = {
  name: 'toy',
  createCpuState: () => ({ pc: 0x100, acc: 0 }),
  resetCpuState(state) {
    state.pc = 0x100;
    state.acc = 0;
  },
  cpuStateVersion: 1,
  saveCpuState: (s) => ({ pc: s.pc, acc: s.acc }),
  prepareCpuStateLoad(state, fields) {
    const pc = fields.uint('pc');
    const acc = fields.uint('acc');
    return () => Object.assign(state, { pc, acc });
  },
  formatCpuState: (s) => `PC=${s.pc} ACC=${s.acc}`,
};

export type RecordedCall =
  | { op: 'readState'; vcpu: number }
  | { op: 'writeState'; vcpu: number; level: WritebackLevel }
  | { op: 'reset'; vcpu: number }
  | { op: 'run'; vcpu: number };

/**
 * A fake accelerator that keeps its own copy of the toy registers (like KVM does) and records
 * every hook call. Each `run` executes one "instruction": acc += 1, pc += 1 on its private copy.
 */
export class RecordingAccelerator implements Accelerator {
  readonly name = 'recording';
  readonly calls: RecordedCall[] = [];
  /** The accelerator's private register copies, by vCPU index. */
  readonly copies: ToyState[] = [];
  probe = () => ({ available: true, reason: 'always available (test double)' });

  createVm() {
    return {
      createVcpu: (binding: VcpuBinding): AcceleratorVcpu => {
        const canonical = binding.state as ToyState;
        const copy: ToyState = { pc: 0, acc: 0 };
        this.copies[binding.index] = copy;
        const vcpu = binding.index;
        return {
          readState: () => {
            this.calls.push({ op: 'readState', vcpu });
            Object.assign(canonical, copy);
          },
          writeState: (level) => {
            this.calls.push({ op: 'writeState', vcpu, level });
            Object.assign(copy, canonical);
          },
          reset: () => {
            this.calls.push({ op: 'reset', vcpu });
          },
          run: (): VcpuExit => {
            this.calls.push({ op: 'run', vcpu });
            copy.acc += 1;
            copy.pc += 1;
            return { kind: 'halt', wakeable: false };
          },
        };
      },
    };
  }
}

/** An accelerator with no hooks at all: the canonical state is its only state. */
export class HooklessAccelerator implements Accelerator {
  readonly name = 'hookless';
  probe = () => ({ available: true, reason: 'always available (test double)' });
  createVm() {
    return {
      createVcpu: (binding: VcpuBinding): AcceleratorVcpu => ({
        run: (): VcpuExit => {
          const s = binding.state as ToyState;
          s.acc += 1;
          return { kind: 'yield' };
        },
      }),
    };
  }
}
