// Runs a command for the bench and makes sure its whole process tree goes away with the bench.
// Usage: node bench/guard.cjs <command> [args...]   (stdin must be a pipe from the bench)
// - stdin closes (the bench exited, even by SIGKILL): SIGKILL the command's process group.
// - SIGTERM/SIGINT: SIGTERM the command only (it stops its own children), then after
//   GUARD_GRACE_MS (default 8000) SIGKILL its process group.
// - the command exits: SIGKILL leftovers of its group, exit with its code.
'use strict';
const { spawn } = require('node:child_process');

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('guard: no command');
  process.exit(2);
}
const graceMs = Number(process.env.GUARD_GRACE_MS || 8000);
const child = spawn(command, args, { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });

function killGroup(signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // group gone
  }
}

child.on('error', (err) => {
  console.error(`guard: cannot start ${command}: ${err.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  killGroup('SIGKILL');
  process.exit(code ?? (signal ? 128 + (require('node:os').constants.signals[signal] || 0) : 1));
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  try {
    child.kill('SIGTERM');
  } catch {
    // already gone
  }
  setTimeout(() => {
    killGroup('SIGKILL');
    process.exit(1);
  }, graceMs).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

process.stdin.on('end', () => {
  killGroup('SIGKILL');
  process.exit(1);
});
process.stdin.on('error', () => undefined);
process.stdin.resume();
