/**
 * How the executor runs hot blocks: `on` compiles them to JavaScript (the default), `off` only
 * interprets, `lockstep` compiles every block at once and runs the interpreter beside it,
 * comparing the canonical state at every block boundary (a test mode: slow, and it throws on
 * the first difference).
 */
export type JitMode = 'on' | 'off' | 'lockstep';

export const JIT_MODES: readonly JitMode[] = ['on', 'off', 'lockstep'];

/** Options of `new TcgAccelerator(options)` / `tcg.withOptions(options)`. */
export interface TcgOptions {
  /** Block compiler mode (default `on`, or the `TSVM_TCG_JIT` environment variable under Node). */
  readonly jit?: JitMode;
  /** Executions of a block before it is compiled (default 24; `lockstep` uses 0). */
  readonly hotThreshold?: number;
  /**
   * Whether a compiled function follows direct jumps, calls and conditional branches to more
   * blocks of the same page (default true; false compiles each block alone).
   */
  readonly traces?: boolean;
  /** Compiled-code budget in bytes of generated source per vCPU; beyond it compiled code is evicted. */
  readonly codeBudgetBytes?: number;
  /** Where the one notice goes when the host forbids `new Function` (default `console.warn`). */
  readonly notice?: (message: string) => void;
}

export const DEFAULT_HOT_THRESHOLD = 24;
export const DEFAULT_CODE_BUDGET_BYTES = 4 << 20;

const hostEnv = (name: string): string | undefined =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];

/**
 * The default hot threshold: 24, or `TSVM_TCG_JIT_THRESHOLD` (0 compiles every block on its
 * first run: how CI makes every test exercise the compiler).
 */
export function defaultHotThreshold(): number {
  const v = hostEnv('TSVM_TCG_JIT_THRESHOLD');
  if (v === undefined || v === '') return DEFAULT_HOT_THRESHOLD;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`TSVM_TCG_JIT_THRESHOLD: '${v}' is not a non-negative integer`);
  return n;
}

/**
 * The default mode: `on`, unless the host's environment says `TSVM_TCG_JIT=off|lockstep`
 * (read without Node built-ins, so it is simply absent in a browser). CI uses it to run the
 * whole test suite both ways.
 */
export function defaultJitMode(): JitMode {
  const v = hostEnv('TSVM_TCG_JIT');
  if (v === undefined || v === '') return 'on';
  if ((JIT_MODES as readonly string[]).includes(v)) return v as JitMode;
  throw new Error(`TSVM_TCG_JIT: '${v}' is not one of ${JIT_MODES.join(', ')}`);
}

/** Check options given through the API; throws with the offending value named. */
export function checkOptions(o: TcgOptions): void {
  if (o.jit !== undefined && !(JIT_MODES as readonly string[]).includes(o.jit))
    throw new Error(`tcg: jit must be one of ${JIT_MODES.join(', ')}, not '${String(o.jit)}'`);
  if (o.hotThreshold !== undefined && !(Number.isSafeInteger(o.hotThreshold) && o.hotThreshold >= 0))
    throw new Error(`tcg: hotThreshold must be a non-negative integer, not '${String(o.hotThreshold)}'`);
  if (o.traces !== undefined && typeof o.traces !== 'boolean')
    throw new Error(`tcg: traces must be true or false, not '${String(o.traces)}'`);
  if (
    o.codeBudgetBytes !== undefined &&
    !(Number.isSafeInteger(o.codeBudgetBytes) && o.codeBudgetBytes >= 4096)
  )
    throw new Error(
      `tcg: codeBudgetBytes must be an integer of at least 4096, not '${String(o.codeBudgetBytes)}'`,
    );
}
