/**
 * The secp256k1 backend: `secp256k1@5` (libsecp256k1 via N-API prebuilds). Its index falls back to a
 * pure-JS `elliptic` implementation when the native binding cannot load; `secp256k1Backend` tells which.
 */
import { createRequire } from 'node:module';
import secp from 'secp256k1';

const require = createRequire(import.meta.url);

function detectBackend(): 'native' | 'elliptic' {
  try {
    require('secp256k1/bindings');
    return 'native';
  } catch {
    return 'elliptic';
  }
}

/** `'native'` when libsecp256k1 is in use (≈20× faster recovery than pure JS). */
export const secp256k1Backend: 'native' | 'elliptic' = detectBackend();

export { secp };
