// Duplicate merging: identical comments sent within a few seconds of each
// other collapse into one on screen with a ×N badge. Pure logic, no DOM.

import { normalizeText } from './util.js';

/** Merges a time-sorted batch: returns [{comment, count, ids}] keeping the first of each run. */
export function mergeDuplicates(comments, windowSec = 3) {
  const merger = createMerger({ windowSec });
  const out = [];
  for (const c of comments) {
    const r = merger.offer(c);
    if (r.merged) {
      r.group.count = r.count;
    } else {
      out.push(r.group);
    }
  }
  return out;
}

/** Creates a streaming duplicate merger. */
export function createMerger(opts) {
  return new Merger(opts);
}

/**
 * Streaming merger fed with due comments in time order. A comment whose
 * normalized text equals that of a group started less than `windowSec`
 * video seconds earlier joins that group instead of being shown.
 */
class Merger {
  /** windowSec: how far apart (video seconds) duplicates may be. */
  constructor({ windowSec = 3 } = {}) {
    this.windowSec = windowSec;
    this.groups = new Map(); // normalized text -> group
    this.absorbed = new Map(); // id of a counted-ahead duplicate -> its group
  }

  /**
   * Offers a comment. Returns {merged:false, group} for a new group (show it)
   * or {merged:true, group, count} when it joined an existing one (bump the
   * badge of group.comment to count). Own comments always start a group.
   */
  offer(comment, { own = false } = {}) {
    const absorbedBy = this.absorbed.get(comment.id);
    if (absorbedBy) {
      this.absorbed.delete(comment.id);
      return { merged: true, absorbed: true, group: absorbedBy, count: absorbedBy.count };
    }
    const key = normalizeText(comment.text);
    const t = comment.time;
    this.#prune(t);
    const g = this.groups.get(key);
    if (g && g.ids.includes(comment.id)) return { merged: true, absorbed: true, group: g, count: g.count };
    if (!own && key !== '' && g && t - g.start < this.windowSec && t >= g.start) {
      g.count++;
      g.ids.push(comment.id);
      return { merged: true, group: g, count: g.count };
    }
    const group = { key, start: t, comment, count: 1, ids: [comment.id] };
    if (key !== '') this.groups.set(key, group);
    return { merged: false, group };
  }

  /**
   * Counts a not-yet-due duplicate of `group` in advance (look-ahead), so the
   * badge is right when the group is first shown. When `comment` itself
   * becomes due, offer() reports it as merged without counting it again.
   * Returns false when it does not belong to the group.
   */
  absorb(group, comment) {
    if (comment.id === group.comment.id || this.absorbed.has(comment.id)) return false;
    if (normalizeText(comment.text) !== group.key || group.key === '') return false;
    if (!(comment.time >= group.start && comment.time - group.start < this.windowSec)) return false;
    this.absorbed.set(comment.id, group);
    group.count++;
    group.ids.push(comment.id);
    return true;
  }

  /** Forgets all groups (after a seek). */
  reset() {
    this.groups.clear();
    this.absorbed.clear();
  }

  #prune(t) {
    if (this.groups.size < 256) return;
    for (const [k, g] of this.groups) {
      if (t - g.start >= this.windowSec || t < g.start) this.groups.delete(k);
    }
  }
}
