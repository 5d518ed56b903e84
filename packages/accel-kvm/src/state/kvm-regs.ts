import { Gpr, type X86CpuState } from '@tsvm/arch-x86';

/** `struct kvm_regs` field order: rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip rflags (u64 each). */
const KVM_GPR_ORDER = [
  Gpr.RAX,
  Gpr.RBX,
  Gpr.RCX,
  Gpr.RDX,
  Gpr.RSI,
  Gpr.RDI,
  Gpr.RSP,
  Gpr.RBP,
  Gpr.R8,
  Gpr.R9,
  Gpr.R10,
  Gpr.R11,
  Gpr.R12,
  Gpr.R13,
  Gpr.R14,
  Gpr.R15,
];
const RIP = 16 * 8;
const RFLAGS = 17 * 8;

export function encodeRegs(state: X86CpuState, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const v = new DataView(bytes.buffer);
  KVM_GPR_ORDER.forEach((gpr, i) => {
    v.setUint32(i * 8, state.gprLow[gpr] >>> 0, true);
    v.setUint32(i * 8 + 4, state.gprHigh[gpr] >>> 0, true);
  });
  v.setUint32(RIP, state.eip >>> 0, true);
  v.setUint32(RIP + 4, state.ripHigh >>> 0, true);
  v.setUint32(RFLAGS, state.rflags >>> 0, true);
  return bytes;
}

export function decodeRegs(bytes: Uint8Array, state: X86CpuState): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  KVM_GPR_ORDER.forEach((gpr, i) => {
    state.gprLow[gpr] = v.getInt32(i * 8, true);
    state.gprHigh[gpr] = v.getInt32(i * 8 + 4, true);
  });
  state.eip = v.getUint32(RIP, true);
  state.ripHigh = v.getUint32(RIP + 4, true);
  state.rflags = v.getUint32(RFLAGS, true);
}
