/** Callbacks a device provides for a range of I/O ports. `port` is the absolute port number. */
export interface IoPortHandler {
  read?(port: number, size: 1 | 2 | 4): number;
  write?(port: number, size: 1 | 2 | 4, value: number): void;
}

export class IoPortError extends Error {
  override readonly name = 'IoPortError';
}

/** Observer of accesses nobody claimed (for `--trace unassigned`). */
export type UnassignedAccessObserver = (
  access: 'read' | 'write',
  port: number,
  size: 1 | 2 | 4,
  value?: number,
) => void;

interface PortRange {
  readonly name: string;
  readonly first: number;
  readonly count: number;
  readonly handler: IoPortHandler;
}

const PORT_COUNT = 0x10000;
const NONE = 0xffff;

/**
 * The 64 KiB port-I/O space. Devices register non-overlapping port ranges; reads of unassigned
 * ports return all ones, writes to them are dropped.
 */
export class IoPortBus {
  private readonly ranges: PortRange[] = [];
  /** Port → index into `ranges`, NONE when unassigned. */
  private readonly owner = new Uint16Array(PORT_COUNT).fill(NONE);
  private unassigned: UnassignedAccessObserver | undefined;

  register(name: string, first: number, count: number, handler: IoPortHandler): void {
    if (
      !Number.isInteger(first) ||
      !Number.isInteger(count) ||
      first < 0 ||
      count <= 0 ||
      first + count > PORT_COUNT
    ) {
      throw new IoPortError(`ports for '${name}': range ${first}+${count} is outside 0..0xffff`);
    }
    for (let p = first; p < first + count; p++) {
      const o = this.owner[p];
      if (o !== NONE) {
        throw new IoPortError(
          `ports for '${name}' [0x${first.toString(16)}, 0x${(first + count).toString(16)}) overlap '${this.ranges[o].name}' at port 0x${p.toString(16)}`,
        );
      }
    }
    this.ranges.push({ name, first, count, handler });
    this.owner.fill(this.ranges.length - 1, first, first + count);
  }

  /** Who owns `port`, for diagnostics. */
  ownerOf(port: number): string | undefined {
    const o = this.owner[port & 0xffff];
    return o === NONE ? undefined : this.ranges[o].name;
  }

  observeUnassigned(observer: UnassignedAccessObserver | undefined): void {
    this.unassigned = observer;
  }

  read(port: number, size: 1 | 2 | 4): number {
    port &= 0xffff;
    const o = this.owner[port];
    const read = o === NONE ? undefined : this.ranges[o].handler.read;
    if (read) {
      const v = read(port, size);
      return size === 4 ? v >>> 0 : v & ((1 << (size * 8)) - 1);
    }
    this.unassigned?.('read', port, size);
    return size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    port &= 0xffff;
    const o = this.owner[port];
    const write = o === NONE ? undefined : this.ranges[o].handler.write;
    const masked = size === 4 ? value >>> 0 : value & ((1 << (size * 8)) - 1);
    if (write) write(port, size, masked);
    else this.unassigned?.('write', port, size, masked);
  }
}
