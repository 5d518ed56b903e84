/**
 * float80: the x87's 80-bit extended-precision arithmetic, exact to the bit (IEEE 754 correct
 * rounding for all RC × PC combinations, the SDM's special operands and masked responses).
 * Values are `RawExtended` (the FXSAVE register format); every operation takes a `Float80Env`
 * built from the FCW and reports FSW exception bits and C1 in it. See env.ts for the
 * masked/unmasked exception contract.
 */
export { f80Add, f80Sub } from './add-sub.js';
export { BCD_INDEFINITE, f80FromBcd, f80ToBcd } from './bcd.js';
export { F80Order, f80Compare, f80Examine } from './compare-classify.js';
export { F80Const, f80Constant } from './constants.js';
export { f80FromFloat32, f80FromFloat64, f80ToFloat32, f80ToFloat64 } from './convert-float.js';
export { f80FromInt32, f80FromInt64, f80ToInt16, f80ToInt32, f80ToInt64 } from './convert-int.js';
export {
  EXCEPTION_BITS,
  envFromFcw,
  type Float80Env,
  Pc,
  postComputationFault,
  preComputationFault,
  precisionBits,
  Rc,
} from './env.js';
export { f80Div, f80Mul } from './mul-div.js';
export { f80Prem, f80Prem1, type RemainderResult } from './remainder.js';
export { type ExtractResult, f80Extract, f80RoundToInt, f80Scale } from './scale-round.js';
export { f80Sqrt } from './sqrt.js';
export {
  f80Atan2,
  f80Cos,
  f80Sin,
  f80SinCos,
  f80Tan,
  f80TwoToXMinus1,
  f80YLog2X,
  f80YLog2XP1,
  type TrigResult,
} from './transcendental.js';
export {
  classify,
  F80Class,
  INDEFINITE,
  indefinite,
  infinity,
  isNaN80,
  isSignalingNaN,
  NEG_ZERO,
  POS_ONE,
  POS_ZERO,
  quietNaN,
  type RawExtended,
  zero,
} from './values.js';
