/** A guest image was refused. Names the format, the problem and the file offset it was found at. */
export class LoaderError extends Error {
  override readonly name = 'LoaderError';
  constructor(
    readonly format: string,
    readonly problem: string,
    /** Byte offset in the image where the problem is, when it has one. */
    readonly offset?: number,
  ) {
    super(`${format}: ${problem}${offset === undefined ? '' : ` (at offset 0x${offset.toString(16)})`}`);
  }
}
