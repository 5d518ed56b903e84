import type { WritebackStep } from '@tsvm/arch-x86';
import type { AcceleratorVcpu, AcceleratorVm, MemoryRegion, VcpuBinding, WritebackLevel } from '@tsvm/core';
import { describeRegion } from '@tsvm/core';
import { KvmError } from './errors.js';
import { closedA20Layout } from './memory/a20-window.js';
import type { KvmAddon, SystemHandle, VmHandle } from './native/addon.js';
import { KvmVcpu } from './vcpu/kvm-vcpu.js';

/** Where KVM's real-mode helpers live (Intel needs them): the identity-map page, then the 3-page TSS. */
const IDENTITY_MAP_ADDRESS = 0xfeffc000;
const TSS_ADDRESS = 0xfeffd000;

export interface KvmVmConfig {
  readonly addon: KvmAddon;
  readonly system: SystemHandle;
  readonly vcpuMmapSize: number;
  readonly cpuid: Uint32Array;
  readonly tscControl: boolean;
  /** KVM_CAP_SET_GUEST_DEBUG, and whether watchpoints work (hardware-backed KVM). */
  readonly guestDebug: { readonly watchpoints: boolean } | undefined;
  /** KVM lists IA32_FEATURE_CONTROL in KVM_GET_MSR_INDEX_LIST. */
  readonly featureControl: boolean;
  readonly maxSlots: number;
  readonly plan: (level: WritebackLevel) => readonly WritebackStep[];
  readonly trace: boolean;
  readonly traceFile?: string;
  readonly onVcpu?: (vcpu: KvmVcpu) => void;
}

/** One KVM virtual machine: memory slots mirror the machine's RAM, ROM and alias regions. */
export class KvmVm implements AcceleratorVm {
  readonly handle: VmHandle;
  private readonly slots = new Map<MemoryRegion, number>();
  /** Slots that stand in for displaced regions while the A20 gate is closed. */
  private a20Slots: number[] = [];
  private a20Displaced: readonly MemoryRegion[] = [];
  private a20Open = true;
  private readonly vcpus: KvmVcpu[] = [];
  private closedFlag = false;

  constructor(private readonly config: KvmVmConfig) {
    const { addon } = config;
    this.handle = addon.createVm(config.system);
    try {
      addon.setIdentityMapAddr(this.handle, IDENTITY_MAP_ADDRESS);
      addon.setTssAddr(this.handle, TSS_ADDRESS);
    } catch (e) {
      addon.close(this.handle);
      throw e;
    }
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Guest RAM comes from the addon: mmap'd, page-aligned, shared zero-copy with JS devices. */
  allocateMemory(bytes: number, name: string): Uint8Array {
    this.assertOpen(`allocate memory for '${name}'`);
    return new Uint8Array(this.config.addon.allocateMemory(bytes));
  }

  mapRegion(region: MemoryRegion): void {
    if (region.kind === 'mmio') return; // no slot: accesses exit to userspace as MMIO
    this.assertOpen(`map ${describeRegion(region)}`);
    if (!region.bytes) throw new KvmError(`cannot map ${describeRegion(region)}: it has no host memory`);
    if (this.slots.has(region)) throw new KvmError(`${describeRegion(region)} is already mapped`);
    const slot = this.freeSlot(describeRegion(region));
    // ROM (and aliases of it) read-only: guest writes then exit as MMIO and the bus drops them.
    const flags = region.readonly ? this.config.addon.constants.KVM_MEM_READONLY : 0;
    try {
      this.config.addon.setUserMemoryRegion(this.handle, slot, flags, region.base, region.size, region.bytes);
    } catch (e) {
      throw new KvmError(
        `cannot map ${describeRegion(region)} into KVM slot ${slot}: ${(e as Error).message}`,
        'KVM_SET_USER_MEMORY_REGION',
        (e as { code?: string }).code,
      );
    }
    // Keeping the region (and so its bytes) in this map keeps the host memory alive while KVM uses it.
    this.slots.set(region, slot);
  }

  /**
   * Follow the canonical A20 gate. KVM has no A20 mask, so closing the gate rebuilds the slots
   * of the [1 MiB, 2 MiB) window as a mirror of the first megabyte (see `closedA20Layout`).
   */
  syncA20(enabled: boolean): void {
    if (enabled === this.a20Open) return;
    this.assertOpen(`${enabled ? 'open' : 'close'} the A20 gate`);
    const { addon } = this.config;
    if (!enabled) {
      const { displaced, mappings } = closedA20Layout([...this.slots.keys()]);
      // Unmap first: KVM refuses overlapping slots.
      for (const r of displaced) {
        addon.setUserMemoryRegion(this.handle, this.slots.get(r)!, 0, r.base, 0, null);
        this.slots.delete(r);
      }
      this.a20Displaced = displaced;
      for (const m of mappings) {
        const slot = this.freeSlot(m.label);
        addon.setUserMemoryRegion(
          this.handle,
          slot,
          m.readonly ? addon.constants.KVM_MEM_READONLY : 0,
          m.base,
          m.size,
          m.bytes,
        );
        this.a20Slots.push(slot);
      }
    } else {
      for (const slot of this.a20Slots) addon.setUserMemoryRegion(this.handle, slot, 0, 0, 0, null);
      this.a20Slots = [];
      for (const r of this.a20Displaced) this.mapRegion(r);
      this.a20Displaced = [];
    }
    this.a20Open = enabled;
  }

  get a20Enabled(): boolean {
    return this.a20Open;
  }

  unmapRegion(region: MemoryRegion): void {
    const slot = this.slots.get(region);
    if (slot === undefined) return;
    this.assertOpen(`unmap ${describeRegion(region)}`);
    this.config.addon.setUserMemoryRegion(this.handle, slot, 0, region.base, 0, null);
    this.slots.delete(region);
  }

  private freeSlot(what: string): number {
    const used = new Set([...this.slots.values(), ...this.a20Slots]);
    for (let slot = 0; slot < this.config.maxSlots; slot++) if (!used.has(slot)) return slot;
    throw new KvmError(`cannot map ${what}: all ${this.config.maxSlots} KVM memory slots are in use`);
  }

  createVcpu(binding: VcpuBinding): AcceleratorVcpu {
    this.assertOpen(`create vCPU ${binding.index}`);
    const vcpu = new KvmVcpu(this, binding, {
      addon: this.config.addon,
      mmapSize: this.config.vcpuMmapSize,
      cpuid: this.config.cpuid,
      tscControl: this.config.tscControl,
      guestDebug: this.config.guestDebug,
      featureControl: this.config.featureControl,
      plan: this.config.plan,
      trace: this.config.trace,
      traceFile: this.config.traceFile,
    });
    this.vcpus.push(vcpu);
    this.config.onVcpu?.(vcpu);
    return vcpu;
  }

  assertOpen(what: string): void {
    if (this.closedFlag) throw new KvmError(`cannot ${what}: the KVM VM is closed`);
  }

  /** Close every vCPU, then the VM and the /dev/kvm handle. Idempotent. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const v of this.vcpus) v.close();
    this.slots.clear();
    this.config.addon.close(this.handle);
    this.config.addon.close(this.config.system);
  }
}
