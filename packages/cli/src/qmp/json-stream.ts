/** Longest single request accepted; longer input is refused and skipped to the end of its line. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Deepest nesting of objects/arrays accepted in one request. */
export const MAX_NESTING = 64;

/** What the splitter found: a parsed JSON value, or an input error to answer with. */
export type StreamItem = { readonly value: unknown } | { readonly error: string };

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDelimiter = (c: number) => isSpace(c) || c === 0x7b || c === 0x5b || c === 0x7d || c === 0x5d;

/**
 * Splits a byte stream into JSON values the way QMP reads it: values need no newline between
 * them, and a value ends where its outermost brace or bracket closes. Stray words between values
 * are reported one by one ("invalid keyword"), as QEMU does. Memory stays bounded: a value longer
 * than `MAX_REQUEST_BYTES` (or nested deeper than `MAX_NESTING`) is reported once and the rest of
 * its line is dropped, so a newline is the way back to a clean stream.
 */
export class JsonStreamSplitter {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Collecting a bare word at the top level (not JSON). */
  private inWord = false;
  /** Dropping input up to the next newline after an oversized value. */
  private skippingLine = false;

  /** Feed bytes; returns every value or error completed by them, in order. */
  push(chunk: Buffer): StreamItem[] {
    const items: StreamItem[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.skippingLine) {
        if (c === 0x0a) this.skippingLine = false;
        start = i + 1;
        continue;
      }
      if (this.inWord) {
        if (!isDelimiter(c)) {
          if (this.bytes + (i + 1 - start) > MAX_REQUEST_BYTES) {
            items.push({
              error: `input word longer than ${MAX_REQUEST_BYTES} bytes; the rest of its line is ignored`,
            });
            this.abandonLine(false);
          }
          continue;
        }
        this.take(chunk, start, i);
        items.push({ error: `JSON parse error, invalid keyword '${this.text()}'` });
        this.clear();
        start = i;
      }
      if (this.depth === 0) {
        start = i;
        if (isSpace(c)) continue;
        if (c === 0x7b || c === 0x5b) this.depth = 1;
        else if (c === 0x7d || c === 0x5d) {
          items.push({ error: 'JSON parse error, expecting value' });
          continue;
        } else this.inWord = true;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) {
        if (++this.depth > MAX_NESTING) {
          items.push({ error: `JSON parse error, nesting deeper than ${MAX_NESTING} levels` });
          this.abandonLine(false);
          continue;
        }
      } else if (c === 0x7d || c === 0x5d) {
        if (--this.depth === 0) {
          this.take(chunk, start, i + 1);
          items.push(this.parse());
          this.clear();
          start = i + 1;
          continue;
        }
      }
      if (this.bytes + (i + 1 - start) > MAX_REQUEST_BYTES) {
        items.push({
          error: `request longer than ${MAX_REQUEST_BYTES} bytes; the rest of its line is ignored`,
        });
        this.abandonLine(c === 0x0a);
      }
    }
    if (!this.skippingLine && (this.depth > 0 || this.inWord)) this.take(chunk, start, chunk.length);
    return items;
  }

  private abandonLine(atNewline: boolean): void {
    this.clear();
    this.skippingLine = !atNewline;
  }

  private take(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.chunks.push(chunk.subarray(from, to));
    this.bytes += to - from;
  }

  private text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  private parse(): StreamItem {
    try {
      return { value: JSON.parse(this.text()) };
    } catch (e) {
      return { error: `JSON parse error, ${(e as Error).message}` };
    }
  }

  private clear(): void {
    this.chunks = [];
    this.bytes = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.inWord = false;
  }
}
