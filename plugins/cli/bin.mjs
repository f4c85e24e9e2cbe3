#!/usr/bin/env node
// The `xbr-edge` executable (package.json "bin"): loads the TypeScript sources through tsx, as `npm start` does.
import { register } from 'tsx/esm/api';

register();
const { exitWith, runCli } = await import('./main.ts');
exitWith(await runCli(process.argv.slice(2)));
