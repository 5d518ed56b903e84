import type { PcMachine } from '@tsvm/pc';
import { readFileBounded, writeFileAtomic } from '../snapshot-file.js';
import type { VmControl } from '../vm-control.js';
import { humanMonitorCommand } from './human-monitor.js';
import { type QmpCommand, QmpCommandSet } from './qmp-commands.js';
import { QmpError } from './qmp-error.js';

/** Which accelerator runs and why (for `query-tsvm-accelerator`). */
export interface AcceleratorChoice {
  readonly name: string;
  /** What `--accel` asked for (`auto`, `tcg`, a module path…). */
  readonly requested: string;
  readonly reason: string;
  readonly hardwareAccelerated: boolean;
}

/** `major.minor.micro` of a semantic version (pre-release tags dropped). */
export function versionTriple(version: string): { major: number; minor: number; micro: number } {
  const [major = 0, minor = 0, micro = 0] = version.split(/[.-]/, 3).map((p) => Number.parseInt(p, 10) || 0);
  return { major, minor, micro };
}

/** The QMP greeting: QEMU's shape, carrying tsvm's version. */
export function qmpGreeting(version: string): Record<string, unknown> {
  return { QMP: { version: { qemu: versionTriple(version), package: `tsvm ${version}` }, capabilities: [] } };
}

/** Every QMP command of a running PC. */
export function vmCommands(
  pc: PcMachine,
  vm: VmControl,
  options: { ramBytes: number; version: string; accelerator: AcceleratorChoice },
): QmpCommandSet {
  const { machine } = pc;
  const file = { file: { type: 'string' } } as const;
  const checkFile = (args: Record<string, unknown>) => {
    if (args.file === '') throw new QmpError('GenericError', "Parameter 'file' must name a file");
    return args.file as string;
  };
  const commands: QmpCommand[] = [
    {
      name: 'query-status',
      run: () => ({ status: vm.status, singlestep: false, running: vm.running }),
    },
    {
      name: 'query-version',
      run: () => ({ qemu: versionTriple(options.version), package: `tsvm ${options.version}` }),
    },
    { name: 'query-commands', run: () => set.names.map((name) => ({ name })) },
    {
      name: 'query-cpus-fast',
      run: () =>
        machine.vcpus.map((v) => ({
          'thread-id': process.pid,
          props: { 'core-id': 0, 'thread-id': 0, 'socket-id': v.index },
          'qom-path': `/machine/cpu[${v.index}]`,
          'cpu-index': v.index,
          target: 'i386',
        })),
    },
    { name: 'stop', run: () => vm.stop() },
    { name: 'cont', run: () => vm.cont() },
    { name: 'system_reset', run: () => vm.reset() },
    {
      name: 'system_powerdown',
      // As QEMU: the ACPI power button is pressed, POWERDOWN is announced; the guest decides.
      run: () => {
        pc.pressPowerButton();
        vm.emit('POWERDOWN');
        machine.kick();
        return {};
      },
    },
    { name: 'quit', run: () => vm.quit('host-qmp-quit') },
    {
      name: 'human-monitor-command',
      args: { 'command-line': { type: 'string' }, 'cpu-index': { type: 'number', optional: true } },
      run: (args) => humanMonitorCommand(args['command-line'] as string, vm, machine),
    },
    {
      name: 'x-tsvm-savevm',
      args: file,
      run: async (args) => {
        const path = checkFile(args);
        const bytes = await machine.atSafePoint(() => machine.save());
        writeFileAtomic(path, bytes);
        return { file: path, bytes: bytes.length };
      },
    },
    {
      name: 'x-tsvm-loadvm',
      args: file,
      run: async (args) => {
        const path = checkFile(args);
        const bytes = readFileBounded(path, options.ramBytes + 64 * 1024 * 1024, 'snapshot');
        await machine.atSafePoint(() => machine.load(bytes));
        return {};
      },
    },
    {
      name: 'query-tsvm-accelerator',
      run: () => ({ ...options.accelerator }),
    },
  ];
  const set = new QmpCommandSet(commands);
  return set;
}
