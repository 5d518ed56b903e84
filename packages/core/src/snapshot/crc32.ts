/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320). Slicing-by-8: eight tables let the
 * loop consume eight bytes per step, which matters for multi-hundred-megabyte RAM sections.
 */
const TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  // Table k maps a byte to its CRC contribution k positions further back in the stream.
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n];
      t[k * 256 + n] = (t[prev & 0xff] ^ (prev >>> 8)) >>> 0;
    }
  }
  return t;
})();

export function crc32(data: Uint8Array, start = 0, end = data.length): number {
  const t = TABLES;
  let c = 0xffffffff;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = (c ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24))) >>> 0;
    c =
      t[1792 + (lo & 0xff)] ^
      t[1536 + ((lo >>> 8) & 0xff)] ^
      t[1280 + ((lo >>> 16) & 0xff)] ^
      t[1024 + (lo >>> 24)] ^
      t[768 + data[i + 4]] ^
      t[512 + data[i + 5]] ^
      t[256 + data[i + 6]] ^
      t[data[i + 7]];
  }
  for (; i < end; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
