import { Msr, type WritebackStep, writebackPlan } from '@tsvm/arch-x86';
import type { Accelerator, VmOptions, WritebackLevel } from '@tsvm/core';
import { guestCpuid } from './cpuid.js';
import { KvmError } from './errors.js';
import { KvmVm } from './kvm-vm.js';
import { type KvmAddon, loadAddon } from './native/addon.js';
import { type KvmProbeResult, type ProbeOptions, probeKvm } from './probe.js';
import { checkTraceFile } from './state/trace-file.js';
import type { KvmVcpu } from './vcpu/kvm-vcpu.js';

export interface KvmAcceleratorOptions extends ProbeOptions {
  /** Record every set-ioctl of every vCPU from creation on (debug aid; off by default). */
  readonly trace?: boolean;
  /**
   * Record as `trace` does and append each vCPU's set-ioctls to this file (JSON lines) when it
   * closes. Defaults to the environment variable TSVM_KVM_TRACE, so a `tsvm` process can be traced.
   */
  readonly traceFile?: string;
  /**
   * Which substates each level writes. Always arch-x86's `writebackPlan` in real use; tests
   * substitute a deliberately wrong plan to prove the trace check notices.
   */
  readonly writebackPlan?: (level: WritebackLevel) => readonly WritebackStep[];
}

/** Linux KVM through the tsvm Node-API addon. */
export class KvmAccelerator implements Accelerator {
  readonly name = 'kvm';
  private openVcpus: KvmVcpu[] = [];

  constructor(private readonly options: KvmAcceleratorOptions = {}) {}

  private addon(): KvmAddon {
    return (this.options.addon ?? loadAddon)();
  }

  probe(): KvmProbeResult {
    return probeKvm(loadAddon, this.options);
  }

  /** The open vCPUs this accelerator created, in creation order (for traces and debugging). */
  get vcpus(): readonly KvmVcpu[] {
    this.openVcpus = this.openVcpus.filter((v) => !v.closed);
    return this.openVcpus;
  }

  createVm(options: VmOptions): KvmVm {
    if (options.arch !== 'x86')
      throw new KvmError(`the KVM accelerator runs x86 guests, not '${options.arch}'`);
    const probe = this.probe();
    if (!probe.available) throw new KvmError(`KVM is not usable: ${probe.reason}`);
    const addon = this.addon();
    const c = addon.constants;
    const traceFile = this.options.traceFile ?? (process.env.TSVM_KVM_TRACE || undefined);
    if (traceFile !== undefined)
      checkTraceFile(traceFile, this.options.traceFile !== undefined ? 'traceFile' : 'TSVM_KVM_TRACE');
    const system = addon.openSystem(this.options.devicePath ?? '/dev/kvm');
    try {
      return new KvmVm({
        addon,
        system,
        vcpuMmapSize: addon.getVcpuMmapSize(system),
        cpuid: guestCpuid(addon.getSupportedCpuid(system), { inKernelLapic: false }),
        tscControl: addon.checkExtension(system, c.CAP_TSC_CONTROL) > 0,
        guestDebug:
          addon.checkExtension(system, c.CAP_SET_GUEST_DEBUG) > 0
            ? { watchpoints: probe.hardwareAccelerated }
            : undefined,
        // QEMU's has_msr_feature_control: KVM on AMD (and some PVM hosts) has no such MSR.
        featureControl: addon.getMsrIndexList(system).includes(Msr.IA32_FEATURE_CONTROL),
        maxSlots: Math.max(1, addon.checkExtension(system, c.CAP_NR_MEMSLOTS)),
        plan: this.options.writebackPlan ?? writebackPlan,
        trace: this.options.trace ?? traceFile !== undefined,
        traceFile,
        onVcpu: (v) => this.openVcpus.push(v),
      });
    } catch (e) {
      addon.close(system);
      throw e;
    }
  }
}
