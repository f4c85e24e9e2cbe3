import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WampError } from '../../../schema/errors.js';
import {
  buildHandshakeError,
  buildHandshakeReply,
  encodeFrame,
  encodeFrameHeader,
  FrameDecoder,
  FrameType,
  HandshakeError,
  lengthExponentFor,
  MAX_FRAME_PAYLOAD,
  maxLengthForExp,
  parseClientHandshake,
  type RawSocketFrame,
} from '../../../router/transport/rawsocket-framing.js';

const hs = (...bytes: number[]): Buffer => Buffer.from(bytes);

function assertFramingError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof WampError);
    assert.equal(err.uri, 'wamp.error.protocol_violation');
    assert.match(err.message, pattern);
    return true;
  });
}

const simplify = (frames: readonly RawSocketFrame[]): [number, string][] => frames.map((f) => [f.type, f.payload.toString('hex')]);

describe('RawSocket handshake', () => {
  it('accepts each serializer id and reports the client max length', () => {
    assert.deepEqual(parseClientHandshake(hs(0x7f, 0xf1, 0, 0)), { ok: true, serializerId: 1, lengthExp: 15, maxLength: MAX_FRAME_PAYLOAD });
    assert.deepEqual(parseClientHandshake(hs(0x7f, 0x02, 0, 0)), { ok: true, serializerId: 2, lengthExp: 0, maxLength: 512 });
    assert.deepEqual(parseClientHandshake(hs(0x7f, 0xb3, 0, 0)), { ok: true, serializerId: 3, lengthExp: 11, maxLength: 2 ** 20 });
  });

  it('maps every length exponent to 2^(9+exp), capped by the 24-bit frame length', () => {
    for (let exp = 0; exp < 15; exp++) {
      assert.equal(maxLengthForExp(exp), 2 ** (9 + exp));
      const parsed = parseClientHandshake(hs(0x7f, (exp << 4) | 2, 0, 0));
      assert.ok(parsed.ok);
      assert.equal(parsed.lengthExp, exp);
      assert.equal(parsed.maxLength, 2 ** (9 + exp));
    }
    assert.equal(maxLengthForExp(15), 2 ** 24 - 1);
  });

  it('rejects unsupported serializer ids with error 1', () => {
    for (const id of [0, 4, 5, 15]) {
      const parsed = parseClientHandshake(hs(0x7f, 0xf0 | id, 0, 0));
      assert.equal(parsed.ok, false);
      assert.equal(!parsed.ok && parsed.error, HandshakeError.SerializerUnsupported, `id ${id}`);
      assert.match(!parsed.ok ? parsed.reason : '', new RegExp(`serializer id ${id} is not supported`));
    }
    // Restricted to what the transport is configured for.
    const jsonOnly = parseClientHandshake(hs(0x7f, 0xf2, 0, 0), [1]);
    assert.equal(!jsonOnly.ok && jsonOnly.error, HandshakeError.SerializerUnsupported);
    assert.equal(parseClientHandshake(hs(0x7f, 0xf1, 0, 0), [1]).ok, true);
  });

  it('rejects reserved octets with error 3', () => {
    for (const [b2, b3] of [[1, 0], [0, 1], [0x80, 0x80]] as const) {
      const parsed = parseClientHandshake(hs(0x7f, 0xf1, b2, b3));
      assert.equal(!parsed.ok && parsed.error, HandshakeError.ReservedBitsUsed);
    }
  });

  it('gives no error code (fail without reply) for a non-RawSocket opening', () => {
    for (const buf of [hs(0x47, 0x45, 0x54, 0x20) /* "GET " */, hs(0x7e, 0xf1, 0, 0), hs(0x7f, 0xf1, 0)]) {
      const parsed = parseClientHandshake(buf);
      assert.equal(parsed.ok, false);
      assert.equal(!parsed.ok && parsed.error, null);
    }
  });

  it('builds replies and error replies', () => {
    assert.deepEqual(buildHandshakeReply(2, 11), hs(0x7f, 0xb2, 0, 0));
    assert.deepEqual(buildHandshakeReply(1, 0), hs(0x7f, 0x01, 0, 0));
    assert.deepEqual(buildHandshakeReply(3, 15), hs(0x7f, 0xf3, 0, 0));
    assert.throws(() => buildHandshakeReply(0, 1), RangeError);
    assert.throws(() => buildHandshakeReply(1, 16), RangeError);
    assert.deepEqual(buildHandshakeError(HandshakeError.SerializerUnsupported), hs(0x7f, 0x10, 0, 0));
    assert.deepEqual(buildHandshakeError(HandshakeError.MaxLengthUnacceptable), hs(0x7f, 0x20, 0, 0));
    assert.deepEqual(buildHandshakeError(HandshakeError.ReservedBitsUsed), hs(0x7f, 0x30, 0, 0));
    assert.deepEqual(buildHandshakeError(HandshakeError.MaxConnectionCount), hs(0x7f, 0x40, 0, 0));
  });

  it('announces the largest exponent not above the configured max message size', () => {
    assert.equal(lengthExponentFor(2 ** 20), 11);
    assert.equal(lengthExponentFor(1_000_000), 10);
    assert.equal(lengthExponentFor(512), 0);
    assert.equal(lengthExponentFor(100), 0);
    assert.equal(lengthExponentFor(2 ** 24), 15);
    assert.equal(lengthExponentFor(2 ** 30), 15);
  });
});

describe('RawSocket frames', () => {
  it('encodes headers: type in the low 3 bits, 24-bit big-endian length', () => {
    assert.deepEqual(encodeFrame(FrameType.Message, Buffer.from('abc')), Buffer.from('00000003616263', 'hex'));
    assert.deepEqual(encodeFrame(FrameType.Ping, Buffer.alloc(0)), Buffer.from('01000000', 'hex'));
    assert.deepEqual(encodeFrame(FrameType.Pong, new Uint8Array([9])), Buffer.from('0200000109', 'hex'));
    assert.deepEqual(encodeFrameHeader(FrameType.Message, 0x123456), Buffer.from('00123456', 'hex'));
    assert.deepEqual(encodeFrameHeader(FrameType.Message, MAX_FRAME_PAYLOAD), Buffer.from('00ffffff', 'hex'));
    assert.throws(() => encodeFrameHeader(FrameType.Message, MAX_FRAME_PAYLOAD + 1), RangeError);
  });

  const stream = Buffer.concat([
    encodeFrame(FrameType.Message, Buffer.from('hello')),
    encodeFrame(FrameType.Ping, Buffer.from('p1')),
    encodeFrame(FrameType.Message, Buffer.alloc(0)),
    encodeFrame(FrameType.Pong, Buffer.from('p1')),
    encodeFrame(FrameType.Message, Buffer.alloc(300, 0xab)),
  ]);
  const expected: [number, string][] = [
    [0, Buffer.from('hello').toString('hex')],
    [1, Buffer.from('p1').toString('hex')],
    [0, ''],
    [2, Buffer.from('p1').toString('hex')],
    [0, 'ab'.repeat(300)],
  ];

  it('decodes many frames from one chunk without copying', () => {
    const decoder = new FrameDecoder(1024);
    const frames = decoder.push(stream);
    assert.deepEqual(simplify(frames), expected);
    assert.equal(frames[0]!.payload.buffer, stream.buffer);
    assert.equal(decoder.pendingBytes, 0);
  });

  it('decodes the same frames fed byte by byte', () => {
    const decoder = new FrameDecoder(1024);
    const frames: RawSocketFrame[] = [];
    for (let i = 0; i < stream.length; i++) frames.push(...decoder.push(stream.subarray(i, i + 1)));
    assert.deepEqual(simplify(frames), expected);
    assert.equal(decoder.pendingBytes, 0);
  });

  it('decodes the same frames at every split point and in random chunkings', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = new FrameDecoder(1024);
      const frames = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      assert.deepEqual(simplify(frames), expected, `cut at ${cut}`);
    }
    let seed = 7;
    for (let round = 0; round < 200; round++) {
      const decoder = new FrameDecoder(1024);
      const frames: RawSocketFrame[] = [];
      for (let pos = 0; pos < stream.length; ) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const size = 1 + (seed % 40);
        frames.push(...decoder.push(stream.subarray(pos, pos + size)));
        pos += size;
      }
      assert.deepEqual(simplify(frames), expected);
    }
  });

  it('hands out split payloads in fresh buffers that later chunks do not overwrite', () => {
    const decoder = new FrameDecoder(1024);
    const a = encodeFrame(FrameType.Message, Buffer.from('first!'));
    const b = encodeFrame(FrameType.Message, Buffer.from('second'));
    const [first] = [...decoder.push(a.subarray(0, 6)), ...decoder.push(a.subarray(6))];
    decoder.push(b.subarray(0, 7));
    decoder.push(b.subarray(7));
    assert.equal(first!.payload.toString(), 'first!');
  });

  it('reports incomplete data as pending', () => {
    const decoder = new FrameDecoder(1024);
    assert.deepEqual(decoder.push(Buffer.from('0000', 'hex')), []);
    assert.equal(decoder.pendingBytes, 2);
    assert.deepEqual(decoder.push(Buffer.from('0005616263', 'hex')), []);
    assert.equal(decoder.pendingBytes, 7);
    assert.deepEqual(simplify(decoder.push(Buffer.from('6465', 'hex'))), [[0, '6162636465']]);
    assert.equal(decoder.pendingBytes, 0);
  });

  it('accepts a frame of exactly the max size and rejects one byte more from the header alone', () => {
    const decoder = new FrameDecoder(100);
    assert.equal(decoder.push(encodeFrame(FrameType.Message, Buffer.alloc(100))).length, 1);
    // Only the header arrives: the oversized length is rejected before any payload is buffered.
    assertFramingError(() => new FrameDecoder(100).push(Buffer.from('00000065', 'hex')), /frame of 101 bytes exceeds the maximum message size of 100 bytes/);
    // The header split across chunks is checked as soon as it is complete.
    const split = new FrameDecoder(100);
    split.push(Buffer.from('00ff', 'hex'));
    assertFramingError(() => split.push(Buffer.from('ffff', 'hex')), /frame of 16777215 bytes exceeds/);
  });

  it('applies the size limit to ping frames too', () => {
    assertFramingError(() => new FrameDecoder(10).push(Buffer.from('0100000b', 'hex')), /exceeds the maximum message size/);
  });

  it('rejects reserved bits and undefined frame types', () => {
    for (const b0 of [0x08, 0x10, 0x80, 0xf8, 0x09]) {
      assertFramingError(() => new FrameDecoder(100).push(Buffer.from([b0, 0, 0, 1, 0])), /reserved bits/);
    }
    for (const type of [3, 4, 5, 6, 7]) {
      assertFramingError(() => new FrameDecoder(100).push(Buffer.from([type, 0, 0, 0])), new RegExp(`frame type ${type} is not defined`));
    }
  });

  it('stays failed after an error', () => {
    const decoder = new FrameDecoder(100);
    assertFramingError(() => decoder.push(Buffer.from('07000000', 'hex')), /not defined/);
    assertFramingError(() => decoder.push(encodeFrame(FrameType.Message, Buffer.from('x'))), /already failed/);
  });

  it('caps the max message size at what a 24-bit length can express', () => {
    assert.equal(new FrameDecoder(2 ** 30).maxMessageSize, MAX_FRAME_PAYLOAD);
    assert.throws(() => new FrameDecoder(-1), RangeError);
  });
});
