// Comments of a live room on the replay timeline. Pure logic: the REST call
// is injected.
//
// A live room's comments are replayed by when they were stored: each gets
// `time` = seconds from the replay's origin to its created_at, and keeps its
// video time as `video_time`. They are fetched page by page in seq order
// (GET /api/rooms/:id/comments?after_seq=), the order they were stored in,
// so the pages reached so far cover the replay up to the newest one's time.
// commentsWindow(room, from, to) answers like the REST API does for video
// time, and segment(room, n) like its segments, so DanmakuPlayer loads a
// replay segment by segment, as it loads a VOD.

import { createTimeline } from './timeline.js';
import { SEGMENT_SECONDS } from './windows.js';
import { createdMs } from './util.js';

/** A comment placed on the replay timeline of `originMs` (NaN time when created_at is missing). */
export function toReplay(c, originMs) {
  return { ...c, video_time: c.time, time: (createdMs(c) - originMs) / 1000 };
}

/** Creates a source; see ReplaySource. */
export function createReplaySource(opts) {
  return new ReplaySource(opts);
}

/** Fetches a live room's comments in seq order as the replay needs them. */
class ReplaySource {
  /**
   * fetchAfter(afterSeq, limit) → Promise of comments with seq > afterSeq
   * in seq order; originMs: Unix ms of replay time 0; pageSize: comments per
   * request (a shorter page means the end was reached).
   */
  constructor({ fetchAfter, originMs, pageSize = 1000, segmentSeconds = SEGMENT_SECONDS }) {
    this.fetchAfter = fetchAfter;
    this.segmentSeconds = segmentSeconds;
    this.originMs = originMs;
    this.pageSize = pageSize;
    this.timeline = createTimeline();
    this.afterSeq = 0;
    this.frontier = -Infinity; // replay time covered so far
    this.done = false;
    this.page = null; // the page request in flight, shared by every caller
  }

  /**
   * Comments with from <= time < to, fetching pages until they cover `to`.
   * An aborted `signal` stops the wait (the page in flight still lands, for
   * whoever asks next).
   */
  async commentsWindow(_room, from, to, { signal } = {}) {
    while (!this.done && this.frontier < to) {
      if (signal?.aborted) throw abortError();
      await this.#nextPage();
    }
    if (signal?.aborted) throw abortError();
    return this.timeline.between(from, to);
  }

  /** Segment n of the replay timeline: seconds [n×segmentSeconds, (n+1)×segmentSeconds). */
  segment(room, n, opts) {
    return this.commentsWindow(room, n * this.segmentSeconds, (n + 1) * this.segmentSeconds, opts);
  }

  #nextPage() {
    if (!this.page) {
      this.page = this.#fetchPage().finally(() => {
        this.page = null;
      });
    }
    return this.page;
  }

  async #fetchPage() {
    const list = await this.fetchAfter(this.afterSeq, this.pageSize);
    const items = Array.isArray(list) ? list : [];
    const before = this.afterSeq;
    for (const c of items) {
      if (c.seq > this.afterSeq) this.afterSeq = c.seq;
      const r = toReplay(c, this.originMs);
      if (Number.isFinite(r.time)) this.frontier = Math.max(this.frontier, r.time);
      this.timeline.insert([r]);
    }
    // A short page is the end; a page that does not move on would loop forever.
    if (items.length < this.pageSize || this.afterSeq === before) this.done = true;
  }
}

function abortError() {
  const e = new Error('aborted');
  e.name = 'AbortError';
  return e;
}
