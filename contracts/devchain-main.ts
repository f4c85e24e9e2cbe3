/**
 * The embedded dev chain as a process (the `devchain` guest worker, docs/architecture.md#processes):
 *
 *   node dist/contracts/devchain-main.js --port 8545 --out <file.json> [--host 127.0.0.1] [--maker-key <file>]
 *                                        [--state <dir> [--fresh]]
 *
 * (compiled by `npm run build`; from the sources, as tests run it: `node --import tsx contracts/devchain-main.ts …`)
 *
 * 1. deletes a stale `--out` file and starts the in-process hardhat/EDR chain: without `--state` a fresh
 *    genesis; with `--state <dir>` the chain persists in that directory (`devchain.ts`: a journal of every
 *    state-changing request, replayed at start — same blocks, addresses, channels and balances as when it
 *    stopped). `--fresh` deletes the state directory first (a fresh chain, kept from then on);
 * 2. on a fresh chain, deploys the XBR contracts (`deployXbr`, deployer = hardhat account #0) and the demo
 *    (`setupDemo`), and records the deployment in the state (a note in the journal); a replayed chain has
 *    them already, and its recorded deployment is used. With `--maker-key` the market maker is the address of
 *    the 32 raw bytes in that file (created with the deterministic dev key {@link DEFAULT_MAKER_KEY}, mode
 *    0600, when missing), else the default dev key; a replayed chain whose demo market has another maker is
 *    refused (restore the key, or `--fresh`). A state whose first start stopped during the deployment is
 *    started anew, with a warning;
 * 3. writes `--out` atomically (tmp + rename) — chain id, URL, contract addresses, deployment block, demo ids,
 *    member addresses and their hardhat account indexes; no private keys. On a replayed chain it is the same
 *    file as before (only `url` follows `--host`/`--port`, and `makerKeyFile` `--maker-key`);
 * 4. only then opens the JSON-RPC server (HTTP + WebSocket) on host:port — so a `{type: tcp}` readiness
 *    check means "contracts deployed, demo set up, out file written";
 * 5. runs until SIGTERM / SIGINT or until its parent (the controller) is gone: closes the server, stops the
 *    chain, exits 0.
 *
 * Prints one line `devchain ready <url>` on stdout when listening. Exit 1 on any start-up error (the out file
 * is removed again).
 */
import { createRequire } from 'node:module';
import { Wallet, hexlify } from 'ethers';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startDevchain, type Devchain } from './devchain.js';
import { removeStateDir } from './devchain-journal.js';
import type { DevchainFile } from './devchain-file.js';
import { deployXbr } from './deploy.js';
import { DEFAULT_MAKER_KEY, setupDemo } from './demo.js';
import { watchParent } from '../process/index.js';

/** The journal note under which a persistent chain keeps its deployment (the devchain.json it wrote). */
const SETUP_NOTE = 'devchain.json';

interface JsonRpcServer {
  listen(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
interface HardhatRuntime {
  run(task: string, args: Record<string, unknown>): Promise<unknown>;
}

/** Reads the maker key file (32 raw bytes), creating it with the default dev key (mode 0600) when missing. */
export function loadOrCreateMakerKey(path: string): Uint8Array {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, DEFAULT_MAKER_KEY, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // someone else (the xbrmm worker) created it meanwhile: use theirs
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  chmodSync(path, 0o600);
  const key = readFileSync(path);
  if (key.length !== 32) throw new Error(`maker key file ${path}: expected 32 raw bytes, got ${key.length}`);
  return Uint8Array.from(key);
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
}

function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8545' },
      host: { type: 'string', default: '127.0.0.1' },
      out: { type: 'string' },
      'maker-key': { type: 'string' },
      state: { type: 'string' },
      fresh: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  // port 0 is refused: the out file (written before the port opens) must name the real port
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port: not a port 1..65535: ${values.port}`);
  if (values.out === undefined) throw new Error('--out <file> is required');
  const out = resolve(values.out);
  const host = values.host;
  const makerKeyFile = values['maker-key'] === undefined ? undefined : resolve(values['maker-key']);
  const stateDir = values.state === undefined ? undefined : resolve(values.state);
  if (values.fresh && stateDir === undefined) throw new Error('--fresh needs --state <dir> (without a state every start is fresh)');
  rmSync(out, { force: true });
  // a busy port fails before anything is deployed (hardhat's WebSocket server would throw it uncaught later)
  await assertPortFree(host, port);
  process.on('uncaughtException', (err) => {
    rmSync(out, { force: true });
    process.stderr.write(`devchain: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });

  const makerKey = makerKeyFile === undefined ? DEFAULT_MAKER_KEY : loadOrCreateMakerKey(makerKeyFile);
  let chain: Devchain | undefined;
  let server: JsonRpcServer | undefined;
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      const force = setTimeout(() => process.exit(code), 5000);
      force.unref();
      try {
        await server?.close();
      } catch {
        // closing anyway
      }
      await chain?.stop();
    }
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  // A guest has no IPC channel: if its controller dies without stopping it, this is how it notices.
  watchParent(() => void stop(0));

  try {
    if (values.fresh && stateDir !== undefined) {
      removeStateDir(stateDir); // not while another process uses it (its lock)
      process.stdout.write(`devchain: --fresh: removed the state ${stateDir}\n`);
    }
    chain = await startDevchain({ ...(stateDir === undefined ? {} : { state: stateDir }) });
    if (chain.state?.replay !== undefined && chain.state.note(SETUP_NOTE) === undefined) {
      // The first start stopped during the deployment: its addresses cannot be completed; begin anew.
      process.stderr.write(`devchain: warning: the state ${stateDir} holds a deployment that never completed: starting a fresh chain\n`);
      await chain.stop();
      chain = undefined;
      removeStateDir(stateDir!);
      chain = await startDevchain({ state: stateDir! });
    }
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const recorded = chain.state?.note(SETUP_NOTE) as DevchainFile | undefined;
    let info: DevchainFile;
    if (recorded !== undefined) {
      const maker = new Wallet(hexlify(makerKey)).address;
      if (recorded.demo.members.maker.address !== maker) {
        throw new Error(
          `the dev chain in ${stateDir} has the demo market of maker ${recorded.demo.members.maker.address}, but the maker key ` +
            `${makerKeyFile ?? '(default)'} is ${maker}: restore that key file, or start the dev chain with --fresh (a new chain: its channels and balances are gone)`,
        );
      }
      info = { ...recorded, url, demo: { ...recorded.demo, makerKeyFile: makerKeyFile ?? null } };
      const r = chain.state!.replay!;
      process.stdout.write(`devchain: replayed ${r.entries} journal entries (${r.requests} requests) in ${(r.ms / 1000).toFixed(1)} s: block ${r.head.number} ${r.head.hash}\n`);
      if (r.ms > 30_000) {
        process.stderr.write(
          `devchain: warning: the replay took ${(r.ms / 1000).toFixed(0)} s and grows with every transaction; the controller waits startup_timeout ` +
            '(default 60 s) for the dev chain: raise controller.options.startup_timeout, or start a new chain with --fresh\n',
        );
      }
    } else {
      const deployer = chain.signers[0];
      if (deployer === undefined) throw new Error('no deployer account');
      const deployment = await deployXbr(deployer);
      const demo = await setupDemo(chain, deployment, { makerKey });
      info = {
        version: 1,
        chainId: Number(deployment.chainId),
        url,
        deploymentBlock: deployment.deploymentBlock,
        contracts: deployment.addresses,
        accounts: {
          derivation: "hardhat default mnemonic (DEVCHAIN_MNEMONIC in contracts/devchain.ts), m/44'/60'/0'/0/<accountIndex>",
          note: 'no private keys here; the maker key is only in its key file',
        },
        demo: {
          marketId: demo.marketId,
          catalogId: demo.catalogId,
          apiId: demo.apiId,
          marketFee: demo.marketFee.toString(),
          providerSecurity: demo.providerSecurity.toString(),
          consumerSecurity: demo.consumerSecurity.toString(),
          members: demo.members,
          makerKeyFile: makerKeyFile ?? null,
          block: demo.block,
        },
      };
      await chain.state?.setNote(SETUP_NOTE, info);
    }
    writeAtomic(out, JSON.stringify(info, null, 2) + '\n');

    const require = createRequire(import.meta.url);
    const hre = require('hardhat') as HardhatRuntime; // the runtime startDevchain loaded (module cache)
    server = (await hre.run('node:create-server', { hostname: host, port, provider: chain.eip1193 })) as JsonRpcServer;
    const bound = await server.listen();
    process.stdout.write(`devchain ready http://${bound.address}:${bound.port} (contracts in ${out})\n`);
  } catch (err) {
    rmSync(out, { force: true });
    process.stderr.write(`devchain: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await stop(1);
  }
}

await main().catch((err: unknown) => {
  process.stderr.write(`devchain: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
