// A WebSocket that stays connected: reconnect with backoff, a connect
// timeout, an optional auth frame first thing on every connect, and requests
// matched with their answer by `ref`. It knows no frame type beyond `auth`:
// the room client (client.js) and the moderators' client (mod-client.js)
// read the frames and settle the requests they answer.
//
// Events:
//   state (state, info)  'connecting' | 'open' | 'reconnecting' | 'closed'
//                        info: {attempt, delay, code, reason}
//   frame (msg)          every JSON object the server sends (a batch, a JSON
//                        array, comes one object at a time); not JSON: ignored
//   error (err)          {code: 'auth', message}: the token function failed
//                        (the socket goes on without an auth frame)
// The WebSocket class, timers and random source are injectable for tests.

import { Emitter } from './emitter.js';
import { createBackoff } from './backoff.js';
import { newRef } from './util.js';

/** Connection states, in the order a healthy connection goes through them. */
export const STATES = Object.freeze(['idle', 'connecting', 'open', 'reconnecting', 'closed']);

const OPEN = 1;

/** `url` (absolute, or relative to the page) as a WebSocket URL: http → ws, https → wss. */
export function socketURL(url, loc = globalThis.location) {
  const u = new URL(url, loc ? loc.href : undefined);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol === 'https:') u.protocol = 'wss:';
  return u;
}

/** Whether a close code means "do not come back" (policy violation or an application 4000–4499 code). */
export function isFatalClose(code) {
  return code === 1008 || (code >= 4000 && code < 4500);
}

/** Whether a close says the token ran out, which a fresh token from a token function can fix. */
export function isExpiredClose(code, reason) {
  return code === 1008 && /^token expired/.test(reason || '');
}

/**
 * Creates a socket (not yet connected: call connect()). url: a string or a
 * function called before every connect (e.g. to resume where the last
 * connection stopped); token: sent as {type: 'auth', token} first thing on
 * every connect (a string, or a function returning one or a Promise of
 * one); backoff: see backoff.js; ackTimeout / connectTimeout: ms;
 * WebSocket, setTimeout, clearTimeout, random: injectable for tests.
 */
export function createSocket(opts) {
  return new ReconnectingSocket(opts);
}

class ReconnectingSocket extends Emitter {
  constructor({
    url,
    token = null,
    backoff = {},
    ackTimeout = 10000,
    connectTimeout = 10000,
    WebSocket: WS = globalThis.WebSocket,
    setTimeout: st = globalThis.setTimeout.bind(globalThis),
    clearTimeout: ct = globalThis.clearTimeout.bind(globalThis),
    random = Math.random,
  }) {
    super();
    this.url = typeof url === 'function' ? url : () => url;
    this.token = token;
    this.WS = WS;
    this.setTimeout = st;
    this.clearTimeout = ct;
    this.ackTimeout = ackTimeout;
    this.connectTimeout = connectTimeout;
    this.backoff = createBackoff(backoff, random);
    this.state = 'idle';
    this.ws = null;
    this.timer = null;
    this.requests = new Map(); // ref -> {resolve, reject, timer, onSettle, msg (kept when resendable)}
  }

  /** Whether frames can be sent right now. */
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
    this.#failAll('connection closed');
  }

  /** The connection works: the next reconnect waits the shortest delay again. */
  resetBackoff() {
    this.backoff.reset();
  }

  /** Sends a frame now; false when there is no connection to send it on. */
  send(msg) {
    try {
      this.ws.send(JSON.stringify(msg));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Sends a frame that expects an answer (given a fresh `ref` unless it has
   * one). Resolves or rejects when its owner calls settle(ref); rejects with
   * {code, message} when offline ("offline"), unanswered ("timeout") or
   * closed first ("closed"). onSettle(ref) runs when it ends, either way.
   * A `resendable` request is kept so that resend() can send it again.
   */
  request(msg, { onSettle = null, resendable = false } = {}) {
    if (!this.connected) return Promise.reject({ code: 'offline', message: 'not connected' });
    const ref = msg.ref ?? newRef();
    const frame = { ...msg, ref };
    return new Promise((resolve, reject) => {
      const timer = this.#ackTimer(ref);
      this.requests.set(ref, { resolve, reject, timer, onSettle, msg: resendable ? frame : null });
      if (!this.send(frame)) this.settle(ref, null, { code: 'offline', message: 'not connected' });
    });
  }

  /**
   * Sends the resendable requests still waiting for their answer (those
   * `which(msg)` picks) again, as they were, each with a fresh ack timeout:
   * after a reconnect, their answers were lost with the old connection.
   */
  resend(which = () => true) {
    for (const [ref, r] of this.requests) {
      if (!r.msg || !which(r.msg)) continue;
      this.clearTimeout(r.timer);
      r.timer = this.#ackTimer(ref);
      this.send(r.msg);
    }
  }

  #ackTimer(ref) {
    return this.setTimeout(() => {
      this.settle(ref, null, { code: 'timeout', message: 'no answer from the server' });
    }, this.ackTimeout);
  }

  /** Whether the request with `ref` still waits for its answer. */
  pending(ref) {
    return this.requests.has(ref);
  }

  /** Ends the request with `ref`: rejects with `err` when given, else resolves with `value`. */
  settle(ref, value, err) {
    const r = this.requests.get(ref);
    if (!r) return;
    this.requests.delete(ref);
    this.clearTimeout(r.timer);
    r.onSettle?.(ref);
    if (err) r.reject(err);
    else r.resolve(value);
  }

  #failAll(message) {
    for (const ref of [...this.requests.keys()]) this.settle(ref, null, { code: 'closed', message });
  }

  // --- connection lifecycle ---

  #open() {
    this.#setState('connecting', { attempt: this.backoff.attempt });
    let ws;
    try {
      ws = new this.WS(this.url());
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
      if (this.ws === ws) this.#onData(ev.data);
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
    if (token) this.send({ type: 'auth', token });
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
      this.#failAll(reason || 'connection refused');
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

  #onData(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return; // not JSON: ignore
    }
    for (const m of Array.isArray(msg) ? msg : [msg]) {
      if (m && typeof m === 'object') this.emit('frame', m);
    }
  }
}

/**
 * The base of a client that speaks one protocol over one socket (client.js,
 * mod-client.js): it owns the socket (`this.socket`, built from
 * `socketOpts` as createSocket's), re-emits its `state` and `error` events,
 * and hands each frame to onFrame(msg), which subclasses implement.
 */
export class SocketClient extends Emitter {
  /** socketOpts: see createSocket. */
  constructor(socketOpts) {
    super();
    this.socket = createSocket(socketOpts);
    this.socket.on('state', (state, info) => this.emit('state', state, info));
    this.socket.on('error', (err) => this.emit('error', err));
    this.socket.on('frame', (m) => this.onFrame(m));
  }

  /** 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'. */
  get state() {
    return this.socket.state;
  }

  /** Whether frames can be sent right now. */
  get connected() {
    return this.socket.connected;
  }

  /** Opens the connection (no-op if already connecting or open). */
  connect() {
    this.socket.connect();
  }

  /** Closes for good: no reconnect; pending requests fail with code "closed". */
  close() {
    this.socket.close();
  }

  /** Handles one frame from the server; the subclass's protocol. */
  onFrame() {}
}

function detach(ws) {
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
}
