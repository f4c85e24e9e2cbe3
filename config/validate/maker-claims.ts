/**
 * What makes a maker unique within its xbrmm worker: id, realm (one market per realm), key file and
 * database. Shared by the `makers[]` of an xbrmm worker and the `marketmaker` blocks of realms, so a
 * duplicate is refused the same way whichever form declares the two makers.
 */
import type { MakerConfig } from '../types.js';
import type { Ctx } from './context.js';

type Kind = 'id' | 'realm' | 'key' | 'db';

const WHAT: Record<Kind, string> = {
  id: 'maker id',
  realm: 'realm',
  key: 'key file (the same key is the same maker, serving one market)',
  db: 'database',
};

/** The parts of a maker that no other maker of the same worker may have. */
export interface MakerIdentity {
  id: string;
  realm: string;
  key: string;
  /** Database path. */
  db: string;
}

/** The identity of a checked maker. */
export const identityOf = (m: MakerConfig): MakerIdentity => ({ id: m.id, realm: m.connection.realm, key: m.key, db: m.database.path });

/** Where each part of one maker is written in the config, for the messages. */
export interface MakerPaths {
  id: string;
  realm: string;
  key: string;
  db: string;
}

export class MakerClaims {
  private readonly seen: Record<Kind, Map<string, string>> = { id: new Map(), realm: new Map(), key: new Map(), db: new Map() };

  /** `workerDb`: the worker's own database, which no maker may use. */
  constructor(private readonly c: Ctx, private readonly workerDb: string | undefined, private readonly workerDbWhat = "the worker's database") {}

  /** The paths of `makers[i]` of the xbrmm worker at `workerPath`. */
  static listed(workerPath: string, i: number): MakerPaths {
    const p = `${workerPath}.makers[${i}]`;
    return { id: `${p}.id`, realm: `${p}.connection.realm`, key: `${p}.key`, db: `${p}.database.path` };
  }

  /** Claims everything of `maker`; reports each part another maker has (or the worker's DB). True if all were free. */
  claim(maker: MakerIdentity, at: MakerPaths, idNote = ''): boolean {
    let ok = this.one('id', maker.id, at.id, idNote);
    // One maker per market, and each market has its own realm (docs/protocol.md#one-maker-per-market).
    ok = this.one('realm', maker.realm, at.realm) && ok;
    ok = this.one('key', maker.key, at.key) && ok;
    if (maker.db === this.workerDb) {
      this.c.fail(at.db, `database ${JSON.stringify(maker.db)} is ${this.workerDbWhat}`);
      return false;
    }
    return this.one('db', maker.db, at.db) && ok;
  }

  private one(kind: Kind, value: string, at: string, note = ''): boolean {
    const other = this.seen[kind].get(value);
    if (other === undefined) {
      this.seen[kind].set(value, at);
      return true;
    }
    this.c.fail(at, `${WHAT[kind]} ${JSON.stringify(value)}${note} is already used by ${other}`);
    return false;
  }
}
