/**
 * The files a `--seed <dir>` adds to the embedded node: every regular file directly in the directory, in
 * name order, except hidden ones (a `.gitattributes` that keeps the demo files byte-exact is not content).
 *
 * @example
 * for (const f of readSeedFiles(['contracts/demo-rdf'])) log.info('seeded', { file: f.path, cid: await add(f.bytes) });
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WampError, WampErrorUri } from '../../../schema/index.js';

export interface SeedFile {
  /** Path as given (directory joined with the file name), for logs. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** Reads the seed files of `dirs` (in the given order). Throws when a directory cannot be read. */
export function readSeedFiles(dirs: readonly string[]): SeedFile[] {
  const files: SeedFile[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isFile() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      throw new WampError(WampErrorUri.invalidArgument, `--seed ${dir}: ${(err as Error).message}`, { cause: err });
    }
    for (const name of names) {
      const path = join(dir, name);
      files.push({ path, bytes: readFileSync(path) });
    }
  }
  return files;
}
