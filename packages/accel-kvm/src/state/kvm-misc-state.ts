import { MpState, type X86CpuState } from '@tsvm/arch-x86';

/** `struct kvm_debugregs`: db[4], dr6, dr7, flags (u64 each), reserved. */
export function encodeDebugRegs(state: X86CpuState, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const v = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) v.setBigUint64(i * 8, state.dr[i], true);
  v.setBigUint64(32, BigInt(state.dr6 >>> 0), true);
  v.setBigUint64(40, BigInt(state.dr7 >>> 0), true);
  return bytes;
}

export function decodeDebugRegs(bytes: Uint8Array, state: X86CpuState): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < 4; i++) state.dr[i] = v.getBigUint64(i * 8, true);
  state.dr6 = Number(v.getBigUint64(32, true) & 0xffffffffn);
  state.dr7 = Number(v.getBigUint64(40, true) & 0xffffffffn);
}

/** `struct kvm_xcrs`: nr_xcrs, flags, then {xcr, reserved, value} records; we carry XCR0 only. */
export function encodeXcrs(state: X86CpuState, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, 1, true);
  v.setUint32(8, 0, true);
  v.setBigUint64(16, state.xcr0, true);
  return bytes;
}

export function decodeXcrs(bytes: Uint8Array, state: X86CpuState): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Math.min(v.getUint32(0, true), 16);
  for (let i = 0; i < n; i++) {
    if (v.getUint32(8 + i * 16, true) === 0) state.xcr0 = v.getBigUint64(16 + i * 16, true);
  }
}

/** XSAVE header offset of XSTATE_BV. */
const XSTATE_BV = 512;

/**
 * The canonical XSAVE area, made safe to load: x87 and SSE are marked present in XSTATE_BV so
 * the kernel takes FCW/MXCSR from the legacy area instead of resetting them to init values.
 */
export function encodeXsave(state: X86CpuState, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(state.xsave.subarray(0, Math.min(size, state.xsave.length)));
  const v = new DataView(bytes.buffer);
  v.setBigUint64(XSTATE_BV, v.getBigUint64(XSTATE_BV, true) | 3n, true);
  return bytes;
}

export function decodeXsave(bytes: Uint8Array, state: X86CpuState): void {
  state.xsave.set(bytes.subarray(0, state.xsave.length));
}

/**
 * mp_state for KVM. Without an in-kernel irqchip KVM accepts only RUNNABLE; halted and
 * not-yet-started vCPUs are then held by the backend itself (`haltInUserspace`).
 */
export function encodeMpState(state: X86CpuState, haltInUserspace: boolean): Uint8Array {
  const bytes = new Uint8Array(4);
  const value = haltInUserspace ? MpState.Runnable : state.mpState;
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

export function decodeMpState(bytes: Uint8Array, state: X86CpuState): void {
  state.mpState = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
}
