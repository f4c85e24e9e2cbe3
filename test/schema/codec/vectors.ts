/** Loads the codec test vectors (`vectors.json`), shared by the codec tests. */
import { readFileSync } from 'node:fs';

export interface CodecVectors {
  eip55: string[];
  uuid: { text: string; hex: string }[];
  uint256: { value: string; hex: string }[];
}

export const vectors: CodecVectors = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')) as CodecVectors;

/** The error an argument check must throw: `wamp.error.invalid_argument` with exactly `message`. */
export function invalidArgument(message: string): { name: string; uri: string; message: string } {
  return { name: 'WampError', uri: 'wamp.error.invalid_argument', message };
}
