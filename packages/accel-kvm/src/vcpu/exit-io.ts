import type { GuestMemory, IoPortBus } from '@tsvm/core';
import { a20Fold } from '../memory/a20-window.js';
import type { RunLayout } from './run-layout.js';

/**
 * Serve a KVM_EXIT_IO from the run area: `count` accesses of `size` bytes at one port (string
 * I/O and REP prefixes arrive as count > 1), data in the run area at `data_offset`.
 */
export function serveIo(view: DataView, r: RunLayout, ports: IoPortBus): void {
  const size = view.getUint8(r.ioSize) as 1 | 2 | 4;
  const port = view.getUint16(r.ioPort, true);
  const count = view.getUint32(r.ioCount, true);
  // data_offset is a u64 but always inside the run area: its low half is the offset (no BigInt).
  let at = view.getUint32(r.ioDataOffset, true);
  if (view.getUint32(r.ioDataOffset + 4, true) !== 0)
    throw new Error('KVM_EXIT_IO data_offset is beyond 4 GiB');
  if (at + count * size > view.byteLength)
    throw new Error(`KVM_EXIT_IO data [${at}, +${count * size}) lies outside the run area`);
  if (view.getUint8(r.ioDirection) === r.ioOut) {
    for (let i = 0; i < count; i++, at += size) {
      const value =
        size === 1 ? view.getUint8(at) : size === 2 ? view.getUint16(at, true) : view.getUint32(at, true);
      ports.write(port, size, value);
    }
  } else {
    for (let i = 0; i < count; i++, at += size) {
      const value = ports.read(port, size);
      if (size === 1) view.setUint8(at, value);
      else if (size === 2) view.setUint16(at, value, true);
      else view.setUint32(at, value >>> 0, true);
    }
  }
}

/**
 * Serve a KVM_EXIT_MMIO (1, 2, 4 or 8 bytes; 8-byte accesses go to the bus as two 4-byte halves).
 */
export function serveMmio(view: DataView, r: RunLayout, memory: GuestMemory, a20Enabled = true): void {
  // With the A20 gate closed, window addresses without a slot show what lies 1 MiB lower.
  const address = a20Fold(Number(view.getBigUint64(r.mmioPhysAddr, true)), a20Enabled);
  const len = view.getUint32(r.mmioLen, true);
  const data = r.mmioData;
  const isWrite = view.getUint8(r.mmioIsWrite) !== 0;
  const parts: [number, 1 | 2 | 4][] =
    len === 8
      ? [
          [0, 4],
          [4, 4],
        ]
      : len === 4 || len === 2 || len === 1
        ? [[0, len]]
        : Array.from({ length: len }, (_, i) => [i, 1]);
  for (const [off, size] of parts) {
    if (isWrite) {
      const value =
        size === 1
          ? view.getUint8(data + off)
          : size === 2
            ? view.getUint16(data + off, true)
            : view.getUint32(data + off, true);
      memory.write(address + off, size, value);
    } else {
      const value = memory.read(address + off, size);
      if (size === 1) view.setUint8(data + off, value);
      else if (size === 2) view.setUint16(data + off, value, true);
      else view.setUint32(data + off, value >>> 0, true);
    }
  }
}
