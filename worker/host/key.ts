/** The maker's Ethereum key file: 32 raw bytes, mode 0600, created with a random key when missing (docs/protocol.md#maker-key). */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { WampError, WampErrorUri } from '../../schema/index.js';

/**
 * Reads the key at `path`, creating it first (0600, parent directories too) when it does not exist.
 * A file of any other length is refused rather than "fixed": it may be someone's real key.
 * @example const key = loadOrCreateKey('/srv/node/.xbr-edge/maker1.key'); // 32 bytes
 */
export function loadOrCreateKey(path: string): Uint8Array {
  mkdirSync(dirname(path), { recursive: true });
  try {
    // 'wx' fails when the file exists, so a key written meanwhile by someone else (the dev chain) is kept.
    writeFileSync(path, randomBytes(32), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new WampError(WampErrorUri.runtimeError, `cannot create maker key file ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  chmodSync(path, 0o600);
  const key = readFileSync(path);
  if (key.length !== 32) {
    throw new WampError(WampErrorUri.invalidArgument, `maker key file ${path}: expected 32 raw bytes, got ${key.length}`);
  }
  return Uint8Array.from(key);
}
