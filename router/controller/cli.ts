/**
 * Entry of the controller process (`npm start` runs `dist/router/controller/cli.js`; tests run this file under
 * tsx). Everything is in `run.ts`, which `xbr-edge start` runs too.
 */
import { runController } from './run.js';

runController(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`controller failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
