import { BenchClient } from './wamp-bench-client.js';
import { ManagedProcess, waitForPort, freePort, percentile } from './util.js';
const port = await freePort();
const p = new ManagedProcess('fox', process.execPath, ['bench/peers/fox-router.cjs', String(port)], { cwd: process.cwd(), stdinPipe: true });
await waitForPort('127.0.0.1', port, 10000, p);
const o = { url: `ws://127.0.0.1:${port}/ws`, realm: 'realm1', serializer: 'json' as const, timeoutMs: 5000 };
const callee = await BenchClient.connect(o); await callee.register('bench.echo', (a) => a ?? [], 5000);
const caller = await BenchClient.connect(o);
for (let seg = 0; seg < 12; seg++) {
  const xs: number[] = []; const t0 = performance.now();
  while (performance.now() - t0 < 500) { const s = performance.now(); await caller.callAsync('bench.echo', [1, 'hello', { a: 1 }]); xs.push((performance.now() - s) * 1000); }
  xs.sort((a, b) => a - b);
  console.log(seg, xs.length, percentile(xs, 0.5).toFixed(0), percentile(xs, 0.99).toFixed(0));
}
await p.stop(2000); process.exit(0);
