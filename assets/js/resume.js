// Resume bookkeeping for the live connection: the last seq seen per room (to
// reconnect with ?since=), de-duplication so a comment delivered twice
// (resume overlap, REST window plus live push) is shown once, and matching
// of the server's echo of the viewer's own pending comments. Pure logic.

import { normalizeText } from './util.js';

/** Creates a resume tracker remembering up to `maxIds` comment ids. */
export function createResumeTracker(opts) {
  return new ResumeTracker(opts);
}

/** Remembers what was seen so nothing is shown twice. */
class ResumeTracker {
  /** maxIds bounds the memory of seen ids (oldest forgotten first). */
  constructor({ maxIds = 20000 } = {}) {
    this.maxIds = maxIds;
    this.seq = new Map(); // room -> last seq
    this.ids = new Set();
  }

  /** Last seq seen in `room`, or undefined before anything was seen. */
  lastSeq(room) {
    return this.seq.get(room);
  }

  /**
   * Notes a welcome's last_seq. It only sets the resume point on the first
   * join: on a resumed join the missed comments follow the welcome, and the
   * point must advance with them, not jump ahead (a drop mid-catch-up would
   * otherwise lose them).
   */
  welcome(room, lastSeq) {
    if (Number.isFinite(lastSeq) && !this.seq.has(room)) this.seq.set(room, lastSeq);
  }

  /**
   * Whether the comment was already seen, by id. Not by seq: two comments
   * may share one (a comment only its sender sees carries the seq it would
   * have had, which the room's next comment then takes).
   */
  seen(c) {
    return this.ids.has(c.id);
  }

  /** Forgets retracted comments: a moderator may restore them (undoing a purge), and then they are new again. */
  forget(ids) {
    for (const id of ids ?? []) this.ids.delete(id);
  }

  /** Records a comment; true if it is new and should be shown, false if a duplicate. */
  accept(c) {
    if (c == null || c.id == null) return false;
    if (this.seen(c)) return false;
    this.#remember(c);
    return true;
  }

  /** Filters a batch down to the comments not seen before, recording them. */
  acceptAll(list) {
    return list.filter((c) => this.accept(c));
  }

  #remember(c) {
    this.ids.add(c.id);
    if (Number.isFinite(c.seq) && c.room != null && !(this.seq.get(c.room) >= c.seq)) this.seq.set(c.room, c.seq);
    trim(this.ids, this.maxIds);
  }
}

function trim(set, max) {
  if (set.size <= max) return;
  let extra = set.size - max;
  for (const v of set) {
    if (extra-- <= 0) break;
    set.delete(v);
  }
}

/** Creates a tracker of the viewer's comments awaiting their ack. */
export function createOwnTracker() {
  return new OwnTracker();
}

/**
 * Comments the viewer sent that the server has not acknowledged yet. The
 * server's broadcast of such a comment can arrive before its ack (or after a
 * reconnect instead of it); matching it by author and text lets the page
 * treat it as the ack instead of showing the comment a second time.
 */
class OwnTracker {
  constructor() {
    this.pending = new Map(); // ref -> {key, room}
  }

  /** Records a sent comment under its client ref. */
  add(ref, { room, text }) {
    this.pending.set(ref, { room, key: normalizeText(text) });
  }

  /** Forgets a ref (acked, rejected or timed out). */
  delete(ref) {
    return this.pending.delete(ref);
  }

  /** Whether `ref` is still awaiting its ack. */
  has(ref) {
    return this.pending.has(ref);
  }

  /** The ref of the pending comment that `c` echoes (same author and text), or null. */
  matchEcho(c, myUserId) {
    if (myUserId == null || c?.user?.id !== myUserId) return null;
    const key = normalizeText(c.text);
    for (const [ref, p] of this.pending) {
      if (p.key === key && (p.room == null || c.room == null || p.room === c.room)) return ref;
    }
    return null;
  }

  /** Number of pending comments. */
  get size() {
    return this.pending.size;
  }
}
