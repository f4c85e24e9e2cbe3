/**
 * Checking an off-chain payment the way the market maker does: the EIP712 `EIP712ChannelClose` a buyer signs
 * for each purchase, recovered to its signer with the package's codecs. No network needed:
 *
 *   node --import tsx examples/verify-payment.ts
 */
import { Wallet } from 'ethers';
import { parseAddress, randomUuid, toChecksumAddress } from 'xbr-edge/codec';
import { recoverChannelClose, signChannelClose, type ChannelCloseMessage } from 'xbr-edge/eip712';

const delegate = Wallet.createRandom();
const payment: ChannelCloseMessage = {
  chainId: 31337n,
  verifyingContract: parseAddress('0x5FbDB2315678afecb367f032d93F642f64180aa3'),
  closeAt: 120n,
  marketId: randomUuid(),
  channelId: randomUuid(),
  channelSeq: 2,
  balance: 95n * 10n ** 18n,
  isFinal: false,
};
const signature = signChannelClose(payment, Buffer.from(delegate.privateKey.slice(2), 'hex'));
const signer = recoverChannelClose(payment, signature);
console.log(`signed by ${toChecksumAddress(signer)} (expected ${delegate.address})`);
