import { type Machine, recordSection } from '@tsvm/core';

/** Where a guest-initiated reset goes: the board decides (reboot, or stop with `--no-reboot`). */
export type ResetRequester = (source: string) => void;

/**
 * The two classic ways a PC guest resets the machine:
 *  - the keyboard controller's "pulse reset line" command 0xFE written to port 0x64;
 *  - the PCI reset control register at 0xCF9: bit 2 (RST_CPU) going 0→1 with bit 1 (SYS_RST)
 *    selecting hard reset, so 0x06 and 0x0E both reset (0x02 then 0x06 too).
 * The keyboard controller part answers status reads with "input and output buffers empty",
 * which is what guests poll for before sending a command; ports 0x60/0x64 otherwise do nothing.
 */
export class ResetControl {
  private cf9 = 0;
  private lastCommand = 0;

  constructor(machine: Machine, requestReset: ResetRequester) {
    machine.ports.register('i8042', 0x60, 1, { read: () => 0, write: () => {} });
    machine.ports.register('i8042-command', 0x64, 1, {
      // Status: system flag (bit 2) set as after POST; both buffers empty.
      read: () => 0x1c & ~0x03,
      write: (_port, _size, value) => {
        this.lastCommand = value;
        if (value === 0xfe) requestReset('keyboard controller 0xFE');
        // Pulse-output commands 0xF0-0xFD with bit 0 clear also pulse the reset line.
        else if (value >= 0xf0 && value < 0xfe && (value & 1) === 0)
          requestReset(`keyboard controller 0x${value.toString(16)}`);
      },
    });
    machine.ports.register('reset-control', 0xcf9, 1, {
      read: () => this.cf9,
      write: (_port, _size, value) => {
        const old = this.cf9;
        this.cf9 = value & 0x0e;
        if (value & 0x04 && !(old & 0x04)) requestReset(`port 0xCF9 value 0x${value.toString(16)}`);
      },
    });
    machine.resets.register('reset-control', () => {
      this.cf9 = 0;
      this.lastCommand = 0;
    });
    machine.registerSection(
      recordSection({
        name: 'reset-control',
        version: 1,
        save: () => ({ cf9: this.cf9, lastCommand: this.lastCommand }),
        load: (f) => {
          const cf9 = f.uint('cf9', 8);
          const lastCommand = f.uint('lastCommand', 8);
          return () => {
            this.cf9 = cf9;
            this.lastCommand = lastCommand;
          };
        },
      }),
    );
  }
}
