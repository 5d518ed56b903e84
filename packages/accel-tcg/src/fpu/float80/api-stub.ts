/** Placeholder thrown by operations that are declared but not yet implemented. */
export function notImplemented(name: string): never {
  throw new Error(`float80: ${name} is not implemented yet`);
}
