// Peer router for `npm run bench`: fox-wamp (JSON only), anonymous, in its own process.
// Usage: node bench/peers/fox-router.cjs <port> <dir holding node_modules/fox-wamp>
// Exits when its stdin closes (the bench died or is done) or after a hard lifetime cap.
'use strict';
const path = require('node:path');

const port = Number(process.argv[2]);
const peersDir = process.argv[3] || path.join(__dirname, '..', '.peers');
const maxLifetimeS = Number(process.env.BENCH_PEER_MAX_LIFETIME_S || 1800);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`fox-router: bad port ${process.argv[2]}`);
  process.exit(2);
}

const FoxRouter = require(require.resolve('fox-wamp', { paths: [peersDir] }));
const router = new FoxRouter();
const server = router.listenWAMP({ port, host: '127.0.0.1' });
server.on('listening', () => console.log(`fox-router: listening on 127.0.0.1:${port}`));
server.on('error', (err) => {
  console.error(`fox-router: ${err?.message}`);
  process.exit(1);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(3), maxLifetimeS * 1000).unref();
process.on('SIGTERM', () => process.exit(0));
