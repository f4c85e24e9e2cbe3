/**
 * `npm run demo` (with `npm start` running): a seller and a buyer of the demo market in one process —
 * see `plugins/cli/demo-command.ts`. Same as `xbr-edge demo`; flags after `--` (`npm run demo -- --count 20`).
 */
import { demoCommand } from './cli/demo-command.js';
import { exitWith, runCommand } from './cli/main.js';
import { DEMO_USAGE } from './cli/usage.js';

exitWith(await runCommand(demoCommand, process.argv.slice(2), DEMO_USAGE));
