/** A WAMP-cryptosign key a member registered for logging in (docs/protocol.md#worker-db `UserKey`), worker DB `user_keys`. */
import type { Address, Ed25519PublicKey, NsTime, Signature65 } from '../../codec/types.js';

export interface UserKey {
  /** Ed25519 public key (primary key). */
  pubkey: Ed25519PublicKey;
  created: NsTime;
  /**
   * Owning member's address. The original keyed the member index by `member.account_oid`, which is
   * never filled (docs/protocol.md#maker-defect-30); the address always exists.
   */
  owner: Address;
  wallet_address: Address;
  /** The member's signature authorizing the key. */
  signature: Signature65;
}
