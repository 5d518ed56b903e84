import { type Machine, recordSection } from '@tsvm/core';

/** QEMU's `isa-debug-exit` port. */
export const DEBUG_EXIT_PORT = 0xf4;

/**
 * The debug-exit device (QEMU `isa-debug-exit` semantics): a write of value `v` of any width
 * (8, 16 or 32 bits) ends the run with process status `(v << 1) | 1`. Reads return all ones.
 * Its only state is the last value written (kept for diagnostics and snapshots).
 */
export class DebugExit {
  /** The last value written (for tests and traces). */
  lastValue: number | undefined;

  constructor(machine: Machine, port = DEBUG_EXIT_PORT) {
    machine.ports.register('debug-exit', port, 1, {
      write: (_port, _size, value) => {
        this.lastValue = value;
        // The status a shell sees is 8 bits; QEMU passes (v << 1) | 1 to exit(), which keeps the low 8.
        machine.requestStop({ reason: 'exit', status: ((value << 1) | 1) & 0xff });
      },
    });
    machine.resets.register('debug-exit', () => {
      this.lastValue = undefined;
    });
    machine.registerSection(
      recordSection({
        name: 'debug-exit',
        version: 1,
        save: () => ({ written: this.lastValue !== undefined, lastValue: this.lastValue ?? 0 }),
        load: (f) => {
          const written = f.boolean('written');
          const lastValue = f.uint('lastValue');
          return () => {
            this.lastValue = written ? lastValue : undefined;
          };
        },
      }),
    );
  }
}
