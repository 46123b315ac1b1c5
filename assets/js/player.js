// Glue between a <video>, the overlay stage, the comment timeline and
// (optionally) the live client. Page scripts create one and wire UI to it.
//
//   const player = createPlayer({ video, stageRoot, roomId, kind, api, rest, client, settings });
//   player.send({text, mode, color, size})  // optimistic own comment, resolves on ack
//   player.toggleLike(id)                   // like, or take the like back
//   player.report(id, reason), player.recall(id)
//
// What it does: loads comments by the server's video-time segments,
// shows each when the playhead reaches it (merging duplicates, applying the
// viewer's filters), keeps the stage paused/playing/rate-matched/cleared
// with the video, and puts live comments from the client on screen.
// `video` may be anything with the HTMLMediaElement parts used here (see
// replay-clock.js).
//
// Events, for lists and counters on the page:
//   comments (list)            comments new to the player (loaded or pushed)
//   pending (comment)          an own comment shown before its ack (id = ref)
//   sent (comment, ref)        an own comment acknowledged
//   rejected (err, draft, ref) an own comment refused (and removed)
//   like ({id, likes, liked})  the viewer liked a comment, or took the like back
//   liked (ids)                the comments the server says the viewer liked
//   likes ({id: n})            new like counts from the server
//   weights ({id: w})          new quality weights from the server
//   retract (ids)              comments withdrawn (moderators, recalls, reports)
//   loaded (window, n), load-error (err, window)

import { Emitter } from './emitter.js';
import { createStage } from './stage.js';
import { createTimeline, createScheduler } from './timeline.js';
import { createWindowTracker, SEGMENT_SECONDS } from './windows.js';
import { createMerger } from './merge.js';
import { createFilter } from './settings.js';
import { newRef, createdMs } from './util.js';

/**
 * Seconds of video just played whose comments still show when their window
 * arrives after the playhead passed them (a seek to just before a comment).
 */
export const LOAD_GRACE = 3;

/** Seconds within which identical comments are merged. */
export const MERGE_WINDOW = 3;

/** How long after sending a viewer may recall a comment (the server's rule, Bilibili's). */
export const RECALL_MS = 2 * 60 * 1000;

/** Creates the controller for one video; see the module comment. */
export function createPlayer(opts) {
  return new DanmakuPlayer(opts);
}

/** Drives the overlay from the video and the data sources. */
class DanmakuPlayer extends Emitter {
  /**
   * video: the <video>; stageRoot: the overlay element; roomId; kind: "vod"
   * | "live" (live: pushed comments show at once whatever their time and
   * move with the wall clock, not the video);
   * api: createAPI() result or a replay source, whose segment(room, n,
   * {signal}) gives the comments of [n×windowSize, (n+1)×windowSize)
   * seconds (null: no REST loading); rest: createAPI() result for likes,
   * reports and recalls without a socket (default: api); client:
   * createClient() result (null for replay); settings: createSettingsStore() result;
   * reducedMotion: scrolling comments appear in place;
   * windowSize (the api's segment length)/lookahead/maxAge: see
   * windows.js; raf/now: injectable frame scheduler and wall clock.
   */
  constructor({
    video,
    stageRoot,
    roomId,
    kind = 'vod',
    api = null,
    rest = api,
    client = null,
    settings,
    reducedMotion = false,
    windowSize = api?.segmentSeconds ?? SEGMENT_SECONDS,
    lookahead = 15,
    maxAge = Infinity,
    raf = globalThis.requestAnimationFrame?.bind(globalThis),
    now = () => Date.now(),
  }) {
    super();
    this.video = video;
    this.roomId = roomId;
    this.kind = kind;
    this.api = api;
    this.rest = rest;
    this.client = client;
    this.settings = settings;
    this.raf = raf;
    this.now = now;
    this.timeline = createTimeline();
    this.scheduler = createScheduler(this.timeline);
    this.windows = createWindowTracker({ size: windowSize, lookahead, maxAge });
    this.inflight = new Map(); // window index -> AbortController
    this.merger = createMerger({ windowSec: MERGE_WINDOW });
    this.liked = new Set();
    this.likeBusy = new Set(); // likes on their way to the server
    this.ownPending = new Set(); // refs of own comments awaiting their ack
    // VOD comments live on the video's timeline; live comments are about
    // "now", so in live rooms they move with the wall clock whatever the
    // video does (pause, loop, seek).
    this.live = kind === 'live';
    const clock = this.live ? () => performance.now() / 1000 : () => video.currentTime;
    this.stage = createStage(stageRoot, { clock, settings: settings.get(), reducedMotion });
    this.filter = createFilter(settings.get());
    this.offs = [];
    this.destroyed = false;
    this.#wireVideo();
    this.#wireSettings();
    this.#wireClient();
    if (video.readyState >= 1) this.windows.setDuration(video.duration);
    if (this.live || !video.paused) this.stage.play();
    else this.stage.pause();
    if (!this.live) this.stage.setRate(video.playbackRate);
    this.frameFn = () => this.#frame();
    this.raf?.(this.frameFn);
  }

  /**
   * Sends an own comment at the current video time: it appears at once
   * (outlined) and is removed again if the server rejects it. Resolves with
   * the stored comment.
   */
  async send(draft) {
    if (!this.client) throw { code: 'offline', message: 'no live connection' };
    const ref = newRef();
    this.ownPending.add(ref);
    const time = round3(this.video.currentTime);
    const local = { ...draft, id: ref, room: this.roomId, time, user: this.client.user };
    if (this.settings.get().visible) this.stage.add(local, { own: true });
    this.emit('pending', local);
    try {
      const c = await this.client.sendComment({ ...draft, time }, ref);
      if (c && c.id != null) {
        this.stage.rekey(ref, c);
        this.timeline.insert([c]);
      }
      this.emit('sent', c, ref);
      return c;
    } catch (err) {
      this.stage.remove(ref);
      this.emit('rejected', err, draft, ref);
      throw err;
    } finally {
      this.ownPending.delete(ref);
    }
  }

  /** Likes a comment (a no-op when liked already); see toggleLike. */
  like(id) {
    return this.liked.has(Number(id)) || this.liked.has(id) ? Promise.resolve() : this.toggleLike(id);
  }

  /**
   * Likes a comment, or takes the like back when the viewer liked it
   * (over the socket when connected, else REST); emits "like" {id, likes,
   * liked}, or "like-error" (err, id) and puts it back as it was.
   */
  async toggleLike(id) {
    // Not an own comment still waiting for its server id, and one at a time.
    if (id == null || this.ownPending.has(id) || this.likeBusy.has(id)) return;
    const on = !this.liked.has(id);
    this.likeBusy.add(id);
    this.#setLiked(id, on);
    try {
      let likes;
      if (this.client?.connected) {
        likes = (await (on ? this.client.like(id) : this.client.unlike(id)))?.likes;
      } else if (this.rest?.likeComment) {
        likes = (await (on ? this.rest.likeComment(id) : this.rest.unlikeComment(id)))?.likes;
      }
      if (Number.isFinite(likes)) this.stage.setLikes(id, likes);
      this.emit('like', { id, likes, liked: on });
    } catch (err) {
      this.#setLiked(id, !on);
      this.emit('like-error', err, id);
    } finally {
      this.likeBusy.delete(id);
    }
  }

  /** Whether the viewer likes comment id. */
  likes(id) {
    return this.liked.has(id) || this.liked.has(Number(id));
  }

  /** Marks what the server says the viewer liked (after a reload); emits "liked". */
  setLiked(ids) {
    for (const id of ids) this.#setLiked(id, true);
    this.emit('liked', ids);
  }

  #setLiked(id, on) {
    if (on) this.liked.add(id);
    else this.liked.delete(id);
    this.stage.markLiked(id, on);
  }

  /** Reports a comment to the moderators for `reason`; resolves with the server's answer. */
  async report(id, reason) {
    if (this.client?.connected) return this.client.report(id, reason);
    if (this.rest?.reportComment) return this.rest.reportComment(id, reason);
    throw { code: 'offline', message: 'not connected' };
  }

  /**
   * Recalls one's own comment: it leaves every screen (the server's retract
   * takes it off this one too, or, without a socket, this call).
   */
  async recall(id) {
    if (this.client?.connected) return this.client.recall(id);
    if (!this.rest?.recallComment) throw { code: 'offline', message: 'not connected' };
    const res = await this.rest.recallComment(id);
    this.retract([id]);
    return res;
  }

  /** Whether c is the viewer's own comment. */
  isOwn(c) {
    const me = this.client?.user?.id;
    return c?.own === true || (me != null && c?.user?.id === me);
  }

  /** Whether the viewer may still recall c: their own, stored less than RECALL_MS ago. */
  canRecall(c, now = Date.now()) {
    const at = createdMs(c);
    return this.isOwn(c) && typeof c.id === 'number' && now - at < RECALL_MS;
  }

  /** The comment with id, as the player knows it (on its timeline or on screen). */
  comment(id) {
    return this.timeline.get(id) ?? this.stage.items.get(id)?.comment ?? this.stage.items.get(Number(id))?.comment ?? null;
  }

  /** Puts comments into the timeline (e.g. preloaded by the page). */
  addComments(list) {
    return this.timeline.insert(list);
  }

  /**
   * Takes new quality weights ({id: weight}) into the comments known here,
   * and takes off screen those now under the viewer's shield level.
   */
  setWeights(weights) {
    for (const [id, w] of Object.entries(weights)) {
      const c = this.comment(id);
      if (c) c.weight = w;
    }
    this.stage.removeWhere((c, { own }) => !this.filter(c, { own }));
    this.emit('weights', weights);
  }

  /** Drops retracted comments from the timeline and the screen. */
  retract(ids) {
    this.timeline.remove(ids);
    for (const id of ids) this.stage.remove(id);
    this.emit('retract', ids);
  }

  /** Stops everything and detaches from the video. */
  destroy() {
    this.destroyed = true;
    for (const off of this.offs) off();
    for (const c of this.inflight.values()) c.abort();
    this.stage.destroy();
  }

  // --- per frame ---

  #frame() {
    if (this.destroyed) return;
    this.step();
    this.raf?.(this.frameFn);
  }

  /** One update: shows due comments, feeds the stage, fetches windows. Called every animation frame. */
  step() {
    if (this.live) {
      this.stage.tick();
      return;
    }
    const v = this.video;
    const t = v.currentTime;
    if (!v.paused && !v.seeking) {
      const { due, pushed, seeked } = this.scheduler.advance(t, v.playbackRate);
      for (const c of pushed) this.#show(c, { live: true });
      if (!seeked) for (const c of due) this.#show(c);
    } else {
      this.scheduler.hold(t);
    }
    this.stage.tick();
    this.#fetch(t);
  }

  #show(c, { live = false } = {}) {
    const s = this.settings.get();
    if (!s.visible || !this.filter(c) || this.stage.has(c.id)) return;
    if (s.merge) {
      const r = this.merger.offer(c);
      if (r.merged) {
        if (!r.absorbed) this.stage.setCount(r.group.comment.id, r.count);
        return;
      }
      if (!live) {
        // Count the duplicates coming up in the next seconds now, so the
        // badge is right from the start and the element need not grow.
        for (const d of this.timeline.between(c.time, c.time + MERGE_WINDOW)) {
          if (this.filter(d)) this.merger.absorb(r.group, d);
        }
      }
      this.stage.add(c, { count: r.group.count });
      return;
    }
    this.stage.add(c);
  }

  // --- loading ---

  #fetch(t) {
    if (!this.api) return;
    const w = this.windows.next(t, this.now());
    if (!w) return;
    this.windows.start(w.index);
    const ctrl = typeof AbortController === 'function' ? new AbortController() : null;
    this.inflight.set(w.index, ctrl);
    this.api.segment(this.roomId, w.index, { signal: ctrl?.signal })
      .then((list) => {
        if (this.inflight.get(w.index) !== ctrl) return; // cancelled by a seek
        this.inflight.delete(w.index);
        this.windows.done(w.index, this.now());
        const fresh = this.timeline.insert(list);
        this.#showJustPassed(fresh);
        this.emit('comments', fresh);
        this.emit('loaded', w, list.length);
      })
      .catch((err) => {
        if (this.inflight.get(w.index) !== ctrl) return;
        this.inflight.delete(w.index);
        this.windows.fail(w.index, this.now());
        this.emit('load-error', err, w);
      });
  }

  // Shows loaded comments the playhead passed moments ago, before they arrived.
  #showJustPassed(list) {
    const v = this.video;
    const cursor = this.scheduler.cursor;
    if (v.paused || v.seeking || cursor === null) return;
    for (const c of list) {
      if (c.time < cursor && cursor - c.time < LOAD_GRACE) this.#show(c);
    }
  }

  // --- wiring ---

  #listen(target, type, fn) {
    target.addEventListener(type, fn);
    this.offs.push(() => target.removeEventListener(type, fn));
  }

  #wireVideo() {
    const v = this.video;
    if (this.live) return;
    this.#listen(v, 'playing', () => this.stage.play());
    this.#listen(v, 'play', () => this.stage.play());
    this.#listen(v, 'pause', () => this.stage.pause());
    this.#listen(v, 'waiting', () => this.stage.pause());
    this.#listen(v, 'ended', () => this.stage.pause());
    this.#listen(v, 'ratechange', () => this.stage.setRate(v.playbackRate));
    this.#listen(v, 'durationchange', () => this.windows.setDuration(v.duration));
    this.#listen(v, 'seeking', () => this.#seek());
    this.#listen(v, 'seeked', () => this.#seek());
  }

  #seek() {
    const t = this.video.currentTime;
    this.stage.clear();
    this.merger.reset();
    this.scheduler.seek(t);
    for (const k of this.windows.seek()) {
      this.inflight.get(k)?.abort();
      this.inflight.delete(k);
    }
    if (this.video.paused) this.stage.pause();
  }

  #wireSettings() {
    this.offs.push(
      this.settings.on('change', (s, prev) => {
        this.filter = createFilter(s);
        this.stage.setSettings(s);
        if (!s.visible) this.stage.clear();
        else this.stage.removeWhere((c, { own }) => !this.filter(c, { own }));
        if (prev.merge !== s.merge) this.merger.reset();
      }),
    );
  }

  #wireClient() {
    const c = this.client;
    if (!c) return;
    this.offs.push(
      c.on('comments', (items) => {
        // Pushed comments show at once, however far behind or ahead of the
        // playhead they are; a VOD shows them only while it plays (so they
        // move), else on resuming, and keeps them on its timeline for later
        // viewings.
        const fresh = this.live ? items : this.timeline.insert(items);
        const now = this.live ? fresh : this.scheduler.push(fresh, !this.video.paused);
        for (const item of now) this.#show(item, { live: true });
        this.emit('comments', fresh);
      }),
      c.on('retract', (ids) => this.retract(ids)),
      c.on('likes', (m) => {
        const counts = m.comments ?? {};
        for (const [id, n] of Object.entries(counts)) this.stage.setLikes(id, n);
        this.emit('likes', counts);
      }),
      c.on('weights', (w) => this.setWeights(w)),
    );
  }
}

function round3(x) {
  return Math.round(x * 1000) / 1000;
}
