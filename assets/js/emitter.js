// A minimal event emitter shared by the client, the stage and the settings.

/** Subscribe with on(type, fn), which returns an unsubscribe function. */
export class Emitter {
  #handlers = new Map();

  /** Calls fn(...args) on every emit of `type`; returns a function that unsubscribes. */
  on(type, fn) {
    let set = this.#handlers.get(type);
    if (!set) {
      set = new Set();
      this.#handlers.set(type, set);
    }
    set.add(fn);
    return () => this.off(type, fn);
  }

  /** Like on() but only for the next emit. */
  once(type, fn) {
    const off = this.on(type, (...args) => {
      off();
      fn(...args);
    });
    return off;
  }

  /** Removes a handler. */
  off(type, fn) {
    this.#handlers.get(type)?.delete(fn);
  }

  /** Calls the handlers of `type`; a throwing handler does not stop the others. */
  emit(type, ...args) {
    const set = this.#handlers.get(type);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
