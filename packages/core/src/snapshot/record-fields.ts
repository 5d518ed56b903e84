import { SnapshotError } from './snapshot-error.js';
import type { FieldValue, StateRecord } from './state-record.js';

/**
 * Typed access to a decoded record. A missing field or one of the wrong type is a
 * `SnapshotError('corrupt')` that names the section and the field.
 */
export class RecordFields {
  constructor(
    readonly record: StateRecord,
    readonly context: string,
  ) {}

  has(name: string): boolean {
    return Object.hasOwn(this.record, name);
  }

  private get(name: string, type: string, ok: (v: FieldValue) => boolean): FieldValue {
    const v = this.record[name];
    if (v === undefined || !ok(v)) {
      throw new SnapshotError(
        'corrupt',
        `${this.context}: field '${name}' is ${v === undefined ? 'missing' : 'not a'} ${type}`,
      );
    }
    return v;
  }
  number(name: string): number {
    return this.get(name, 'number', (v) => typeof v === 'number') as number;
  }
  /** An integer in [0, 2^bits). */
  uint(name: string, bits = 32): number {
    const v = this.number(name);
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) {
      throw new SnapshotError(
        'corrupt',
        `${this.context}: field '${name}' = ${v} is not a ${bits}-bit unsigned integer`,
      );
    }
    return v;
  }
  bigint(name: string): bigint {
    return this.get(name, '64-bit integer', (v) => typeof v === 'bigint') as bigint;
  }
  boolean(name: string): boolean {
    return this.get(name, 'boolean', (v) => typeof v === 'boolean') as boolean;
  }
  string(name: string): string {
    return this.get(name, 'string', (v) => typeof v === 'string') as string;
  }
  bytes(name: string, expectedLength?: number): Uint8Array {
    const v = this.get(name, 'byte string', (v) => v instanceof Uint8Array) as Uint8Array;
    if (expectedLength !== undefined && v.length !== expectedLength) {
      throw new SnapshotError(
        'corrupt',
        `${this.context}: field '${name}' has ${v.length} bytes, expected ${expectedLength}`,
      );
    }
    return v;
  }
  nested(name: string): RecordFields {
    const v = this.get(
      name,
      'record',
      (v) => typeof v === 'object' && !(v instanceof Uint8Array) && !Array.isArray(v),
    );
    return new RecordFields(v as StateRecord, `${this.context}.${name}`);
  }
  list(name: string): RecordFields[] {
    const v = this.get(name, 'list', (v) => Array.isArray(v)) as StateRecord[];
    return v.map((r, i) => new RecordFields(r, `${this.context}.${name}[${i}]`));
  }
}
