import { decodeSnapshot } from '@tsvm/core';
import { formatHelp, type OptionSpec, parseArgs } from '../args.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { formatSize } from '../sizes.js';
import { readFileBounded } from '../snapshot-file.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'json', help: 'print JSON' },
  { name: 'help', short: 'h', help: 'show this help' },
];

export const SNAPSHOT_HELP = formatHelp(
  'tsvm snapshot info FILE [--json]',
  'Verify a snapshot file and print its metadata, sections and section versions.',
  OPTIONS,
);

/** Snapshots larger than this are not inspected (RAM is capped at 3 GiB). */
const MAX_SNAPSHOT_BYTES = 4 * 1024 * 1024 * 1024;

export async function snapshotCommand(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(SNAPSHOT_HELP);
    return sub === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (sub !== 'info')
    throw new CliError(`snapshot: unknown subcommand '${sub}' (known: info)`, ExitCode.Usage);
  const { positional, flags } = parseArgs(rest, OPTIONS, 'snapshot info');
  if (flags.has('help')) {
    process.stdout.write(SNAPSHOT_HELP);
    return ExitCode.Ok;
  }
  if (positional.length !== 1) throw new CliError('snapshot info: exactly one FILE expected', ExitCode.Usage);
  const file = positional[0];
  const bytes = readFileBounded(file, MAX_SNAPSHOT_BYTES, 'snapshot');
  let snapshot: ReturnType<typeof decodeSnapshot>;
  try {
    snapshot = decodeSnapshot(bytes);
  } catch (e) {
    throw new CliError(`'${file}': ${(e as Error).message}`, ExitCode.Startup);
  }
  if (flags.has('json')) {
    const sections = snapshot.sections.map((s) => ({
      name: s.name,
      version: s.version,
      bytes: s.data.length,
    }));
    const { formatVersion, arch, savedBy, createdAt } = snapshot;
    process.stdout.write(
      `${JSON.stringify({ file, bytes: bytes.length, formatVersion, arch, savedBy, createdAt, sections }, null, 2)}\n`,
    );
    return ExitCode.Ok;
  }
  const lines = [
    `file:      ${file} (${describeFileSize(bytes.length)}, checksums OK)`,
    `format:    ${snapshot.formatVersion}`,
    `arch:      ${snapshot.arch}`,
    `saved by:  ${snapshot.savedBy}`,
    `created:   ${snapshot.createdAt}`,
    `sections:  ${snapshot.sections.length}`,
  ];
  const width = Math.max(...snapshot.sections.map((s) => s.name.length)) + 2;
  for (const s of snapshot.sections)
    lines.push(`  ${s.name.padEnd(width)}v${String(s.version).padEnd(4)}${s.data.length} bytes`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.Ok;
}

/** "27547 bytes", or "256 MiB, 268435456 bytes" when a round unit says it better. */
function describeFileSize(length: number): string {
  const size = formatSize(length);
  return size.endsWith(' B') ? `${length} bytes` : `${size}, ${length} bytes`;
}
