// Loaded comments ordered by video time, and the scheduler that says which of
// them are due as the playhead moves. Pure logic, no DOM.

/** Orders comments by video time, then by seq so equal times keep send order. */
export function compareComments(a, b) {
  return a.time - b.time || (a.seq ?? 0) - (b.seq ?? 0);
}

// First index in sorted `list` whose time is >= t.
function lowerBound(list, t) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].time < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Comments of a time-sorted list with from <= time < to. */
export function dueBetween(sorted, from, to) {
  if (!(to > from)) return [];
  return sorted.slice(lowerBound(sorted, from), lowerBound(sorted, to));
}

/** Creates an empty timeline. */
export function createTimeline() {
  return new Timeline();
}

/** A set of comments (unique by id) kept sorted by video time. */
export class Timeline {
  constructor() {
    this.list = [];
    this.ids = new Set();
  }

  /** Adds comments not seen before; returns those actually added. */
  insert(comments) {
    const fresh = [];
    for (const c of comments) {
      if (c == null || c.id == null || !Number.isFinite(c.time) || this.ids.has(c.id)) continue;
      this.ids.add(c.id);
      fresh.push(c);
    }
    if (fresh.length === 0) return fresh;
    fresh.sort(compareComments);
    if (this.list.length === 0 || compareComments(this.list[this.list.length - 1], fresh[0]) <= 0) {
      this.list.push(...fresh); // common case: appending a later window
    } else {
      this.list = mergeSorted(this.list, fresh);
    }
    return fresh;
  }

  /** Removes comments by id (moderator retraction); returns how many went. */
  remove(ids) {
    const drop = new Set(ids);
    const before = this.list.length;
    this.list = this.list.filter((c) => !drop.has(c.id));
    for (const id of drop) this.ids.delete(id);
    return before - this.list.length;
  }

  /** Whether a comment id is in the timeline. */
  has(id) {
    return this.ids.has(id);
  }

  /** Comments with from <= time < to. */
  between(from, to) {
    return dueBetween(this.list, from, to);
  }

  /** Number of comments. */
  get size() {
    return this.list.length;
  }
}

function mergeSorted(a, b) {
  const out = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compareComments(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** Creates a scheduler over a timeline. */
export function createScheduler(timeline, opts) {
  return new Scheduler(timeline, opts);
}

/**
 * Turns playhead samples into due comments. Between two samples the playhead
 * normally moves forward by about (wall time elapsed) x playbackRate. A move
 * backwards is a seek: it yields nothing and restarts from the new position.
 * A jump forward far beyond that is a stall (a busy page, a hidden tab; real
 * seeks are signalled with seek()): only the comments of its last `maxStep`
 * seconds of play are due, so a long stall does not dump minutes of them.
 */
export class Scheduler {
  /** maxStep: wall seconds of play whose comments are still due after a stall. */
  constructor(timeline, { maxStep = 2 } = {}) {
    this.timeline = timeline;
    this.maxStep = maxStep;
    this.cursor = null;
  }

  /** Restarts at video time t (call on the video's "seeking"). */
  seek(t) {
    this.cursor = t;
  }

  /**
   * Moves the playhead to t, `rate` being the playbackRate. Returns
   * {due, seeked, stalled}: the comments with previous <= time < t (only the
   * last maxStep x rate seconds of them after a stall), or seeked=true and
   * nothing when the playhead went back or had no position yet.
   */
  advance(t, rate = 1) {
    if (this.cursor === null || t < this.cursor) {
      this.cursor = t;
      return { due: [], seeked: true, stalled: false };
    }
    const span = this.maxStep * Math.max(1, Math.abs(rate));
    const stalled = t - this.cursor > span;
    const due = this.timeline.between(stalled ? t - span : this.cursor, t);
    this.cursor = t;
    return { due, seeked: false, stalled };
  }
}
