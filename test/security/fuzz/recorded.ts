/** What the fuzzer records from the real market before it fuzzes: calls to replay and member logins. */

/** A real call of the running market, replayed with mutations (e.g. a buy_key whose seq was already used). */
export interface ReplayableCall {
  readonly procedure: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
}

/** A correctly signed member login (`EIP712MarketMemberLogin`) a cryptosign HELLO may carry. */
export interface MemberLogin {
  readonly pubkey: string;
  readonly wallet: string;
  readonly signature: string;
}
