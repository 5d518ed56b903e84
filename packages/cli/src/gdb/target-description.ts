/** One register as gdb sees it: its place in the `g` packet, its XML description, and how to reach it. */
export interface TargetRegister<State> {
  readonly name: string;
  readonly bits: number;
  /** gdb type name (`int32`, `code_ptr`, `i387_ext`, `vec128`, …). */
  readonly type: string;
  readonly group?: string;
  /** The XML feature it belongs to (`org.gnu.gdb.i386.core`, …). */
  readonly feature: string;
  /** Little-endian bytes of the register (bits / 8 long). */
  read(state: State): Uint8Array;
  /** Store little-endian bytes; returns an error text when the value cannot be taken. */
  write(state: State, bytes: Uint8Array): string | undefined;
}

/**
 * A target as gdb's `qXfer:features:read:target.xml` describes it. The register list fixes the
 * `g`/`p` numbering, so one list per architecture (i386 now; x86-64 is another list).
 */
export interface TargetDescription<State> {
  readonly architecture: string;
  readonly registers: readonly TargetRegister<State>[];
  /** Type definitions each feature needs, emitted before its registers. */
  readonly featureTypes: Readonly<Record<string, string>>;
}

/** The target XML for a description (no characters the remote protocol would need to escape). */
export function targetXml<State>(d: TargetDescription<State>): string {
  const features = [...new Set(d.registers.map((r) => r.feature))];
  const body = features.map((f) => {
    const regs = d.registers
      .map((r, regnum) => ({ r, regnum }))
      .filter(({ r }) => r.feature === f)
      .map(
        ({ r, regnum }) =>
          `    <reg name="${r.name}" bitsize="${r.bits}" type="${r.type}" regnum="${regnum}"${r.group ? ` group="${r.group}"` : ''}/>`,
      );
    return [`  <feature name="${f}">`, d.featureTypes[f] ?? '', ...regs, '  </feature>']
      .filter(Boolean)
      .join('\n');
  });
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    `  <architecture>${d.architecture}</architecture>`,
    ...body,
    '</target>',
    '',
  ].join('\n');
}
