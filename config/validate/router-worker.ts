/**
 * A router worker: its options, realms and transports. The roles the realms define are collected so
 * the transports' auth config can be checked against them.
 */
import type { RealmConfig, RouterWorkerConfig, TransportConfig } from '../types.js';
import { integer } from './checks.js';
import { isRec, type Ctx, type Rec } from './context.js';
import type { Endpoints } from './endpoint.js';
import { checkCommonOptions, COMMON_OPTION_KEYS } from './env.js';
import { checkRealms, type OnRealmMaker } from './realms.js';
import { checkTransports } from './transport.js';

export function checkRouterWorker(
  c: Ctx,
  w: Rec,
  path: string,
  id: string | undefined,
  endpoints: Endpoints,
  onMaker?: OnRealmMaker,
): RouterWorkerConfig | undefined {
  c.object(w, path, ['type', 'id', 'options', 'realms', 'transports']);
  const optPath = `${path}.options`;
  const opt = w['options'] === undefined ? {} : c.object(w['options'], optPath, [...COMMON_OPTION_KEYS, 'max_sessions']);
  let options: RouterWorkerConfig['options'] | undefined;
  if (opt !== undefined) {
    const common = checkCommonOptions(c, opt, optPath);
    const max_sessions = c.field(opt, 'max_sessions', optPath, integer(1), 10000);
    if (common !== undefined && max_sessions !== undefined) options = { ...common, max_sessions };
  }
  let realms: RealmConfig[] | undefined = [];
  if (w['realms'] !== undefined) {
    const arr = c.array(w['realms'], `${path}.realms`, 'an array of realms');
    realms = arr === undefined ? undefined : checkRealms(c, arr, `${path}.realms`, onMaker);
  }
  // Role/realm references from the transports' auth are checked against what the realms define
  // (as far as the realms could be read).
  const known = new Map<string, Set<string>>();
  if (Array.isArray(w['realms'])) {
    for (const r of w['realms']) {
      if (isRec(r) && typeof r['name'] === 'string') {
        const roles = known.get(r['name']) ?? new Set<string>();
        if (Array.isArray(r['roles'])) for (const role of r['roles']) if (isRec(role) && typeof role['name'] === 'string') roles.add(role['name']);
        known.set(r['name'], roles);
      }
    }
  }
  let transports: TransportConfig[] | undefined = [];
  if (w['transports'] !== undefined) {
    const arr = c.array(w['transports'], `${path}.transports`, 'an array of transports');
    transports = arr === undefined ? undefined : checkTransports(c, arr, `${path}.transports`, known, endpoints);
  }
  if (id === undefined || options === undefined || realms === undefined || transports === undefined) return undefined;
  return { type: 'router', id, options, realms, transports };
}
