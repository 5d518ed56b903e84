import type { Accelerator, AcceleratorVm, ProbeResult, VcpuBinding, VmOptions } from '@tsvm/core';
import { CodePages } from './mmu/code-pages.js';
import { TcgVcpu } from './vcpu.js';

/** The TS executor's side of one VM: it only mirrors memory-map changes into its vCPUs' caches. */
export class TcgVm implements AcceleratorVm {
  readonly vcpus: TcgVcpu[] = [];
  /** Code pages are tracked VM-wide: one vCPU's store must drop another's translations. */
  private readonly code = new CodePages();

  // The machine allocates plain Uint8Arrays; the MMU finds them through GuestMemory. A map
  // change can move what a linear address means, so every cached translation goes.
  mapRegion(): void {
    for (const v of this.vcpus) v.reset();
  }

  unmapRegion(): void {
    for (const v of this.vcpus) v.reset();
  }

  createVcpu(binding: VcpuBinding): TcgVcpu {
    const vcpu = new TcgVcpu(binding, this.code);
    this.vcpus.push(vcpu);
    return vcpu;
  }
}

/** `tcg`: the pure-TypeScript x86 executor. Always available, on any host. */
export class TcgAccelerator implements Accelerator {
  readonly name = 'tcg';

  probe(): ProbeResult {
    return {
      available: true,
      reason: 'the TypeScript executor runs on any host',
      hardwareAccelerated: false,
    };
  }

  createVm(options: VmOptions): TcgVm {
    if (options.arch !== 'x86')
      throw new Error(`accelerator 'tcg' runs x86 guests only, not '${options.arch}'`);
    return new TcgVm();
  }
}

export const tcg = new TcgAccelerator();
