import { type Machine, recordSection } from '@tsvm/core';

/**
 * The POST diagnostic port 0x80: firmware writes progress codes there; guests also use it as
 * an I/O delay. Writes are accepted and optionally traced; reads return the last code.
 */
export class PostPort {
  private code = 0;
  trace: ((code: number) => void) | undefined;

  constructor(machine: Machine) {
    machine.ports.register('post', 0x80, 1, {
      read: () => this.code,
      write: (_port, _size, value) => {
        this.code = value;
        this.trace?.(value);
      },
    });
    machine.resets.register('post', () => {
      this.code = 0;
    });
    machine.registerSection(
      recordSection({
        name: 'post',
        version: 1,
        save: () => ({ code: this.code }),
        load: (f) => {
          const code = f.uint('code', 8);
          return () => {
            this.code = code;
          };
        },
      }),
    );
  }

  get lastCode(): number {
    return this.code;
  }
}
