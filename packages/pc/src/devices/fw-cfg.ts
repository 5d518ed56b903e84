import { type Machine, recordSection, SnapshotError } from '@tsvm/core';

/** Selector keys of QEMU's fw_cfg interface (docs/specs/fw_cfg.rst). */
export const FwCfgKey = {
  Signature: 0x0000,
  Id: 0x0001,
  Uuid: 0x0002,
  RamSize: 0x0003,
  NoGraphic: 0x0004,
  NbCpus: 0x0005,
  KernelAddr: 0x0007,
  KernelSize: 0x0008,
  KernelCmdline: 0x0009,
  InitrdAddr: 0x000a,
  InitrdSize: 0x000b,
  BootDevice: 0x000c,
  MaxCpus: 0x000f,
  KernelEntry: 0x0010,
  KernelData: 0x0011,
  InitrdData: 0x0012,
  CmdlineAddr: 0x0013,
  CmdlineSize: 0x0014,
  CmdlineData: 0x0015,
  FileDir: 0x0019,
  /** First selector handed to named files. */
  FileFirst: 0x0020,
} as const;

export const FW_CFG_SELECTOR_PORT = 0x510;
export const FW_CFG_DATA_PORT = 0x511;
/** Longest file name in the directory, including the terminating NUL. */
const FILE_NAME_BYTES = 56;

const le = (bytes: number, value: number | bigint) => {
  const out = new Uint8Array(bytes);
  let v = BigInt(value);
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
};

/**
 * QEMU's firmware configuration device, traditional I/O interface: a 16-bit selector at
 * 0x510 and an 8-bit data port at 0x511 that streams the selected item (numbers little-endian,
 * the file directory big-endian, as the specification says). No DMA interface (ID bit 1 clear).
 * Items are fixed when the board is built; only the selector and the read offset are state.
 */
export class FwCfg {
  private readonly items = new Map<number, Uint8Array>();
  private readonly files: { name: string; key: number }[] = [];
  private selector = 0;
  private offset = 0;

  constructor(machine: Machine) {
    this.items.set(FwCfgKey.Signature, new TextEncoder().encode('QEMU'));
    this.items.set(FwCfgKey.Id, le(4, 1)); // traditional interface only
    this.items.set(FwCfgKey.Uuid, new Uint8Array(16));
    this.items.set(FwCfgKey.NoGraphic, le(2, 1));
    this.rebuildDirectory();
    machine.ports.register('fw-cfg', FW_CFG_SELECTOR_PORT, 2, {
      read: (port, size) => {
        if (port === FW_CFG_SELECTOR_PORT && size >= 2) return this.selector;
        if (port === FW_CFG_DATA_PORT) return this.readData();
        return 0;
      },
      write: (port, size, value) => {
        // A 16-bit write at 0x510 selects; a byte write there does too (low byte only), as QEMU accepts.
        if (port === FW_CFG_SELECTOR_PORT) this.select(size >= 2 ? value & 0xffff : value & 0xff);
        // Writes to the data port are ignored (read-only items).
      },
    });
    machine.resets.register('fw-cfg', () => this.select(0));
    machine.registerSection(
      recordSection({
        name: 'fw-cfg',
        version: 1,
        save: () => ({ selector: this.selector, offset: this.offset }),
        load: (f) => {
          const selector = f.uint('selector', 16);
          const offset = f.uint('offset', 32);
          if (offset > (this.items.get(selector)?.length ?? 0)) {
            throw new SnapshotError(
              'corrupt',
              `section 'fw-cfg': offset ${offset} past the end of item 0x${selector.toString(16)}`,
            );
          }
          return () => {
            this.selector = selector;
            this.offset = offset;
          };
        },
      }),
    );
  }

  select(key: number): void {
    this.selector = key;
    this.offset = 0;
  }

  private readData(): number {
    const item = this.items.get(this.selector);
    if (!item || this.offset >= item.length) return 0;
    return item[this.offset++];
  }

  /** Set a numbered item (bytes are copied). */
  setItem(key: number, data: Uint8Array): void {
    this.items.set(key, data.slice());
  }

  setU16(key: number, v: number): void {
    this.items.set(key, le(2, v));
  }

  setU32(key: number, v: number): void {
    this.items.set(key, le(4, v));
  }

  setU64(key: number, v: number | bigint): void {
    this.items.set(key, le(8, v));
  }

  /** Add a named file (e.g. `opt/tsvm/module0`) to the directory. */
  addFile(name: string, data: Uint8Array): number {
    const nameBytes = new TextEncoder().encode(name);
    if (nameBytes.length >= FILE_NAME_BYTES)
      throw new RangeError(`fw_cfg file name '${name}' is longer than 55 bytes`);
    if (this.files.some((f) => f.name === name)) throw new RangeError(`fw_cfg file '${name}' already exists`);
    const key = FwCfgKey.FileFirst + this.files.length;
    this.files.push({ name, key });
    this.items.set(key, data.slice());
    this.rebuildDirectory();
    return key;
  }

  item(key: number): Uint8Array | undefined {
    return this.items.get(key);
  }

  /** Directory: u32 count, then per file u32 size, u16 select, u16 reserved, 56-byte name — all big-endian. */
  private rebuildDirectory(): void {
    const sorted = [...this.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const dir = new Uint8Array(4 + sorted.length * 64);
    const view = new DataView(dir.buffer);
    view.setUint32(0, sorted.length, false);
    sorted.forEach((f, i) => {
      const at = 4 + i * 64;
      view.setUint32(at, this.items.get(f.key)!.length, false);
      view.setUint16(at + 4, f.key, false);
      dir.set(new TextEncoder().encode(f.name), at + 8);
    });
    this.items.set(FwCfgKey.FileDir, dir);
  }
}
