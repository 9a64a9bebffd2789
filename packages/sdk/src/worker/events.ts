// A small typed event emitter (no Node EventEmitter: the worker runs in browsers, Deno and Bun too).

/** Listeners keyed by event name; a listener that throws is reported to `onListenerError`, never to the emitter's caller. */
export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(data: never) => void>>();
  readonly #onListenerError: (error: unknown, event: keyof Events) => void;

  constructor(onListenerError: (error: unknown, event: keyof Events) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Call `listener` on every `event`; returns a function that removes it. */
  on<E extends keyof Events>(event: E, listener: (data: Events[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as (data: never) => void);
    return () => this.off(event, listener);
  }

  /** Call `listener` on the next `event` only. */
  once<E extends keyof Events>(event: E, listener: (data: Events[E]) => void): () => void {
    const off = this.on(event, (data) => {
      off();
      listener(data);
    });
    return off;
  }

  /** Removes a listener added with `on` (or `once`, before it fired). */
  off<E extends keyof Events>(event: E, listener: (data: Events[E]) => void): void {
    this.#listeners.get(event)?.delete(listener as (data: never) => void);
  }

  /** Calls every listener of `event` with `data`; a listener that throws is reported, never stops the others. */
  emit<E extends keyof Events>(event: E, data: Events[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (data: Events[E]) => void)(data);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }
}
