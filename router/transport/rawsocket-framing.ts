import { WampError, WampErrorUri } from '../../schema/index.js';

/**
 * WAMP RawSocket framing (https://wamp-proto.org/wamp_latest_ietf.html#name-rawsocket-transport):
 * the 4-byte opening handshake and the 4-byte frame headers (type + 24-bit length) that follow.
 */

const RAWSOCKET_MAGIC = 0x7f;

export const FrameType = { Message: 0, Ping: 1, Pong: 2 } as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Error codes of the router's handshake reply (upper nibble of its second octet). */
export const HandshakeError = {
  SerializerUnsupported: 1,
  MaxLengthUnacceptable: 2,
  ReservedBitsUsed: 3,
  MaxConnectionCount: 4,
} as const;
export type HandshakeErrorCode = (typeof HandshakeError)[keyof typeof HandshakeError];

/** Largest payload a 24-bit frame length can carry. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

/** Max message length announced by a length exponent (0..15): 2^(9 + exp), 512 B .. 16 MiB - 1. */
export function maxLengthForExp(lengthExp: number): number {
  // 2^24 itself does not fit the 24-bit frame length.
  return Math.min(2 ** (9 + lengthExp), MAX_FRAME_PAYLOAD);
}

/**
 * The exponent the router announces for its own limit: the largest one not above `maxMessageSize`,
 * so a peer that respects the announcement never exceeds what the router really accepts (which
 * may be more, e.g. 1,000,000 bytes is announced as 2^19).
 */
export function lengthExponentFor(maxMessageSize: number): number {
  let exp = 0;
  while (exp < 15 && 2 ** (9 + exp + 1) <= maxMessageSize) exp++;
  return exp;
}

export type ClientHandshake =
  | { ok: true; serializerId: number; lengthExp: number; maxLength: number }
  /** `error` is the code to reply with; null means "not a RawSocket client": close without reply. */
  | { ok: false; error: HandshakeErrorCode | null; reason: string };

/**
 * Parses the 4 octets a client opens with. `acceptedSerializerIds` are the ids the transport is
 * configured for (1 JSON, 2 MessagePack, 3 CBOR).
 */
export function parseClientHandshake(
  buf: Uint8Array,
  acceptedSerializerIds: readonly number[] = [1, 2, 3],
): ClientHandshake {
  if (buf.length !== 4) return { ok: false, error: null, reason: `handshake must be 4 octets, got ${buf.length}` };
  if (buf[0] !== RAWSOCKET_MAGIC) {
    return { ok: false, error: null, reason: `first handshake octet must be 0x7f, got 0x${buf[0]!.toString(16).padStart(2, '0')}` };
  }
  if (buf[2] !== 0 || buf[3] !== 0) {
    return { ok: false, error: HandshakeError.ReservedBitsUsed, reason: 'reserved handshake octets 3 and 4 must be zero' };
  }
  const serializerId = buf[1]! & 0x0f;
  const lengthExp = buf[1]! >> 4;
  if (serializerId === 0 || !acceptedSerializerIds.includes(serializerId)) {
    return { ok: false, error: HandshakeError.SerializerUnsupported, reason: `serializer id ${serializerId} is not supported` };
  }
  return { ok: true, serializerId, lengthExp, maxLength: maxLengthForExp(lengthExp) };
}

export function buildHandshakeReply(serializerId: number, lengthExp: number): Buffer {
  if (!Number.isInteger(serializerId) || serializerId < 1 || serializerId > 15) throw new RangeError(`invalid serializer id ${serializerId}`);
  if (!Number.isInteger(lengthExp) || lengthExp < 0 || lengthExp > 15) throw new RangeError(`invalid length exponent ${lengthExp}`);
  return Buffer.from([RAWSOCKET_MAGIC, (lengthExp << 4) | serializerId, 0, 0]);
}

export function buildHandshakeError(code: HandshakeErrorCode): Buffer {
  return Buffer.from([RAWSOCKET_MAGIC, code << 4, 0, 0]);
}

/** 4-byte frame header, for writing header and payload separately (writev) without a copy. */
export function encodeFrameHeader(type: FrameType, length: number): Buffer {
  if (length > MAX_FRAME_PAYLOAD) throw new RangeError(`RawSocket frame payload of ${length} bytes exceeds ${MAX_FRAME_PAYLOAD}`);
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(length, 0);
  header[0] = type;
  return header;
}

export function encodeFrame(type: FrameType, payload: Uint8Array): Buffer {
  const length = payload.length;
  if (length > MAX_FRAME_PAYLOAD) throw new RangeError(`RawSocket frame payload of ${length} bytes exceeds ${MAX_FRAME_PAYLOAD}`);
  const frame = Buffer.allocUnsafe(4 + length);
  frame.writeUInt32BE(length, 0);
  frame[0] = type;
  frame.set(payload, 4);
  return frame;
}

export interface RawSocketFrame {
  type: FrameType;
  payload: Buffer;
}

const NO_FRAMES: readonly RawSocketFrame[] = Object.freeze([]);

function violation(message: string): WampError {
  return new WampError(WampErrorUri.protocolViolation, message);
}

/**
 * Turns a stream of TCP chunks into frames. A frame that lies whole inside a chunk is returned as a
 * view of that chunk (no copy); one split across chunks is assembled in a buffer of exactly its
 * size, allocated only after its header has passed the size check. Payload buffers are never
 * reused. Once `push` has thrown (reserved bits, unknown type, oversized frame), the stream cannot
 * be framed any more and the connection must be closed; frames before the bad header in the same
 * chunk are dropped with it.
 */
export class FrameDecoder {
  readonly maxMessageSize: number;
  private readonly header = Buffer.alloc(4);
  private headerFill = 0;
  private partial: Buffer | null = null;
  private partialFill = 0;
  private partialType: FrameType = FrameType.Message;
  private failed = false;

  constructor(maxMessageSize: number) {
    if (!Number.isInteger(maxMessageSize) || maxMessageSize < 0) throw new RangeError(`invalid max message size ${maxMessageSize}`);
    this.maxMessageSize = Math.min(maxMessageSize, MAX_FRAME_PAYLOAD);
  }

  /** Bytes of an incomplete frame (header or payload) held back for the next chunk. */
  get pendingBytes(): number {
    return this.partial === null ? this.headerFill : 4 + this.partialFill;
  }

  /** Feeds one chunk; returns the frames it completes, in order (a shared empty array if none). */
  push(chunk: Buffer): readonly RawSocketFrame[] {
    if (this.failed) throw violation('RawSocket stream already failed');
    let frames: RawSocketFrame[] | null = null;
    const end = chunk.length;
    let pos = 0;
    if (this.partial !== null) {
      const partial = this.partial;
      pos = Math.min(partial.length - this.partialFill, end);
      chunk.copy(partial, this.partialFill, 0, pos);
      this.partialFill += pos;
      if (this.partialFill < partial.length) return NO_FRAMES;
      this.partial = null;
      frames = [{ type: this.partialType, payload: partial }];
    }
    while (pos < end) {
      let type: FrameType;
      let length: number;
      if (this.headerFill === 0 && end - pos >= 4) {
        length = (chunk[pos + 1]! << 16) | (chunk[pos + 2]! << 8) | chunk[pos + 3]!;
        type = this.checkHeader(chunk[pos]!, length);
        pos += 4;
      } else {
        const n = Math.min(4 - this.headerFill, end - pos);
        chunk.copy(this.header, this.headerFill, pos, pos + n);
        this.headerFill += n;
        pos += n;
        if (this.headerFill < 4) break;
        this.headerFill = 0;
        const h = this.header;
        length = (h[1]! << 16) | (h[2]! << 8) | h[3]!;
        type = this.checkHeader(h[0]!, length);
      }
      if (end - pos >= length) {
        const frame = { type, payload: chunk.subarray(pos, pos + length) };
        if (frames === null) frames = [frame];
        else frames.push(frame);
        pos += length;
      } else {
        // The rest of the chunk is shorter than the frame: keep it all.
        const partial = Buffer.allocUnsafe(length);
        chunk.copy(partial, 0, pos, end);
        this.partial = partial;
        this.partialFill = end - pos;
        this.partialType = type;
        break;
      }
    }
    return frames ?? NO_FRAMES;
  }

  private checkHeader(b0: number, length: number): FrameType {
    if (b0 & 0xf8) {
      this.failed = true;
      throw violation(`RawSocket frame header uses reserved bits (first octet 0x${b0.toString(16).padStart(2, '0')})`);
    }
    if (b0 > FrameType.Pong) {
      this.failed = true;
      throw violation(`RawSocket frame type ${b0} is not defined`);
    }
    if (length > this.maxMessageSize) {
      this.failed = true;
      throw violation(`RawSocket frame of ${length} bytes exceeds the maximum message size of ${this.maxMessageSize} bytes`);
    }
    return b0 as FrameType;
  }
}
