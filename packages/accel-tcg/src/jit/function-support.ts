/** What the block compiler needs from the host: building a function from source text. */
export type FunctionMaker = (params: readonly string[], body: string) => (...args: unknown[]) => unknown;

let probed: boolean | undefined;

/**
 * Whether `new Function` works here, found out once per process: a page whose
 * Content-Security-Policy lacks `unsafe-eval` refuses it (EvalError), and the executor then only
 * interprets.
 */
export function canMakeFunctions(): boolean {
  if (probed === undefined) {
    try {
      probed = makeFunction(['a'], 'return a + 1;')(1) === 2;
    } catch {
      probed = false;
    }
  }
  return probed;
}

/** Forget the probe's answer (tests that change the host's `Function`). */
export function forgetFunctionProbe(): void {
  probed = undefined;
}

export const makeFunction: FunctionMaker = (params, body) =>
  // The global `Function` is looked up at each call, so a host (or a test) that replaces it is obeyed.
  new (globalThis.Function as FunctionConstructor)(...params, body) as (...args: unknown[]) => unknown;
