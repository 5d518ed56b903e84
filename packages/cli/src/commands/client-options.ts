import type { OptionSpec } from '../args.js';

/** `tsvm run` options for the clients that drive a VM from outside (QMP, and -S). */
export const CLIENT_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'qmp',
    value: 'ADDRESS',
    help: 'QMP server: unix:PATH,server,wait=off or tcp:[HOST]:PORT,server,wait=off (wait=on, the default, holds the guest for the first client)',
  },
  {
    name: 'start-stopped',
    short: 'S',
    help: 'start with the vCPU stopped (QMP cont, or a debugger, starts it)',
  },
];
