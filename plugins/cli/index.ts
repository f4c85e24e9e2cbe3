/** The `xbr-edge` command line (seller, buyer, demo) and the roles it runs, for reuse in scripts and tests. */
export { exitWith, runCli, runCommand } from './main.js';
export { sellerCommand } from './seller-command.js';
export { buyerCommand } from './buyer-command.js';
export { demoCommand } from './demo-command.js';
export { SellerRole, sampleEvent, type SampleEvent, type SellerRoleOptions } from './seller-role.js';
export { BuyerRole, type BuyerRoleOptions, type Decrypted } from './buyer-role.js';
export { loginMember, type MemberLogin, type MemberSession } from './login.js';
export { ensurePayingChannel, type PayingChannel } from './paying-channel.js';
export { readDevchainFile, type DemoRole, type DevchainInfo } from './devchain-file.js';
export { parseBuyerArgs, parseDemoArgs, parseRate, parseSellerArgs, type BuyerArgs, type DemoArgs, type SellerArgs } from './args.js';
export { formatXbr, parseXbr } from './amounts.js';
export { CliError, ExitCode, UsageError } from './errors.js';
export { processOutput, type Output } from './output.js';
