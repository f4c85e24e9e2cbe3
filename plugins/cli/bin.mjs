#!/usr/bin/env node
// The `xbr-edge` executable (package.json "bin"). Runs the compiled CLI (`dist/…`, built by
// `npm run build`) when dist/ is up to date with the sources, or when tsx is not installed (a production install:
// dist/ is all there is). In a development checkout whose sources changed since the last build it runs the
// TypeScript sources through tsx instead, so it never runs stale code. The check is a stat() walk of the sources
// (scripts/build-state.mjs), a few ms.
import { distState } from '../../scripts/build-state.mjs';

// Owner-only by construction, as the controller does (router/controller/cli.ts): `--data-dir` receives the
// seller's key archive (an LMDB environment, created by lmdb-js with its own modes) and the paying-channel
// state; with umask 077 the directory is created 0700 and every file in it 0600, whoever creates them.
process.umask(0o077);

function tsxInstalled() {
  try {
    import.meta.resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

// `start`, `stop`, `status`, `check`, `version`, `backup`, `restore` are the node's commands
// (router/controller/node-cli.ts); the others are the market's (plugins/cli: seller, buyer, demo). The entry
// composes both; neither imports the other.
const [command, ...rest] = process.argv.slice(2);
const state = distState();
let load;
if (state.fresh || (state.built && !tsxInstalled())) {
  load = (path) => import(`../../dist/${path}.js`);
} else if (tsxInstalled()) {
  const { register } = await import('tsx/esm/api');
  register();
  load = (path) => import(`../../${path}.ts`);
} else {
  process.stderr.write('xbr-edge: dist/ has no complete build and tsx is not installed: run npm ci && npm run build\n');
  process.exit(1);
}
const { isNodeCommand } = await load('router/controller/node-commands');
if (isNodeCommand(command)) {
  const node = await load('router/controller/node-cli');
  process.exit(await node.runNodeCommand(command, rest));
}
const cli = await load('plugins/cli/main');
cli.exitWith(await cli.runCli(process.argv.slice(2)));
