/** Where commands print: human lines on stdout, problems on stderr (injectable for tests and the demo). */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const processOutput: Output = {
  out: (line) => void process.stdout.write(line + '\n'),
  err: (line) => void process.stderr.write(line + '\n'),
};

/** `0x1234abcd…` of 16-byte ids, enough to tell keys and channels apart in a terminal. */
export const shortId = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex').slice(0, 8)}…`;

/** JSON of decrypted data for printing: bigints as decimal strings, bytes as `0x…` hex. */
export function show(data: unknown): string {
  return JSON.stringify(data, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`;
    return v;
  });
}
