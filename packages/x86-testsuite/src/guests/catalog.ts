import { crc32 } from '@tsvm/core';
import { readPackageFile } from '../package-files.js';
import {
  applyOverrides,
  hex32,
  readManifest,
  readOverrides,
  readRawGuestFixture,
} from '../reference/fixtures.js';

/** A CPU test guest: one instruction group as a 64 KiB ROM that starts at the reset vector. */
export interface CpuTestGuest {
  /** File name without extension (guests/<name>.asm / .bin, fixtures/<name>.txt.gz). */
  readonly name: string;
  readonly description: string;
  /**
   * How a correct run ends: through the debug-exit port with status 1, or (the system guest) in
   * a CPU shutdown after a deliberate triple fault — QEMU with -no-reboot then exits with status 0.
   */
  readonly ending: 'exit' | 'shutdown';
  /** The assembled ROM (loaded on first use). */
  image(): Uint8Array;
  /** The reference output: QEMU's output with the SDM overrides applied. */
  reference(): string;
}

/** The group guests, in the order a suite should run them. */
export const CPU_TEST_GUEST_NAMES = [
  'alu',
  'shifts',
  'muldiv',
  'bcd',
  'string',
  'bitops',
  'cond',
  'exchange',
  'stack',
  'loop',
  'realmode',
  'system',
  'control',
  'sysregs',
] as const;

const DESCRIPTIONS: Record<(typeof CPU_TEST_GUEST_NAMES)[number], string> = {
  alu: 'ADD ADC SUB SBB CMP AND OR XOR TEST INC DEC NEG NOT (8/16/32-bit, register, memory, immediate)',
  shifts: 'SHL SHR SAR ROL ROR RCL RCR (by 1, CL, immediate) and SHLD/SHRD',
  muldiv: 'MUL IMUL (1/2/3 operands) DIV IDIV, with #DE',
  bcd: 'DAA DAS AAA AAS AAM AAD, with AAM 0 #DE',
  string: 'MOVS STOS LODS CMPS SCAS with REP/REPE/REPNE, DF=1, segment override and 16-bit addressing',
  bitops: 'BT BTS BTR BTC (register, immediate, bit-string memory) BSF BSR',
  cond: 'SETcc CMOVcc Jcc (short, near) over all flag combinations',
  exchange: 'CMPXCHG CMPXCHG8B XADD XCHG BSWAP (with LOCK)',
  stack: 'PUSH POP PUSHA(D) POPA(D) PUSHFD POPFD ENTER LEAVE CALL RET imm16',
  loop: 'LOOP LOOPE LOOPNE (ECX and CX) JECXZ JCXZ',
  realmode:
    'real mode: 16/32-bit ALU, shifts, MUL/DIV (#DE via the IVT), 16-bit addressing modes and wrap, segment aliasing, PUSHA/PUSHF, INT/IRET, far CALL/RETF, REP MOVSW across the wrap, unreal mode',
  control:
    'task switches (CALL/JMP to a TSS, task gate, IRET with NT), call gate with parameters, conforming code, SYSENTER/SYSEXIT, I/O bitmap, TF single-step and the MOV SS shadow, DR0/DR1 breakpoints, PAE paging',
  sysregs:
    'POPFD/POPF in ring 0 and 3 (IF/IOPL/VM/ID/AC), SAHF/LAHF, XLAT, long NOP, CR0/CR4 bits, CLTS, LMSW, SMSW, DR4/DR5 aliases and #UD, RDMSR/WRMSR and #GP',
  system:
    'paging #PF error codes/CR2/WP/U-S/A-D/INVLPG/PSE, #GP #NP #SS #TS #UD #DE #BP #OF, ring-3 privilege checks, double and triple fault',
};

const images = new Map<string, Uint8Array>();

export function guestImage(name: string): Uint8Array {
  let image = images.get(name);
  if (!image) {
    image = readPackageFile(`guests/${name}.bin`);
    images.set(name, image);
  }
  return image;
}

/** Refuse a fixture made from another build of the guest (rebuild without regenerating). */
export function checkFixtureMatchesImage(name: string): void {
  const info = readManifest().guests[name];
  if (!info)
    throw new Error(
      `fixtures/manifest.json has no entry for guest '${name}': run scripts/regenerate-fixtures.sh`,
    );
  const actual = hex32(crc32(guestImage(name)));
  if (info.imageCrc32 !== actual) {
    throw new Error(
      `the ${name} fixture was made from image ${info.imageCrc32}, but guests/${name}.bin is ${actual}: regenerate the fixtures (scripts/regenerate-fixtures.sh)`,
    );
  }
}

export function cpuTestGuest(name: string): CpuTestGuest {
  if (!(CPU_TEST_GUEST_NAMES as readonly string[]).includes(name))
    throw new Error(`no CPU test guest named '${name}' (have: ${CPU_TEST_GUEST_NAMES.join(', ')})`);
  return {
    name,
    description: DESCRIPTIONS[name as (typeof CPU_TEST_GUEST_NAMES)[number]],
    ending: name === 'system' ? 'shutdown' : 'exit',
    image: () => guestImage(name),
    reference: () => {
      checkFixtureMatchesImage(name);
      return applyOverrides(name, readRawGuestFixture(name), readOverrides());
    },
  };
}

/** Every group guest. */
export function cpuTestGuests(): CpuTestGuest[] {
  return CPU_TEST_GUEST_NAMES.map(cpuTestGuest);
}
