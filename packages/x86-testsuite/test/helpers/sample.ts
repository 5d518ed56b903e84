/** The small random run whose full QEMU output is committed (for replay tests without QEMU). */
export const SAMPLE_SEED = 0x5eed0001;
export const SAMPLE_COUNT = 60;
export function sampleOutputFile(image: number): string {
  return `fixtures/random-sample-${image}.out.gz`;
}
