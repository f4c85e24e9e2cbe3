/** Key conversion, sealed boxes and payload encryption for the XBR data market. */
export { ed25519PublicKeyToX25519, ed25519SecretKeyToX25519 } from './x25519.js';
export {
  SEALED_KEY_BYTES,
  sealBox,
  sealBoxWithEphemeralSecret,
  openSealedBox,
  SealedBoxKeyPair,
} from './sealed-box.js';
export {
  PAYLOAD_SERIALIZER,
  DATA_KEY_BYTES,
  PAYLOAD_OVERHEAD,
  encodeCbor,
  decodeCbor,
  encryptPayload,
  encryptPayloadWithNonce,
  encryptBytes,
  decryptBytes,
  decryptPayload,
} from './payload.js';
