import { randomBytes } from 'node:crypto';

const MAX_ID = 2 ** 53;

/**
 * A random id in [1, 2^53], as WAMP wants for global-scope ids (sessions, publications): unguessable,
 * and exactly representable as a JS number on every serializer.
 */
export function randomWampId(): number {
  for (;;) {
    const b = randomBytes(7);
    // 53 bits: the top 5 bits of the first byte are dropped.
    const id = (b[0]! & 0x1f) * 2 ** 48 + b.readUIntBE(1, 6);
    if (id !== 0) return id;
  }
}

/** Router-scope and session-scope ids: sequential, wrapping at 2^53 as the WAMP spec allows. */
export class IdSequence {
  private next = 1;
  take(): number {
    const id = this.next;
    this.next = id >= MAX_ID ? 1 : id + 1;
    return id;
  }
}
