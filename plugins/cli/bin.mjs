#!/usr/bin/env node
// The `xbr-edge` executable (package.json "bin"): loads the TypeScript sources through tsx, as `npm start` does.
import { register } from 'tsx/esm/api';

// Owner-only by construction, as the controller does (router/controller/cli.ts): `--data-dir` receives the
// seller's key archive (an LMDB environment, created by lmdb-js with its own modes) and the paying-channel
// state; with umask 077 the directory is created 0700 and every file in it 0600, whoever creates them.
process.umask(0o077);
register();
const { exitWith, runCli } = await import('./main.ts');
exitWith(await runCli(process.argv.slice(2)));
