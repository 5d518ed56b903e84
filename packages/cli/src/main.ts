#!/usr/bin/env node
import { ACCELS_HELP, accelsCommand } from './commands/accels.js';
import { FETCH_LINUX_HELP, fetchLinuxCommand } from './commands/fetch-linux.js';
import { RUN_HELP, runCommand } from './commands/run.js';
import { SNAPSHOT_HELP, snapshotCommand } from './commands/snapshot-info.js';
import { CliError, ExitCode } from './exit-codes.js';
import { VERSION } from './version.js';

const HELP = `Usage: tsvm COMMAND [options]

Commands:
  run IMAGE [options]     boot a guest (see 'tsvm run --help')
  accels                  list accelerators and whether they are available
  snapshot info FILE      verify a snapshot and list its sections
  fetch-linux             download Debian's i386 kernel and build a busybox initramfs
  help [COMMAND]          show help
  --version               print the version

Exit status of 'run': the guest's debug-exit status (odd), or an even status of tsvm's own.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // --version works after any command, as --help does.
  const beforeSeparator = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  if (beforeSeparator.includes('--version') || beforeSeparator.includes('-V')) {
    process.stdout.write(`tsvm ${VERSION}\n`);
    return ExitCode.Ok;
  }
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'accels':
      return accelsCommand(rest);
    case 'snapshot':
      return snapshotCommand(rest);
    case 'fetch-linux':
      return fetchLinuxCommand(rest);
    case 'help':
    case '--help':
    case '-h': {
      const topic = rest[0];
      const text =
        topic === 'run'
          ? RUN_HELP
          : topic === 'accels'
            ? ACCELS_HELP
            : topic === 'snapshot'
              ? SNAPSHOT_HELP
              : topic === 'fetch-linux'
                ? FETCH_LINUX_HELP
                : HELP;
      process.stdout.write(text);
      return ExitCode.Ok;
    }
    case '--version':
    case '-V':
    case 'version':
      process.stdout.write(`tsvm ${VERSION}\n`);
      return ExitCode.Ok;
    case undefined:
      process.stderr.write(HELP);
      return ExitCode.Usage;
    default:
      throw new CliError(`unknown command '${command}' (try 'tsvm --help')`, ExitCode.Usage);
  }
}

const debug = process.argv.includes('--debug');
main(process.argv.slice(2)).then(
  (status) => exit(status),
  (e: unknown) => {
    if (e instanceof CliError) {
      process.stderr.write(`tsvm: ${e.message}\n`);
      if (debug) process.stderr.write(`${e.stack}\n`);
      exit(e.status);
    } else {
      const err = e as Error;
      process.stderr.write(
        `tsvm: internal error: ${err?.message ?? String(e)}${debug ? '' : ' (run with --debug for details)'}\n`,
      );
      if (debug) process.stderr.write(`${err?.stack}\n`);
      exit(ExitCode.Startup);
    }
  },
);

/** Exit once stdout has drained (pipes may still hold guest output). */
function exit(status: number): void {
  process.stdout.write('', () => process.exit(status));
}
