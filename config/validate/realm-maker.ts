/**
 * The `marketmaker` block of a router realm (docs/architecture.md#processes): a market maker enabled right in the realm's
 * config, `{id?, key, database, blockchain?, worker?}`. Its own keys are checked here, as those of a
 * maker in an xbrmm worker; where it runs and how it connects are decided once all workers are
 * known (realm-makers.ts).
 */
import type { BlockchainConfig, DatabaseConfig } from '../types.js';
import { checkBlockchain } from './blockchain.js';
import { idString, nonEmptyString } from './checks.js';
import { REQUIRED, type Ctx } from './context.js';
import { checkDatabase } from './xbrmm-worker.js';

const REALM_MAKER_KEYS = ['id', 'key', 'database', 'blockchain', 'worker'] as const;

const HINTS: Record<string, string> = {
  connection: 'a realm\'s maker connects through a WebSocket transport of this router worker, chosen by the validator',
  realm: 'a realm\'s maker serves the realm it is declared in',
  makers: 'one "marketmaker" block declares one maker',
};

/** A checked `marketmaker` block: key and database paths resolved, blockchain normalised. */
export interface RealmMakerBlock {
  id?: string;
  key: string;
  database: DatabaseConfig;
  blockchain?: BlockchainConfig;
  /** Id of the xbrmm worker to run the maker in. */
  worker?: string;
}

/** A realm's maker, with where it was declared. */
export interface RealmMakerSpec extends RealmMakerBlock {
  /** JSON path of the block, e.g. `$.workers[1].realms[0].marketmaker`. */
  path: string;
  realm: string;
  /** Index of the router worker in `workers`. */
  workerIndex: number;
}

export function checkRealmMaker(c: Ctx, v: unknown, path: string): RealmMakerBlock | undefined {
  const o = c.object(v, path, REALM_MAKER_KEYS, HINTS);
  if (o === undefined) return undefined;
  const id = c.field(o, 'id', path, idString, undefined);
  const key = c.field(o, 'key', path, nonEmptyString, REQUIRED);
  const dbRaw = c.required(o, 'database', path, 'an object {path, maxsize?}');
  const database = dbRaw === undefined ? undefined : checkDatabase(c, dbRaw, `${path}.database`);
  const blockchain = o['blockchain'] === undefined ? undefined : checkBlockchain(c, o['blockchain'], `${path}.blockchain`);
  const worker = c.field(o, 'worker', path, idString, undefined);
  if (
    key === undefined || database === undefined || (o['id'] !== undefined && id === undefined) ||
    (o['blockchain'] !== undefined && blockchain === undefined) || (o['worker'] !== undefined && worker === undefined)
  ) {
    return undefined;
  }
  return {
    key: c.resolvePath(key),
    database,
    ...(id === undefined ? {} : { id }),
    ...(blockchain === undefined ? {} : { blockchain }),
    ...(worker === undefined ? {} : { worker }),
  };
}
