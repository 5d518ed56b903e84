import type { Accelerator, AcceleratorVm, ProbeResult, VcpuBinding, VmOptions } from '@tsvm/core';
import { checkOptions, defaultJitMode, type TcgOptions } from './jit/options.js';
import { CodePages } from './mmu/code-pages.js';
import { TcgVcpu } from './vcpu.js';

/** The TS executor's side of one VM: it only mirrors memory-map changes into its vCPUs' caches. */
export class TcgVm implements AcceleratorVm {
  readonly vcpus: TcgVcpu[] = [];
  /** Code pages are tracked VM-wide: one vCPU's store must drop another's translations. */
  private readonly code = new CodePages();

  constructor(private readonly options: TcgOptions = {}) {}

  // The machine allocates plain Uint8Arrays; the MMU finds them through GuestMemory. A map
  // change can move what a linear address means, so every cached translation goes.
  mapRegion(): void {
    for (const v of this.vcpus) v.reset();
  }

  unmapRegion(): void {
    for (const v of this.vcpus) v.reset();
  }

  createVcpu(binding: VcpuBinding): TcgVcpu {
    const vcpu = new TcgVcpu(binding, this.code, this.options);
    this.vcpus.push(vcpu);
    return vcpu;
  }
}

/** `tcg`: the pure-TypeScript x86 executor. Always available, on any host. */
export class TcgAccelerator implements Accelerator {
  readonly name = 'tcg';
  readonly options: TcgOptions;

  /** `options.jit`: 'on' (default) compiles hot blocks to JavaScript, 'off' only interprets. */
  constructor(options: TcgOptions = {}) {
    checkOptions(options);
    this.options = options;
  }

  /** The same accelerator with other options (e.g. `tcg.withOptions({ jit: 'off' })`). */
  withOptions(options: TcgOptions): TcgAccelerator {
    return new TcgAccelerator({ ...this.options, ...options });
  }

  /** The block compiler mode VMs created now will use. */
  get jitMode(): string {
    return this.options.jit ?? defaultJitMode();
  }

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
    return new TcgVm(this.options);
  }
}

export const tcg = new TcgAccelerator();
