import { type Machine, recordSection } from '@tsvm/core';

/** Where a guest-initiated reset goes: the board decides (reboot, or stop with `--no-reboot`). */
export type ResetRequester = (source: string) => void;

/**
 * The PCI reset control register at 0xCF9: bit 2 (RST_CPU) going 0→1 with bit 1 (SYS_RST)
 * selecting hard reset, so 0x06 and 0x0E both reset (0x02 then 0x06 too). The other classic
 * way, the keyboard controller's pulse-reset command, is the i8042's (`I8042`).
 */
export class ResetControl {
  private cf9 = 0;

  constructor(machine: Machine, requestReset: ResetRequester) {
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
    });
    machine.registerSection(
      recordSection({
        name: 'reset-control',
        version: 2,
        minVersion: 1,
        // Version 1 also kept the last 0x64 command, now the i8042's business: ignored.
        save: () => ({ cf9: this.cf9 }),
        load: (f) => {
          const cf9 = f.uint('cf9', 8);
          return () => {
            this.cf9 = cf9;
          };
        },
      }),
    );
  }
}
