// `npm run build`: compiles the TypeScript of the edge (config, process, router, worker, schema, plugins, contracts; not test/
// or bench/) into dist/ with the installed typescript (`tsc -p tsconfig.build.json`, incremental), copies the
// runtime assets the compiled code reads beside itself, removes outputs whose source is gone, and stamps the
// build. Nothing happens when dist/ is up to date (scripts/build-state.mjs: a stat() walk, no TypeScript
// loaded), so `npm start` runs it before every start. Type errors fail the build (exit 1).
//
// The Solidity contracts are compiled by `npm run build:contracts` (contracts/build.ts) into the committed
// contracts/build/*.ts, which this build compiles like any other source.
//
//   node scripts/build.mjs            build when dist/ is not up to date
//   node scripts/build.mjs --force    rebuild from scratch
//   node scripts/build.mjs --start    what `npm start` runs first: silent when up to date; in an install without
//                                     typescript (npm prune --omit=dev) it runs what dist/ holds, and fails
//                                     only when dist/ has no complete build
//
// Concurrent builds (two `npm start`, a test beside a developer) take turns on the lock dist/.build-lock.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, rmdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ASSETS, DIST, distState, ROOT, STAMP } from './build-state.mjs';

const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (a !== '--force' && a !== '--start') {
    process.stderr.write(`build: unknown argument ${a}\nusage: node scripts/build.mjs [--force] [--start]\n`);
    process.exit(1);
  }
}
const force = args.has('--force');
const forStart = args.has('--start');
const dist = join(ROOT, DIST);
const lockDir = join(dist, '.build-lock');
const say = (line) => process.stderr.write(`build: ${line}\n`);

/** Path of typescript's `tsc`, or undefined in an install without dev dependencies. */
function findTsc() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

let locked = false;
async function lock() {
  mkdirSync(dist, { recursive: true });
  let waiting = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      locked = true;
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let holder;
    try {
      holder = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    } catch {
      holder = undefined; // between its mkdir and its write, or left by a builder killed right there
    }
    const stale = holder !== undefined ? !alive(holder) : Date.now() - statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs > 5000;
    if (stale) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!waiting) say(`waiting for the build of pid ${holder ?? '?'}`);
    waiting = true;
    await sleep(200);
  }
}
process.on('exit', () => {
  if (locked) rmSync(lockDir, { recursive: true, force: true });
});

/** Removes compiled files (JavaScript and declarations) whose source is gone (a deleted or renamed .ts), then empty folders. */
function pruneOrphans(dir = dist) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    const rel = relative(dist, path);
    if (e.name.startsWith('.')) continue; // stamp, tsbuildinfo, lock
    if (e.isDirectory()) {
      pruneOrphans(path);
      if (readdirSync(path).length === 0) rmdirSync(path);
      continue;
    }
    // x.js and its declarations x.d.ts both come from x.ts
    const source = rel.replace(/\.d\.ts$/, '.ts').replace(/\.d\.mts$/, '.mts').replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts').replace(/\.cjs$/, '.cts');
    if (!existsSync(join(ROOT, source)) && !ASSETS.includes(rel)) unlinkSync(path);
  }
}

async function build(reason) {
  const tsc = findTsc();
  if (tsc === undefined) {
    say(`typescript is not installed, so dist/ cannot be built (${reason}); install the dev dependencies (npm ci) and run npm run build`);
    process.exit(1);
  }
  await lock();
  // Another build may have finished while this one waited.
  const state = distState();
  if (!force && state.fresh) return;
  if (force) {
    for (const name of readdirSync(dist)) if (name !== '.build-lock') rmSync(join(dist, name), { recursive: true, force: true });
  }
  // Until stamped again, dist/ is not a complete build (bin.mjs, the launcher and other builders see that).
  rmSync(join(ROOT, STAMP), { force: true });
  const started = Date.now();
  say(`compiling to dist/ (${force ? 'forced' : reason})`);
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    say(`tsc failed (${r.status ?? r.signal}); dist/ is not usable`);
    process.exit(1);
  }
  for (const asset of ASSETS) {
    mkdirSync(dirname(join(dist, asset)), { recursive: true });
    copyFileSync(join(ROOT, asset), join(dist, asset));
  }
  pruneOrphans();
  // The stamp's mtime is the build's start: a source saved while tsc ran is newer, so the next run rebuilds.
  const stamp = join(ROOT, STAMP);
  writeFileSync(stamp, `${JSON.stringify({ started: new Date(started).toISOString(), ms: Date.now() - started })}\n`);
  utimesSync(stamp, started / 1000, started / 1000);
  say(`dist/ built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const state = distState();
if (force) {
  await build('forced');
} else if (state.fresh) {
  if (!forStart) say('dist/ is up to date');
} else if (forStart && findTsc() === undefined) {
  if (!state.built) {
    say('dist/ has no complete build and typescript is not installed (a production install?): build before leaving out the dev dependencies: npm ci && npm run build && npm prune --omit=dev');
    process.exit(1);
  }
  say(`warning: ${state.newer} is newer than dist/, but typescript is not installed: running dist/ as it was built`);
} else {
  await build(state.built ? `${state.newer} changed` : 'no complete build yet');
}
