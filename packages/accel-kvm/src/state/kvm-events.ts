import type { VcpuEventsFlag, X86CpuState } from '@tsvm/arch-x86';

/** `struct kvm_vcpu_events` (64 bytes). */
const EXC_INJECTED = 0;
const EXC_NR = 1;
const EXC_HAS_ERROR_CODE = 2;
const EXC_ERROR_CODE = 4;
const INT_INJECTED = 8;
const INT_NR = 9;
const INT_SOFT = 10;
const INT_SHADOW = 11;
const NMI_INJECTED = 12;
const NMI_PENDING = 13;
const NMI_MASKED = 14;
const SIPI_VECTOR = 16;
const FLAGS = 20;

export interface EventFlagBits {
  readonly nmiPending: number;
  readonly sipiVector: number;
  readonly shadow: number;
}

/**
 * Encode the pending events. The interrupt shadow is always valid; the NMI-pending and
 * SIPI-vector fields are marked valid only when the plan step lists them (Reset and Full).
 */
export function encodeEvents(
  state: X86CpuState,
  size: number,
  flags: readonly VcpuEventsFlag[],
  bits: EventFlagBits,
): Uint8Array {
  const bytes = new Uint8Array(size);
  const v = new DataView(bytes.buffer);
  const e = state.events;
  // Without KVM_CAP_EXCEPTION_PAYLOAD, "injected" covers both pending and injected exceptions.
  v.setUint8(EXC_INJECTED, +(e.exception.injected || e.exception.pending));
  v.setUint8(EXC_NR, e.exception.vector & 0xff);
  v.setUint8(EXC_HAS_ERROR_CODE, +e.exception.hasErrorCode);
  v.setUint32(EXC_ERROR_CODE, e.exception.errorCode >>> 0, true);
  v.setUint8(INT_INJECTED, +e.interrupt.injected);
  v.setUint8(INT_NR, e.interrupt.vector & 0xff);
  v.setUint8(INT_SOFT, +e.interrupt.soft);
  v.setUint8(INT_SHADOW, e.interrupt.shadow & 3);
  v.setUint8(NMI_INJECTED, +e.nmi.injected);
  v.setUint8(NMI_PENDING, +e.nmi.pending);
  v.setUint8(NMI_MASKED, +e.nmi.masked);
  v.setUint32(SIPI_VECTOR, e.sipiVector >>> 0, true);
  let f = bits.shadow;
  if (flags.includes('nmiPending')) f |= bits.nmiPending;
  if (flags.includes('sipiVector')) f |= bits.sipiVector;
  v.setUint32(FLAGS, f, true);
  return bytes;
}

export function decodeEvents(bytes: Uint8Array, state: X86CpuState, flags: readonly VcpuEventsFlag[]): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const e = state.events;
  e.exception.injected = v.getUint8(EXC_INJECTED) !== 0;
  e.exception.pending = false;
  e.exception.vector = v.getUint8(EXC_NR);
  e.exception.hasErrorCode = v.getUint8(EXC_HAS_ERROR_CODE) !== 0;
  e.exception.errorCode = v.getUint32(EXC_ERROR_CODE, true);
  e.interrupt.injected = v.getUint8(INT_INJECTED) !== 0;
  e.interrupt.vector = v.getUint8(INT_NR);
  e.interrupt.soft = v.getUint8(INT_SOFT) !== 0;
  e.interrupt.shadow = v.getUint8(INT_SHADOW);
  e.nmi.injected = v.getUint8(NMI_INJECTED) !== 0;
  e.nmi.masked = v.getUint8(NMI_MASKED) !== 0;
  if (flags.includes('nmiPending')) e.nmi.pending = v.getUint8(NMI_PENDING) !== 0;
  if (flags.includes('sipiVector')) e.sipiVector = v.getUint32(SIPI_VECTOR, true);
}

/** The NMI-pending / SIPI-vector flags a recorded KVM_SET_VCPU_EVENTS carried. */
export function eventFlagsOf(flags: number, bits: EventFlagBits): VcpuEventsFlag[] {
  const out: VcpuEventsFlag[] = [];
  if (flags & bits.nmiPending) out.push('nmiPending');
  if (flags & bits.sipiVector) out.push('sipiVector');
  return out;
}
