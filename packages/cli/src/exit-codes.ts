/**
 * Process exit statuses. A guest's debug-exit status `(v << 1) | 1` is always odd, so every
 * status tsvm itself chooses is even and cannot be mistaken for one the guest asked for.
 */
export const ExitCode = {
  /** The guest halted for good, powered off, or the user quit (Ctrl-A x, control socket `quit`). */
  Ok: 0,
  /** The command line is wrong. */
  Usage: 2,
  /** The VM could not be started: image, ROM, snapshot, accelerator, socket. */
  Startup: 4,
  /** The accelerator failed while running the guest (register dump on stderr). */
  GuestError: 6,
  /** `--timeout` elapsed (as coreutils `timeout`). */
  Timeout: 124,
} as const;

/** An error that ends the command with a one-line message and a chosen status (no stack trace). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly status: number = ExitCode.Startup,
  ) {
    super(message);
  }
}
