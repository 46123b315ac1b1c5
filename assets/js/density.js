// What happens to a comment when every lane is busy. Pure logic, no DOM.
//
// The viewer's density setting picks a policy: "low" drops such comments at
// once, "normal" and "high" let them wait in a bounded queue for a short
// while (in video seconds) and retry as lanes free up.

/** Density policies by setting value: how long and how many comments may wait. */
export const DENSITY = Object.freeze({
  low: Object.freeze({ maxWait: 0, maxQueue: 0 }),
  normal: Object.freeze({ maxWait: 1.5, maxQueue: 40 }),
  high: Object.freeze({ maxWait: 4, maxQueue: 150 }),
});

/** Returns the policy for a density setting, falling back to "normal". */
export function densityPolicy(name) {
  return DENSITY[name] || DENSITY.normal;
}

/** Creates a bounded queue of comments waiting for a free lane. */
export function createWaitQueue(policy = DENSITY.normal) {
  return new WaitQueue(policy);
}

/** Bounded FIFO of comments waiting for a lane; old entries expire. */
class WaitQueue {
  /** policy: {maxWait: seconds, maxQueue: entries}. */
  constructor(policy) {
    this.items = [];
    this.dropped = 0;
    this.setPolicy(policy);
  }

  /** Switches to another density policy, trimming the queue to fit. */
  setPolicy({ maxWait, maxQueue }) {
    this.maxWait = maxWait;
    this.maxQueue = maxQueue;
    while (this.items.length > this.maxQueue) this.#dropOldest();
  }

  /** Queues `value` that became due at video time `now`; false if it was dropped. */
  push(value, now) {
    if (this.maxQueue <= 0 || this.maxWait <= 0) {
      this.dropped++;
      return false;
    }
    if (this.items.length >= this.maxQueue) this.#dropOldest();
    this.items.push({ value, at: now });
    return true;
  }

  /**
   * Offers waiting comments, oldest first, to `tryPlace(value)` (returns true
   * when the comment found a lane); expired ones are dropped and the rest keep
   * waiting in order. At most `maxTries` are offered per call so a long queue
   * cannot stall a frame. Returns the number placed.
   */
  drain(now, tryPlace, maxTries = 24) {
    let placed = 0;
    let tries = 0;
    const keep = [];
    for (const e of this.items) {
      if (now - e.at > this.maxWait || now < e.at) {
        this.dropped++;
        continue;
      }
      if (tries < maxTries) {
        tries++;
        if (tryPlace(e.value)) {
          placed++;
          continue;
        }
      }
      keep.push(e);
    }
    this.items = keep;
    return placed;
  }

  /** Removes queued comments matching `pred` (retracted or filtered). */
  removeWhere(pred) {
    this.items = this.items.filter((e) => !pred(e.value));
  }

  /** Empties the queue (after a seek). */
  clear() {
    this.items = [];
  }

  /** Number of waiting comments. */
  get size() {
    return this.items.length;
  }

  #dropOldest() {
    this.items.shift();
    this.dropped++;
  }
}
