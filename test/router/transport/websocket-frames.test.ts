/**
 * The router frames its WebSocket messages itself (FrameBatcher) instead of going through ws's Sender.
 * A real ws client on the other end checks the frames: lengths in every header form, text as UTF-8,
 * binary, order, one socket write per turn, and nothing after the connection stops being open.
 */
import assert from 'node:assert/strict';
import type { AddressInfo, Socket } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { FrameBatcher } from '../../../router/transport/websocket-frames.js';

interface Pair {
  server: WebSocket;
  socket: Socket;
  /** Every chunk handed to the server's socket. */
  writes: (Buffer | string)[];
  /** Messages the client received, in order. */
  received: { data: Buffer; binary: boolean }[];
  client: WebSocket;
}

async function connect(t: TestContext): Promise<Pair> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  t.after(() => wss.close());
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const serverSide = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate: false });
  t.after(() => client.terminate());
  const received: Pair['received'] = [];
  client.on('message', (data: Buffer, binary: boolean) => received.push({ data, binary }));
  await new Promise<void>((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  const server = await serverSide;
  const socket = (server as unknown as { _socket: Socket })._socket;
  const writes: Pair['writes'] = [];
  const write = socket.write.bind(socket) as (chunk: Buffer | string) => boolean;
  socket.write = ((chunk: Buffer | string) => {
    writes.push(chunk);
    return write(chunk);
  }) as Socket['write'];
  return { server, socket, writes, received, client };
}

function batcher(p: Pair, binary: boolean): FrameBatcher {
  return new FrameBatcher(p.socket, binary, () => p.server.readyState === p.server.OPEN);
}

async function receivedCount(p: Pair, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (p.received.length < n) {
    if (Date.now() > deadline) throw new Error(`client received ${p.received.length} of ${n} messages`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('FrameBatcher: WebSocket frames written by the router', () => {
  it('text: every length form (7, 16 and 64 bit), multi-byte UTF-8, in order, in one socket write per turn', async (t) => {
    const p = await connect(t);
    const frames = batcher(p, false);
    const texts = [0, 1, 125, 126, 65535, 65536, 200_000].map((n) => 'x'.repeat(n));
    texts.push('[48,1,{},"ü€𝄞",["\\u0000AQI="]]');
    for (const text of texts) frames.push(text);
    assert.equal(frames.queuedBytes, texts.reduce((sum, s) => sum + Buffer.byteLength(s) + (s.length < 126 ? 2 : s.length < 65536 ? 4 : 10), 0));
    assert.equal(p.writes.length, 0, 'nothing is written before the turn ends');
    await nextTurn();
    assert.equal(p.writes.length, 1, 'one write for the whole turn');
    assert.equal(frames.queuedBytes, 0);
    await receivedCount(p, texts.length);
    assert.deepEqual(
      p.received.map((m) => m.data.toString('utf8')),
      texts,
    );
    assert.ok(p.received.every((m) => !m.binary));
  });

  it('binary: small payloads are copied into the batch, large ones are written as they are, order kept', async (t) => {
    const p = await connect(t);
    const frames = batcher(p, true);
    const payloads = [0, 125, 126, 65535, 65536, 10, 300_000, 3].map((n, i) => Buffer.alloc(n, i + 1));
    for (const payload of payloads) frames.push(payload);
    await nextTurn();
    for (const large of payloads.filter((b) => b.length >= 65536)) {
      assert.ok(p.writes.includes(large), `the ${large.length}-byte payload went to the socket without a copy`);
    }
    await receivedCount(p, payloads.length);
    assert.deepEqual(
      p.received.map((m) => m.data),
      payloads,
    );
    assert.ok(p.received.every((m) => m.binary));
  });

  it('flush() writes at once: what was sent before a close goes before the close frame', async (t) => {
    const p = await connect(t);
    const frames = batcher(p, false);
    const closed = new Promise<number>((resolve) => p.client.once('close', (code: number) => resolve(code)));
    frames.push('[3,{"message":"bye"},"wamp.error.protocol_violation"]');
    frames.flush();
    assert.equal(p.writes.length, 1);
    p.server.close(1000, 'protocol violation');
    assert.equal(await closed, 1000);
    assert.deepEqual(
      p.received.map((m) => m.data.toString()),
      ['[3,{"message":"bye"},"wamp.error.protocol_violation"]'],
    );
  });

  it('writes nothing once the connection is no longer open, and forgets what was queued', async (t) => {
    const p = await connect(t);
    const frames = batcher(p, false);
    frames.push('[50,1,{}]');
    p.server.close(1000);
    await nextTurn();
    assert.equal(frames.queuedBytes, 0);
    assert.ok(
      p.writes.every((w) => typeof w !== 'string' && w.includes('[50,1,{}]') === false),
      'the queued message did not follow the close frame',
    );
  });
});
