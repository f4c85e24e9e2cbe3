import { BenchClient, type CallCallback } from './wamp-bench-client.js';
import { ManagedProcess, waitForPort, freePort } from './util.js';
const port = await freePort();
const p = new ManagedProcess('fox', process.execPath, ['bench/peers/fox-router.cjs', String(port)], { cwd: process.cwd(), stdinPipe: true });
await waitForPort('127.0.0.1', port, 10000, p);
const o = { url: `ws://127.0.0.1:${port}/ws`, realm: 'realm1', serializer: 'json' as const, timeoutMs: 5000 };
const callee = await BenchClient.connect(o); await callee.register('bench.echo', (a) => a ?? [], 5000);
const caller = await BenchClient.connect(o);
const W = Number(process.env.W ?? 64);
for (let seg = 0; seg < 4; seg++) {
  let n = 0; let stop = false; let resolveDone!: () => void; const done = new Promise<void>((r) => (resolveDone = r));
  const cb: CallCallback = (err) => { if (err) throw err; n++; if (!stop) caller.call('bench.echo', [1, 'hello', { a: 1 }], cb); else if (caller.outstandingCalls === 0) resolveDone(); };
  const r0 = p.cpuSeconds(); const u0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < W; i++) caller.call('bench.echo', [1, 'hello', { a: 1 }], cb);
  await new Promise((r) => setTimeout(r, 2000));
  const secs = (performance.now() - t0) / 1000; const c = n; const u = process.cpuUsage(u0); const r = p.cpuSeconds() - r0;
  stop = true; await done;
  console.log(`rate ${Math.round(c / secs)} client ${((u.user + u.system) / c).toFixed(1)} us/call router ${(r * 1e6 / c).toFixed(1)} us/call`);
}
await p.stop(2000); process.exit(0);
