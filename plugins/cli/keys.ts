/**
 * Keys given on the command line: a 32-byte key as hex (`0x…` or bare) or as a file holding 32 raw bytes
 * or the hex text (the maker's key file format, docs/protocol.md#maker-key). The defaults are the demo
 * accounts of the devchain file (hardhat default mnemonic: public dev keys, dev chain only).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { devchainAccountKey } from '../../contracts/index.js';
import type { DemoRole, DevchainInfo } from './devchain-file.js';
import { CliError, UsageError } from './errors.js';

const HEX32 = /^(0x)?[0-9a-fA-F]{64}$/;

/** A 32-byte key from `value` (hex or a file). @throws UsageError naming `flag` */
function readKey(flag: string, value: string): Uint8Array {
  if (HEX32.test(value)) return new Uint8Array(Buffer.from(value.replace(/^0x/, ''), 'hex'));
  let bytes: Buffer;
  try {
    bytes = readFileSync(value);
  } catch (err) {
    throw new UsageError(`${flag}: ${JSON.stringify(value)} is neither 64 hex digits nor a readable file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (bytes.length === 32) return new Uint8Array(bytes);
  const text = bytes.toString('utf8').trim();
  if (HEX32.test(text)) return new Uint8Array(Buffer.from(text.replace(/^0x/, ''), 'hex'));
  throw new UsageError(`${flag}: the file ${value} holds neither 32 raw bytes nor 64 hex digits`);
}

/** The key of `flag` if given, else the demo account of `role` in the devchain file. */
export function keyOrDemo(flag: string, value: string | undefined, devchain: DevchainInfo, role: DemoRole): Uint8Array {
  if (value !== undefined) return readKey(flag, value);
  const index = devchain.accountIndex(role);
  if (index === null) throw new CliError(`${flag} is required: the demo ${role} of ${devchain.path} is not a dev-chain account`);
  return devchainAccountKey(index);
}

/** The Ed25519 login seed of `--login-key`, or a fresh one (a new-key login each run). */
export function loginSeed(value: string | undefined): Uint8Array {
  return value === undefined ? new Uint8Array(randomBytes(32)) : readKey('--login-key', value);
}
