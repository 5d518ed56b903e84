import type { Insn } from '../decode/insn.js';
import type { Cpu } from '../exec/cpu.js';
import { fault, Vec } from '../exec/fault.js';

/**
 * I/O permission (SDM Vol. 1 §19.5): in protected mode with CPL > IOPL, and always in
 * virtual-8086 mode, every byte of the access must be allowed by the TSS I/O bitmap.
 */
export function checkIoPermission(c: Cpu, port: number, size: number): void {
  if (!c.pe) return;
  if (!c.v86 && c.cpl <= ((c.flags >> 12) & 3)) return;
  const tr = c.state.tr;
  // Only a 32-bit TSS has a bitmap.
  if (!(tr.type & 8) || tr.limit >>> 0 < 0x67) fault(Vec.GP, 0);
  const base = tr.base >>> 0;
  const mapOffset = c.mmu.readSys(base + 0x66, 2);
  const byteOff = mapOffset + (port >> 3);
  if (byteOff + 1 > tr.limit >>> 0) fault(Vec.GP, 0);
  const bits = c.mmu.readSys(base + byteOff, 2);
  const want = ((1 << size) - 1) << (port & 7);
  if (bits & want) fault(Vec.GP, 0);
}

/** Read a port through the machine's bus; afterwards notice A20 changes and exit requests. */
export function portIn(c: Cpu, port: number, size: number): number {
  const v = c.ports.read(port & 0xffff, size as 1 | 2 | 4);
  c.afterIo();
  return v;
}

export function portOut(c: Cpu, port: number, size: number, value: number): void {
  c.ports.write(port & 0xffff, size as 1 | 2 | 4, value);
  c.afterIo();
}

/** E4/E5: IN AL/eAX, imm8. */
export function opInImm(c: Cpu, i: Insn): void {
  checkIoPermission(c, i.imm, i.size);
  c.setReg(0, i.size, portIn(c, i.imm, i.size));
}

/** EC/ED: IN AL/eAX, DX. */
export function opInDx(c: Cpu, i: Insn): void {
  const port = c.r[2] & 0xffff;
  checkIoPermission(c, port, i.size);
  c.setReg(0, i.size, portIn(c, port, i.size));
}

/** E6/E7: OUT imm8, AL/eAX. */
export function opOutImm(c: Cpu, i: Insn): void {
  checkIoPermission(c, i.imm, i.size);
  portOut(c, i.imm, i.size, c.getReg(0, i.size));
}

/** EE/EF: OUT DX, AL/eAX. */
export function opOutDx(c: Cpu, i: Insn): void {
  const port = c.r[2] & 0xffff;
  checkIoPermission(c, port, i.size);
  portOut(c, port, i.size, c.getReg(0, i.size));
}
