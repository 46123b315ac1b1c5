// Loaded comments ordered by video time, and the scheduler that says which of
// them are due as the playhead moves. Pure logic, no DOM.

/** Orders comments by video time, then by seq so equal times keep send order. */
export function compareComments(a, b) {
  return a.time - b.time || (a.seq ?? 0) - (b.seq ?? 0);
}

/**
 * A segment's comments with the viewer's own part of it (own): one list by
 * video time, each comment once (by id, the segment's copy kept).
 */
export function withOwn(segment, own) {
  if (!own?.length) return segment;
  const ids = new Set(segment.map((c) => c.id));
  const extra = own.filter((c) => !ids.has(c.id));
  return extra.length === 0 ? segment : [...segment, ...extra].sort(compareComments);
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
class Timeline {
  constructor() {
    this.list = [];
    this.ids = new Map(); // id -> comment
  }

  /** Adds comments not seen before; returns those actually added. */
  insert(comments) {
    const fresh = [];
    for (const c of comments) {
      if (c == null || c.id == null || !Number.isFinite(c.time) || this.ids.has(c.id)) continue;
      this.ids.set(c.id, c);
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

  /** The comment with id (a number, or a string from a frame's keys), if any. */
  get(id) {
    return this.ids.get(id) ?? this.ids.get(Number(id));
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
 *
 * Comments pushed live (push()) show at once whatever their time: while the
 * video plays push() returns them, while it is paused (its frames call
 * hold(), not advance()) the next advance() does, on resuming. One whose
 * time is still ahead is then skipped once when the playhead reaches it, so
 * one viewing shows each once; a seek forgets that, as the playhead may pass
 * its time again.
 */
class Scheduler {
  /** maxStep: wall seconds of play whose comments are still due after a stall. */
  constructor(timeline, { maxStep = 2 } = {}) {
    this.timeline = timeline;
    this.maxStep = maxStep;
    this.cursor = null;
    this.held = []; // comments pushed while paused, for the next advance()
    this.shown = new Set(); // ids of pushed comments shown before the playhead reached them
  }

  /** Restarts at video time t (call on the video's "seeking"). */
  seek(t) {
    this.cursor = t;
    this.shown.clear();
  }

  /** Keeps the cursor on a playhead that is not playing (paused, seeking). */
  hold(t) {
    this.cursor = t;
  }

  /**
   * Takes comments pushed live: returns them to show now when `playing`,
   * else holds them for the next advance() (see the class comment).
   */
  push(comments, playing) {
    if (!playing) {
      this.held.push(...comments);
      return [];
    }
    this.#markAhead(comments);
    return comments;
  }

  /**
   * Moves the playhead to t, `rate` being the playbackRate. Returns
   * {due, pushed, seeked, stalled}: due, the comments with previous <= time
   * < t (only the last maxStep x rate seconds of them after a stall) less
   * those pushed and shown already, or seeked=true and nothing when the
   * playhead went back or had no position yet; pushed, the comments pushed
   * while paused, to show now (retracted ones left out).
   */
  advance(t, rate = 1) {
    const pushed = this.held.filter((c) => this.timeline.has(c.id));
    this.held = [];
    if (this.cursor === null || t < this.cursor) {
      this.cursor = t;
      this.#markAhead(pushed);
      return { due: [], pushed, seeked: true, stalled: false };
    }
    // Marked before the due ones are picked, so a held comment whose time
    // falls in this very step is not returned twice.
    this.#markAhead(pushed);
    const span = this.maxStep * Math.max(1, Math.abs(rate));
    const stalled = t - this.cursor > span;
    const due = this.timeline.between(stalled ? t - span : this.cursor, t).filter((c) => !this.shown.delete(c.id));
    this.cursor = t;
    return { due, pushed, seeked: false, stalled };
  }

  // Remembers the pushed comments the playhead has yet to reach; those
  // behind it need no mark (it will not get there without a seek).
  #markAhead(list) {
    for (const c of list) if (c.time >= this.cursor) this.shown.add(c.id);
  }
}
