/** A KVM backend operation failed; `ioctl` and `errno` say which call and why when known. */
export class KvmError extends Error {
  override readonly name = 'KvmError';
  constructor(
    message: string,
    readonly ioctl?: string,
    readonly errno?: string,
  ) {
    super(message);
  }
}

/** Errors thrown by the addon carry `ioctl` and `code` (`EINVAL`, …) properties. */
export function describeNativeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
