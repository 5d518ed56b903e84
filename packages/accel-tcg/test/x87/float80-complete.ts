import * as f80 from '../../src/fpu/float80/index.js';

/**
 * The first float80 operation that is still a stub, or undefined once the library is complete.
 * The x87 guests and the randomized x87 run need all of it; while some operation is missing they
 * skip and say which (the instructions over it raise #UD meanwhile).
 */
export function float80Missing(): string | undefined {
  const env = () => f80.envFromFcw(0x037f);
  const one = f80.POS_ONE;
  const probes: [string, () => unknown][] = [
    ['f80FromFloat32', () => f80.f80FromFloat32(0x3f800000, env())],
    ['f80FromFloat64', () => f80.f80FromFloat64(0x3ff00000, 0, env())],
    ['f80ToFloat32', () => f80.f80ToFloat32(one, env())],
    ['f80ToFloat64', () => f80.f80ToFloat64(one, env())],
    ['f80FromInt32', () => f80.f80FromInt32(1)],
    ['f80FromInt64', () => f80.f80FromInt64(0, 1)],
    ['f80ToInt16', () => f80.f80ToInt16(one, env())],
    ['f80ToInt32', () => f80.f80ToInt32(one, env())],
    ['f80ToInt64', () => f80.f80ToInt64(one, env())],
    ['f80FromBcd', () => f80.f80FromBcd(new Uint8Array(10))],
    ['f80ToBcd', () => f80.f80ToBcd(one, env())],
    ['f80Compare', () => f80.f80Compare(one, one, false, env())],
    ['f80Examine', () => f80.f80Examine(one)],
    ['f80Prem', () => f80.f80Prem(one, one, env())],
    ['f80Prem1', () => f80.f80Prem1(one, one, env())],
    ['f80RoundToInt', () => f80.f80RoundToInt(one, env())],
    ['f80Scale', () => f80.f80Scale(one, one, env())],
    ['f80Extract', () => f80.f80Extract(one, env())],
    ['f80Sin', () => f80.f80Sin(one, env())],
    ['f80Cos', () => f80.f80Cos(one, env())],
    ['f80SinCos', () => f80.f80SinCos(one, env())],
    ['f80Tan', () => f80.f80Tan(one, env())],
    ['f80Atan2', () => f80.f80Atan2(one, one, env())],
    ['f80TwoToXMinus1', () => f80.f80TwoToXMinus1(one, env())],
    ['f80YLog2X', () => f80.f80YLog2X(one, one, env())],
    ['f80YLog2XP1', () => f80.f80YLog2XP1(one, one, env())],
  ];
  for (const [name, probe] of probes) {
    try {
      probe();
    } catch (e) {
      if (e instanceof Error && /is not implemented yet$/.test(e.message)) return name;
      throw e;
    }
  }
  return undefined;
}
