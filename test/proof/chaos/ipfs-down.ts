/**
 * Chaos: the IPFS node down (issue "Step 5"). A real edge (controller, router, dev chain, xbrmm worker, the
 * IPFS guest seeded with the demo descriptions); buyers buy back to back from a seller; a new catalog with one
 * API is written to the IPFS node (as its seller would, on its own node) and then the node goes down in two
 * ways, one after the other:
 * 1. unresponsive: SIGSTOP — connections are accepted by the kernel and never answered, so every download
 *    attempt runs into the fetcher's timeout; the catalog and its API are published on chain meanwhile, and
 *    the maker must learn their files from the chain monitor and fail to download them;
 * 2. dead: SIGKILL of the stopped process — connections are refused; the controller restarts the guest, which
 *    first waits for the dead node's repo lock to go stale (about 20 s).
 * Checked:
 * - purchases go on the whole time (they never need IPFS): every call succeeds, and afterwards the ledger is
 *   exactly what the buyers hold and the audit is clean (as in the crash proof);
 * - while the node is down the maker records each failed download and retries it (`get_ipfs_status`:
 *   pending, retries ≥ 1, the last error; `xbr-edge admin ipfs --json` shows the same), the status document
 *   (`/status.json`) lists them, and the catalog is readable at once without its description;
 * - what `/ready` says while the node is frozen (the guest's process is up: 200) and while the controller
 *   restarts it (503, "ipfs: starting": every worker counts) — recorded, not asserted;
 * - once the node is back the downloads complete by themselves (no operator retry), within the backoff the
 *   maker scheduled plus the download timeout, and `get_catalog` / `get_api` show the parsed descriptions;
 * - the xbrmm worker never restarts.
 *
 * Used by `ipfs-down.test.ts` in CI.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Contract, type Signer } from 'ethers';
import { create } from 'kubo-rpc-client';
import type { Wampy } from 'wampy';
import { xbrCatalogAbi } from '../../../contracts/index.js';
import { formatUuid } from '../../../schema/codec/uuid.js';
import { MarketMakerCatalogProcedure } from '../../../schema/uris.js';
import { logLines, startMarketEdge, waitForLog, workerPid, type LogLine, type MarketEdge } from '../../e2e/harness/market-edge.js';
import { setupLanes } from '../../e2e/market/lanes.js';
import { e2eConfig, sleep, world, XBR } from '../../e2e/market/offers-purchase-helpers.js';
import { runXbrEdge } from '../../helpers/xbr-edge-cli.js';
import { buyLoop, callOn, checkLedger, describeError, receiptsOf, until } from './buying.js';
import type { ScenarioResult } from './scenario.js';


export interface IpfsDownOptions {
  readonly buyers?: number;
  /** How long the node stays frozen (SIGSTOP) before it is killed (ms). Default 15 s. */
  readonly frozenMs?: number;
  /** Slack over the scheduled retry plus the download timeout for the downloads to complete once the node is back (ms). Default 60 s. */
  readonly slackMs?: number;
  /** Where to write the node's output (controller and workers) at the end, to read what happened. */
  readonly outputFile?: string;
}

const NAME = 'the IPFS node down';
const IPFS = 'ipfs';
const XBRMM = 'xbrmm1';
const PRICE = XBR / 1000n;
/** The member that owns the demo catalog (a registered member of the demo). */
const CATALOG_OWNER = 2;
/** The fetcher's download timeout of the shipped config (the default of `options.extra.ipfs.timeout`). */
const DOWNLOAD_TIMEOUT_MS = 10_000;

type Phase = 'before' | 'frozen' | 'dead' | 'back';

interface NewFiles {
  catalogId: string;
  apiId: string;
  title: string;
  catalogMeta: string;
  apiSchema: string;
  apiMeta: string;
}

/** The new catalog's and API's description files, added to the IPFS node (CIDv0 as the demo's). */
async function addFiles(edge: MarketEdge): Promise<NewFiles> {
  const tag = randomBytes(4).toString('hex');
  const title = `Chaos catalog ${tag}`;
  const prefixes = '@prefix dcterms: <http://purl.org/dc/terms/> .\n@prefix dcat: <http://www.w3.org/ns/dcat#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n';
  const ipfs = create({ url: edge.ipfsUrl! });
  const add = async (text: string): Promise<string> => (await ipfs.add(new TextEncoder().encode(text), { cidVersion: 0 })).cid.toString();
  const catalogMeta = await add(`${prefixes}<#c> dcterms:title "${title}" ; dcat:keyword "chaos" .\n`);
  const apiSchema = await add(`${prefixes}<#Reading> a rdfs:Class ; rdfs:label "Chaos reading ${tag}" .\n`);
  const apiMeta = await add(`${prefixes}<#a> dcterms:title "Chaos API ${tag}" ; dcat:keyword "chaos" .\n`);
  return { catalogId: `0x${randomBytes(16).toString('hex')}`, apiId: `0x${randomBytes(16).toString('hex')}`, title, catalogMeta, apiSchema, apiMeta };
}

async function publish(edge: MarketEdge, f: NewFiles): Promise<void> {
  const catalog = new Contract(edge.devchain.contracts.catalog, xbrCatalogAbi, edge.account(CATALOG_OWNER) as Signer);
  await (await catalog.getFunction('createCatalog')(f.catalogId, '', f.catalogMeta)).wait();
  await (await catalog.getFunction('publishApi')(f.catalogId, f.apiId, f.apiSchema, f.apiMeta)).wait();
}

const id16 = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex.slice(2), 'hex'));

type IpfsStatus = Awaited<ReturnType<typeof ipfsStatusOf>>;
const ipfsStatusOf = (op: Wampy) => callOn(op, MarketMakerCatalogProcedure.getIpfsStatus, [], { limit: 1000 });

async function readyOf(edge: MarketEdge): Promise<{ status: number; problems: string[] }> {
  const r = await fetch(`${edge.httpUrl}/ready`);
  const body = (await r.json()) as { problems: string[] };
  return { status: r.status, problems: body.problems };
}

/** Whether the catalog and its API carry the descriptions parsed from the new files. */
async function described(client: Wampy, f: NewFiles): Promise<true | undefined> {
  const c = await callOn(client, MarketMakerCatalogProcedure.getCatalog, [id16(f.catalogId)]);
  const a = await callOn(client, MarketMakerCatalogProcedure.getApi, [id16(f.apiId)]);
  const ok = c.description?.hash === f.catalogMeta && c.description.title === f.title && a.description?.hash === f.apiMeta && a.description.schema_refs.includes(f.apiSchema);
  return ok ? true : undefined;
}

/** Failed attempts the maker logged per file hash (lines after `from`). */
function failuresLogged(lines: readonly LogLine[], hashes: readonly string[]): Map<string, number> {
  const n = new Map(hashes.map((h) => [h, 0]));
  for (const l of lines) {
    const h = l['file_hash'];
    if (l.msg === 'IPFS download failed; retrying later' && typeof h === 'string' && n.has(h)) n.set(h, n.get(h)! + 1);
  }
  return n;
}

/**
 * The scenario (see the module comment): resolves with what it found; throws only when the edge cannot be set
 * up at all.
 */
export async function ipfsDown(options: IpfsDownOptions = {}): Promise<ScenarioResult> {
  const buyers = options.buyers ?? 2;
  const frozenMs = options.frozenMs ?? 15_000;
  const slackMs = options.slackMs ?? 60_000;
  const problems: string[] = [];
  const facts: string[] = [];
  const edge = await startMarketEdge({ configure: e2eConfig, env: { XBR_LOG_LEVEL: 'info' } });
  let stopped: number | undefined;
  try {
    const client = await edge.connect({ serializer: 'cbor' });
    const op = await edge.connectOperator({ serializer: 'cbor' });
    const w = await world(edge, client);
    // The demo's six files first, so that every failure later is one of the outage.
    const demo = await until(90_000, async () => ((await ipfsStatusOf(op)).counts['downloaded'] ?? 0) >= 6 || undefined);
    if (demo === undefined) throw new Error('the demo descriptions were never downloaded');
    const lanes = await setupLanes(edge, w, { buyers, sellers: 1, price: PRICE, paymentDeposit: 1000n * XBR, payingDeposit: 10_000n * XBR, offersPerSeller: 4 });
    const receipts = receiptsOf(lanes);
    const files = await addFiles(edge);
    const hashes = [files.catalogMeta, files.apiSchema, files.apiMeta];
    const xbrmmPid = workerPid(edge, XBRMM);
    const ipfsPid = workerPid(edge, IPFS);
    if (ipfsPid === undefined) throw new Error('no pid of the ipfs guest in the controller\'s log');

    let phase: Phase = 'before';
    const purchases: Record<Phase, number> = { before: 0, frozen: 0, dead: 0, back: 0 };
    let running = true;
    const loops = lanes.map((lane) => buyLoop(edge, lane, PRICE, receipts, () => running, () => purchases[phase]++, problems));
    const outageLines = logLines(edge).length;
    const maxRetries = new Map<string, number>();
    /** The errors the maker recorded for the new files, by phase: what an operator reads as the cause. */
    const errors: Record<Phase, Set<string>> = { before: new Set(), frozen: new Set(), dead: new Set(), back: new Set() };
    const noteRetries = (s: IpfsStatus): void => {
      for (const r of s.next_retries) {
        if (!hashes.includes(r.file_hash)) continue;
        maxRetries.set(r.file_hash, Math.max(maxRetries.get(r.file_hash) ?? 0, r.retries));
        if (r.last_error !== null) errors[phase].add(r.last_error.replace(r.file_hash, '<hash>'));
      }
    };
    let backAt = 0;
    try {
      await sleep(1500);

      // 1. Frozen: every attempt waits for the fetcher's timeout.
      process.kill(ipfsPid, 'SIGSTOP');
      stopped = ipfsPid;
      phase = 'frozen';
      const frozenAt = Date.now();
      await publish(edge, files);
      const known = await until(30_000, async () => {
        const c = await callOn(client, MarketMakerCatalogProcedure.getCatalog, [id16(files.catalogId)]);
        return c.apis.length === 1 ? c : undefined;
      });
      if (known === undefined) problems.push('the catalog published while the node was down was not readable within 30 s');
      else facts.push(`the catalog published during the outage was readable ${known.ms} ms after its transactions, description ${known.value.description === null ? 'not yet there' : 'there'}`);
      if (known !== undefined && (known.value.description !== null || known.value.apis[0]!.description !== null)) problems.push('the catalog or its API was described although the node was down');
      const failing = await until(frozenMs + 30_000, async () => {
        const s = await ipfsStatusOf(op);
        noteRetries(s);
        const mine = s.next_retries.filter((r) => hashes.includes(r.file_hash));
        return mine.length === hashes.length && mine.every((r) => r.retries >= 1 && r.last_error !== null) ? mine : undefined;
      });
      if (failing === undefined) problems.push('the maker did not record a failed download and a retry of each new file while the node was frozen');
      else facts.push(`frozen: each new file failed at least once (first error: ${failing.value[0]!.last_error})`);
      const status = await until(20_000, async () => {
        const r = await fetch(`${edge.httpUrl}/status.json`);
        const s = (await r.json()) as { ipfs: { files: Record<string, number>; next_retries: { file_hash: string; last_error?: string | null }[] } | null };
        return s.ipfs !== null && hashes.every((h) => s.ipfs!.next_retries.some((n) => n.file_hash === h)) ? s.ipfs : undefined;
      });
      if (status === undefined) problems.push('/status.json never listed the failing downloads');
      else facts.push(`/status.json while frozen: files ${JSON.stringify(status.value.files)}, ${status.value.next_retries.length} next retries`);
      const frozenReady = await readyOf(edge);
      facts.push(`/ready while frozen: ${frozenReady.status}${frozenReady.problems.length > 0 ? ` ${JSON.stringify(frozenReady.problems)}` : ''}`);
      await sleep(Math.max(0, frozenMs - (Date.now() - frozenAt)));
      noteRetries(await ipfsStatusOf(op));

      // 2. Dead: connections refused until the controller's restart of the guest is up.
      const killLines = logLines(edge).length;
      process.kill(ipfsPid, 'SIGKILL');
      stopped = undefined;
      phase = 'dead';
      const deadAt = Date.now();
      const readyBack = waitForLog(edge, (l) => l['component'] === 'controller' && l.msg === 'worker ready' && l['worker'] === IPFS, { timeoutMs: 120_000, after: killLines, what: 'the ipfs guest ready again' });
      // Awaited below; this only keeps a rejection while the loop is busy from counting as unhandled.
      readyBack.catch(() => undefined);
      let deadReady: { status: number; problems: string[] } | undefined;
      let cli: Record<string, unknown> | undefined;
      for (let back = false; !back; ) {
        back = await Promise.race([readyBack.then(() => true), sleep(1000).then(() => false)]);
        if (back) break;
        noteRetries(await ipfsStatusOf(op));
        const r = await readyOf(edge);
        if (r.status !== 200) deadReady ??= r;
        if (cli === undefined) {
          const run = await runXbrEdge('admin', 'ipfs', '--cbdir', edge.cbdir, '--json');
          if (run.status !== 0) problems.push(`xbr-edge admin ipfs --json exited ${run.status}: ${run.stderr}`);
          else cli = (JSON.parse(run.stdout) as Record<string, unknown>[])[0];
        }
      }
      await readyBack;
      backAt = Date.now();
      phase = 'back';
      facts.push(`the node was down ${backAt - frozenAt} ms: frozen ${deadAt - frozenAt} ms, then dead and restarted by the controller in ${backAt - deadAt} ms`);
      facts.push(`/ready while the guest restarted: ${deadReady === undefined ? '200 throughout' : `${deadReady.status} ${JSON.stringify(deadReady.problems)}`}`);
      if (cli === undefined) problems.push('xbr-edge admin ipfs --json gave nothing while the node was down');
      else {
        facts.push(`xbr-edge admin ipfs --json while down: pending ${String(cli['pending'])}, downloaded ${String(cli['downloaded'])}, next retries: ${String(cli['next_retries']).slice(0, 400)}`);
        if (!hashes.every((h) => String(cli!['next_retries']).includes(h))) problems.push(`xbr-edge admin ipfs --json does not list every failing file: ${String(cli['next_retries'])}`);
      }

      const frozenErrors = [...errors.frozen];
      const deadErrors = [...errors.dead].filter((e) => !errors.frozen.has(e));
      facts.push(`errors recorded: frozen ${JSON.stringify(frozenErrors)}; dead ${JSON.stringify(deadErrors)}`);
      if (!frozenErrors.some((e) => /not received within \d+ ms/.test(e))) problems.push(`no recorded error of the frozen node says a block did not arrive in time: ${JSON.stringify(frozenErrors)}`);
      // The cause, not just "fetch failed": refused while the node is gone, or reset when the kill cut a
      // request short (which of the two an attempt meets depends on when it ran).
      if (!deadErrors.some((e) => /ECONNREFUSED|ECONNRESET/.test(e))) problems.push(`no recorded error of the dead node names why the connection failed (ECONNREFUSED, ECONNRESET): ${JSON.stringify(deadErrors)}`);

      // 3. Back: the downloads complete by themselves at their next scheduled attempt.
      const s = await ipfsStatusOf(op);
      noteRetries(s);
      const latestMs = Math.max(0, ...s.next_retries.filter((r) => hashes.includes(r.file_hash)).map((r) => Number(r.next_retry_at / 1_000_000n)));
      const scheduledInMs = Math.max(0, latestMs - Date.now());
      const bound = scheduledInMs + DOWNLOAD_TIMEOUT_MS + slackMs;
      // Done: the descriptions are on the records and no new file waits for a retry (the API's schema file is
      // only downloaded, not described, so the records alone do not tell).
      const done = await until(bound, async () => {
        if ((await ipfsStatusOf(op)).next_retries.some((r) => hashes.includes(r.file_hash))) return undefined;
        return described(client, files);
      }, 250);
      if (done === undefined) problems.push(`the new files were not all downloaded and described within ${bound} ms of the node being back (the latest retry was scheduled ${scheduledInMs} ms ahead)`);
      else facts.push(`all new files downloaded and described ${Date.now() - backAt} ms after the node was back (the latest retry was then scheduled ${scheduledInMs} ms ahead; bound ${bound} ms)`);
      await sleep(1500);
    } finally {
      running = false;
      await Promise.allSettled(loops).then((rs) => {
        for (const r of rs) if (r.status === 'rejected') problems.push(`a lane failed: ${describeError(r.reason)}`);
      });
    }

    const lines = logLines(edge).slice(outageLines);
    const logged = failuresLogged(lines, hashes);
    const downloaded = lines.filter((l) => l.msg === 'IPFS file downloaded and verified' && hashes.includes(String(l['file_hash'])));
    facts.push(`purchases: ${purchases.before} before, ${purchases.frozen} while frozen, ${purchases.dead} while dead, ${purchases.back} after`);
    facts.push(`failed attempts logged per file: ${hashes.map((h) => `${h.slice(0, 10)}… ${logged.get(h)}`).join(', ')}; the most retries get_ipfs_status showed: ${[...maxRetries.values()].join(', ')}`);
    if (purchases.frozen + purchases.dead === 0) problems.push('no purchase while the IPFS node was down');
    if (purchases.back === 0) problems.push('no purchase after the IPFS node was back');
    if ([...logged.values()].some((n) => n === 0)) problems.push(`a new file without a logged failed attempt: ${JSON.stringify(Object.fromEntries(logged))}`);
    if (new Set(downloaded.map((l) => l['file_hash'])).size !== hashes.length) problems.push(`not every new file logged as downloaded: ${downloaded.length} lines`);
    const final = await ipfsStatusOf(op);
    const stillPending = final.next_retries.filter((r) => hashes.includes(r.file_hash));
    if (stillPending.length > 0) problems.push(`files still waiting for a retry: ${stillPending.map((r) => r.file_hash).join(', ')}`);
    for (const k of ['invalid', 'malformed', 'too_large'] as const) if ((final.counts[k] ?? 0) !== 0) problems.push(`get_ipfs_status counts ${final.counts[k]} ${k}`);
    const others = final.next_retries.filter((r) => !hashes.includes(r.file_hash));
    facts.push(`get_ipfs_status at the end: ${JSON.stringify(final.counts)}${others.length === 0 ? '' : `; pending since before the outage (the network EULA, whose bytes the node does not have): ${others.map((r) => `${r.file_hash} (retries ${r.retries}, ${r.last_error ?? 'no error'})`).join(', ')}`}`);
    if (workerPid(edge, XBRMM) !== xbrmmPid) problems.push('the xbrmm worker restarted');
    const ipfsRestarts = lines.filter((l) => l['component'] === 'controller' && l.msg === 'worker ready' && l['worker'] === IPFS).length;
    if (ipfsRestarts !== 1) problems.push(`the ipfs guest became ready ${ipfsRestarts} times after the outage began, expected once`);
    problems.push(...(await checkLedger(edge, lanes, receipts)));
    facts.push(`buyers: ${lanes.map((l) => `${formatUuid(l.buyer.channelId).slice(0, 8)} at seq ${l.buyer.seq}`).join(', ')}`);
  } catch (err) {
    problems.push(`the scenario failed: ${describeError(err)}`);
  } finally {
    // A frozen process would hold the controller's stop until its stop_timeout.
    if (stopped !== undefined) {
      try {
        process.kill(stopped, 'SIGCONT');
      } catch (err) {
        problems.push(`SIGCONT to the frozen IPFS node: ${describeError(err)}`);
      }
    }
    if (options.outputFile !== undefined) writeFileSync(options.outputFile, edge.output());
    await edge.stop().catch((err: unknown) => problems.push(`stopping the edge: ${describeError(err)}`));
  }
  return { name: NAME, ok: problems.length === 0, problems, facts };
}

