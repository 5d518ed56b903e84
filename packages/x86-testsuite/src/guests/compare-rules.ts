import {
  KEEP_AAA,
  KEEP_AAM,
  KEEP_ALL,
  KEEP_BSF,
  KEEP_BT,
  KEEP_DAA,
  KEEP_DIV,
  KEEP_LOGIC,
  KEEP_MUL,
  type ShiftOp,
  STATUS_FLAGS,
  shiftKeepMask,
} from '../sdm/undefined-flags.js';
import type { ResultLine } from './result-lines.js';

/** Which bits of a group-guest result line are compared, and why. */
export interface CompareRule {
  /** EFLAGS bits 0-11 compared. */
  readonly flags: number;
  /** Bits of EAX, EBX, ECX, EDX compared. */
  readonly registers: readonly [number, number, number, number];
  /** The SDM reason for any masking (for reports). */
  readonly why: string;
}

const ALL_REGS = [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff] as const;
const rule = (flags: number, why: string, registers: CompareRule['registers'] = ALL_REGS): CompareRule => ({
  flags,
  registers,
  why,
});

const FULL = rule(KEEP_ALL, 'all flags defined');

/**
 * The comparison rule for a line, from its case name and inputs. The guests print QEMU's raw
 * results; this is where the SDM's "undefined" entries are applied.
 */
export function compareRuleFor(line: ResultLine): CompareRule {
  const r = ruleByName(line);
  if (line.exception) {
    // The handler's own instructions set the status flags before the case reports them.
    return {
      ...r,
      flags: r.flags & ~STATUS_FLAGS,
      why: `${r.why}; status flags after a caught exception are the handler's`,
    };
  }
  return r;
}

/**
 * Cases of the system, control, sysregs and real-mode guests that report registers, CR/DR bits
 * or memory: the status flags they end with come from bookkeeping instructions (AND masks, SUB
 * of pointers) some of which leave flags undefined, so only the non-status bits are compared.
 */
const INCIDENTAL_FLAGS =
  /^(pf_|gp_|np_|ss_|ud_|de_|bp_|of_|ts_|df_|task_|call_gate$|conforming$|sysenter$|iobitmap_|tf_|dr[01]_|pae_|cr[04]$|clts$|lmsw$|smsw$|dr4_|msr_|addr16$|segalias$|stack16$|int_iret$|far_call$|rep_movsw$|unreal$)/;

function ruleByName(line: ResultLine): CompareRule {
  const { name, b } = line;
  if (INCIDENTAL_FLAGS.test(name))
    return rule(
      KEEP_ALL & ~STATUS_FLAGS,
      'status flags here come from bookkeeping instructions, not the tested one',
    );
  if (/^(and|or|xor|test)(32|16|8|8h|32m|32i|32i8)$/.test(name))
    return rule(KEEP_LOGIC, 'SDM: AF undefined after AND/OR/XOR/TEST');
  let m = /^(shl|shr|sar|rol|ror|rcl|rcr)(32|16|8)(m|o1|i(\d+))?$/.exec(name);
  if (m) {
    const size = Number(m[2]) as 8 | 16 | 32;
    const count = m[3] === 'o1' ? 1 : m[4] !== undefined ? Number(m[4]) : b & 0xff;
    return rule(
      shiftKeepMask(m[1] as ShiftOp, size, count),
      `SDM: ${m[1]} by ${count & 31}: OF only for 1-bit counts, AF undefined, CF undefined past the operand size (SHL/SHR)`,
    );
  }
  m = /^(shld|shrd)(32|16)(m|i(\d+))?$/.exec(name);
  if (m) {
    const size = Number(m[2]) as 16 | 32;
    const count = m[4] !== undefined ? Number(m[4]) : b & 0xff;
    return rule(
      shiftKeepMask(m[1] as ShiftOp, size, count),
      `SDM: ${m[1]} by ${count & 31}: AF undefined, OF only for 1-bit counts`,
    );
  }
  if (/^i?mul/.test(name)) return rule(KEEP_MUL, 'SDM: SF, ZF, AF, PF undefined after MUL/IMUL');
  if (/^i?div/.test(name)) return rule(KEEP_DIV, 'SDM: all status flags undefined after DIV/IDIV');
  if (/^da[as]$/.test(name)) return rule(KEEP_DAA, 'SDM: OF undefined after DAA/DAS');
  if (/^aa[as]$/.test(name)) return rule(KEEP_AAA, 'SDM: OF, SF, ZF, PF undefined after AAA/AAS');
  if (/^aa[md]/.test(name)) return rule(KEEP_AAM, 'SDM: OF, AF, CF undefined after AAM/AAD');
  if (/^bt[src]?(32|16)/.test(name))
    return rule(KEEP_BT, 'SDM: OF, SF, AF, PF undefined after BT/BTS/BTR/BTC');
  m = /^bs[fr](32|16)/.exec(name);
  if (m) {
    const size = Number(m[1]);
    const sourceZero = (size === 16 ? b & 0xffff : b) === 0;
    if (sourceZero) {
      // SDM: the destination is undefined when the source is 0 (QEMU leaves it unchanged).
      const eax = size === 16 ? 0xffff0000 : 0;
      return rule(KEEP_BSF, 'SDM: only ZF defined after BSF/BSR; destination undefined for a zero source', [
        eax,
        0xffffffff,
        0xffffffff,
        0xffffffff,
      ]);
    }
    return rule(KEEP_BSF, 'SDM: only ZF defined after BSF/BSR');
  }
  return FULL;
}
