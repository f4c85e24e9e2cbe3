/**
 * Runs a Python WAMP peer (Debian python3-autobahn under /usr/bin/python3) as a child process and
 * returns the one `RESULT <json>` line it prints. The child is killed (and the run fails) after
 * `timeoutMs`; `t.after` kills it if the test ends first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AfterHook } from './router.js';

const PYTHON = '/usr/bin/python3';
const PYTHON_FIXTURES = fileURLToPath(new URL('../fixtures/python/', import.meta.url));

let checked: string | undefined;

/** Undefined when python3-autobahn (with msgpack, cbor2 and nacl) is importable, else why not. */
export function pythonAutobahnProblem(): string | undefined {
  if (checked !== undefined) return checked === '' ? undefined : checked;
  const r = spawnSync(PYTHON, ['-I', '-c', 'import autobahn, cbor2, msgpack, nacl, txaio'], { cwd: tmpdir(), encoding: 'utf8', timeout: 20_000 });
  checked = r.status === 0 ? '' : `${PYTHON} cannot import autobahn/cbor2/msgpack/nacl (run scripts/ensure-system-deps.sh): ${r.error?.message ?? r.stderr}`;
  return checked === '' ? undefined : checked;
}

export interface PythonRun<R> {
  result: R;
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runPython<R = Record<string, unknown>>(script: string, config: object, opts: { timeoutMs?: number; t?: AfterHook } = {}): Promise<PythonRun<R>> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  // -I: isolated mode, so neither the cwd nor PYTHON* variables can shadow the Debian packages.
  const child = spawn(PYTHON, ['-I', PYTHON_FIXTURES + script, JSON.stringify(config)], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  opts.t?.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    child.kill('SIGKILL');
    await exited.catch(() => {});
    throw new Error(`python ${script} did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  }
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`python ${script} exited with ${outcome} without a RESULT line\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  return { result: JSON.parse(line.slice('RESULT '.length)) as R, code: outcome, stdout, stderr };
}

/** The typed encoding the Python fixture uses for values it reports ({"int": "..."}, {"bytes": "hex"}, ...). */
export type PyValue = null | boolean | string | { int: string } | { bytes: string } | { float: number } | { dict: Record<string, PyValue> } | { other: string } | PyValue[];

export const py = {
  int: (v: bigint | number): PyValue => ({ int: BigInt(v).toString() }),
  bytes: (b: number[] | Uint8Array | string): PyValue => ({ bytes: typeof b === 'string' ? Buffer.from(b).toString('hex') : Buffer.from(b).toString('hex') }),
  float: (f: number): PyValue => ({ float: f }),
  dict: (d: Record<string, PyValue>): PyValue => ({ dict: d }),
};
