import { KEEP_LOGIC } from '../../sdm/undefined-flags.js';
import {
  addr32Prefix,
  encodingMode,
  hex,
  le32,
  modrm,
  operandTextBare,
  reg,
  regName,
  type Size,
  signedHex8,
  sizePrefix,
} from '../encoder.js';
import { type Form, pickMem, pickReg, step } from '../operands.js';
import type { Step } from '../step.js';

/** Stack instructions: PUSH/POP, PUSHAD/POPAD, CALL/POP, ENTER/LEAVE, POPFD. */

/**
 * Stack forms. Every sequence starts on an empty stack (ESP = the prologue's stack top) and the
 * records show ESP, so pushes and pops need not balance; they stay within a few hundred bytes.
 */
export const stack: Form = (rng) => {
  const v = rng.below(7);
  if (v === 0) {
    const size: Size = rng.pick([16, 32]);
    const r = pickReg(rng, size);
    return rng.chance(0.5)
      ? [step([...sizePrefix(size), 0x50 + r.index], `push ${regName(r)}`)]
      : [step([...sizePrefix(size), 0x58 + r.index], `pop ${regName(r)}`)];
  }
  if (v === 1) return [step([0x60], 'pusha')]; // ndisasm's spelling of PUSHAD / POPAD
  if (v === 2) return [step([0x61], 'popa')];
  if (v === 3) {
    // CALL to the next instruction and POP: the return address lands in a register.
    const r = pickReg(rng, 32);
    // In 16-bit code the return address is a word: pop it into a 16-bit register.
    const size: Size = encodingMode();
    const target = reg(r.index, size);
    return [
      step(size === 32 ? [0xe8, 0, 0, 0, 0] : [0xe8, 0, 0], 'call $+5'),
      step([0x58 + r.index], `pop ${regName(target)}`),
    ];
  }
  if (v === 4) {
    // ENTER with a nesting level: EBP first points into the stack so the frame copies read it.
    const size = rng.below(64);
    const level = rng.below(4);
    return [
      step([...sizePrefix(32), 0x89, 0xe5], 'mov ebp,esp'),
      step([0xc8, size, 0, level], `enter ${hex(size)},${hex(level)}`),
    ];
  }
  if (v === 5) {
    // LEAVE from an EBP a little above ESP.
    const disp = rng.below(8) * 4;
    return [
      step([...sizePrefix(32), ...addr32Prefix(), 0x8d, 0x6c, 0x24, disp], `lea ebp,[esp+${hex(disp)}]`),
      step([0xc9], 'leave'),
    ];
  }
  // POPFD of a pushed value with only the status flags and DF kept (TF, IF, NT... stay clear).
  return [
    step(
      [...addr32Prefix(), ...sizePrefix(32), 0x81, 0x24, 0x24, ...le32(0x8d5 | 0x400)],
      'and dword [esp],0xcd5',
      KEEP_LOGIC,
    ),
    step([0x9d], 'popf'),
  ];
};

/** PUSH then POP (registers, immediates, memory, EFLAGS). */
export const pushPop: Form = (rng) => {
  const v = rng.below(4);
  let push: Step;
  if (v === 0) {
    const r = pickReg(rng, 32);
    push = step([...sizePrefix(32), 0x50 + r.index], `push ${regName(r)}`);
  } else if (v === 1) {
    const imm = rng.next();
    push = rng.chance(0.5)
      ? step([0x6a, imm & 0xff], `push ${signedHex8(imm)}`)
      : step([...sizePrefix(32), 0x68, ...le32(imm)], `push ${hex(imm)}`);
  } else if (v === 2) {
    const m = pickMem(rng, 32);
    push = step([...sizePrefix(32), 0xff, ...modrm(6, m)], `push dword ${operandTextBare(m)}`);
  } else {
    push = step([0x9c], 'pushf'); // ndisasm's spelling of PUSHFD
  }
  if (rng.chance(0.3)) {
    const m = pickMem(rng, 32);
    return [push, step([...sizePrefix(32), 0x8f, ...modrm(0, m)], `pop dword ${operandTextBare(m)}`)];
  }
  const r = pickReg(rng, 32);
  return [push, step([...sizePrefix(32), 0x58 + r.index], `pop ${regName(r)}`)];
};
