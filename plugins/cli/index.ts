/** The `xbr-edge` command line (seller, buyer, demo): its entry, argument parsing, amounts and exit codes, as the tests use them. */
export { runCli } from './main.js';
export { parseBuyerArgs, parseDemoArgs, parseRate, parseSellerArgs } from './args.js';
export { formatXbr, parseXbr } from './amounts.js';
export { ExitCode, UsageError } from './errors.js';
export type { Output } from './output.js';
