import type { Accelerator, MachineStop } from '@tsvm/core';
import { createPcMachine, LoaderError, mapRom, type PcMachine, planImage } from '@tsvm/pc';
import { chooseAccelerator } from '../accelerators.js';
import { formatHelp, type OptionSpec, parseArgs } from '../args.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { DebugTarget } from '../gdb/debug-target.js';
import { GdbServer } from '../gdb/gdb-server.js';
import { QmpServer } from '../qmp/qmp-server.js';
import { qmpGreeting, vmCommands } from '../qmp/vm-commands.js';
import { parseSerialTarget, SerialConsole } from '../serial-console.js';
import { formatSize, parseSize } from '../sizes.js';
import { readFileBounded, writeFileAtomic } from '../snapshot-file.js';
import { parseSocketAddress, type SocketAddress } from '../socket-address.js';
import { VERSION } from '../version.js';
import { VmControl } from '../vm-control.js';
import { CLIENT_OPTIONS } from './client-options.js';

const MAX_IMAGE_BYTES = 1024 * 1024 * 1024;
const TRACE_EVENTS = ['unassigned', 'post', 'reset'] as const;

export const RUN_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'accel',
    value: 'NAME',
    help: 'tcg, kvm, auto (default), or a module path/package exporting an accelerator',
  },
  {
    name: 'tcg-jit',
    value: 'on|off',
    help: 'tcg: compile hot blocks to JavaScript (on, the default) or only interpret (off)',
  },
  {
    name: 'clock',
    value: 'SOURCE',
    help: 'what drives guest time: instructions (retired instructions, as QEMU -icount; tcg), host, or auto (default: instructions where the accelerator counts them)',
  },
  {
    name: 'ns-per-instruction',
    value: 'N|auto',
    help: 'instruction clock: guest ns per instruction, fixed (reproducible runs) or auto (default: keeps up with host time)',
  },
  { name: 'memory', short: 'm', value: 'SIZE', help: 'guest RAM, e.g. 128M (default), 1G' },
  {
    name: 'kernel',
    value: 'FILE',
    help: 'Linux bzImage to boot (as QEMU -kernel; a bzImage IMAGE works too)',
  },
  { name: 'initrd', value: 'FILE', help: 'initial ramdisk for a Linux kernel' },
  { name: 'append', value: 'CMDLINE', help: 'kernel command line (Linux, Multiboot)' },
  {
    name: 'module',
    value: 'FILE[,STRING]',
    repeat: true,
    help: 'Multiboot module with its string (repeatable)',
  },
  { name: 'rom', value: 'FILE', help: 'BIOS-style ROM started at the reset vector F000:FFF0' },
  { name: 'load-address', value: 'ADDR', help: 'flat binaries: load address (default 0x7c00)' },
  { name: 'entry-mode', value: 'MODE', help: 'flat binaries: real (default) or protected (flat 32-bit)' },
  { name: 'serial', value: 'TARGET', help: 'COM1: stdio (default), file:PATH or none' },
  ...CLIENT_OPTIONS,
  { name: 'savevm-at-exit', value: 'FILE', help: 'write a snapshot when the run ends' },
  {
    name: 'loadvm',
    value: 'FILE',
    help: 'start from a snapshot (same -m, image and ROM as when it was saved)',
  },
  {
    name: 'timeout',
    value: 'S',
    help: `stop after S seconds of guest time (exit status ${ExitCode.Timeout})`,
  },
  { name: 'trace', value: 'EVENTS', help: `comma-separated: ${TRACE_EVENTS.join(', ')}, all` },
  { name: 'no-reboot', help: 'exit instead of rebooting when the guest resets' },
  { name: 'debug', help: 'print stack traces for internal errors' },
  { name: 'help', short: 'h', help: 'show this help' },
  { name: 'version', short: 'V', help: 'print the version' },
];

export const RUN_HELP = formatHelp(
  'tsvm run [IMAGE] [options]',
  [
    'Boot IMAGE (a Linux bzImage, a Multiboot ELF or a.out-kludge kernel, or a flat binary) or a --rom on a PC.',
    'Linux: tsvm run --kernel bzImage --initrd initrd.gz --append "console=ttyS0" (see tsvm fetch-linux).',
    "The exit status is the guest's debug-exit status ((v << 1) | 1 for a write of v to port 0xf4);",
    `tsvm's own statuses are even: ${ExitCode.Ok} halted/quit, ${ExitCode.Usage} usage, ${ExitCode.Startup} startup error, ${ExitCode.GuestError} accelerator error, ${ExitCode.Timeout} timeout.`,
    'Console: stdin goes to COM1; Ctrl-A x quits, Ctrl-A h lists the other keys.',
  ].join('\n'),
  RUN_OPTIONS,
);

interface RunConfig {
  image?: string;
  initrd?: string;
  accel: string;
  tcgJit?: 'on' | 'off';
  clock: 'auto' | 'host' | 'instructions';
  nsPerInstruction: number | 'auto';
  ramBytes: number;
  cmdline?: string;
  modules: { file: string; string: string }[];
  rom?: string;
  loadAddress?: number;
  entryMode: 'real' | 'protected';
  serial: string;
  qmp?: SocketAddress;
  gdb?: SocketAddress;
  startStopped: boolean;
  savevmAtExit?: string;
  loadvm?: string;
  timeoutMs?: number;
  trace: Set<string>;
  noReboot: boolean;
}

function parseRunArgs(argv: readonly string[]): RunConfig {
  const { positional, options, flags } = parseArgs(argv, RUN_OPTIONS, 'run');
  const one = (name: string) => options.get(name)?.[0];
  if (positional.length > 1)
    throw new CliError(
      `run: one IMAGE expected, got ${positional.length}: ${positional.join(' ')}`,
      ExitCode.Usage,
    );
  if (positional.length > 0 && one('kernel') !== undefined)
    throw new CliError(
      `run: give the kernel either as IMAGE or with --kernel, not both ('${positional[0]}', '${one('kernel')}')`,
      ExitCode.Usage,
    );
  const image = positional[0] ?? one('kernel');
  if (one('initrd') !== undefined && !image)
    throw new CliError('run: --initrd needs a kernel (--kernel FILE)', ExitCode.Usage);
  if (!image && !one('rom') && !one('loadvm'))
    throw new CliError("run: give an IMAGE or --rom FILE (see 'tsvm run --help')", ExitCode.Usage);
  const trace = new Set<string>();
  for (const t of (one('trace') ?? '').split(',').filter(Boolean)) {
    if (t === 'all') for (const e of TRACE_EVENTS) trace.add(e);
    else if ((TRACE_EVENTS as readonly string[]).includes(t)) trace.add(t);
    else
      throw new CliError(
        `--trace: unknown event '${t}' (known: ${TRACE_EVENTS.join(', ')}, all)`,
        ExitCode.Usage,
      );
  }
  let timeoutMs: number | undefined;
  if (one('timeout') !== undefined) {
    const s = Number(one('timeout'));
    if (!Number.isFinite(s) || s <= 0)
      throw new CliError(
        `--timeout: '${one('timeout')}' is not a positive number of seconds`,
        ExitCode.Usage,
      );
    timeoutMs = s * 1000;
  }
  let loadAddress: number | undefined;
  if (one('load-address') !== undefined) {
    loadAddress = Number(one('load-address'));
    if (!Number.isSafeInteger(loadAddress) || loadAddress < 0) {
      throw new CliError(`--load-address: '${one('load-address')}' is not an address`, ExitCode.Usage);
    }
  }
  const entryMode = one('entry-mode') ?? 'real';
  if (entryMode !== 'real' && entryMode !== 'protected')
    throw new CliError(`--entry-mode: '${entryMode}' is not real or protected`, ExitCode.Usage);
  const modules = (options.get('module') ?? []).map((spec) => {
    const comma = spec.indexOf(',');
    const file = comma < 0 ? spec : spec.slice(0, comma);
    if (!file) throw new CliError(`--module: '${spec}' names no file`, ExitCode.Usage);
    return { file, string: comma < 0 ? file : spec.slice(comma + 1) };
  });
  const tcgJit = one('tcg-jit');
  if (tcgJit !== undefined && tcgJit !== 'on' && tcgJit !== 'off')
    throw new CliError(`--tcg-jit: '${tcgJit}' is not on or off`, ExitCode.Usage);
  const clock = one('clock') ?? 'auto';
  if (clock !== 'auto' && clock !== 'host' && clock !== 'instructions')
    throw new CliError(`--clock: '${clock}' is not instructions, host or auto`, ExitCode.Usage);
  const rate = one('ns-per-instruction') ?? 'auto';
  const nsPerInstruction = rate === 'auto' ? 'auto' : Number(rate);
  if (nsPerInstruction !== 'auto' && !(nsPerInstruction > 0 && Number.isFinite(nsPerInstruction)))
    throw new CliError(
      `--ns-per-instruction: '${rate}' is not a positive number of nanoseconds or auto`,
      ExitCode.Usage,
    );
  const serial = one('serial') ?? 'stdio';
  parseSerialTarget(serial);
  const qmp = one('qmp');
  return {
    image,
    initrd: one('initrd'),
    accel: one('accel') ?? 'auto',
    tcgJit,
    clock,
    nsPerInstruction,
    ramBytes: parseSize(one('memory') ?? '128M', '-m'),
    cmdline: one('append'),
    modules,
    rom: one('rom'),
    loadAddress,
    entryMode,
    serial,
    qmp: qmp === undefined ? undefined : parseSocketAddress(qmp, '--qmp', true),
    gdb: flags.has('gdb-default')
      ? parseSocketAddress('tcp::1234', '-s', false)
      : one('gdb') === undefined
        ? undefined
        : parseGdbAddress(one('gdb')!),
    startStopped: flags.has('start-stopped'),
    savevmAtExit: one('savevm-at-exit'),
    loadvm: one('loadvm'),
    timeoutMs,
    trace,
    noReboot: flags.has('no-reboot'),
  };
}

/** `--gdb`: QEMU's `tcp::PORT` (or `tcp:HOST:PORT`); a bare port number works too. */
function parseGdbAddress(text: string): SocketAddress {
  return parseSocketAddress(/^\d+$/.test(text) ? `tcp::${text}` : text, '--gdb', false);
}

const note = (line: string) => process.stderr.write(`tsvm: ${line}\n`);

function loadGuest(pc: PcMachine, config: RunConfig, accelName: string): void {
  if (config.rom) {
    const rom = readFileBounded(config.rom, 16 * 1024 * 1024, 'ROM');
    try {
      mapRom(pc.machine.memory, rom);
    } catch (e) {
      if (e instanceof LoaderError) throw new CliError(`'${config.rom}': ${e.message}`);
      throw e;
    }
  }
  if (!config.image) return;
  const image = readFileBounded(config.image, MAX_IMAGE_BYTES, 'image');
  const modules = config.modules.map((m) => ({
    data: readFileBounded(m.file, MAX_IMAGE_BYTES, 'module'),
    string: m.string,
  }));
  const initrd = config.initrd ? readFileBounded(config.initrd, MAX_IMAGE_BYTES, 'initrd') : undefined;
  const { kind, plan } = planImage(image, pc.machine.memory, pc.layout, {
    cmdline: config.cmdline,
    modules,
    loadAddress: config.loadAddress,
    entryMode: config.entryMode,
    initrd,
    acpi: pc.acpi,
    // KVM runs long mode: a 64-bit kernel enters at startup_64 there.
    longMode: accelName === 'kvm',
  });
  if (initrd && kind !== 'bzimage')
    throw new CliError(`--initrd: '${config.image}' is not a Linux bzImage (--initrd is for Linux kernels)`);
  if (kind === 'bzimage' && config.modules.length > 0)
    note('--module only applies to Multiboot kernels; use --initrd');
  if (kind !== 'flat' && config.loadAddress !== undefined)
    note('--load-address is ignored for Multiboot and Linux kernels');
  if (kind === 'flat' && (config.modules.length > 0 || config.cmdline !== undefined))
    note('--module and --append only apply to Multiboot and Linux kernels');
  // With a ROM the firmware starts first; the kernel only waits in fw_cfg and memory.
  pc.setBoot(config.rom ? { ...plan, setCpu: () => {} } : plan);
}

function statusOf(stop: MachineStop): number {
  switch (stop.reason) {
    case 'exit':
      return stop.status;
    case 'timeout':
      note('timeout: stopped after the --timeout period');
      return ExitCode.Timeout;
    case 'halted':
      note(`guest stopped: ${stop.message}`);
      return ExitCode.Ok;
    case 'shutdown':
      note(`guest stopped: ${stop.message}`);
      return ExitCode.Ok;
    case 'quit':
      return ExitCode.Ok;
    case 'error':
      note(`accelerator error: ${stop.message}`);
      if (stop.dump) process.stderr.write(`${stop.dump}\n`);
      return ExitCode.GuestError;
    default:
      return ExitCode.GuestError;
  }
}

/** Apply `--tcg-jit` to the tcg accelerator (`withOptions({ jit })`); other accelerators ignore it with a note. */
function withTcgJit(accelerator: Accelerator, jit: 'on' | 'off' | undefined): Accelerator {
  if (jit === undefined) return accelerator;
  const configurable = accelerator as Accelerator & { withOptions?: (o: { jit: string }) => Accelerator };
  if (accelerator.name !== 'tcg' || typeof configurable.withOptions !== 'function') {
    note(`--tcg-jit is ignored: the accelerator is ${accelerator.name}, not tcg`);
    return accelerator;
  }
  return configurable.withOptions({ jit });
}

/** `tsvm run`: returns the process exit status. */
export async function runCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(RUN_HELP);
    return ExitCode.Ok;
  }
  if (argv.includes('--version') || argv.includes('-V')) {
    process.stdout.write(`tsvm ${VERSION}\n`);
    return ExitCode.Ok;
  }
  const config = parseRunArgs(argv);
  let chosenBecause = `requested with --accel ${config.accel}`;
  const accelerator = withTcgJit(
    await chooseAccelerator(config.accel, (line) => {
      chosenBecause = line.replace(/^using \S+: /, '');
      note(line);
    }),
    config.tcgJit,
  );
  let serialConsole: SerialConsole | undefined;
  let qmp: QmpServer | undefined;
  let gdb: GdbServer | undefined;
  let exitStatus: number | undefined;
  let vm: VmControl | undefined;
  let pc: PcMachine | undefined;
  try {
    serialConsole = new SerialConsole(parseSerialTarget(config.serial), {
      note: (line) => note(line),
      quit: () => vm?.quit('host-ui'),
      snapshot: () => {
        if (!pc || !config.savevmAtExit) return note('C-a s needs --savevm-at-exit FILE');
        const file = config.savevmAtExit;
        pc.machine
          .atSafePoint(() => writeFileAtomic(file, pc!.machine.save()))
          .then(
            () => note(`snapshot written to ${file}`),
            (e) => note(`snapshot failed: ${(e as Error).message}`),
          );
      },
    });
    const serial = serialConsole;
    try {
      pc = await createPcMachine({
        accelerator,
        ramBytes: config.ramBytes,
        clock: config.clock,
        nsPerInstruction: config.nsPerInstruction,
        serialOutput: (b) => serial.write(b),
        onGuestReset: config.noReboot ? 'stop' : 'reset',
        onResetRequest: (source) => {
          if (config.trace.has('reset')) note(`trace: reset requested by ${source}`);
          vm?.guestReset();
        },
      });
    } catch (e) {
      throw new CliError(
        `cannot create the machine (${formatSize(config.ramBytes)} RAM on ${accelerator.name}): ${(e as Error).message}`,
      );
    }
    const machine = pc.machine;
    if (config.trace.has('unassigned')) {
      machine.ports.observeUnassigned((access, port, size, value) =>
        note(
          `trace: unassigned ${access} port 0x${port.toString(16)} size ${size}${value === undefined ? '' : ` value 0x${value.toString(16)}`}`,
        ),
      );
    }
    if (config.trace.has('post'))
      pc.devices.post.trace = (code) => note(`trace: POST 0x${code.toString(16).padStart(2, '0')}`);
    try {
      loadGuest(pc, config, accelerator.name);
    } catch (e) {
      if (e instanceof LoaderError) throw new CliError(`'${config.image}': ${e.message}`);
      if (e instanceof CliError) throw new CliError(e.message);
      throw e;
    }
    if (config.loadvm) {
      const bytes = readFileBounded(config.loadvm, config.ramBytes + 64 * 1024 * 1024, 'snapshot');
      try {
        machine.load(bytes);
      } catch (e) {
        throw new CliError(`cannot load '${config.loadvm}': ${(e as Error).message}`);
      }
    }
    const control = new VmControl(machine, config.startStopped);
    vm = control;
    if (config.qmp) {
      const probe = await accelerator.probe();
      const commands = vmCommands(pc, control, {
        ramBytes: config.ramBytes,
        version: VERSION,
        accelerator: {
          name: accelerator.name,
          requested: config.accel,
          reason: chosenBecause,
          hardwareAccelerated: probe.hardwareAccelerated === true,
        },
      });
      const server = await QmpServer.listen(config.qmp, commands, qmpGreeting(VERSION));
      qmp = server;
      control.onEvent((event, data) => server.broadcast(event, data));
      if (config.qmp.wait) {
        note(`waiting for a QMP client on ${server.where}`);
        await server.firstClientConnected;
      }
    }
    if (config.gdb) {
      if (!machine.vcpus[0].debugSupport)
        throw new CliError(
          `--gdb: accelerator '${accelerator.name}' offers no debug capability (breakpoints, single-step), so a debugger cannot attach; see docs/writing-an-accelerator.md`,
        );
      gdb = await GdbServer.listen(config.gdb, new DebugTarget(control, pc.machine), () =>
        control.quit('host-ui'),
      );
      note(`gdb stub listening on ${gdb.where}`);
    }
    serialConsole.attachInput(pc.devices.uart);
    // As QEMU: a signal ends the run cleanly (socket removed, terminal restored, --savevm-at-exit
    // written); a second one ends the process at once.
    const onSignal = (signal: NodeJS.Signals) => {
      note(`terminating on signal ${signal}`);
      process.once(signal, () => process.exit(ExitCode.Startup));
      control.quit('host-signal');
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const stop = await machine.run({ timeoutMs: config.timeoutMs });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    control.finished(stop.reason);
    exitStatus = statusOf(stop);
    serialConsole.flush();
    if (config.savevmAtExit) {
      writeFileAtomic(config.savevmAtExit, machine.save());
    }
    return exitStatus;
  } finally {
    await gdb?.close(exitStatus);
    await qmp?.close();
    serialConsole?.close();
    pc?.machine.close();
  }
}
