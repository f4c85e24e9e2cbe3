/**
 * Runs tasks one at a time, in call order, whatever the outcome of the previous one. A delegate's channel
 * state moves one signed step at a time (seq + 1): the buyer signs each purchase over the state the previous
 * one left, the seller answers each `sell` from the state the previous sale left, so such steps must never
 * overlap.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    // The queue continues whatever the task's outcome; the caller sees the outcome through `result`.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has finished (its outcome is its caller's). */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
