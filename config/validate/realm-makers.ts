/**
 * The second form of maker config (docs/architecture.md#processes): each realm's `marketmaker` block becomes a maker of an
 * xbrmm worker, so both forms validate to the same model. The worker is the one named by `worker`,
 * else the only xbrmm worker, else one declared implicitly (appended after all other workers, so the
 * router, the chain and IPFS are up before it starts). The maker's connection is picked from its
 * realm's router worker (realm-maker-connection.ts); duplicates are refused as among `makers[]`.
 */
import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { BlockchainConfig, MakerConfig, WorkerConfig, XbrmmWorkerConfig } from '../types.js';
import { quoteList, type Ctx } from './context.js';
import { identityOf, MakerClaims } from './maker-claims.js';
import { realmMakerConnection } from './realm-maker-connection.js';
import type { RealmMakerSpec } from './realm-maker.js';

/** One entry of `workers` as far as it could be read: its type and id, and its model when valid. */
export interface WorkerSlot {
  type: WorkerConfig['type'] | undefined;
  id: string | undefined;
  config: WorkerConfig | undefined;
}

/** An xbrmm worker that receives realms' makers. */
interface Host {
  id: string;
  /** `$.workers[i]`, or undefined for the implicit worker. */
  path: string | undefined;
  workerDb: string;
  makers: MakerConfig[];
  claims: MakerClaims;
  blockchain: { value: BlockchainConfig; path: string } | undefined;
}

/**
 * The workers with every realm maker attached (and the implicit xbrmm worker appended when one is
 * needed), or undefined when a worker is invalid or a maker cannot be attached (all reported).
 */
export function attachRealmMakers(c: Ctx, slots: readonly WorkerSlot[], specs: readonly RealmMakerSpec[]): WorkerConfig[] | undefined {
  let ok = slots.every((s) => s.config !== undefined);
  const xbrmm = slots.map((s, i) => ({ slot: s, path: `$.workers[${i}]` })).filter((x) => x.slot.type === 'xbrmm');
  const hosts = new Map<string, Host>(); // explicit xbrmm workers that receive makers, by worker path
  let implicit: Host | undefined;
  let firstSpec: RealmMakerSpec | undefined;

  const explicitHost = (x: (typeof xbrmm)[number]): Host | undefined => {
    const known = hosts.get(x.path);
    if (known !== undefined) return known;
    const w = x.slot.config;
    if (w?.type !== 'xbrmm') return undefined; // invalid worker, reported where it is
    const host: Host = {
      id: w.id,
      path: x.path,
      workerDb: w.options.extra.database.path,
      makers: [...w.makers],
      claims: new MakerClaims(c, w.options.extra.database.path),
      blockchain: { value: w.options.extra.blockchain, path: `${x.path}.options.extra.blockchain` },
    };
    w.makers.forEach((m, i) => {
      host.claims.claim(identityOf(m), MakerClaims.listed(x.path, i));
    });
    hosts.set(x.path, host);
    return host;
  };

  for (const spec of specs) {
    let host: Host | undefined;
    if (spec.worker !== undefined) {
      const named = xbrmm.find((x) => x.slot.id === spec.worker);
      if (named === undefined) {
        const ids = xbrmm.flatMap((x) => (x.slot.id === undefined ? [] : [x.slot.id]));
        c.fail(`${spec.path}.worker`, `no xbrmm worker has the id ${JSON.stringify(spec.worker)} (xbrmm workers: ${ids.length === 0 ? 'none; leave out "worker" to have one declared' : quoteList(ids)})`);
        ok = false;
        continue;
      }
      host = explicitHost(named);
    } else if (xbrmm.length === 1) {
      host = explicitHost(xbrmm[0]!);
    } else if (xbrmm.length > 1) {
      const ids = xbrmm.flatMap((x) => (x.slot.id === undefined ? [] : [x.slot.id]));
      c.fail(spec.path, `the node has ${xbrmm.length} xbrmm workers (${quoteList(ids)}): name the one to run this maker in with "worker"`);
      ok = false;
      continue;
    } else {
      implicit ??= implicitHost(c, slots);
      host = implicit;
    }
    if (host === undefined) {
      ok = false;
      continue;
    }
    firstSpec ??= spec;
    if (!checkChain(c, spec, host)) ok = false;
    const router = slots[spec.workerIndex]?.config;
    if (router?.type !== 'router') {
      ok = false; // reported where the router worker is
      continue;
    }
    const connection = realmMakerConnection(c, spec, router, `$.workers[${spec.workerIndex}]`);
    // The same default as in `makers[]`: maker<N>, N its 1-based place among the worker's makers.
    const id = spec.id ?? `maker${host.makers.length + 1}`;
    const claimed = host.claims.claim(
      { id, realm: spec.realm, key: spec.key, db: spec.database.path },
      { id: `${spec.path}.id`, realm: spec.path, key: `${spec.path}.key`, db: `${spec.path}.database.path` },
      spec.id === undefined ? ' (the default id)' : '',
    );
    if (connection === undefined || !claimed) {
      ok = false;
      continue;
    }
    const maker: MakerConfig = { id, key: spec.key, database: spec.database, connection };
    host.makers.push(maker);
  }

  if (implicit !== undefined && implicit.blockchain === undefined && firstSpec !== undefined) {
    c.fail(
      `${firstSpec.path}.blockchain`,
      'missing required key "blockchain": no xbrmm worker is declared, so the one declared for the realms\' makers needs the chain to follow: expected an object {type: "ethereum", gateway, contracts | deployment, ...}',
    );
    ok = false;
  }
  if (!ok) return undefined;
  const workers = slots.map((s, i) => {
    const host = hosts.get(`$.workers[${i}]`);
    const w = s.config as WorkerConfig;
    return host === undefined || w.type !== 'xbrmm' ? w : { ...w, makers: host.makers };
  });
  if (implicit !== undefined && implicit.blockchain !== undefined) {
    const declared: XbrmmWorkerConfig = {
      type: 'xbrmm',
      id: implicit.id,
      options: { extra: { database: { path: implicit.workerDb }, blockchain: implicit.blockchain.value }, env: { inherit: true, vars: {} } },
      makers: implicit.makers,
    };
    workers.push(declared);
  }
  return workers;
}

/** The implicit xbrmm worker: id `xbrmm<N>` (the first not taken), DB `<cbdir>/.xbr-edge/<id>-worker.db`. */
function implicitHost(c: Ctx, slots: readonly WorkerSlot[]): Host {
  const taken = new Set(slots.map((s) => s.id));
  let n = 1;
  while (taken.has(`xbrmm${n}`)) n++;
  const id = `xbrmm${n}`;
  const workerDb = resolve(c.cbdir, '.xbr-edge', `${id}-worker.db`);
  return { id, path: undefined, workerDb, makers: [], claims: new MakerClaims(c, workerDb, `the database of the implicitly declared xbrmm worker ${JSON.stringify(id)}`), blockchain: undefined };
}

/** A block's `blockchain` must agree with the chain its worker follows (the first one given sets the implicit worker's). */
function checkChain(c: Ctx, spec: RealmMakerSpec, host: Host): boolean {
  if (spec.blockchain === undefined) return true;
  if (host.blockchain === undefined) {
    host.blockchain = { value: spec.blockchain, path: `${spec.path}.blockchain` };
    return true;
  }
  if (isDeepStrictEqual(host.blockchain.value, spec.blockchain)) return true;
  const fix =
    host.path === undefined
      ? 'all makers of the implicitly declared xbrmm worker follow one chain: declare an xbrmm worker per chain and name it with "worker"'
      : 'leave "blockchain" out here or make it the same';
  const whose = host.path === undefined ? 'the blockchain given at' : `the blockchain of xbrmm worker ${JSON.stringify(host.id)}, which runs this maker, at`;
  c.fail(`${spec.path}.blockchain`, `differs from ${whose} ${host.blockchain.path}: ${fix}`);
  return false;
}
