// The side list of comments (DOM): time, text, author and likes, in time
// order. Clicking an entry emits "seek" with its time (the page moves the
// video there); its ♥ button emits "like" with its id. The pure ordering
// helpers are exported for unit tests.
//
// DOM hooks: <ol class="dm-list-items"> of <li class="dm-entry [dm-entry-own]
// [dm-entry-liked] [dm-entry-current]" data-id data-time> with children
// .dm-entry-time, .dm-entry-text, .dm-entry-user (all set as text, never
// HTML) and button.dm-entry-like > .dm-entry-likes.

import { Emitter } from './emitter.js';
import { displayText, formatTime } from './util.js';

/** Most entries kept; past it the ones farthest from the playhead go. */
export const MAX_ENTRIES = 2000;

/** Orders entries by key, then seq, then id, so equal times keep send order. */
export function compareEntries(a, b) {
  return a.key - b.key || (a.seq ?? Infinity) - (b.seq ?? Infinity) || String(a.id).localeCompare(String(b.id));
}

/** Index at which `entry` goes into `sorted` (ordered by compareEntries), after its equals. */
export function insertionIndex(sorted, entry) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareEntries(sorted[mid], entry) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last entry with key <= t, or -1. */
export function entryAt(sorted, t) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid].key <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Creates a list in `container`; see CommentList. */
export function createCommentList(container, opts) {
  return new CommentList(container, opts);
}

/** The comment list of a room or a replay. Events: "seek" (time), "like" (id). */
class CommentList extends Emitter {
  /**
   * keyOf(c): the number entries are ordered by (default: video time);
   * label(key): the time column's text (default m:ss); seekable: whether
   * clicking an entry emits "seek"; max: most entries kept.
   */
  constructor(container, { keyOf = (c) => c.time, label = formatTime, seekable = true, max = MAX_ENTRIES } = {}) {
    super();
    this.doc = container.ownerDocument;
    this.keyOf = keyOf;
    this.label = label;
    this.seekable = seekable;
    this.max = max;
    this.entries = []; // sorted by compareEntries
    this.byId = new Map();
    this.current = null;
    this.focusKey = null;
    this.hovered = false;
    this.filter = () => true;
    this.box = container;
    this.ol = this.doc.createElement('ol');
    this.ol.className = 'dm-list-items';
    container.classList.add('dm-list');
    container.replaceChildren(this.ol);
    container.classList.toggle('dm-list-seekable', seekable);
    this.ol.addEventListener('click', (e) => this.#click(e));
    this.ol.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target.classList?.contains('dm-entry')) this.#click(e);
    });
    container.addEventListener('pointerenter', () => (this.hovered = true));
    container.addEventListener('pointerleave', () => (this.hovered = false));
  }

  /** Number of entries. */
  get size() {
    return this.entries.length;
  }

  /** Whether a comment id is listed. */
  has(id) {
    return this.byId.has(String(id));
  }

  /** Adds comments not listed yet (own: the viewer's); returns how many were added. */
  add(list, { own = false } = {}) {
    let added = 0;
    for (const c of list) {
      if (c == null || c.id == null || this.byId.has(String(c.id))) continue;
      const key = this.keyOf(c);
      if (!Number.isFinite(key)) continue;
      const entry = { id: c.id, seq: c.seq, key, c, own, el: null };
      entry.el = this.#element(entry);
      entry.el.hidden = !this.filter(c, { own });
      const i = insertionIndex(this.entries, entry);
      this.ol.insertBefore(entry.el, this.entries[i]?.el ?? null);
      this.entries.splice(i, 0, entry);
      this.byId.set(String(c.id), entry);
      added++;
    }
    this.#trim();
    return added;
  }

  /** Gives an own entry its server id once acknowledged. */
  rekey(oldId, c) {
    const e = this.byId.get(String(oldId));
    if (!e) return this.add([c], { own: true }) > 0;
    if (this.byId.has(String(c.id))) return this.remove([oldId]) > 0;
    this.byId.delete(String(oldId));
    e.id = c.id;
    e.seq = c.seq;
    e.c = { ...e.c, ...c };
    e.el.dataset.id = String(c.id);
    e.el.querySelector('.dm-entry-like').disabled = false;
    this.#setLikes(e, c.likes);
    this.byId.set(String(c.id), e);
    return true;
  }

  /** Removes entries by id; returns how many went. */
  remove(ids) {
    let n = 0;
    for (const id of ids) {
      const e = this.byId.get(String(id));
      if (!e) continue;
      this.byId.delete(String(id));
      this.entries.splice(this.entries.indexOf(e), 1);
      e.el.remove();
      if (this.current === e) this.current = null;
      n++;
    }
    return n;
  }

  /** Shows a new like count on an entry. */
  setLikes(id, likes) {
    const e = this.byId.get(String(id));
    if (e) this.#setLikes(e, likes);
  }

  /** Marks an entry as liked by the viewer. */
  markLiked(id) {
    this.byId.get(String(id))?.el.classList.add('dm-entry-liked');
  }

  /** Shows only the entries for which pred(comment, {own}) holds (the viewer's blocked words). */
  setFilter(pred) {
    this.filter = pred;
    for (const e of this.entries) e.el.hidden = !pred(e.c, { own: e.own });
  }

  /** Highlights the entry at key t (the playhead) and keeps it in view unless the pointer is on the list. */
  focus(t) {
    this.focusKey = t;
    const e = this.entries[entryAt(this.entries, t)] ?? null;
    if (e === this.current) return;
    this.current?.el.classList.remove('dm-entry-current');
    this.current = e;
    if (!e) return;
    e.el.classList.add('dm-entry-current');
    if (!this.hovered) this.box.scrollTop = Math.max(0, e.el.offsetTop - this.box.clientHeight / 2);
  }

  /** Keeps the newest entry in view (for live lists that grow at the end). */
  follow() {
    if (!this.hovered) this.box.scrollTop = this.box.scrollHeight;
  }

  /** Removes every entry. */
  clear() {
    this.entries = [];
    this.byId.clear();
    this.current = null;
    this.ol.replaceChildren();
  }

  #element(entry) {
    const { c, own } = entry;
    const li = this.doc.createElement('li');
    li.className = 'dm-entry';
    if (own) li.classList.add('dm-entry-own');
    li.dataset.id = String(c.id);
    li.dataset.time = String(entry.key);
    if (this.seekable) li.tabIndex = 0;
    const time = this.#span('dm-entry-time', this.label(entry.key));
    const text = this.#span('dm-entry-text', displayText(c.text));
    text.title = displayText(c.text);
    const user = this.#span('dm-entry-user', c.user?.name ?? '');
    const like = this.doc.createElement('button');
    like.type = 'button';
    like.className = 'dm-entry-like';
    like.title = 'Like';
    like.setAttribute('aria-label', 'Like this comment');
    like.disabled = own && typeof c.id === 'string'; // still waiting for its server id
    like.append(this.#span('dm-entry-likes', ''));
    li.append(time, text, user, like);
    this.#setLikes({ el: li }, c.likes);
    return li;
  }

  #span(className, text) {
    const s = this.doc.createElement('span');
    s.className = className;
    s.textContent = text;
    return s;
  }

  #setLikes(e, likes) {
    if (!Number.isFinite(likes)) return;
    e.el.querySelector('.dm-entry-likes').textContent = likes > 0 ? String(likes) : '';
    e.el.dataset.likes = String(likes);
  }

  #click(ev) {
    const li = ev.target.closest?.('.dm-entry');
    if (!li || !this.ol.contains(li)) return;
    const e = this.byId.get(li.dataset.id);
    if (!e) return;
    if (ev.target.closest('.dm-entry-like')) {
      this.emit('like', e.id);
      return;
    }
    if (this.seekable) this.emit('seek', e.key);
  }

  #trim() {
    while (this.entries.length > this.max) {
      const first = this.entries[0];
      const last = this.entries[this.entries.length - 1];
      const f = this.focusKey;
      const dropFirst = f == null || Math.abs(f - first.key) >= Math.abs(last.key - f);
      this.remove([(dropFirst ? first : last).id]);
    }
  }
}
