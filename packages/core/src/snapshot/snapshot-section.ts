import { RecordFields } from './record-fields.js';
import { SnapshotError } from './snapshot-error.js';
import { decodeRecord, encodeRecord, type StateRecord } from './state-record.js';

/**
 * One named, versioned part of a snapshot (one per device, one per vCPU, one for RAM).
 * Loading is two-phase so that a bad snapshot changes nothing: `prepareLoad` parses and
 * validates and returns a commit function that only assigns and cannot fail.
 */
export interface SnapshotSection {
  readonly name: string;
  /** The version `save` writes. */
  readonly version: number;
  /** Oldest version `prepareLoad` still understands (defaults to `version`). */
  readonly minVersion?: number;
  save(): Uint8Array;
  prepareLoad(data: Uint8Array, version: number): () => void;
}

/** How a device describes its state as a named-field record. */
export interface RecordSectionSpec {
  readonly name: string;
  readonly version: number;
  readonly minVersion?: number;
  save(): StateRecord;
  /** Validate everything and return the assignment to run once every section has validated. */
  load(fields: RecordFields, version: number): () => void;
}

/** Build a section whose payload is a named-field state record. */
export function recordSection(spec: RecordSectionSpec): SnapshotSection {
  return {
    name: spec.name,
    version: spec.version,
    minVersion: spec.minVersion,
    save: () => encodeRecord(spec.save()),
    prepareLoad(data, version) {
      const context = `section '${spec.name}'`;
      return spec.load(new RecordFields(decodeRecord(data, context), context), version);
    },
  };
}

export function checkSectionVersion(section: SnapshotSection, version: number): void {
  if (version > section.version) {
    throw new SnapshotError(
      'newer-version',
      `section '${section.name}' has version ${version}; this tsvm reads up to ${section.version}`,
    );
  }
  const min = section.minVersion ?? section.version;
  if (version < min) {
    throw new SnapshotError(
      'mismatch',
      `section '${section.name}' has version ${version}; this tsvm reads ${min} to ${section.version}`,
    );
  }
}
