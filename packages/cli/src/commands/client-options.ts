import type { OptionSpec } from '../args.js';

/** `tsvm run` options for the clients that drive a VM from outside (QMP, the gdb stub, -S). */
export const CLIENT_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'qmp',
    value: 'ADDRESS',
    help: 'QMP server: unix:PATH,server,wait=off or tcp:[HOST]:PORT,server,wait=off (wait=on, the default, holds the guest for the first client)',
  },
  { name: 'gdb', value: 'tcp:[HOST]:PORT', help: 'gdb remote stub (tcp::1234 listens on 127.0.0.1:1234)' },
  { name: 'gdb-default', short: 's', help: 'shorthand for --gdb tcp::1234' },
  {
    name: 'start-stopped',
    short: 'S',
    help: 'start with the vCPU stopped (QMP cont, or a debugger, starts it)',
  },
];
