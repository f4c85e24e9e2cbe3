/**
 * Distinct types for the byte strings and numbers of the XBR protocol, so an address cannot be passed
 * where a channel id is expected. Values are created only by the codecs that check them.
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** 20-byte Ethereum address. */
export type Address = Brand<Uint8Array, 'Address'>;
/** 16-byte UUID (RFC 4122 byte order): market, channel, key, api, offer, catalog, transaction ids. */
export type Uuid = Brand<Uint8Array, 'Uuid'>;
/** 65-byte Ethereum signature `r ‖ s ‖ v` with v ∈ {27, 28}. */
export type Signature65 = Brand<Uint8Array, 'Signature65'>;
/** 32-byte hash (keccak256, EIP712 digests, block hashes). */
export type Hash32 = Brand<Uint8Array, 'Hash32'>;
/** 32-byte Ed25519 public key (buyer/seller delegate keys, WAMP-cryptosign). */
export type Ed25519PublicKey = Brand<Uint8Array, 'Ed25519PublicKey'>;
/** Token amount in the smallest unit (uint256); on the wire a 32-byte big-endian unsigned integer. */
export type Amount = bigint;
/** Nanoseconds since the Unix epoch. */
export type NsTime = bigint;
