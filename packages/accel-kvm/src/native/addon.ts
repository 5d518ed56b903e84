import { createRequire } from 'node:module';

/** Opaque handles the addon hands out; type-tagged in C, so passing the wrong kind throws. */
export type SystemHandle = { readonly __kvm: 'system' };
export type VmHandle = { readonly __kvm: 'vm' };
export type VcpuHandle = { readonly __kvm: 'vcpu' };

/** One recorded set-ioctl (see `setTrace`). */
export interface TraceEntry {
  readonly ioctl: string;
  /** KVM_SET_MSRS: the MSR indices of the batch, in order. */
  readonly msrs?: readonly number[];
  /** KVM_SET_MSRS with IA32_TSC in the batch: the value written. */
  readonly tsc?: bigint;
  /** KVM_SET_VCPU_EVENTS: `flags`; KVM_SET_MP_STATE: the state; KVM_SET_TSC_KHZ: the frequency. */
  readonly flags?: number;
}

/** Layout facts and numbers taken from the kernel headers the addon was built against. */
export interface KvmConstants {
  readonly [name: string]: number;
}

/** The native binding: a thin ioctl surface. Every function validates its arguments in C. */
export interface KvmAddon {
  readonly constants: KvmConstants;
  openSystem(path: string): SystemHandle;
  close(handle: SystemHandle | VmHandle): void;
  getApiVersion(sys: SystemHandle): number;
  checkExtension(sys: SystemHandle, cap: number): number;
  getVcpuMmapSize(sys: SystemHandle): number;
  getSupportedCpuid(sys: SystemHandle): Uint32Array;
  getMsrIndexList(sys: SystemHandle): Uint32Array;
  createVm(sys: SystemHandle): VmHandle;
  allocateMemory(bytes: number): ArrayBuffer;
  setUserMemoryRegion(
    vm: VmHandle,
    slot: number,
    flags: number,
    gpa: number,
    size: number,
    bytes: Uint8Array | null,
  ): void;
  setTssAddr(vm: VmHandle, address: number): void;
  setIdentityMapAddr(vm: VmHandle, address: number): void;
  createIrqchip(vm: VmHandle): void;
  createPit2(vm: VmHandle): void;
  irqLine(vm: VmHandle, irq: number, level: boolean): void;
  createVcpu(vm: VmHandle, id: number, mmapSize: number): { handle: VcpuHandle; run: ArrayBuffer };
  closeVcpu(vcpu: VcpuHandle): void;
  /** KVM_RUN: the exit reason, or -1 when interrupted (deadline timer, immediate_exit). */
  run(vcpu: VcpuHandle): number;
  completePending(vcpu: VcpuHandle): void;
  /** KVM_SET_GUEST_DEBUG: `control` is GUESTDBG_* bits; `debugreg` DR0-DR7 for hardware breakpoints. */
  setGuestDebug(vcpu: VcpuHandle, control: number, debugreg: BigUint64Array): void;
  armTimer(vcpu: VcpuHandle, ns: number): void;
  disarmTimer(vcpu: VcpuHandle): void;
  getRegs(vcpu: VcpuHandle): Uint8Array;
  setRegs(vcpu: VcpuHandle, bytes: Uint8Array): void;
  getSregs(vcpu: VcpuHandle): Uint8Array;
  setSregs(vcpu: VcpuHandle, bytes: Uint8Array): void;
  getFpu(vcpu: VcpuHandle): Uint8Array;
  setFpu(vcpu: VcpuHandle, bytes: Uint8Array): void;
  getXsave(vcpu: VcpuHandle): Uint8Array;
  setXsave(vcpu: VcpuHandle, bytes: Uint8Array): void;
  getXcrs(vcpu: VcpuHandle): Uint8Array;
  setXcrs(vcpu: VcpuHandle, bytes: Uint8Array): void;
  getVcpuEvents(vcpu: VcpuHandle): Uint8Array;
  setVcpuEvents(vcpu: VcpuHandle, bytes: Uint8Array): void;
  getDebugRegs(vcpu: VcpuHandle): Uint8Array;
  setDebugRegs(vcpu: VcpuHandle, bytes: Uint8Array): void;
  getMpState(vcpu: VcpuHandle): Uint8Array;
  setMpState(vcpu: VcpuHandle, bytes: Uint8Array): void;
  getLapic(vcpu: VcpuHandle): Uint8Array;
  setLapic(vcpu: VcpuHandle, bytes: Uint8Array): void;
  getMsrs(vcpu: VcpuHandle, indices: Uint32Array): BigUint64Array;
  setMsrs(vcpu: VcpuHandle, indices: Uint32Array, values: BigUint64Array): void;
  setCpuid2(vcpu: VcpuHandle, entries: Uint32Array): void;
  getTscKhz(vcpu: VcpuHandle): number;
  setTscKhz(vcpu: VcpuHandle, khz: number): void;
  interrupt(vcpu: VcpuHandle, vector: number): void;
  nmi(vcpu: VcpuHandle): void;
  setTrace(vcpu: VcpuHandle, enabled: boolean): void;
  takeTrace(vcpu: VcpuHandle): TraceEntry[];
}

const ADDON_FILE = 'build/Release/tsvm_kvm.node';
// From src/native/ (vitest, tsc) the package root is two levels up; from dist/ it is one.
const CANDIDATES = [`../../${ADDON_FILE}`, `../${ADDON_FILE}`];

let cached: KvmAddon | undefined;
let loadError: Error | undefined;

/** Load the addon once; throws a clear error when it was not built. */
export function loadAddon(): KvmAddon {
  if (cached) return cached;
  if (loadError) throw loadError;
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const candidate of CANDIDATES) {
    try {
      cached = require(candidate) as KvmAddon;
      return cached;
    } catch (e) {
      failures.push(`${candidate}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  loadError = new Error(
    `the KVM addon is not built (run 'pnpm install' or 'pnpm --filter @tsvm/accel-kvm build:native'); tried ${failures.join('; ')}`,
  );
  throw loadError;
}
