import { formatHelp, type OptionSpec, parseArgs } from '../args.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { fetchLinuxAssets, LinuxFetchError, linuxCacheDir } from '../linux/fetch-linux.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'cache-dir', value: 'DIR', help: `where to keep the files (default ${linuxCacheDir()})` },
  { name: 'refresh', help: 'download again even when the cache is complete' },
  { name: 'quiet', short: 'q', help: 'print only the kernel and initrd paths' },
  { name: 'help', short: 'h', help: 'show this help' },
];

export const FETCH_LINUX_HELP = formatHelp(
  'tsvm fetch-linux [--cache-dir DIR] [--refresh]',
  [
    "Obtain Debian's i386 kernel (linux-image-686) and busybox-static through apt, build a busybox",
    'initramfs, cache both and print where they are and how to boot them. Needs apt-get and dpkg-deb;',
    'adding the i386 architecture and apt-get update need root the first time.',
  ].join('\n'),
  OPTIONS,
);

export async function fetchLinuxCommand(argv: readonly string[]): Promise<number> {
  const { positional, options, flags } = parseArgs(argv, OPTIONS, 'fetch-linux');
  if (flags.has('help')) {
    process.stdout.write(FETCH_LINUX_HELP);
    return ExitCode.Ok;
  }
  if (positional.length > 0)
    throw new CliError(`fetch-linux: unexpected argument '${positional[0]}'`, ExitCode.Usage);
  const quiet = flags.has('quiet');
  const log = (line: string) => process.stderr.write(`tsvm: ${line}\n`);
  let assets: ReturnType<typeof fetchLinuxAssets>;
  try {
    assets = fetchLinuxAssets({
      cacheDir: options.get('cache-dir')?.[0],
      refresh: flags.has('refresh'),
      log: quiet ? undefined : log,
    });
  } catch (e) {
    if (e instanceof LinuxFetchError) throw new CliError(`fetch-linux: ${e.message}`);
    throw e;
  }
  if (quiet) {
    process.stdout.write(`${assets.kernel}\n${assets.initrd}\n`);
    return ExitCode.Ok;
  }
  const s = assets.source;
  process.stdout.write(
    [
      `kernel: ${assets.kernel}`,
      `  from ${s.kernelPackage} ${s.kernelVersion} (${s.archive})`,
      `initrd: ${assets.initrd}`,
      `  busybox from ${s.busyboxPackage} ${s.busyboxVersion}; built by tsvm (initramfs format ${s.initramfsFormat})`,
      `${assets.fetched ? 'fetched' : 'cached'} ${s.fetchedAt}`,
      'boot it with:',
      `  tsvm run --accel tcg --kernel ${assets.kernel} --initrd ${assets.initrd} --append "console=ttyS0"`,
      '',
    ].join('\n'),
  );
  return ExitCode.Ok;
}
