import type { X86CpuState } from '@tsvm/arch-x86';
import { type Machine, recordSection } from '@tsvm/core';
import type { ResetRequester } from './reset-control.js';

/**
 * System control port A (0x92), "fast A20": bit 1 opens the A20 gate, bit 0 written as 1
 * resets the CPU. The gate lives in the canonical CPU state (`a20Enabled`), which every
 * accelerator honours; this device never talks to an accelerator.
 */
export class FastA20 {
  /** Bits other than A20 that read back (bit 0 is write-only in effect: it triggers reset). */
  private other = 0;

  constructor(
    private readonly machine: Machine<X86CpuState>,
    requestReset: ResetRequester,
  ) {
    machine.ports.register('fast-a20', 0x92, 1, {
      read: () => (this.a20 ? 0x02 : 0) | this.other,
      write: (_port, _size, value) => {
        this.other = value & 0xfc;
        this.a20 = (value & 0x02) !== 0;
        if (value & 0x01) requestReset('port 0x92 bit 0');
      },
    });
    // The A20 bit itself is CPU state (reset by the CPU handler); only the other bits are ours.
    machine.resets.register('fast-a20', () => {
      this.other = 0;
    });
    machine.registerSection(
      recordSection({
        name: 'fast-a20',
        version: 1,
        save: () => ({ other: this.other }),
        load: (f) => {
          const other = f.uint('other', 8);
          return () => {
            this.other = other & 0xfc;
          };
        },
      }),
    );
  }

  get a20(): boolean {
    return this.machine.vcpus[0]?.state.a20Enabled ?? true;
  }

  set a20(enabled: boolean) {
    for (const vcpu of this.machine.vcpus) vcpu.state.a20Enabled = enabled;
  }
}
