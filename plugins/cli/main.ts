/**
 * `xbr-edge <command>`: dispatches to the seller, buyer and demo commands and turns their failures into
 * a message and an exit code (see {@link ExitCode}); only an unexpected error prints a stack trace.
 */
import { adminCommand } from './admin-command.js';
import { buyerCommand } from './buyer-command.js';
import { demoCommand } from './demo-command.js';
import { CliError, ExitCode, UsageError } from './errors.js';
import { processOutput, type Output } from './output.js';
import { sellerCommand } from './seller-command.js';
import { ADMIN_USAGE, BUYER_USAGE, DEMO_USAGE, MAIN_USAGE, SELLER_USAGE } from './usage.js';

const COMMANDS: Record<string, { run: (argv: readonly string[], o: Output) => Promise<number>; usage: string }> = {
  seller: { run: sellerCommand, usage: SELLER_USAGE },
  buyer: { run: buyerCommand, usage: BUYER_USAGE },
  demo: { run: demoCommand, usage: DEMO_USAGE },
  admin: { run: adminCommand, usage: ADMIN_USAGE },
};

/** Runs `xbr-edge` with `argv` (without node and the script); resolves with the exit code. */
export async function runCli(argv: readonly string[], output: Output = processOutput): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? output.err : output.out)(MAIN_USAGE);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    output.err(`error: unknown command ${JSON.stringify(name)}\n\n${MAIN_USAGE}`);
    return ExitCode.usage;
  }
  return runCommand(command.run, rest, command.usage, output);
}

/** Runs one command, mapping its failures to exit codes. */
export async function runCommand(run: (argv: readonly string[], o: Output) => Promise<number>, argv: readonly string[], usage: string, output: Output = processOutput): Promise<number> {
  try {
    return await run(argv, output);
  } catch (err) {
    if (err instanceof UsageError) {
      output.err(`error: ${err.message}\n\n${usage}`);
      return err.code;
    }
    if (err instanceof CliError) {
      output.err(`error: ${err.message}`);
      return err.code;
    }
    output.err(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return ExitCode.failed;
  }
}

/**
 * Sets the exit code and lets the process end by itself; if a library keeps a handle open (a socket
 * closing slowly), it exits anyway shortly after.
 */
export function exitWith(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2000).unref();
}
