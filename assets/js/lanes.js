// Lane allocation for the danmaku overlay. Pure logic, no DOM.
//
// Every comment on screen is a horizontal segment [left, left + width] that
// moves linearly with video time inside one or more fixed-height lanes:
//   scroll:     enters at the right edge and leaves at the left edge in
//               `duration` seconds, so wider comments move faster (Bilibili);
//   top/bottom: centred and still for `duration` seconds.
// Two comments sharing a lane never overlap: a candidate is accepted only if,
// for every comment already in the lanes it would use, one of the two stays
// entirely on one side of the other (plus a gap) for their whole common
// lifetime. For two scrolling comments this is the classic Bilibili rule: the
// older one has fully entered the screen and the newer one cannot catch it up
// before it leaves.

/** Modes a comment can be displayed in. */
export const MODES = Object.freeze(['scroll', 'top', 'bottom']);

/** Builds the straight-line trajectory of a comment placed at `start`. */
export function trajectory({ mode, width, duration }, start, stageWidth) {
  if (mode === 'scroll') {
    return {
      start,
      end: start + duration,
      x0: stageWidth,
      vx: -(stageWidth + width) / duration,
      width,
    };
  }
  return { start, end: start + duration, x0: (stageWidth - width) / 2, vx: 0, width };
}

// Left edge of a trajectory at time t.
function leftAt(tr, t) {
  return tr.x0 + tr.vx * (t - tr.start);
}

/**
 * Reports whether two trajectories ever come closer than `gap` pixels at or
 * after time `since` (what is already on screen only matters from now on).
 */
export function collides(a, b, gap = 0, since = -Infinity) {
  const from = Math.max(a.start, b.start, since);
  const to = Math.min(a.end, b.end);
  if (to <= from) return false;
  // Edges are linear in time, so "a stays left of b" holds on the whole
  // interval iff it holds at both ends; likewise for "b stays left of a".
  const aLeftOfB = (t) => leftAt(a, t) + a.width + gap <= leftAt(b, t) + 1e-6;
  const bLeftOfA = (t) => leftAt(b, t) + b.width + gap <= leftAt(a, t) + 1e-6;
  if (aLeftOfB(from) && aLeftOfB(to)) return false;
  if (bLeftOfA(from) && bLeftOfA(to)) return false;
  return true;
}

/** Number of lanes that fit in the display area (fraction of the stage height). */
export function laneCount(stageHeight, laneHeight, area = 1) {
  if (!(laneHeight > 0) || !(stageHeight > 0)) return 0;
  const usable = stageHeight * Math.min(1, Math.max(0, area));
  return Math.max(1, Math.floor(usable / laneHeight));
}

/** Number of lanes a comment of the given pixel height spans. */
export function lanesFor(height, laneHeight) {
  return Math.max(1, Math.ceil(height / laneHeight - 1e-6));
}

/**
 * Creates a lane allocator for a stage of `width` x `height` pixels.
 * `laneHeight` is the height of one lane, `reserve` the pixels kept free at
 * the bottom (the subtitle strip), `area` the fraction of the rest that
 * comments of every mode may use (bottom comments stack up from the bottom
 * of that area), `gap` the minimum horizontal distance in pixels between
 * two comments of one lane.
 */
export function createLaneAllocator(opts) {
  return new LaneAllocator(opts);
}

/** Tracks which comments occupy which lanes and finds room for new ones. */
class LaneAllocator {
  /** See createLaneAllocator. */
  constructor(geometry) {
    this.items = new Map(); // id -> entry
    this.lanes = []; // lane index -> Set of ids
    this.#setGeometry(geometry);
  }

  /** Forgets every comment (after a seek). */
  clear() {
    this.items.clear();
    for (const s of this.lanes) s.clear();
  }

  /** Forgets one comment, freeing its lanes. */
  remove(id) {
    const e = this.items.get(id);
    if (!e) return false;
    this.items.delete(id);
    for (let i = e.lane; i < e.lane + e.span; i++) this.lanes[i]?.delete(id);
    return true;
  }

  /** Gives a recorded comment another id (an own comment acknowledged), keeping its lanes. */
  rename(from, to) {
    const e = this.items.get(from);
    if (!e) return false;
    this.remove(from);
    this.#insert({ ...e, id: to });
    return true;
  }

  /** The entry {id, lane, span, rank, y, tr} recorded for a comment, if any. */
  get(id) {
    return this.items.get(id);
  }

  /** Drops entries whose lifetime ended before `now`. */
  prune(now) {
    for (const e of [...this.items.values()]) {
      if (e.tr.end <= now) this.remove(e.id);
    }
  }

  /**
   * Finds lanes for `item` ({id, mode, width, height, duration}) starting at
   * video time `now`. Returns {lane, span, y, tr} and records it, or null when
   * every usable lane is busy. With `force` it never fails: it takes the lane
   * that frees up first (used for the viewer's own comment); with `evict`
   * too, it takes the lane with the fewest comments in its way and moves
   * them out, so that nothing overlaps: their ids come back as `evicted`.
   */
  place(item, now, { force = false, start = now, evict = false } = {}) {
    this.prune(now);
    if (force && evict) {
      const e = this.#put(item, now, start, {});
      return e ?? this.#evictFor(item, now, start);
    }
    return this.#put(item, now, start, { force });
  }

  /**
   * Re-places comments already on screen at video time `now` after their
   * sizes or the stage geometry changed: trajectories depend on both, so
   * lanes that were free may no longer be. `items` are {id, mode, width,
   * height, duration, start, own} with their new sizes, each keeping its
   * `start` (its progress across the screen). With `geometry`
   * ({width, height, laneHeight, area, gap}, any subset) the stage changed and
   * every recorded comment not in `items` is forgotten; without it the others
   * stay where they are. Own comments go first, then the oldest: each keeps
   * its lane (counted from the top, or from the bottom for bottom comments)
   * when it still fits, else takes the first lane where it fits. Returns the
   * items for which no lane fits, not recorded (own comments only when the
   * stage has no lane: they are forced as in place). Ended ones are
   * returned too.
   */
  reflow(items, now, geometry) {
    const rank = new Map(items.map((it) => [it.id, this.items.get(it.id)?.rank]));
    if (geometry) {
      this.clear();
      this.#setGeometry(geometry);
    } else {
      for (const it of items) this.remove(it.id);
    }
    this.prune(now);
    const unplaced = items.filter((it) => it.start + it.duration <= now);
    const live = items.filter((it) => it.start + it.duration > now).sort((a, b) => a.start - b.start);
    for (const own of [true, false]) {
      const moving = [];
      // Everyone who can stay goes first, so a moved comment never takes
      // the lane of one that could have stayed.
      for (const it of live) {
        if (Boolean(it.own) !== own) continue;
        const r = rank.get(it.id);
        if (r == null || !this.#put(it, now, it.start, { rank: r })) moving.push(it);
      }
      for (const it of moving) if (!this.#put(it, now, it.start, { force: own })) unplaced.push(it);
    }
    return unplaced;
  }

  /** Pixel y of the top of a lane. */
  laneY(lane) {
    return lane * this.laneHeight;
  }

  /** Number of comments currently recorded. */
  get size() {
    return this.items.size;
  }

  #setGeometry({
    width = this.width, height = this.height, laneHeight = this.laneHeight, area = this.area ?? 1, gap = this.gap ?? 16,
    reserve = this.reserve ?? 0,
  }) {
    this.width = width;
    this.height = height;
    this.laneHeight = laneHeight;
    this.area = area;
    this.gap = gap;
    this.reserve = Math.max(0, Math.min(reserve, height - laneHeight));
    const room = height - this.reserve;
    this.total = laneCount(room, laneHeight, 1);
    this.usable = Math.min(this.total, laneCount(room, laneHeight, area));
    this.lanes = Array.from({ length: this.total }, () => new Set());
  }

  // Records item in the lane where the fewest comments are in its way,
  // moving those out (they are forgotten and returned as `evicted`).
  #evictFor(item, now, start) {
    const span = Math.min(lanesFor(item.height, this.laneHeight), Math.max(1, this.usable));
    const tr = trajectory(item, start, this.width);
    const order = this.#laneOrder(item.mode, span);
    if (order.length === 0) return null;
    let best = null;
    for (const [r, lane] of order.entries()) {
      const hit = this.#colliders(lane, span, tr, now);
      if (best === null || hit.length < best.hit.length) best = { r, lane, hit };
    }
    for (const id of best.hit) this.remove(id);
    const e = this.#record(item, best.lane, best.r, span, tr);
    return { ...e, evicted: best.hit };
  }

  #colliders(lane, span, tr, now) {
    const out = new Set();
    for (let i = lane; i < lane + span; i++) {
      for (const id of this.lanes[i]) if (collides(this.items.get(id).tr, tr, this.gap, now)) out.add(id);
    }
    return [...out];
  }

  // Records item in the first lane of its mode's order (only the one at
  // `rank` when given) where its trajectory from `start` fits from `now` on.
  #put(item, now, start, { force = false, rank = null }) {
    const span = Math.min(lanesFor(item.height, this.laneHeight), Math.max(1, this.usable));
    const tr = trajectory(item, start, this.width);
    const order = this.#laneOrder(item.mode, span);
    const candidates = rank == null ? order.keys() : [rank].filter((r) => r < order.length);
    for (const r of candidates) {
      if (this.#fits(order[r], span, tr, now)) return this.#record(item, order[r], r, span, tr);
    }
    if (!force || order.length === 0) return null;
    let best = 0;
    let bestFree = Infinity;
    for (const [r, lane] of order.entries()) {
      const free = this.#freeAt(lane, span);
      if (free < bestFree) {
        bestFree = free;
        best = r;
      }
    }
    return this.#record(item, order[best], best, span, tr);
  }

  #laneOrder(mode, span) {
    const n = this.usable - span + 1;
    if (n <= 0) return [];
    const out = [];
    if (mode === 'bottom') {
      // Bottom comments stack upwards from the bottom of the display area
      // (above the subtitle strip).
      const lowest = this.usable - span;
      for (let i = 0; i < n; i++) out.push(lowest - i);
    } else {
      for (let i = 0; i < n; i++) out.push(i);
    }
    return out;
  }

  #fits(lane, span, tr, now) {
    for (let i = lane; i < lane + span; i++) {
      for (const id of this.lanes[i]) {
        if (collides(this.items.get(id).tr, tr, this.gap, now)) return false;
      }
    }
    return true;
  }

  #freeAt(lane, span) {
    let t = -Infinity;
    for (let i = lane; i < lane + span; i++) {
      for (const id of this.lanes[i]) t = Math.max(t, this.items.get(id).tr.end);
    }
    return t;
  }

  // rank: the lane's position in its mode's order, which reflow keeps.
  #record(item, lane, rank, span, tr) {
    this.remove(item.id);
    const e = { id: item.id, lane, rank, span, tr, y: this.laneY(lane) };
    this.#insert(e);
    return e;
  }

  #insert(e) {
    this.items.set(e.id, e);
    for (let i = e.lane; i < e.lane + e.span; i++) this.lanes[i].add(e.id);
  }
}
