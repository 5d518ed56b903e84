export { TcgAccelerator, TcgVm, tcg } from './accelerator.js';
export { type CodeReader, decode } from './decode/decoder.js';
export { type Handler, Insn } from './decode/insn.js';
export { type Imm, ONE_BYTE, type OpSpec, TWO_BYTE } from './decode/opcode-table.js';
export { CPUID_FEATURES_ECX, CPUID_FEATURES_EDX, cpuid } from './exec/cpuid.js';
export { canMakeFunctions } from './jit/function-support.js';
export { JIT_MODES, type JitMode, type TcgOptions } from './jit/options.js';
export { TcgVcpu } from './vcpu.js';
