// The overlay that draws comments over the video (DOM).
//
// Each comment is an absolutely positioned element moved with a Web
// Animations API transform, so the compositor animates it and 100+ comments
// stay smooth. Animation time is video time: the stage pauses, plays and
// changes rate with the video, and re-syncs to the video clock when they
// drift apart (buffering stalls). Lanes come from lanes.js, waiting from
// density.js, sizes from geometry.js.
//
// DOM hooks: the root gets class "dm-stage" and aria-hidden (screen readers
// read the comment list instead); each comment is
// <div class="dm-item dm-<mode> dm-<size> [dm-own] [dm-liked] [dm-held]" data-id
// data-mode data-size [data-count] [data-likes]> with <span class="dm-text"> (the text,
// set with textContent, never parsed as HTML) and, when merged,
// <span class="dm-count">×N</span>.
//
// What is shown: at most `maxOnScreen` comments at once (the viewer's
// cap; their own always), never in the bottom subtitle strip when
// `subtitleSafe`, all modes inside the display area; with reduced motion,
// scrolling comments appear in place without moving.
//
// Events: "select" ({id, comment, own, el}) when a comment is clicked or
// tapped, "hover" and "leave" (same) as the mouse enters or leaves one.

import { Emitter } from './emitter.js';
import { createLaneAllocator } from './lanes.js';
import { createWaitQueue, densityPolicy } from './density.js';
import { defaultSettings } from './settings.js';
import {
  fontPx, badgePx, laneHeightPx, gapPx, durationFor, isDark, badgeText, LINE_HEIGHT, SUBTITLE_STRIP,
} from './geometry.js';
import { safeColor, displayText } from './util.js';

const DRIFT_CHECK_MS = 500;
const MAX_DRIFT_MS = 120;

/** Creates a stage on `root` (an element laid over the video). See DanmakuStage. */
export function createStage(root, opts) {
  return new DanmakuStage(root, opts);
}

/** Draws and animates comments inside a root element. */
class DanmakuStage extends Emitter {
  /**
   * root: the overlay element (sized like the video); clock: () => video
   * seconds; settings: viewer settings (settings.js); fontFamily: CSS
   * font-family used to measure text (defaults to the root's computed one);
   * reducedMotion: scrolling comments appear in place instead.
   */
  constructor(root, { clock, settings = defaultSettings(), fontFamily, reducedMotion = false } = {}) {
    super();
    this.root = root;
    this.reducedMotion = reducedMotion;
    root.setAttribute('aria-hidden', 'true');
    this.doc = root.ownerDocument;
    this.clock = clock || (() => this.doc.timeline.currentTime / 1000);
    this.settings = settings;
    this.items = new Map(); // id -> item
    this.playing = true;
    this.rate = 1;
    this.lastDriftCheck = 0;
    root.classList.add('dm-stage');
    this.fontFamily = fontFamily || this.doc.defaultView.getComputedStyle(root).fontFamily || 'sans-serif';
    this.canvas = this.doc.createElement('canvas').getContext('2d');
    this.queue = createWaitQueue(densityPolicy(settings.density));
    this.alloc = null;
    this.resize();
    this.#applyLook();
    this.onClick = (e) => this.#click(e);
    root.addEventListener('click', this.onClick);
    this.onPointer = (e) => this.#pointer(e);
    root.addEventListener('pointerover', this.onPointer);
    root.addEventListener('pointerout', this.onPointer);
    if (typeof ResizeObserver === 'function') {
      this.observer = new ResizeObserver(() => this.resize());
      this.observer.observe(root);
    }
  }

  /** Number of comments on screen. */
  get count() {
    return this.items.size;
  }

  /** Number of comments waiting for a lane. */
  get waiting() {
    return this.queue.size;
  }

  /** Comments that were due but never shown (no lane, the cap, waited too long), since the start. */
  get hidden() {
    return this.queue.dropped;
  }

  /** Applies new viewer settings (size, speed, area, density, opacity, visibility). */
  setSettings(settings) {
    const prev = this.settings;
    this.settings = settings;
    this.queue.setPolicy(densityPolicy(settings.density));
    this.#applyLook();
    if (prev.fontScale !== settings.fontScale || prev.area !== settings.area || prev.subtitleSafe !== settings.subtitleSafe) this.resize();
  }

  /** Shows scrolling comments in place (prefers-reduced-motion) from the next one on. */
  setReducedMotion(on) {
    this.reducedMotion = !!on;
  }

  /**
   * Shows a comment now (at the video's current time). opts: own (the
   * viewer's: outlined, always placed), count (×N badge). Returns "shown",
   * "queued" (waiting for a lane) or "dropped".
   */
  add(comment, { own = false, count = 1 } = {}) {
    if (comment == null || comment.id == null || this.items.has(comment.id)) return 'dropped';
    const entry = { comment, own, count };
    if (this.#place(entry, own)) return 'shown';
    if (this.queue.push(entry, this.clock())) return 'queued';
    return 'dropped'; // the queue counts it
  }

  /**
   * Holds one comment still where it is (the comment menu is open on it),
   * whatever the video does, until release.
   */
  hold(id) {
    const it = this.#item(id);
    if (!it || it.held) return false;
    it.held = true;
    it.heldAt = this.clock();
    it.anim.pause();
    it.el.classList.add('dm-held');
    return true;
  }

  /**
   * Lets a held comment go on from where it stood: its trip starts later by
   * the time it was held, in its lane if it still fits there, else in
   * another, else it waits for one.
   */
  release(id) {
    const it = this.#item(id);
    if (!it?.held) return;
    it.held = false;
    it.el.classList.remove('dm-held');
    const shift = this.clock() - it.heldAt;
    if (shift > 0) {
      it.start += shift;
      this.#reflow([it]);
    }
    if (this.items.get(it.id) !== it) return;
    it.anim.currentTime = Math.max(0, (this.clock() - it.start) * 1000);
    if (this.playing) it.anim.play();
  }

  /** Call once per frame: places waiting comments and keeps animations in sync with the video. */
  tick(nowMs = performance.now()) {
    const now = this.clock();
    if (this.queue.size > 0) this.queue.drain(now, (e) => this.#place(e, false));
    if (nowMs - this.lastDriftCheck >= DRIFT_CHECK_MS) {
      this.lastDriftCheck = nowMs;
      this.#resync(now);
    }
  }

  /** Updates the ×N badge of a shown comment. */
  setCount(id, count) {
    const it = this.items.get(id);
    if (!it) return;
    it.count = count;
    this.#renderBadge(it);
    it.width = this.#measure(it);
    // A wider comment may now run into its neighbour: it is placed again.
    this.#reflow([it]);
  }

  /** Gives an own comment its server id once acknowledged (data-id changes from the ref). */
  rekey(oldId, comment) {
    const it = this.items.get(oldId);
    if (!it || this.items.has(comment.id)) return false;
    this.items.delete(oldId);
    this.alloc.rename(oldId, comment.id);
    it.comment = { ...it.comment, ...comment };
    it.id = comment.id;
    it.el.dataset.id = String(comment.id);
    this.items.set(it.id, it);
    return true;
  }

  /** Shows a comment's like count (data-likes, drawn by the CSS) when above zero. */
  setLikes(id, likes) {
    const it = this.#item(id);
    if (!it || !Number.isFinite(likes)) return;
    if (likes > 0) it.el.dataset.likes = String(likes);
    else delete it.el.dataset.likes;
  }

  /** Marks a comment as liked by the viewer, or not (class dm-liked). */
  markLiked(id, on = true) {
    this.#item(id)?.el.classList.toggle('dm-liked', on);
  }

  /** The comment on screen with id (as a number or a string), if any. */
  #item(id) {
    return this.items.get(id) ?? this.items.get(Number(id)) ?? this.items.get(String(id));
  }

  /** Whether a comment id is on screen. */
  has(id) {
    return this.items.has(id);
  }

  /** Removes one comment from the screen and from the waiting queue. */
  remove(id) {
    this.queue.removeWhere((e) => e.comment.id === id);
    const it = this.items.get(id);
    if (!it) return false;
    this.#drop(it);
    return true;
  }

  /** Removes every shown or waiting comment for which pred(comment, {own}) is true. */
  removeWhere(pred) {
    this.queue.removeWhere((e) => pred(e.comment, { own: e.own }));
    for (const it of [...this.items.values()]) if (pred(it.comment, { own: it.own })) this.#drop(it);
  }

  /** Removes everything (after a seek). */
  clear() {
    this.queue.clear();
    for (const it of [...this.items.values()]) this.#drop(it);
    this.alloc.clear();
  }

  /**
   * Freezes all comments (video paused or buffering) where the video clock
   * says they are: on a busy page the animations may have run ahead of the
   * video, and a paused picture must not jump back later.
   */
  pause() {
    this.playing = false;
    this.root.classList.add('dm-paused');
    const now = this.clock();
    for (const it of [...this.items.values()]) {
      if (it.held) continue;
      it.anim.pause();
      const t = (now - it.start) * 1000;
      if (t >= it.duration * 1000) this.#drop(it);
      else it.anim.currentTime = Math.max(0, t);
    }
  }

  /** Resumes the comments in sync with the video clock. */
  play() {
    this.playing = true;
    this.root.classList.remove('dm-paused');
    const now = this.clock();
    for (const it of [...this.items.values()]) {
      if (it.held) continue;
      const t = (now - it.start) * 1000;
      // play() on a finished animation would restart it: drop those instead.
      if (t >= it.duration * 1000) {
        this.#drop(it);
        continue;
      }
      it.anim.currentTime = Math.max(0, t);
      it.anim.play();
    }
  }

  /** Follows the video's playbackRate. */
  setRate(rate) {
    this.rate = rate > 0 ? rate : 1;
    for (const it of this.items.values()) it.anim.playbackRate = this.rate;
  }

  /** Re-reads the root's size and reflows every comment (called automatically on resize). */
  resize() {
    const w = this.root.clientWidth;
    const h = this.root.clientHeight;
    const s = this.settings;
    this.width = w;
    this.height = h;
    this.laneHeight = laneHeightPx(h, s.fontScale);
    this.reserve = s.subtitleSafe ? Math.round(h * SUBTITLE_STRIP) : 0;
    const geom = { width: w, height: h, laneHeight: this.laneHeight, area: s.area, gap: gapPx(h, s.fontScale), reserve: this.reserve };
    if (!this.alloc) {
      this.alloc = createLaneAllocator(geom);
      return;
    }
    const list = [...this.items.values()];
    for (const it of list) {
      this.#style(it);
      it.width = this.#measure(it);
      it.height = this.#lineHeight(it);
    }
    this.#reflow(list, geom);
  }

  /** Stops observing and removes all comments and listeners. */
  destroy() {
    this.clear();
    this.observer?.disconnect();
    this.root.removeEventListener('click', this.onClick);
    this.root.removeEventListener('pointerover', this.onPointer);
    this.root.removeEventListener('pointerout', this.onPointer);
  }

  // --- internals ---

  #applyLook() {
    const s = this.settings;
    this.root.style.opacity = String(s.opacity);
    this.root.classList.toggle('dm-hidden', !s.visible);
  }

  // Places shown comments again after their size or the stage changed
  // (lanes.js reflow): each keeps its lane when it still fits, else moves.
  // One that fits nowhere leaves the screen and waits like a new comment
  // (entry.start keeps its place in its trip), or is dropped, as the
  // density setting says.
  #reflow(list, geometry) {
    const now = this.clock();
    for (const a of this.alloc.reflow(list.map((it) => this.#allocItem(it)), now, geometry)) {
      const it = this.items.get(a.id);
      this.#drop(it);
      this.queue.push({ comment: it.comment, own: it.own, count: it.count, start: it.start }, now);
    }
    for (const it of list) {
      if (this.items.get(it.id) !== it) continue;
      it.lane = this.alloc.get(it.id).lane;
      this.#animate(it);
    }
  }

  #place(entry, force) {
    const now = this.clock();
    const { comment, own, count } = entry;
    // The viewer's cap counts everything on screen but their own comments.
    const cap = this.settings.maxOnScreen ?? 0;
    if (!force && cap > 0 && this.items.size >= cap) return false;
    const mode = comment.mode === 'top' || comment.mode === 'bottom' ? comment.mode : 'scroll';
    // With reduced motion a scrolling comment stands still like a top one.
    const layout = this.reducedMotion && mode === 'scroll' ? 'top' : mode;
    const it = {
      id: comment.id,
      comment,
      own,
      count,
      mode,
      layout,
      size: ['small', 'medium', 'large'].includes(comment.size) ? comment.size : 'medium',
      duration: durationFor(layout, this.settings.speed),
      el: null,
      anim: null,
    };
    it.width = this.#measure(it);
    it.height = this.#lineHeight(it);
    let start = entry.start ?? now;
    // A comment taken off screen by a reflow whose trip ended while it waited.
    if (start + it.duration <= now) return true;
    if (entry.start == null && own && !this.playing && layout === 'scroll') {
      // Paused: show the own comment already fully on screen instead of
      // waiting off the right edge.
      start = now - (it.width / (this.width + it.width)) * it.duration;
    }
    // An own comment is never refused, and never covers another: the
    // comments in its way leave the lane and wait for another.
    const e = this.alloc.place(this.#allocItem(it), now, { force, start, evict: own });
    if (!e) return false;
    for (const id of e.evicted ?? []) {
      const other = this.items.get(id);
      if (!other) continue;
      this.#drop(other);
      this.queue.push({ comment: other.comment, own: other.own, count: other.count, start: other.start }, now);
    }
    it.lane = e.lane;
    it.start = start;
    it.el = this.#element(it);
    this.items.set(it.id, it);
    this.root.appendChild(it.el);
    this.#animate(it);
    return true;
  }

  #allocItem(it) {
    return { id: it.id, mode: it.layout ?? it.mode, width: it.width, height: it.height, duration: it.duration, start: it.start, own: it.own };
  }

  #element(it) {
    const el = this.doc.createElement('div');
    el.className = `dm-item dm-${it.mode} dm-${it.size}`;
    if (it.own) el.classList.add('dm-own');
    el.dataset.id = String(it.id);
    el.dataset.mode = it.mode;
    el.dataset.size = it.size;
    if (it.comment.likes > 0) el.dataset.likes = String(it.comment.likes);
    const text = this.doc.createElement('span');
    text.className = 'dm-text';
    text.textContent = displayText(it.comment.text);
    el.appendChild(text);
    const color = safeColor(it.comment.color);
    el.style.color = color;
    if (isDark(color)) el.classList.add('dm-dark');
    it.el = el;
    this.#renderBadge(it);
    this.#style(it);
    return el;
  }

  #renderBadge(it) {
    const label = badgeText(it.count);
    let badge = it.el.querySelector('.dm-count');
    if (!label) {
      badge?.remove();
      delete it.el.dataset.count;
      return;
    }
    if (!badge) {
      badge = this.doc.createElement('span');
      badge.className = 'dm-count';
      it.el.appendChild(badge);
    }
    badge.textContent = label;
    it.el.dataset.count = String(it.count);
  }

  #style(it) {
    if (!it.el) return;
    it.el.style.fontSize = `${fontPx(it.size, this.height, this.settings.fontScale)}px`;
    it.el.style.top = `${this.alloc.laneY(it.lane ?? 0)}px`;
  }

  #animate(it) {
    const w = this.width;
    const frames =
      (it.layout ?? it.mode) === 'scroll'
        ? [{ transform: `translate3d(${w}px,0,0)` }, { transform: `translate3d(${-it.width}px,0,0)` }]
        : [{ transform: `translate3d(${(w - it.width) / 2}px,0,0)` }, { transform: `translate3d(${(w - it.width) / 2}px,0,0)` }];
    it.el.style.top = `${this.alloc.laneY(it.lane)}px`;
    if (it.anim) {
      it.anim.effect.setKeyframes(frames);
      return;
    }
    const anim = it.el.animate(frames, { duration: it.duration * 1000, easing: 'linear', fill: 'both' });
    anim.playbackRate = this.rate;
    anim.currentTime = Math.max(0, (this.clock() - it.start) * 1000);
    if (!this.playing) anim.pause();
    anim.onfinish = () => {
      if (this.items.get(it.id) === it) this.#drop(it);
    };
    it.anim = anim;
  }

  #resync(now) {
    for (const it of this.items.values()) {
      if (it.held) continue;
      const want = (now - it.start) * 1000;
      if (want >= it.duration * 1000) {
        this.#drop(it);
        continue;
      }
      const have = it.anim.currentTime ?? 0;
      if (Math.abs(have - want) > MAX_DRIFT_MS) it.anim.currentTime = Math.max(0, want);
    }
  }

  #drop(it) {
    this.items.delete(it.id);
    this.alloc.remove(it.id);
    if (it.anim) {
      it.anim.onfinish = null;
      it.anim.cancel();
    }
    it.el?.remove();
  }

  #lineHeight(it) {
    return fontPx(it.size, this.height, this.settings.fontScale) * LINE_HEIGHT;
  }

  #measure(it) {
    const px = fontPx(it.size, this.height, this.settings.fontScale);
    this.canvas.font = `700 ${px}px ${this.fontFamily}`;
    let w = this.canvas.measureText(displayText(it.comment.text)).width;
    const label = badgeText(it.count);
    if (label) {
      this.canvas.font = `700 ${badgePx(px)}px ${this.fontFamily}`;
      w += this.canvas.measureText(label).width + px * 0.3;
    }
    // Padding and outline on both sides (see danmaku.css), plus rounding slack.
    return Math.ceil(w + px * 0.3 + 6);
  }

  // The item an event is about, if it is on a comment of this stage.
  #itemOf(target) {
    const el = target?.closest?.('.dm-item');
    if (!el || !this.root.contains(el)) return null;
    for (const it of this.items.values()) if (it.el === el) return it;
    return null;
  }

  #click(e) {
    const it = this.#itemOf(e.target);
    if (!it) return;
    e.stopPropagation();
    this.emit('select', { id: it.id, comment: it.comment, own: it.own, el: it.el, pointerType: e.pointerType ?? '' });
  }

  // pointerover/pointerout on the root: "hover" as the pointer enters a
  // comment, "leave" as it leaves it (not when it moves between its parts).
  #pointer(e) {
    const it = this.#itemOf(e.target);
    if (!it || it === this.#itemOf(e.relatedTarget)) return;
    const type = e.type === 'pointerover' ? 'hover' : 'leave';
    this.emit(type, { id: it.id, comment: it.comment, own: it.own, el: it.el, pointerType: e.pointerType });
  }
}
