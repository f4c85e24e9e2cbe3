import type { Socket } from 'node:net';

/**
 * Coalesces the writes to one socket made while one batch of input is processed into a single
 * syscall. Without it, every WAMP message costs its own writev (about 60% of the router's CPU under
 * pipelined load). The flush is a nextTick: it runs as soon as the current input chunk has been
 * routed, so a lone message is not delayed (setImmediate measured the same throughput but a
 * higher p50).
 */
export class WriteCoalescer {
  private holding = false;

  constructor(private readonly socket: Socket) {}

  /** Call before writing; the socket is released (uncorked) at the end of this turn. */
  hold(): void {
    if (this.holding) return;
    this.holding = true;
    this.socket.cork();
    process.nextTick(this.release);
  }

  private readonly release = (): void => {
    this.holding = false;
    this.socket.uncork();
  };
}
