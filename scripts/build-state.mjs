// Whether `dist/` (the compiled JavaScript every process of the edge runs) is up to date with the TypeScript
// sources: the build stamp `dist/.build-stamp` carries, as its mtime, the time the last successful build
// started; dist/ is up to date when no input is newer. Inputs are the `.ts` and runtime asset files (ASSETS) under the
// compiled folders, those folders' directories (a deleted or renamed file changes its directory's mtime) and
// the tsconfig files. A check walks ~350 entries with stat(): a few ms, no TypeScript loaded.
// Used by `scripts/build.mjs` (npm run build, npm start) and `plugins/cli/bin.mjs` (the xbr-edge CLI).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (where package.json is). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Folders compiled into dist/ (tsconfig.build.json `include`). */
export const SOURCE_DIRS = ['config', 'process', 'router', 'worker', 'schema', 'plugins', 'contracts', 'types'];
/** Files besides the folders whose change means a rebuild. */
export const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json'];
/**
 * Files the compiled code reads next to its own module (`import.meta.url`), copied into dist/ at the same
 * relative path: contracts/devchain.ts loads hardhat with `HARDHAT_CONFIG_PATH` beside itself; the HTTP
 * listener serves the status page's files (router/controller/observe/http-listener.ts).
 */
export const ASSETS = [
  'contracts/hardhat.config.cjs',
  'router/controller/observe/status-page/index.html',
  'router/controller/observe/status-page/status.css',
  'router/controller/observe/status-page/status.js',
];
export const DIST = 'dist';
export const STAMP = join(DIST, '.build-stamp');

const INPUT = /\.(ts|mts|cts|cjs)$/;

/**
 * The newest input under `root` as `{ path, mtimeMs }` (path relative to root).
 * @example newestInput(ROOT) // { path: 'worker/market/procedures/buy-key.ts', mtimeMs: 1765… }
 */
export function newestInput(root = ROOT) {
  let newest = { path: '', mtimeMs: 0 };
  const consider = (path, mtimeMs) => {
    if (mtimeMs > newest.mtimeMs) newest = { path: relative(root, path), mtimeMs };
  };
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    consider(dir, statSync(dir).mtimeMs);
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(path);
      } else if (INPUT.test(e.name)) {
        consider(path, statSync(path).mtimeMs);
      }
    }
  };
  for (const d of SOURCE_DIRS) walk(join(root, d));
  for (const f of [...CONFIG_FILES, ...ASSETS]) {
    const path = join(root, f);
    if (existsSync(path)) consider(path, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `{ built, fresh, newer? }`: built = dist/ has a complete build (its stamp); fresh = built and no input is newer
 * than that build's start; newer = the input that is (when stale).
 */
export function distState(root = ROOT) {
  let stampMs;
  try {
    stampMs = statSync(join(root, STAMP)).mtimeMs;
  } catch {
    return { built: false, fresh: false };
  }
  const newest = newestInput(root);
  return newest.mtimeMs > stampMs ? { built: true, fresh: false, newer: newest.path } : { built: true, fresh: true };
}
