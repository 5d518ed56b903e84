import { BUILT_IN_ACCELERATORS, type BuiltInName, loadAccelerator } from '../accelerators.js';
import { formatHelp, type OptionSpec, parseArgs } from '../args.js';
import { ExitCode } from '../exit-codes.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'json', help: 'print a JSON array instead of a table' },
  { name: 'help', short: 'h', help: 'show this help' },
];

export const ACCELS_HELP = formatHelp(
  'tsvm accels [--json] [MODULE...]',
  'List the built-in accelerators (and any MODULE paths/packages given) with available/unavailable and why.',
  OPTIONS,
);

export async function accelsCommand(argv: readonly string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, OPTIONS, 'accels');
  if (flags.has('help')) {
    process.stdout.write(ACCELS_HELP);
    return ExitCode.Ok;
  }
  const names = [...(Object.keys(BUILT_IN_ACCELERATORS) as BuiltInName[]), ...positional];
  const rows = [];
  for (const name of names) {
    const choice = await loadAccelerator(name);
    rows.push({
      name,
      available: choice.probe.available,
      hardwareAccelerated: choice.probe.hardwareAccelerated ?? false,
      reason: choice.probe.reason,
      description: BUILT_IN_ACCELERATORS[name as BuiltInName]?.description ?? `from ${name}`,
    });
  }
  if (flags.has('json')) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return ExitCode.Ok;
  }
  const width = Math.max(...rows.map((r) => r.name.length)) + 2;
  for (const r of rows) {
    const state = r.available
      ? r.hardwareAccelerated
        ? 'available (hardware)'
        : 'available'
      : 'unavailable';
    process.stdout.write(`${r.name.padEnd(width)}${state.padEnd(22)}${r.reason}\n`);
  }
  return ExitCode.Ok;
}
