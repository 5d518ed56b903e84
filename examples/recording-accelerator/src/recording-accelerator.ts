import type { Accelerator, AcceleratorVcpu, AcceleratorVm, ProbeResult, VcpuExit } from '@tsvm/core';
import { Journal } from './journal.js';

export interface RecordingOptions {
  /** The accelerator that really runs the guest. */
  readonly inner: Accelerator | (() => Promise<Accelerator>);
  /** Called with the journal's summary when the VM is closed (default: write it to stderr). */
  readonly report?: (summary: string, journal: Journal) => void;
}

/**
 * An accelerator that runs guests on another accelerator and records every exit and every
 * writeback level it is asked for. Useful for debugging an accelerator (or the machine's
 * synchronization) and as a template for writing your own: it uses only the public
 * `@tsvm/core` interface.
 */
export class RecordingAccelerator implements Accelerator {
  readonly name = 'recorder';
  readonly journal = new Journal();
  private innerAccelerator: Accelerator | undefined;
  private readonly started = performance.now();

  constructor(private readonly options: RecordingOptions) {}

  private async inner(): Promise<Accelerator> {
    const { inner } = this.options;
    this.innerAccelerator ??= typeof inner === 'function' ? await inner() : inner;
    return this.innerAccelerator;
  }

  async probe(): Promise<ProbeResult> {
    const inner = await this.inner();
    const p = await inner.probe();
    return { ...p, reason: `records exits and writeback levels of '${inner.name}', which says: ${p.reason}` };
  }

  async createVm(options: Parameters<Accelerator['createVm']>[0]): Promise<AcceleratorVm> {
    const innerVm = await (await this.inner()).createVm(options);
    const journal = this.journal;
    const at = () => Math.round((performance.now() - this.started) * 1000) / 1000;
    const report = this.options.report ?? ((summary) => process.stderr.write(`recorder: ${summary}\n`));
    return {
      // Pass the memory hooks through unchanged: the inner accelerator owns guest RAM.
      allocateMemory: innerVm.allocateMemory?.bind(innerVm),
      mapRegion: innerVm.mapRegion?.bind(innerVm),
      unmapRegion: innerVm.unmapRegion?.bind(innerVm),
      async createVcpu(binding) {
        const inner = await innerVm.createVcpu(binding);
        const vcpu = binding.index;
        const wrapped: AcceleratorVcpu = {
          async run(limits) {
            const exit: VcpuExit = await inner.run(limits);
            journal.add({ at: at(), vcpu, event: 'exit', exit });
            return exit;
          },
          reset() {
            journal.add({ at: at(), vcpu, event: 'reset' });
            inner.reset?.();
          },
          close: inner.close?.bind(inner),
        };
        // Offer the state hooks only if the inner accelerator has them: an accelerator without
        // them keeps no copy of the registers, and the recorder must not pretend otherwise.
        if (inner.readState) {
          wrapped.readState = () => {
            journal.add({ at: at(), vcpu, event: 'readback' });
            inner.readState!();
          };
        }
        if (inner.writeState) {
          wrapped.writeState = (level) => {
            journal.add({ at: at(), vcpu, event: 'writeback', level });
            inner.writeState!(level);
          };
        }
        return wrapped;
      },
      close() {
        innerVm.close?.();
        report(journal.summary(), journal);
      },
    };
  }
}

/** The built-in accelerator a name stands for (loaded only when used). */
async function builtIn(name: string): Promise<Accelerator> {
  if (name === 'kvm') return new (await import('@tsvm/accel-kvm')).KvmAccelerator();
  if (name === 'tcg') return (await import('@tsvm/accel-tcg')).tcg;
  throw new Error(`TSVM_RECORD_INNER must be 'tcg' or 'kvm', not '${name}'`);
}

/**
 * What `tsvm run --accel ./examples/recording-accelerator` calls: a recorder around the
 * accelerator named by the environment variable TSVM_RECORD_INNER (default `tcg`).
 */
export function createRecordingAccelerator(options: Partial<RecordingOptions> = {}): RecordingAccelerator {
  return new RecordingAccelerator({
    inner: options.inner ?? (() => builtIn(process.env.TSVM_RECORD_INNER ?? 'tcg')),
    report: options.report,
  });
}
