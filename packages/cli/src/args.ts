import { CliError, ExitCode } from './exit-codes.js';

/** One option a command accepts. */
export interface OptionSpec {
  /** Long name without dashes (`accel`); also accepted with one dash (`-accel`), as QEMU does. */
  readonly name: string;
  readonly short?: string;
  /** Takes a value (`--accel tcg` or `--accel=tcg`). */
  readonly value?: string;
  /** May be given several times (values collected in order). */
  readonly repeat?: boolean;
  readonly help: string;
}

export interface ParsedArgs {
  readonly positional: string[];
  readonly options: Map<string, string[]>;
  readonly flags: Set<string>;
}

/** Parse `argv` against `specs`; unknown options and missing values are usage errors naming them. */
export function parseArgs(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  command: string,
): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  const flags = new Set<string>();
  const byName = new Map<string, OptionSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    if (s.short) byName.set(s.short, s);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = byName.get(name);
    if (!spec)
      throw new CliError(
        `${command}: unknown option '${arg}' (see 'tsvm ${command} --help')`,
        ExitCode.Usage,
      );
    if (!spec.value) {
      if (eq >= 0) throw new CliError(`${command}: option '--${spec.name}' takes no value`, ExitCode.Usage);
      flags.add(spec.name);
      continue;
    }
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else {
      if (i + 1 >= argv.length)
        throw new CliError(
          `${command}: option '--${spec.name}' needs a value (${spec.value})`,
          ExitCode.Usage,
        );
      value = argv[++i];
    }
    const list = options.get(spec.name) ?? [];
    if (list.length > 0 && !spec.repeat) {
      throw new CliError(`${command}: option '--${spec.name}' given more than once`, ExitCode.Usage);
    }
    list.push(value);
    options.set(spec.name, list);
  }
  return { positional, options, flags };
}

/** The `--help` text of a command. */
export function formatHelp(usage: string, description: string, specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const names = `${s.short ? `-${s.short}, ` : ''}--${s.name}${s.value ? ` ${s.value}` : ''}`;
    return [names, s.help] as const;
  });
  const width = Math.max(...rows.map(([n]) => n.length)) + 2;
  return [
    `Usage: ${usage}`,
    '',
    description,
    '',
    'Options:',
    ...rows.map(([n, h]) => `  ${n.padEnd(width)}${h}`),
    '',
  ].join('\n');
}
