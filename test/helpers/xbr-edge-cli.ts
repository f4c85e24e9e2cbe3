/** Runs the real `xbr-edge` executable (plugins/cli/bin.mjs) in a child process and collects its output. */
import { spawn } from 'node:child_process';

const BIN = new URL('../../plugins/cli/bin.mjs', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `xbr-edge <args>` from the project root, without blocking this process (a stand-in controller the test
 * spawned must still be reaped while the command waits for it).
 * @example const r = await runXbrEdge('status', '--cbdir', dir); assert.equal(r.status, 3);
 */
export function runXbrEdge(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
