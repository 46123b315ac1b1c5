// The live connection to a room: WebSocket with automatic reconnect and
// backoff, resume with ?since=<last seq seen>, de-duplicated comment
// delivery, and request/ack for sending comments and likes.
//
// Page scripts create one client per room, subscribe to its events and call
// connect():
//   state    (state, info)   'connecting' | 'open' | 'reconnecting' | 'closed'
//                            info: {attempt, delay, code, reason}
//   welcome  (msg)           {room, viewers, last_seq, user}
//   authed   (msg)           {user, expires_at}: the socket now speaks for
//                            that user (after the token option or authenticate())
//   comments (items, msg)    new comments only, never one shown before and
//                            never the echo of the viewer's own pending comment
//   likes    (msg)           {room, room_likes, comments: {id: n}}
//   presence (viewers, msg)
//   retract  (ids, msg)
//   error    (err)           {code, message} sent by the server
//   gap      ({room, after_seq})  the server's catch-up stopped early; with
//                            fetchAfter the client fetches the rest itself
// Identity: the session cookie (sent by the browser) needs nothing here; a
// token can instead go in the URL (url: '/ws?token=…') or, to keep it out of
// URLs and logs, in the first frame: pass `token` (a string, or a function
// returning one or a Promise of one, called on every connect).
// The WebSocket class, timers and random source are injectable for tests.

import { Emitter } from './emitter.js';
import { Backoff } from './backoff.js';
import { ResumeTracker, OwnTracker } from './resume.js';

/** Connection states, in the order a healthy connection goes through them. */
export const STATES = Object.freeze(['idle', 'connecting', 'open', 'reconnecting', 'closed']);

const OPEN = 1;

/**
 * The WebSocket URL for a room: `base` (default: /ws on the page's host,
 * ws: or wss: to match the page) with ?room= and, when resuming, &since=.
 */
export function wsURL(room, since, base, loc = globalThis.location) {
  let u;
  if (base) {
    u = new URL(base, loc ? loc.href : undefined);
  } else {
    u = new URL('/ws', loc.href);
  }
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol === 'https:') u.protocol = 'wss:';
  u.searchParams.set('room', String(room));
  if (Number.isFinite(since)) u.searchParams.set('since', String(since));
  else u.searchParams.delete('since');
  return u.toString();
}

/** Whether a close code means "do not come back" (policy violation or an application 4000–4499 code). */
export function isFatalClose(code) {
  return code === 1008 || (code >= 4000 && code < 4500);
}

/** Whether a close says the token ran out, which a fresh token from a token function can fix. */
export function isExpiredClose(code, reason) {
  return code === 1008 && /^token expired/.test(reason || '');
}

/** Creates a client; see DanmakuClient. */
export function createClient(opts) {
  return new DanmakuClient(opts);
}

let refCounter = 0;

/** A fresh client-side reference for matching acks. */
export function newRef() {
  refCounter = (refCounter + 1) % 1e9;
  const rnd = Math.floor(Math.random() * 0x100000).toString(36);
  return `c${Date.now().toString(36)}${rnd}${refCounter.toString(36)}`;
}

/** One live connection to one room. */
export class DanmakuClient extends Emitter {
  /**
   * room: room id; url: WebSocket endpoint (default /ws on this host);
   * since: seq to resume after on the first connect; backoff: see backoff.js;
   * ackTimeout / connectTimeout: ms; fetchAfter(room, afterSeq) → Promise of
   * comments with seq > afterSeq (e.g. api.commentsAfter), used to fill a
   * "gap" the server reports after a long absence; token: sent in an auth
   * frame first thing on every connect (string, or function → string or
   * Promise); WebSocket, setTimeout, clearTimeout, random: injectable for tests.
   */
  constructor({
    room,
    url,
    since,
    backoff = {},
    ackTimeout = 10000,
    connectTimeout = 10000,
    WebSocket: WS = globalThis.WebSocket,
    setTimeout: st = globalThis.setTimeout.bind(globalThis),
    clearTimeout: ct = globalThis.clearTimeout.bind(globalThis),
    random = Math.random,
    location: loc = globalThis.location,
    fetchAfter = null,
    token = null,
  }) {
    super();
    this.token = token;
    this.room = room;
    this.url = url;
    this.WS = WS;
    this.setTimeout = st;
    this.clearTimeout = ct;
    this.location = loc;
    this.fetchAfter = fetchAfter;
    this.ackTimeout = ackTimeout;
    this.connectTimeout = connectTimeout;
    this.backoff = new Backoff(backoff, random);
    this.resume = new ResumeTracker();
    this.own = new OwnTracker();
    if (Number.isFinite(since)) this.resume.welcome(room, since);
    this.state = 'idle';
    this.user = null;
    this.viewers = 0;
    this.ws = null;
    this.timer = null;
    this.acks = new Map(); // ref -> {resolve, reject, timer, kind}
  }

  /** Whether messages can be sent right now. */
  get connected() {
    return this.state === 'open' && this.ws?.readyState === OPEN;
  }

  /** Opens the connection (no-op if already connecting or open). */
  connect() {
    if (this.state === 'connecting' || this.state === 'open') return;
    this.#clearTimer();
    this.#open();
  }

  /** Closes for good: no reconnect; pending requests fail with code "closed". */
  close() {
    this.#clearTimer();
    this.#setState('closed', {});
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      detach(ws);
      try {
        ws.close(1000, 'bye');
      } catch {
        // already closing
      }
    }
    for (const ref of [...this.acks.keys()]) this.#settle(ref, null, { code: 'closed', message: 'connection closed' });
  }

  /**
   * Sends a comment ({text, time, mode, color, size}). Resolves with the
   * stored comment once the server acknowledges it (or its broadcast echo
   * arrives); rejects with {code, message} when rejected, offline or timed
   * out. `ref` may be passed to match the optimistic element on the page.
   */
  sendComment(draft, ref = newRef()) {
    const msg = {
      type: 'comment',
      ref,
      room: this.room,
      text: draft.text,
      time: draft.time,
      mode: draft.mode,
      color: draft.color,
      size: draft.size,
    };
    const p = this.#request(msg, 'comment');
    if (this.acks.has(ref)) this.own.add(ref, { room: this.room, text: draft.text });
    return p;
  }

  /** Likes a comment (or the video when commentId is omitted); resolves with the ack. */
  like(commentId) {
    const msg = { type: 'like', ref: newRef(), room: this.room };
    if (commentId != null) msg.comment_id = commentId;
    return this.#request(msg, 'like');
  }

  /**
   * Signs the open connection in as the token's user (and uses the token on
   * later reconnects). Resolves with the authed frame; rejects with
   * {code, message} for a bad token, after which the server closes the socket.
   */
  authenticate(token) {
    this.token = token;
    return this.#request({ type: 'auth', ref: newRef(), token }, 'auth');
  }

  /** Moves this connection to another room, resuming after what was seen there. */
  join(room) {
    if (room === this.room) return;
    if (this.connected) this.#send({ type: 'leave', room: this.room });
    this.room = room;
    if (this.connected) {
      const msg = { type: 'join', room };
      const since = this.resume.lastSeq(room);
      if (Number.isFinite(since)) msg.since = since;
      this.#send(msg);
    }
  }

  // --- connection lifecycle ---

  #open() {
    const since = this.resume.lastSeq(this.room);
    const url = wsURL(this.room, since, this.url, this.location);
    this.#setState('connecting', { attempt: this.backoff.attempt });
    let ws;
    try {
      ws = new this.WS(url);
    } catch (err) {
      this.#scheduleReconnect({ reason: String(err) });
      return;
    }
    this.ws = ws;
    this.timer = this.setTimeout(() => {
      // Stuck connecting: drop it and try again.
      this.timer = null;
      if (this.ws === ws && this.state === 'connecting') this.#lost(ws, { code: 0, reason: 'connect timeout' });
    }, this.connectTimeout);
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.#clearTimer();
      const token = this.token;
      if (typeof token !== 'function') {
        this.#opened(ws, token);
        return;
      }
      Promise.resolve()
        .then(token)
        .then(
          (t) => this.#opened(ws, t),
          (err) => {
            this.emit('error', { code: 'auth', message: `could not get a token: ${err?.message ?? err}` });
            this.#opened(ws, null);
          },
        );
    };
    ws.onmessage = (ev) => {
      if (this.ws === ws) this.#onFrame(ev.data);
    };
    ws.onclose = (ev) => {
      if (this.ws === ws) this.#lost(ws, { code: ev?.code ?? 0, reason: ev?.reason ?? '' });
    };
    ws.onerror = () => {
      // A close event always follows; nothing to do here.
    };
  }

  // The auth frame goes first, so everything after it is sent as the token's user.
  #opened(ws, token) {
    if (this.ws !== ws) return;
    if (token) this.#send({ type: 'auth', token });
    this.#setState('open', {});
  }

  #lost(ws, { code, reason }) {
    detach(ws);
    try {
      ws.close();
    } catch {
      // ignore
    }
    this.ws = null;
    if (this.state === 'closed') return;
    // An expired token is fatal unless a token function can fetch a fresh one.
    if (isFatalClose(code) && !(isExpiredClose(code, reason) && typeof this.token === 'function')) {
      this.#clearTimer();
      this.#setState('closed', { code, reason });
      for (const ref of [...this.acks.keys()]) this.#settle(ref, null, { code: 'closed', message: reason || 'connection refused' });
      return;
    }
    this.#scheduleReconnect({ code, reason });
  }

  #scheduleReconnect(info) {
    this.#clearTimer();
    const delay = this.backoff.next();
    this.#setState('reconnecting', { ...info, attempt: this.backoff.attempt, delay });
    this.timer = this.setTimeout(() => {
      this.timer = null;
      if (this.state === 'reconnecting') this.#open();
    }, delay);
  }

  #clearTimer() {
    if (this.timer !== null) {
      this.clearTimeout(this.timer);
      this.timer = null;
    }
  }

  #setState(state, info) {
    if (this.state === state && state !== 'reconnecting') return;
    this.state = state;
    this.emit('state', state, info);
  }

  // --- incoming frames ---

  #onFrame(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return; // not JSON: ignore
    }
    for (const m of Array.isArray(msg) ? msg : [msg]) {
      if (m && typeof m === 'object') this.#onMessage(m);
    }
  }

  #onMessage(m) {
    switch (m.type) {
      case 'welcome':
        this.backoff.reset();
        this.user = m.user ?? null;
        if (Number.isFinite(m.viewers)) this.viewers = m.viewers;
        this.resume.welcome(m.room ?? this.room, m.last_seq);
        this.emit('welcome', m);
        break;
      case 'authed':
        this.user = m.user ?? null;
        if (m.ref) this.#settle(m.ref, m, null);
        this.emit('authed', m);
        break;
      case 'comments':
        this.#deliver(Array.isArray(m.items) ? m.items : [], m);
        break;
      case 'gap':
        this.#fillGap(m.room ?? this.room, m.after_seq);
        break;
      case 'ack':
        if (m.ok) {
          if (m.comment) this.resume.accept(m.comment);
          this.#settle(m.ref, m.comment ?? m, null);
        } else {
          this.#settle(m.ref, null, m.error ?? { code: 'rejected', message: 'rejected' });
        }
        break;
      case 'likes':
        this.emit('likes', m);
        break;
      case 'presence':
        if (Number.isFinite(m.viewers)) this.viewers = m.viewers;
        this.emit('presence', m.viewers, m);
        break;
      case 'retract':
        this.emit('retract', Array.isArray(m.ids) ? m.ids : [], m);
        break;
      case 'error':
        // An error answering a request (bad frame with a ref) fails that request.
        if (m.ref && this.acks.has(m.ref)) this.#settle(m.ref, null, { code: m.code, message: m.message });
        else this.emit('error', { code: m.code, message: m.message });
        break;
      default:
        break;
    }
  }

  #deliver(items, m) {
    const fresh = [];
    for (const c of items) {
      if (!this.resume.accept(c)) continue;
      const ref = this.own.matchEcho(c, this.user?.id);
      if (ref !== null) {
        this.#settle(ref, c, null);
        continue;
      }
      fresh.push(c);
    }
    if (fresh.length > 0) this.emit('comments', fresh, m);
  }

  // The server stopped its catch-up early: fetch the rest over REST, page by
  // page, through the same de-duplication.
  async #fillGap(room, afterSeq) {
    this.emit('gap', { room, after_seq: afterSeq });
    if (!this.fetchAfter || !Number.isFinite(afterSeq)) return;
    let after = afterSeq;
    try {
      for (let page = 0; page < 50; page++) {
        const list = await this.fetchAfter(room, after);
        if (!Array.isArray(list) || list.length === 0) break;
        this.#deliver(list, { type: 'comments', room, items: list, gap: true });
        const last = list[list.length - 1].seq;
        if (!(last > after)) break;
        after = last;
      }
    } catch (err) {
      this.emit('error', { code: 'gap', message: `could not fetch missed comments: ${err?.message ?? err}` });
    }
  }

  // --- requests ---

  #request(msg, kind) {
    if (!this.connected) {
      return Promise.reject({ code: 'offline', message: 'not connected' });
    }
    return new Promise((resolve, reject) => {
      const timer = this.setTimeout(() => {
        this.#settle(msg.ref, null, { code: 'timeout', message: 'no answer from the server' });
      }, this.ackTimeout);
      this.acks.set(msg.ref, { resolve, reject, timer, kind });
      if (!this.#send(msg)) this.#settle(msg.ref, null, { code: 'offline', message: 'not connected' });
    });
  }

  #send(msg) {
    try {
      this.ws.send(JSON.stringify(msg));
      return true;
    } catch {
      return false;
    }
  }

  #settle(ref, value, err) {
    const a = this.acks.get(ref);
    this.own.delete(ref);
    if (!a) return;
    this.acks.delete(ref);
    this.clearTimeout(a.timer);
    if (err) a.reject(err);
    else a.resolve(value);
  }
}

function detach(ws) {
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
}
