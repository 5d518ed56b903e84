/** Largest packet accepted (and advertised as `PacketSize`). */
export const MAX_PACKET_BYTES = 0x4000;

/** What arrived from the debugger. */
export type RspInput =
  | { readonly kind: 'packet'; readonly data: string }
  | { readonly kind: 'interrupt' }
  /** A packet with a wrong checksum or over the size limit: answered with '-', otherwise ignored. */
  | { readonly kind: 'bad'; readonly why: string };

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

export function checksum(data: string): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum = (sum + data.charCodeAt(i)) & 0xff;
  return sum;
}

/** `$data#cs`, escaping the bytes the protocol reserves. */
export function framePacket(data: string): string {
  const escaped = data.replace(/[#$}*]/g, (c) => `}${String.fromCharCode(c.charCodeAt(0) ^ 0x20)}`);
  return `$${escaped}#${hex2(checksum(escaped))}`;
}

/**
 * The GDB remote serial protocol's framing: `$data#cs` packets, `+`/`-` acknowledgements (ignored:
 * tsvm never retransmits over a reliable stream), and a bare 0x03 byte for Ctrl-C.
 */
export class RspReader {
  private state: 'idle' | 'data' | 'sum1' | 'sum2' = 'idle';
  private data: number[] = [];
  private sum = '';
  private tooLong = false;

  push(chunk: Buffer): RspInput[] {
    const out: RspInput[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'idle':
          if (b === 0x24) {
            this.state = 'data';
            this.data = [];
            this.tooLong = false;
          } else if (b === 0x03) out.push({ kind: 'interrupt' });
          break; // '+', '-' and noise between packets
        case 'data':
          if (b === 0x23) this.state = 'sum1';
          else if (this.data.length < MAX_PACKET_BYTES) this.data.push(b);
          else this.tooLong = true;
          break;
        case 'sum1':
          this.sum = String.fromCharCode(b);
          this.state = 'sum2';
          break;
        case 'sum2': {
          this.sum += String.fromCharCode(b);
          this.state = 'idle';
          const text = Buffer.from(this.data).toString('latin1');
          if (this.tooLong) out.push({ kind: 'bad', why: `packet longer than ${MAX_PACKET_BYTES} bytes` });
          else if (Number.parseInt(this.sum, 16) !== checksum(text))
            out.push({ kind: 'bad', why: `checksum ${this.sum} does not match` });
          else out.push({ kind: 'packet', data: text });
          break;
        }
      }
    }
    return out;
  }
}
