/**
 * Property tests against ethers v6 and viem: ≥200 random messages per type.
 * - our digest (generic, and hot path for ChannelClose/ChannelOpen) == ethers `TypedDataEncoder.hash`
 *   == viem `hashTypedData`;
 * - our signature verifies with ethers `verifyTypedData`, and equals ethers' deterministic signature;
 * - ethers `Wallet.signTypedData` → our `recoverSigner` gives the wallet address.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { TypedDataEncoder, Wallet, verifyTypedData } from 'ethers';
import { hashTypedData } from 'viem';
import {
  ALL_TYPES,
  domainOf,
  hashChannelClose,
  hashChannelOpen,
  hashTypedMessage,
  recoverChannelClose,
  recoverChannelOpen,
  recoverSigner,
  sign,
  signChannelClose,
  signChannelOpen,
  type ChannelCloseMessage,
  type ChannelOpenMessage,
  type PrimaryType,
} from '../../../schema/eip712/index.js';
import { fromHex, libTypes, messageToLib, randomMessage, toHex } from './helpers.js';

const N = Number(process.env.EIP712_FUZZ_N ?? 200);
const wallets = Array.from({ length: 8 }, () => new Wallet(toHex(randomBytes(32))));
const keys = wallets.map((w) => fromHex(w.privateKey));

describe(`eip712 cross-check against ethers/viem (${N} random messages per type)`, () => {
  for (const pt of Object.keys(ALL_TYPES) as PrimaryType[]) {
    const domain = { ...domainOf(pt) };
    const types = libTypes(pt);

    it(`${pt}: digest == ethers TypedDataEncoder.hash == viem hashTypedData${pt === 'EIP712ChannelClose' || pt === 'EIP712ChannelOpen' ? ' == hot path' : ''}`, () => {
      for (let i = 0; i < N; i++) {
        const msg = randomMessage(pt);
        const lib = messageToLib(pt, msg);
        const ours = toHex(hashTypedMessage(pt, msg));
        assert.equal(ours, TypedDataEncoder.hash(domain, types, lib), `message ${i}`);
        assert.equal(hashTypedData({ domain, types, primaryType: pt, message: lib }), ours);
        if (pt === 'EIP712ChannelClose' || pt === 'EIP712ChannelOpen') {
          const hot = pt === 'EIP712ChannelClose' ? hashChannelClose(msg as ChannelCloseMessage) : hashChannelOpen(msg as ChannelOpenMessage);
          assert.equal(toHex(hot), ours);
        }
      }
    });

    it(`${pt}: our signature == ethers signature, verifies with ethers verifyTypedData; ethers signature → our recover`, async () => {
      for (let i = 0; i < N; i++) {
        const k = i % wallets.length;
        const wallet = wallets[k] as Wallet;
        const key = keys[k] as Uint8Array;
        const msg = randomMessage(pt);
        const lib = messageToLib(pt, msg);
        const ours = sign(pt, msg, key);
        assert.equal(verifyTypedData(domain, types, lib, toHex(ours)), wallet.address);
        const theirs = await wallet.signTypedData(domain, types, lib);
        assert.equal(theirs, toHex(ours), 'RFC 6979: same bytes');
        assert.equal(toHex(recoverSigner(pt, msg, fromHex(theirs))), wallet.address.toLowerCase());
        if (pt === 'EIP712ChannelClose') {
          assert.equal(toHex(signChannelClose(msg as ChannelCloseMessage, key)), theirs);
          assert.equal(toHex(recoverChannelClose(msg as ChannelCloseMessage, fromHex(theirs))), wallet.address.toLowerCase());
        }
        if (pt === 'EIP712ChannelOpen') {
          assert.equal(toHex(signChannelOpen(msg as ChannelOpenMessage, key)), theirs);
          assert.equal(toHex(recoverChannelOpen(msg as ChannelOpenMessage, fromHex(theirs))), wallet.address.toLowerCase());
        }
      }
    });
  }
});
