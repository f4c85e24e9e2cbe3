/**
 * Domain separators (`hashStruct(EIP712Domain)`) for `EIP712Domain(string name,string version)`,
 * computed once: XBR `0x6929f68f…b0e4`, WMP `0x43ee3bbb…1b7b` (docs/protocol.md#eip712-domain).
 */
import { keccak256, keccakUtf8 } from './keccak.js';
import { WMP_DOMAIN, XBR_DOMAIN, domainOf, type Eip712Domain, type PrimaryType } from './types.js';

/** keccak256("EIP712Domain(string name,string version)"). */
export const EIP712_DOMAIN_TYPEHASH: Uint8Array = keccakUtf8('EIP712Domain(string name,string version)');

/**
 * `keccak256(typehash ‖ keccak256(name) ‖ keccak256(version))`.
 * @example computeDomainSeparator({ name: 'XBR', version: '1' }) // 0x6929f68f…b0e4
 */
export function computeDomainSeparator(domain: Eip712Domain): Uint8Array {
  const buf = new Uint8Array(96);
  buf.set(EIP712_DOMAIN_TYPEHASH, 0);
  buf.set(keccakUtf8(domain.name), 32);
  buf.set(keccakUtf8(domain.version), 64);
  return keccak256(buf);
}

const XBR_SEPARATOR = computeDomainSeparator(XBR_DOMAIN);
const WMP_SEPARATOR = computeDomainSeparator(WMP_DOMAIN);

/** The precomputed separator of the domain `primaryType` is signed under (shared; do not modify). */
export function domainSeparatorRef(primaryType: PrimaryType): Uint8Array {
  return domainOf(primaryType) === WMP_DOMAIN ? WMP_SEPARATOR : XBR_SEPARATOR;
}

/** A copy of the XBR domain separator. */
export function xbrDomainSeparator(): Uint8Array {
  return XBR_SEPARATOR.slice();
}

/** A copy of the WMP (certificate) domain separator. */
export function wmpDomainSeparator(): Uint8Array {
  return WMP_SEPARATOR.slice();
}
