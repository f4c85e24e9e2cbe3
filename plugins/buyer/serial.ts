/**
 * Runs tasks one at a time, in call order. The buyer signs each purchase over the state the previous one
 * left (seq + 1, remaining − price), so two purchases on one channel must never be signed concurrently.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    // The queue continues whatever the task's outcome; the caller sees the outcome through `result`.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
