/** Why a snapshot was refused. */
export type SnapshotErrorKind =
  /** The file ends before the data it declares. */
  | 'truncated'
  /** A checksum or a length does not match: the bytes were damaged. */
  | 'corrupt'
  /** Not a tsvm snapshot, or one for another architecture. */
  | 'foreign'
  /** Written by a newer tsvm (container or section version this code cannot read). */
  | 'newer-version'
  /** Well-formed, but describes a different machine (sections missing or unknown, RAM sizes differ). */
  | 'mismatch';

/** The one error type for a refused snapshot; the machine is unchanged when it is thrown. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  constructor(
    readonly kind: SnapshotErrorKind,
    message: string,
  ) {
    super(`snapshot ${kind === 'newer-version' ? 'is from a newer version' : `is ${kind}`}: ${message}`);
  }
}
