import { encodingMode, hex, le32, SEGMENT_PREFIX, type Size, sizePrefix } from '../encoder.js';
import { type Form, SCRATCH, SEGMENTS, SIZES, step, w } from '../operands.js';
import type { Step } from '../step.js';

/** String instructions with REP prefixes, both directions and segment overrides. */

/**
 * String instructions with guard steps that point ESI/EDI into the scratch area, set ECX and the
 * direction flag so every access stays inside the 16 dumped scratch bytes.
 */
const STRING_OPS = [
  { name: 'movs', op: 0xa4, src: true, dst: true, compares: false },
  { name: 'cmps', op: 0xa6, src: true, dst: true, compares: true },
  { name: 'stos', op: 0xaa, src: false, dst: true, compares: false },
  { name: 'lods', op: 0xac, src: true, dst: false, compares: false },
  { name: 'scas', op: 0xae, src: false, dst: true, compares: true },
] as const;

/** Linear page right after the scratch page: not present, so string ops that run into it #PF. */
const UNMAPPED = 0x10000;

/**
 * A REP string instruction that runs off the end of the scratch page into the unmapped page:
 * #PF part-way, with ESI/EDI/ECX in the exception record showing exactly how far it got (and no
 * partial element written across the boundary).
 */
export const runawayString: Form = (rng) => {
  // Real mode has no paging: 16-bit pointers would wrap into the IVT instead. A plain string op.
  if (encodingMode() === 16) return stringOp(rng);
  const s = rng.pick(STRING_OPS);
  const size: Size = rng.pick(SIZES);
  const bytes = size / 8;
  const page = UNMAPPED - 0x1000;
  const src = page + rng.below(0x800);
  const dst = page + rng.below(0x800);
  const nearest = Math.max(s.src ? src : 0, s.dst ? dst : 0);
  const count = Math.ceil((UNMAPPED - nearest) / bytes) + rng.below(64);
  const steps: Step[] = [step([0xfc], 'cld')];
  if (s.src) steps.push(step([...sizePrefix(32), 0xbe, ...le32(src)], `mov esi,${hex(src)}`));
  if (s.dst) steps.push(step([...sizePrefix(32), 0xbf, ...le32(dst)], `mov edi,${hex(dst)}`));
  steps.push(step([...sizePrefix(32), 0xb9, ...le32(count)], `mov ecx,${hex(count)}`));
  const suffix = size === 8 ? 'b' : size === 16 ? 'w' : 'd';
  steps.push(
    step([0xf3, ...sizePrefix(size), s.op + w(size)], `${s.compares ? 'repe' : 'rep'} ${s.name}${suffix}`),
  );
  return steps;
};

export const stringOp: Form = (rng) => {
  const s = rng.pick(STRING_OPS);
  const size: Size = rng.pick(SIZES);
  const bytes = size / 8;
  const rep = rng.pick(['', 'rep', 'rep', 'repne'] as const);
  const backward = rng.chance(0.3);
  const elements = 16 / bytes;
  const count = rep ? rng.below(elements + 1) : 1;
  const span = Math.max(count, 1) * bytes; // bytes the instruction may touch
  // Forward: start .. start + span within 16; backward: start - span + bytes .. start + bytes.
  const start = () => (backward ? span - bytes + rng.below(16 - span + 1) : rng.below(16 - span + 1));
  const steps: Step[] = [step([backward ? 0xfd : 0xfc], backward ? 'std' : 'cld')];
  const pointer = (opcode: number, name: string) => {
    const address = SCRATCH + start();
    steps.push(step([...sizePrefix(32), opcode, ...le32(address)], `mov ${name},${hex(address)}`));
  };
  if (s.src) pointer(0xbe, 'esi');
  if (s.dst) pointer(0xbf, 'edi');
  if (rep) steps.push(step([...sizePrefix(32), 0xb9, ...le32(count)], `mov ecx,${hex(count)}`));
  // A segment override applies to the DS:ESI operand only.
  const segment = s.src && rng.chance(0.2) ? rng.pick(SEGMENTS) : undefined;
  const repByte = rep === 'repne' ? 0xf2 : 0xf3;
  const repName = rep === '' ? '' : rep === 'repne' ? 'repne ' : s.compares ? 'repe ' : 'rep ';
  const suffix = size === 8 ? 'b' : size === 16 ? 'w' : 'd';
  steps.push(
    step(
      [
        ...(segment ? [SEGMENT_PREFIX[segment]] : []),
        ...(rep ? [repByte] : []),
        ...sizePrefix(size),
        s.op + w(size),
      ],
      `${segment ? `${segment} ` : ''}${repName}${s.name}${suffix}`,
    ),
  );
  return steps;
};
