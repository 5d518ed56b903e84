import type { ArchSupport } from '@tsvm/core';
import { CPU_STATE_VERSION, prepareCpuStateLoad, saveCpuState } from './snapshot/cpu-state-codec.js';
import { DEFAULT_CPU_MODEL, type X86CpuModel } from './state/cpu-model.js';
import { formatCpuState } from './state/format.js';
import { applyPowerOnValues } from './state/reset-values.js';
import { X86CpuState } from './state/x86-cpu-state.js';

/** The x86 architecture as the machine sees it. */
export function createX86Arch(options: { model?: X86CpuModel } = {}): ArchSupport<X86CpuState> {
  const model = options.model ?? DEFAULT_CPU_MODEL;
  return {
    name: 'x86',
    createCpuState(index) {
      const state = new X86CpuState();
      applyPowerOnValues(state, index, { model });
      return state;
    },
    resetCpuState: (state, index) => applyPowerOnValues(state, index, { model }),
    cpuStateVersion: CPU_STATE_VERSION,
    saveCpuState,
    prepareCpuStateLoad,
    formatCpuState,
  };
}

export const x86Arch: ArchSupport<X86CpuState> = createX86Arch();
