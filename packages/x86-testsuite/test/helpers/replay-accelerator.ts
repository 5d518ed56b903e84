import type { Accelerator } from '@tsvm/core';

/**
 * A stand-in accelerator for testing the harness itself: it ignores the guest code and "runs" by
 * writing a recorded output to port 0xe9, then the given value to the debug-exit port 0xf4 —
 * exactly the port traffic a correct CPU would produce (or it reports a CPU shutdown). Perturb the recording to simulate a
 * buggy executor.
 */
export function replayAccelerator(output: Uint8Array, exitValue: number | 'shutdown' = 0): Accelerator {
  return {
    name: 'replay',
    probe: () => ({ available: true, reason: 'replays a recorded output' }),
    createVm: () => ({
      createVcpu: (binding) => ({
        run() {
          for (const b of output) binding.ports.write(0xe9, 1, b);
          if (exitValue === 'shutdown') return { kind: 'shutdown', reason: 'triple fault' } as const;
          if (exitValue >= 0) binding.ports.write(0xf4, 1, exitValue);
          return { kind: 'halt', wakeable: false } as const;
        },
      }),
    }),
  };
}
