import { type VcpuExit, type WritebackLevel, writebackLevelName } from '@tsvm/core';

/** One thing the wrapped accelerator was asked to do, or returned. */
export type JournalEntry =
  | {
      readonly at: number;
      readonly vcpu: number;
      readonly event: 'writeback';
      readonly level: WritebackLevel;
    }
  | { readonly at: number; readonly vcpu: number; readonly event: 'readback' }
  | { readonly at: number; readonly vcpu: number; readonly event: 'reset' }
  | { readonly at: number; readonly vcpu: number; readonly event: 'exit'; readonly exit: VcpuExit };

/** Everything the recorder saw, in order, with a summary for humans. */
export class Journal {
  readonly entries: JournalEntry[] = [];

  add(entry: JournalEntry): void {
    this.entries.push(entry);
  }

  /** Writeback levels in the order they were requested, e.g. `['Full', 'Runtime', 'Reset']`. */
  levels(vcpu = 0): string[] {
    return this.entries
      .filter((e) => e.vcpu === vcpu && e.event === 'writeback')
      .map((e) => writebackLevelName((e as { level: WritebackLevel }).level));
  }

  /** One line: how many writebacks per level and exits per kind. */
  summary(): string {
    const count = (keys: string[]) => {
      const m = new Map<string, number>();
      for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
      return [...m].map(([k, n]) => `${k}×${n}`).join(', ') || 'none';
    };
    const writebacks = this.entries.flatMap((e) =>
      e.event === 'writeback' ? [writebackLevelName(e.level)] : [],
    );
    const exits = this.entries.flatMap((e) => (e.event === 'exit' ? [e.exit.kind] : []));
    const reads = this.entries.filter((e) => e.event === 'readback').length;
    return `writebacks: ${count(writebacks)}; readbacks: ${reads}; exits: ${count(exits)}`;
  }
}
