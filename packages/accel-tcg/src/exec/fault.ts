/** Exception vectors (SDM Vol. 3 Table 6-1). */
export const Vec = {
  DE: 0,
  DB: 1,
  NMI: 2,
  BP: 3,
  OF: 4,
  BR: 5,
  UD: 6,
  NM: 7,
  DF: 8,
  TS: 10,
  NP: 11,
  SS: 12,
  GP: 13,
  PF: 14,
  MF: 16,
  AC: 17,
  MC: 18,
} as const;

/** Vectors that push an error code when delivered as exceptions. */
const ERROR_CODE_VECTORS = new Set<number>([8, 10, 11, 12, 13, 14, 17]);

export function pushesErrorCode(vector: number): boolean {
  return ERROR_CODE_VECTORS.has(vector);
}

/** Contributory exceptions (SDM Vol. 3 Table 6-4): two in a row make a double fault. */
export function isContributory(vector: number): boolean {
  return vector === 0 || (vector >= 10 && vector <= 13);
}

/**
 * A guest exception raised while executing an instruction. Thrown by the executor and caught by
 * the run loop, which restores EIP to the faulting instruction and delivers it through the IDT/IVT.
 */
export class CpuFault {
  constructor(
    readonly vector: number,
    readonly errorCode: number = -1,
    /** Traps (INT3, INTO, #DB after an instruction) report the next instruction's address. */
    readonly trap = false,
  ) {}
}

export function fault(vector: number, errorCode = -1): never {
  throw new CpuFault(vector, errorCode);
}

export const gp = (code = 0): never => fault(Vec.GP, code);
export const ud = (): never => fault(Vec.UD);

/** The CPU gave up: a fault while delivering a double fault. */
export class TripleFault {
  constructor(readonly reason: string) {}
}

/** The executor met something it does not model; surfaces as an `error` exit, never a wrong result. */
export class NotImplemented extends Error {
  override readonly name = 'NotImplemented';
}
