/** Wire codecs and argument guards of the XBR protocol (docs/protocol.md#wire). */
export type { Address, Amount, Brand, Ed25519PublicKey, Hash32, NsTime, Signature65, Uuid } from './types.js';
export { argumentError, describe, describeTypeName, expectBytes, showValue, toHex } from './argument.js';
export { sameBytes } from './bytes.js';
export { UINT256_MAX, packUint256, unpackUint256 } from './uint256.js';
export { asUuid, formatUuid, parseUuid, randomUuid, timeOrderedUuid } from './uuid.js';
export { asAddress, isZeroAddress, parseAddress, toChecksumAddress } from './address.js';
export { NS_PER_MS, NS_PER_SECOND, isoToNs, msToNs, nowNs, nsToIso, nsToMs, nsToSeconds, secondsToNs } from './time.js';
export { joinSignature, normalizeSignature, splitSignature, type SignatureParts } from './signature.js';
export {
  addressArg,
  boolArg,
  bytesArg,
  dictArg,
  intArg,
  listArg,
  nsTimeArg,
  optional,
  signatureArg,
  stringArg,
  uint256Arg,
  uuidArg,
  type IntArgOptions,
  type ListArgOptions,
  type StringArgOptions,
} from './guards.js';
