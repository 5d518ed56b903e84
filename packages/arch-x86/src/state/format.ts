import { GPR_NAMES } from './registers.js';
import type { SegmentRegister } from './segment.js';
import type { X86CpuState } from './x86-cpu-state.js';

const h = (v: number | bigint, width: number) => `${v.toString(16).padStart(width, '0')}`;

function seg(name: string, s: SegmentRegister): string {
  const base = (BigInt(s.baseHigh >>> 0) << 32n) | BigInt(s.base >>> 0);
  const attrs = `type=${s.type.toString(16)} s=${+s.s} dpl=${s.dpl} p=${+s.present} l=${+s.l} db=${+s.db} g=${+s.g}${s.unusable ? ' unusable' : ''}`;
  return `${name.toUpperCase().padEnd(3)}=${h(s.selector, 4)} base=${h(base, 16)} limit=${h(s.limit >>> 0, 8)} ${attrs}`;
}

/** A register dump in the spirit of QEMU's `info registers`. */
export function formatCpuState(state: X86CpuState): string {
  const lines: string[] = [];
  for (let i = 0; i < 16; i += 4) {
    lines.push(
      GPR_NAMES.slice(i, i + 4)
        .map((n, k) => `${n.toUpperCase().padEnd(3)}=${h(state.getGpr64(i + k), 16)}`)
        .join(' '),
    );
  }
  lines.push(
    `RIP=${h(state.rip, 16)} RFL=${h(state.rflags >>> 0, 8)} MP=${state.mpState} A20=${+state.a20Enabled}`,
  );
  for (const name of ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldt', 'tr'] as const)
    lines.push(seg(name, state[name]));
  lines.push(
    `GDT=${h(state.gdt.base >>> 0, 8)} ${h(state.gdt.limit, 4)}  IDT=${h(state.idt.base >>> 0, 8)} ${h(state.idt.limit, 4)}`,
  );
  lines.push(
    `CR0=${h(state.cr0 >>> 0, 8)} CR2=${h(state.cr2, 16)} CR3=${h(state.cr3, 16)} CR4=${h(state.cr4 >>> 0, 8)} EFER=${h(state.efer, 8)}`,
  );
  lines.push(`DR6=${h(state.dr6 >>> 0, 8)} DR7=${h(state.dr7 >>> 0, 8)} TSC=${state.tsc}`);
  return lines.join('\n');
}
