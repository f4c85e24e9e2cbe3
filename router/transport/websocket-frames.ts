import type { Socket } from 'node:net';

/** A Buffer payload this large is written as it is, after its header, instead of being copied into the batch. */
const COPY_LIMIT = 64 * 1024;

/** RFC 6455 §5.2: 7-bit length, or 126 + 16 bits, or 127 + 64 bits; a server never masks. */
function headerLength(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

function writeHeader(out: Buffer, at: number, opcode: number, length: number): number {
  out[at] = 0x80 | opcode; // FIN: a WAMP message is always one frame
  if (length < 126) {
    out[at + 1] = length;
    return at + 2;
  }
  if (length < 65536) {
    out[at + 1] = 126;
    out.writeUInt16BE(length, at + 2);
    return at + 4;
  }
  out[at + 1] = 127;
  out.writeUInt32BE(Math.floor(length / 2 ** 32), at + 2);
  out.writeUInt32BE(length >>> 0, at + 6);
  return at + 10;
}

/**
 * Frames the WAMP messages of one connection itself and writes those of one turn of the event loop
 * with a single socket write. Through ws's Sender, every message cost a header Buffer, an options
 * object and two writable entries (header, payload), and JSON went through an intermediate Buffer;
 * in profiles of the router at a fixed call rate those were about a tenth of its busy time and a
 * quarter of what it allocated. Here a JSON string is encoded straight into the batch, which is one
 * allocation per turn.
 *
 * Only for connections without extensions (the router turns permessage-deflate off). Ordering with
 * what ws writes itself: a ping or pong may go before the batch of its turn (control frames may come
 * between messages); a close must not, so `flush()` comes before `ws.close()`, and a batch is dropped
 * once the connection is no longer open (ws has sent or received a close, or the socket is gone).
 */
export class FrameBatcher {
  private readonly payloads: (Buffer | string)[] = [];
  private readonly lengths: number[] = [];
  /** Bytes that are copied into the batch buffer: every header and every payload below COPY_LIMIT. */
  private copied = 0;
  /** Payloads of COPY_LIMIT or more queued: each is a write of its own. */
  private large = 0;
  private total = 0;
  private scheduled = false;
  private readonly opcode: number;

  constructor(
    private readonly socket: Socket,
    binary: boolean,
    private readonly isOpen: () => boolean,
  ) {
    this.opcode = binary ? 0x2 : 0x1;
  }

  /** Bytes queued and not yet handed to the socket. */
  get queuedBytes(): number {
    return this.total;
  }

  /** Queues one message (a string is sent as its UTF-8 bytes); it is written at the end of this turn. */
  push(payload: Buffer | string): void {
    const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    this.payloads.push(payload);
    this.lengths.push(length);
    const header = headerLength(length);
    if (typeof payload !== 'string' && length >= COPY_LIMIT) {
      this.large++;
      this.copied += header;
    } else {
      this.copied += header + length;
    }
    this.total += header + length;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
  }

  /** Writes what is queued now. */
  readonly flush = (): void => {
    this.scheduled = false;
    const count = this.payloads.length;
    if (count === 0) return;
    if (!this.isOpen()) {
      this.clear();
      return;
    }
    const out = Buffer.allocUnsafe(this.copied);
    const socket = this.socket;
    // Corking a lone write would only route it through the writable's buffered (writev) path.
    const corked = this.large > 0;
    if (corked) socket.cork();
    let at = 0;
    let from = 0;
    for (let i = 0; i < count; i++) {
      const payload = this.payloads[i]!;
      const length = this.lengths[i]!;
      at = writeHeader(out, at, this.opcode, length);
      if (typeof payload === 'string') {
        at += out.write(payload, at, length, 'utf8');
      } else if (length < COPY_LIMIT) {
        at += payload.copy(out, at);
      } else {
        socket.write(out.subarray(from, at));
        socket.write(payload);
        from = at;
      }
    }
    if (at > from) socket.write(from === 0 && at === out.length ? out : out.subarray(from, at));
    if (corked) socket.uncork();
    this.clear();
  };

  private clear(): void {
    this.payloads.length = 0;
    this.lengths.length = 0;
    this.copied = 0;
    this.large = 0;
    this.total = 0;
  }
}
