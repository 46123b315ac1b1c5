// The side list of comments (DOM): time, text, author, likes and a menu
// button, in time order. It is the accessible view of the comments (the
// overlay is hidden from screen readers). Clicking an entry emits "seek"
// with its time (the page moves the video there); its ♥ emits "like" with
// its id; its ⋯ emits "menu" ({id, comment, own, el}).
//
// Cheap with thousands of comments: only the rows in view (and a few
// around them) are in the DOM, all of one height, and every change is
// drawn once per animation frame. The pure ordering helpers are exported
// for unit tests.
//
// DOM hooks: the container gets class "dm-list" and data-count (entries
// shown); inside, <ol class="dm-list-items"> of <li class="dm-entry
// [dm-entry-own] [dm-entry-liked] [dm-entry-current]" data-id data-time
// data-likes> with .dm-entry-time, .dm-entry-text, .dm-entry-user (all set
// as text, never HTML), button.dm-entry-like > .dm-entry-likes and
// button.dm-entry-menu.

import { Emitter } from './emitter.js';
import { displayText, formatTime } from './util.js';

/** Most entries kept; past it the ones farthest from the playhead go. */
export const MAX_ENTRIES = 2000;

/** Height of one row in px (danmaku.css sizes .dm-entry with --dm-row). */
export const ROW_HEIGHT = 32;

/** Rows drawn above and below the visible ones. */
const OVERSCAN = 6;

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

/** The rows [first, last) to draw for a list of `total` rows scrolled to `top` in a box `height` px high. */
export function visibleRange(total, top, height, row = ROW_HEIGHT, overscan = OVERSCAN) {
  const first = Math.max(0, Math.floor(top / row) - overscan);
  const last = Math.min(total, Math.ceil((top + Math.max(height, row)) / row) + overscan);
  return [Math.min(first, last), last];
}

/** Sets an attribute only when its value changes (an unchanged write still costs). */
function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/** Creates a list in `container`; see CommentList. */
export function createCommentList(container, opts) {
  return new CommentList(container, opts);
}

/** The comment list of a room or a replay. Events: "seek" (time), "like" (id), "menu" ({id, comment, own, el}). */
class CommentList extends Emitter {
  /**
   * keyOf(c): the number entries are ordered by (default: video time);
   * label(key): the time column's text (default m:ss); seekable: whether
   * clicking an entry emits "seek"; max: most entries kept; raf: the
   * frame scheduler (injectable); liked(id): whether the viewer liked a
   * comment, asked as its entry is added (the server may say so before the
   * comment is listed, as after a reload).
   */
  constructor(container, {
    keyOf = (c) => c.time, label = formatTime, seekable = true, max = MAX_ENTRIES,
    raf = globalThis.requestAnimationFrame?.bind(globalThis) ?? ((fn) => setTimeout(fn, 16)),
    liked = () => false,
  } = {}) {
    super();
    this.doc = container.ownerDocument;
    this.keyOf = keyOf;
    this.liked = liked;
    this.label = label;
    this.seekable = seekable;
    this.max = max;
    this.raf = raf;
    this.entries = []; // sorted by compareEntries
    this.shown = []; // the entries the filter lets through, in order (kept as entries come and go)
    this.byId = new Map();
    this.current = null;
    this.focusKey = null;
    this.hovered = false;
    this.filter = () => true;
    this.box = container;
    this.queued = false;
    this.scrollTo = null; // 'end', or a row index to centre, applied at the next draw
    this.spacer = this.doc.createElement('div');
    this.spacer.className = 'dm-list-spacer';
    this.ol = this.doc.createElement('ol');
    this.ol.className = 'dm-list-items';
    this.ol.setAttribute('aria-label', 'Comments');
    this.spacer.append(this.ol);
    container.classList.add('dm-list');
    container.commentList = this; // for scripts and tests: the rows in the DOM are only those in view
    container.style.setProperty('--dm-row', `${ROW_HEIGHT}px`);
    container.replaceChildren(this.spacer);
    container.classList.toggle('dm-list-seekable', seekable);
    this.ol.addEventListener('click', (e) => this.#click(e));
    this.ol.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target.classList?.contains('dm-entry')) this.#click(e);
    });
    container.addEventListener('pointerenter', () => (this.hovered = true));
    container.addEventListener('pointerleave', () => (this.hovered = false));
    this.top = 0; // the box's scrollTop, as its scroll events tell it
    this.view = 600; // the box's height, as its ResizeObserver tells it
    this.drawnTotal = -1;
    this.drawnFirst = -1;
    container.addEventListener('scroll', () => {
      this.top = container.scrollTop;
      this.#queue();
    }, { passive: true });
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(([e]) => {
        this.view = e.contentRect.height;
        this.#queue();
      }).observe(container);
    }
    this.#queue();
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
      const entry = { id: c.id, seq: c.seq, key, c, own, liked: !!this.liked(c.id), el: null, visible: this.filter(c, { own }) };
      this.entries.splice(insertionIndex(this.entries, entry), 0, entry);
      if (entry.visible) this.shown.splice(insertionIndex(this.shown, entry), 0, entry);
      this.byId.set(String(c.id), entry);
      added++;
    }
    if (added > 0) {
      this.#trim();
      this.#queue();
    }
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
    this.byId.set(String(c.id), e);
    if (e.el) this.#fill(e);
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
      if (e.visible) this.shown.splice(this.shown.indexOf(e), 1);
      if (this.current === e) this.current = null;
      n++;
    }
    if (n > 0) this.#queue();
    return n;
  }

  /** Shows a new like count on an entry. */
  setLikes(id, likes) {
    const e = this.byId.get(String(id));
    if (!e || !Number.isFinite(likes)) return;
    e.c.likes = likes;
    if (e.el) this.#fill(e);
  }

  /** Marks an entry as liked by the viewer, or not. */
  setLiked(id, on = true) {
    const e = this.byId.get(String(id));
    if (!e) return;
    e.liked = on;
    if (e.el) this.#fill(e);
  }

  /** Marks an entry as liked by the viewer. */
  markLiked(id) {
    this.setLiked(id, true);
  }

  /** Shows only the entries for which pred(comment, {own}) holds (the viewer's blocked words). */
  setFilter(pred) {
    this.filter = pred;
    for (const e of this.entries) e.visible = pred(e.c, { own: e.own });
    this.shown = this.entries.filter((e) => e.visible);
    this.#queue();
  }

  /** Highlights the entry at key t (the playhead) and keeps it in view unless the pointer is on the list. */
  focus(t) {
    this.focusKey = t;
    const e = this.entries[entryAt(this.entries, t)] ?? null;
    if (e === this.current) return;
    this.current?.el?.classList.remove('dm-entry-current');
    this.current = e;
    if (!e) return;
    e.el?.classList.add('dm-entry-current');
    if (!this.hovered) this.scrollTo = e;
    this.#queue();
  }

  /** Keeps the newest entry in view (for live lists that grow at the end). */
  follow() {
    if (this.hovered) return;
    this.scrollTo = 'end';
    this.#queue();
  }

  /** Brings the entry of comment id into view and returns its row, once drawn (tests, keyboard). */
  reveal(id) {
    const e = this.byId.get(String(id));
    if (!e?.visible) return null;
    this.scrollTo = e;
    this.reveals = e;
    this.#draw();
    this.reveals = null;
    return e.el;
  }

  /** Removes every entry. */
  clear() {
    this.entries = [];
    this.shown = [];
    this.byId.clear();
    this.current = null;
    this.#queue();
  }

  /** Draws what changed now instead of at the next frame. */
  flush() {
    this.#draw();
  }

  #queue() {
    if (this.queued) return;
    this.queued = true;
    this.raf(() => {
      this.queued = false;
      this.#draw();
    });
  }

  // Draws the rows in view: the spacer is as tall as every row, the list
  // holds only those around the scroll position.
  // It reads the box's size and scroll position only from their own
  // events, and writes only what changed, so that drawing forces no layout.
  #draw() {
    // The browser may have clamped the last scroll we asked for, without a
    // scroll event when nothing moved: read where it stands, a frame later.
    if (this.scrolled) {
      this.scrolled = false;
      this.top = this.box.scrollTop;
    }
    const total = this.shown.length;
    if (total !== this.drawnTotal) {
      this.drawnTotal = total;
      this.spacer.style.height = `${total * ROW_HEIGHT}px`;
      this.box.dataset.count = String(total);
    }
    const view = this.view;
    if (this.scrollTo === 'end') {
      this.#scroll(Math.max(0, total * ROW_HEIGHT - view));
    } else if (this.scrollTo) {
      // Centre the row, unless it is in view already: a list following
      // the playhead then scrolls now and then, not at every comment.
      const y = this.shown.indexOf(this.scrollTo) * ROW_HEIGHT;
      const inView = y >= this.top && y + ROW_HEIGHT <= this.top + view;
      if (y >= 0 && (!inView || this.scrollTo === this.reveals)) this.#scroll(Math.max(0, y - (view - ROW_HEIGHT) / 2));
    }
    this.scrollTo = null;
    const [first, last] = visibleRange(total, this.top, view);
    const rows = [];
    for (let i = first; i < last; i++) {
      const e = this.shown[i];
      if (!e.el) e.el = this.#element(e);
      setAttr(e.el, 'aria-posinset', String(i + 1));
      setAttr(e.el, 'aria-setsize', String(total));
      rows.push(e.el);
    }
    if (first !== this.drawnFirst) {
      this.drawnFirst = first;
      this.ol.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    }
    this.#place(rows);
  }

  // Makes the list's children `rows`, in order, moving as few as it can:
  // as comments come, the rows in view shift by one or two, and only
  // those change in the DOM.
  #place(rows) {
    const keep = new Set(rows);
    for (const el of [...this.ol.children]) if (!keep.has(el)) el.remove();
    let at = this.ol.firstElementChild;
    for (const el of rows) {
      if (el === at) at = at.nextElementSibling;
      else this.ol.insertBefore(el, at);
    }
  }

  // Scrolls the box to top, unless it is there (a write, never a read).
  #scroll(top) {
    const most = Math.max(0, this.drawnTotal * ROW_HEIGHT - this.view);
    top = Math.min(top, most);
    if (Math.abs(top - this.top) < 1) return;
    this.top = top;
    this.box.scrollTop = top;
    this.scrolled = true;
    this.#queue();
  }

  #element(entry) {
    const li = this.doc.createElement('li');
    li.className = 'dm-entry';
    if (entry.own) li.classList.add('dm-entry-own');
    if (this.seekable) li.tabIndex = 0;
    const time = this.#span('dm-entry-time', '');
    const text = this.#span('dm-entry-text', '');
    const user = this.#span('dm-entry-user', '');
    const like = this.doc.createElement('button');
    like.type = 'button';
    like.className = 'dm-entry-like';
    like.append(this.#span('dm-entry-likes', ''));
    const menu = this.doc.createElement('button');
    menu.type = 'button';
    menu.className = 'dm-entry-menu';
    menu.textContent = '⋯';
    menu.setAttribute('aria-haspopup', 'menu');
    li.append(time, text, user, like, menu);
    entry.el = li;
    this.#fill(entry);
    return li;
  }

  // Writes an entry's current state into its row.
  #fill(e) {
    const { c } = e;
    const li = e.el;
    const text = displayText(c.text);
    setAttr(li, 'data-id', String(c.id));
    setAttr(li, 'data-time', String(e.key));
    li.classList.toggle('dm-entry-liked', e.liked);
    li.classList.toggle('dm-entry-current', this.current === e);
    const [time, textEl, user, like, menu] = li.children;
    time.textContent = this.label(e.key);
    textEl.textContent = text;
    textEl.title = text;
    user.textContent = c.user?.name ?? '';
    const pending = e.own && typeof c.id === 'string'; // still waiting for its server id
    like.disabled = pending;
    menu.disabled = pending;
    like.title = e.liked ? 'Take back your like' : 'Like';
    like.setAttribute('aria-label', `${e.liked ? 'Unlike' : 'Like'} “${text}”`);
    like.setAttribute('aria-pressed', String(e.liked));
    menu.title = 'More';
    menu.setAttribute('aria-label', `More for “${text}”`);
    if (Number.isFinite(c.likes)) {
      like.firstChild.textContent = c.likes > 0 ? String(c.likes) : '';
      li.dataset.likes = String(c.likes);
    }
  }

  #span(className, text) {
    const s = this.doc.createElement('span');
    s.className = className;
    s.textContent = text;
    return s;
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
    const menu = ev.target.closest('.dm-entry-menu');
    if (menu) {
      this.emit('menu', { id: e.id, comment: e.c, own: e.own, el: menu, keyboard: ev.detail === 0 });
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
