// Messages between the page and the machine's worker. Byte arrays travel as transferables.

/** Page → worker. */
export type PageMessage =
  | {
      readonly type: 'boot';
      readonly image: Uint8Array;
      readonly name: string;
      /** Multiboot command line. */
      readonly cmdline: string;
      readonly ramBytes: number;
    }
  | { readonly type: 'start' }
  | { readonly type: 'stop' }
  | { readonly type: 'reset' }
  | { readonly type: 'save' }
  | { readonly type: 'load'; readonly snapshot: Uint8Array; readonly name: string }
  | { readonly type: 'input'; readonly bytes: Uint8Array };

/**
 * What the machine is doing. `running` and `paused` while the run loop lives; the others once
 * it returned (the guest exited through port 0xf4, halted for good, or the accelerator failed).
 */
export type VmState = 'empty' | 'running' | 'paused' | 'exited' | 'halted' | 'shutdown' | 'error';

export interface VmStatus {
  readonly state: VmState;
  /** Why the run ended (exit status, halt or error message), when it did. */
  readonly detail?: string;
  /** The image booted last (file name). */
  readonly image?: string;
  readonly ramBytes?: number;
  /** Guest instructions retired since the machine was created. */
  readonly instructions: number;
  /** Guest instructions per second over the last sampling interval (wall clock). */
  readonly instructionsPerSecond: number;
  /** The machine's virtual clock in nanoseconds. */
  readonly virtualNs: number;
}

/** Worker → page. */
export type WorkerMessage =
  | { readonly type: 'serial'; readonly bytes: Uint8Array }
  /** A new machine runs the image `name`: the terminal starts afresh (output follows this message). */
  | { readonly type: 'booted'; readonly name: string }
  | { readonly type: 'status'; readonly status: VmStatus }
  | { readonly type: 'note'; readonly level: 'info' | 'error'; readonly text: string }
  | { readonly type: 'snapshot'; readonly bytes: Uint8Array; readonly name: string };
