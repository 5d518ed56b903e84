import { QmpError } from './qmp-error.js';

/** One argument a command takes, checked before the command runs. */
export interface QmpArgument {
  readonly type: 'string' | 'boolean' | 'number';
  readonly optional?: boolean;
}

/** A QMP command: its arguments and what it does (the value becomes the `return` member). */
export interface QmpCommand {
  readonly name: string;
  readonly args?: Readonly<Record<string, QmpArgument>>;
  run(args: Record<string, unknown>): unknown | Promise<unknown>;
}

/** The commands a QMP server answers; arguments are validated as QEMU does (missing, unexpected, type). */
export class QmpCommandSet {
  private readonly byName = new Map<string, QmpCommand>();

  constructor(commands: readonly QmpCommand[]) {
    for (const c of commands) this.byName.set(c.name, c);
  }

  /** Every command name, `qmp_capabilities` (handled by the server) included, as `query-commands` lists them. */
  get names(): string[] {
    return ['qmp_capabilities', ...this.byName.keys()];
  }

  execute(name: string, args: Record<string, unknown>): unknown | Promise<unknown> {
    const command = this.byName.get(name);
    if (!command) throw new QmpError('CommandNotFound', `The command ${name} has not been found`);
    const spec = command.args ?? {};
    for (const key of Object.keys(args))
      if (!(key in spec)) throw new QmpError('GenericError', `Parameter '${key}' is unexpected`);
    for (const [key, a] of Object.entries(spec)) {
      if (!(key in args)) {
        if (a.optional) continue;
        throw new QmpError('GenericError', `Parameter '${key}' is missing`);
      }
      if (typeof args[key] !== a.type)
        throw new QmpError('GenericError', `Parameter '${key}' expects ${a.type}`);
    }
    return command.run(args);
  }
}
