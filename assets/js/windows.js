// Windowed loading of a room's comments by video time. Pure logic, no DOM.
//
// Like Bilibili's segments, the video timeline is cut into fixed windows
// [k*size, (k+1)*size): the server's segments (GET
// /api/rooms/:id/segments/:k, SEGMENT_SECONDS each), which the browser and
// CDNs cache, so loading one again costs a 304 or a cache hit. The window under the playhead is fetched first, then
// the next one once the playhead is within `lookahead` seconds of it. A seek
// cancels whatever is in flight so the new position is served first. Loaded
// windows can go stale after `maxAge` milliseconds (live rooms keep getting
// comments), after which they are fetched again when needed.

/** Seconds of video in one of the server's segments. */
export const SEGMENT_SECONDS = 360;

/** Index of the window containing video time t. */
export function windowIndex(t, size) {
  return Math.max(0, Math.floor(t / size));
}

/** The [from, to) seconds covered by window k. */
export function windowRange(k, size) {
  return { index: k, from: k * size, to: (k + 1) * size };
}

/** Creates a tracker of loaded / in-flight windows. */
export function createWindowTracker(opts) {
  return new WindowTracker(opts);
}

/** Decides which window to fetch next and remembers what was fetched. */
class WindowTracker {
  /**
   * size: window length in seconds; lookahead: seconds before a window starts
   * when it gets fetched; duration: video length (Infinity if unknown);
   * maxAge: ms after which a loaded window is stale (Infinity: never);
   * retryAfter: ms to wait before retrying a failed window.
   */
  constructor({ size = 60, lookahead = 15, duration = Infinity, maxAge = Infinity, retryAfter = 5000 } = {}) {
    this.size = size;
    this.lookahead = lookahead;
    this.duration = duration;
    this.maxAge = maxAge;
    this.retryAfter = retryAfter;
    this.loaded = new Map(); // index -> wall ms when loaded
    this.failed = new Map(); // index -> wall ms when failed
    this.pending = new Set();
  }

  /** Sets the video duration once known (NaN/0 mean unknown). */
  setDuration(d) {
    this.duration = d > 0 && Number.isFinite(d) ? d : Infinity;
  }

  /**
   * The window to fetch now for a playhead at `t` (wall clock `nowMs`), or
   * null. Only one window is fetched at a time.
   */
  next(t, nowMs) {
    if (this.pending.size > 0) return null;
    const k = windowIndex(Math.min(t, this.#lastStart()), this.size);
    if (this.#wanted(k, nowMs)) return windowRange(k, this.size);
    const ahead = k + 1;
    const aheadStart = ahead * this.size;
    if (aheadStart < this.duration && t + this.lookahead >= aheadStart && this.#wanted(ahead, nowMs)) {
      return windowRange(ahead, this.size);
    }
    return null;
  }

  /** Records that window k is being fetched. */
  start(k) {
    this.pending.add(k);
  }

  /** Records that window k arrived at wall clock `nowMs`. */
  done(k, nowMs) {
    this.pending.delete(k);
    this.failed.delete(k);
    this.loaded.set(k, nowMs);
  }

  /** Records that fetching window k failed at wall clock `nowMs`. */
  fail(k, nowMs) {
    this.pending.delete(k);
    this.failed.set(k, nowMs);
  }

  /** After a seek: forgets in-flight fetches and returns their indices so they can be aborted. */
  seek() {
    const cancelled = [...this.pending];
    this.pending.clear();
    this.failed.clear();
    return cancelled;
  }

  /** Whether window k is loaded and fresh at wall clock `nowMs`. */
  isLoaded(k, nowMs) {
    const at = this.loaded.get(k);
    return at !== undefined && nowMs - at < this.maxAge;
  }

  #wanted(k, nowMs) {
    if (this.pending.has(k) || this.isLoaded(k, nowMs)) return false;
    const failedAt = this.failed.get(k);
    return failedAt === undefined || nowMs - failedAt >= this.retryAfter;
  }

  #lastStart() {
    if (!Number.isFinite(this.duration)) return Infinity;
    // The last window starts before the end, even when duration is a multiple of size.
    return Math.max(0, this.duration - 1e-3);
  }
}
