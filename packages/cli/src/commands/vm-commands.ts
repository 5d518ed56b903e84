import type { PcMachine } from '@tsvm/pc';
import { CommandError, type CommandHandler } from '../control-socket.js';
import { readFileBounded, writeFileAtomic } from '../snapshot-file.js';

function fileArgument(args: Record<string, unknown>): string {
  const file = args.file;
  if (typeof file !== 'string' || file === '')
    throw new CommandError('InvalidArgument', 'argument "file" (a path) is required');
  return file;
}

/** Where commands report what they did (the control socket's events). */
export type EventSink = (event: string, data?: Record<string, unknown>) => void;

/** The control-socket commands for a running PC. */
export function vmCommands(
  pc: PcMachine,
  ramBytes: number,
  emit: EventSink = () => {},
): Map<string, CommandHandler> {
  const { machine } = pc;
  return new Map<string, CommandHandler>([
    [
      'stop',
      () => {
        if (!machine.paused) emit('STOP');
        machine.pause();
        return {};
      },
    ],
    [
      'cont',
      () => {
        if (machine.paused) emit('RESUME');
        machine.resume();
        return {};
      },
    ],
    [
      'system_reset',
      () => {
        machine.requestReset();
        emit('RESET', { guest: false, reason: 'host-qmp-system-reset' });
        return {};
      },
    ],
    ['query_status', () => ({ running: !machine.paused, phase: machine.phase })],
    [
      'savevm',
      async (args) => {
        const file = fileArgument(args);
        const bytes = await machine.atSafePoint(() => machine.save());
        writeFileAtomic(file, bytes);
        return { file, bytes: bytes.length };
      },
    ],
    [
      'loadvm',
      async (args) => {
        const file = fileArgument(args);
        const bytes = readFileBounded(file, ramBytes + 64 * 1024 * 1024, 'snapshot');
        await machine.atSafePoint(() => machine.load(bytes));
        return { file };
      },
    ],
    [
      'info_registers',
      () =>
        machine.atSafePoint(() => {
          // A debugger-style reader: pull the accelerator's registers into the canonical state first.
          const vcpu = machine.vcpus[0];
          vcpu.synchronizeState();
          const s = vcpu.state;
          return {
            text: machine.arch.formatCpuState(s),
            rip: `0x${s.rip.toString(16)}`,
            rflags: `0x${(s.rflags >>> 0).toString(16)}`,
            cr0: `0x${(s.cr0 >>> 0).toString(16)}`,
            eax: `0x${(s.gprLow[0] >>> 0).toString(16)}`,
          };
        }),
    ],
    [
      'quit',
      () => {
        machine.requestStop({ reason: 'quit' });
        return {};
      },
    ],
  ]);
}
