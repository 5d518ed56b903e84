import { type Machine, recordSection } from '@tsvm/core';

export const PCI_CONFIG_ADDRESS_PORT = 0xcf8;
export const PCI_CONFIG_DATA_PORT = 0xcfc;

/** Registers of the host bridge's configuration space a guest may change. */
const Writable = { Command: 0x04, LatencyTimer: 0x0d } as const;

/**
 * PCI configuration mechanism #1: a 32-bit address register at 0xCF8 (enable bit 31, bus,
 * device, function, register) and a data window at 0xCFC-0xCFF, with one device behind it: a
 * host bridge at 00:00.0 (the i440FX's IDs, 8086:1237, class 06/00/00) so that the guest finds
 * a PCI bus. Absent devices read all ones. Byte accesses to 0xCF9 stay with the reset control
 * register; only 32-bit accesses reach the address register, as on real chipsets.
 */
export class PciHost {
  private address = 0;
  private readonly bridge = new Uint8Array(256);

  constructor(machine: Machine) {
    machine.ports.register('pci-config-address', PCI_CONFIG_ADDRESS_PORT, 1, {
      read: (_port, size) => (size === 4 ? this.address : 0xffffffff),
      write: (_port, size, value) => {
        if (size === 4) this.address = (value & 0x80fffffc) >>> 0;
      },
    });
    machine.ports.register('pci-config-data', PCI_CONFIG_DATA_PORT, 4, {
      read: (port, size) => this.readConfig(port - PCI_CONFIG_DATA_PORT, size),
      write: (port, size, value) => this.writeConfig(port - PCI_CONFIG_DATA_PORT, size, value),
    });
    machine.resets.register('pci-host', () => this.reset());
    machine.registerSection(
      recordSection({
        name: 'pci-host',
        version: 1,
        save: () => ({
          address: this.address,
          command: this.bridge[Writable.Command] | (this.bridge[Writable.Command + 1] << 8),
          latencyTimer: this.bridge[Writable.LatencyTimer],
        }),
        load: (f) => {
          const address = f.uint('address');
          const command = f.uint('command', 16);
          const latency = f.uint('latencyTimer', 8);
          return () => {
            this.address = (address & 0x80fffffc) >>> 0;
            this.bridge[Writable.Command] = command & 0xff;
            this.bridge[Writable.Command + 1] = command >> 8;
            this.bridge[Writable.LatencyTimer] = latency;
          };
        },
      }),
    );
    this.reset();
  }

  private reset(): void {
    this.address = 0;
    const b = this.bridge;
    const v = new DataView(b.buffer);
    b.fill(0);
    v.setUint16(0x00, 0x8086, true); // vendor
    v.setUint16(0x02, 0x1237, true); // device
    v.setUint16(0x04, 0x0006, true); // command: memory and bus master
    v.setUint16(0x06, 0x0000, true); // status
    b[0x08] = 0x02; // revision
    b[0x0b] = 0x06; // class: bridge
    b[0x0a] = 0x00; // subclass: host bridge
    b[0x0e] = 0x00; // header type 0, single function
  }

  /** Offset into the bridge's configuration space selected by the address register, or -1. */
  private selected(offset: number): number {
    const a = this.address;
    if (!(a & 0x80000000)) return -1;
    const bus = (a >>> 16) & 0xff;
    const deviceFunction = (a >>> 8) & 0xff;
    if (bus !== 0 || deviceFunction !== 0) return -1;
    return (a & 0xfc) + offset;
  }

  private readConfig(offset: number, size: 1 | 2 | 4): number {
    const at = this.selected(offset);
    if (at < 0) return size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
    let value = 0;
    for (let i = 0; i < size; i++) value |= (this.bridge[(at + i) & 0xff] ?? 0xff) << (i * 8);
    return value >>> 0;
  }

  private writeConfig(offset: number, size: 1 | 2 | 4, value: number): void {
    const at = this.selected(offset);
    if (at < 0) return;
    for (let i = 0; i < size; i++) {
      const reg = (at + i) & 0xff;
      if (reg === Writable.Command || reg === Writable.Command + 1 || reg === Writable.LatencyTimer)
        this.bridge[reg] = (value >>> (i * 8)) & 0xff;
    }
  }
}
