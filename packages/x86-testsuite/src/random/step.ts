/** One generated instruction of a random sequence, as the trace image lays it out. */
export interface Step {
  /** Encoded bytes (empty for a skip-Jcc until the image layout fills in its displacement). */
  readonly bytes: readonly number[];
  /** ndisasm-style text. */
  readonly text: string;
  /** EFLAGS bits compared after this step (see sdm/undefined-flags.ts). */
  readonly keep: number;
  /**
   * A conditional jump over the next instruction and its guard steps (`steps` of them, filled in
   * by the sequence generator); the layout encodes it once their sizes are known.
   */
  readonly skip?: { readonly cc: number; readonly near: boolean; readonly steps?: number };
}
