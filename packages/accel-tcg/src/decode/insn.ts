import type { Cpu } from '../exec/cpu.js';

/** Executes one pre-decoded instruction. EIP already points at the next instruction. */
export type Handler = (c: Cpu, i: Insn) => void;

/**
 * One decoded instruction: everything the handler needs, computed once per translation.
 * All fields exist on every instance (one hidden class for the engine).
 */
export class Insn {
  exec: Handler;
  /** Length in bytes. */
  len = 0;
  /** Opcode: one-byte 0x00-0xff, two-byte 0x100 + second byte. */
  opc = 0;
  /** Operand size in bytes for the instruction's main operand: 1, 2 or 4. */
  size = 4;
  /** 32-bit operand size (after 0x66). */
  o32 = true;
  /** 32-bit address size (after 0x67). */
  a32 = true;
  /** Segment of the memory operand (override or ModRM default). */
  seg = 3;
  /** Segment override prefix, or -1. */
  segOvr = -1;
  /** 0, 0xf2 (REPNE) or 0xf3 (REP/REPE). */
  rep = 0;
  lock = false;
  /** ModRM fields. `mem` is false for register operands (mod = 3). */
  mod = 0;
  reg = 0;
  rm = 0;
  mem = false;
  /** Effective address parts: registers (-1 for none), scale shift, displacement. */
  base = -1;
  index = -1;
  scale = 0;
  disp = 0;
  imm = 0;
  imm2 = 0;
  /** Ends its translation block (control transfer, mode change, I/O...). */
  ends = false;

  constructor(exec: Handler) {
    this.exec = exec;
  }
}
