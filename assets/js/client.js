// The live connection to a room, on a reconnecting socket (socket.js):
// resume with ?since=<last seq seen>, de-duplicated comment delivery, and
// request/ack for sending comments and likes.
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
//   weights  (weights, msg)  {id: weight}: comments' new quality weights
//   banned   (msg)           {room, reason, until, message}: the user may not
//                            be here; the server closes the socket (4003)
//                            and the client does not reconnect
//   error    (err)           {code, message} sent by the server
//   gap      ({room, after_seq})  the server's catch-up stopped early; with
//                            fetchAfter the client fetches the rest itself
// Identity: the session cookie (sent by the browser) needs nothing here; a
// token can instead go in the URL (url: '/ws?token=…') or, to keep it out of
// URLs and logs, in the first frame: pass `token` (a string, or a function
// returning one or a Promise of one, called on every connect).

import { SocketClient, socketURL } from './socket.js';
import { createResumeTracker, createOwnTracker } from './resume.js';
import { newKey, newRef } from './util.js';
import { WIRE_VERSION, frameItems } from './wire.js';

/**
 * The WebSocket URL for a room: `base` (default: /ws on the page's host,
 * ws: or wss: to match the page) with ?room=, when resuming &since=, and
 * for a wire version other than 1 &v= (see wire.js).
 */
export function wsURL(room, since, base, loc = globalThis.location, wire = 1) {
  const u = socketURL(base || '/ws', loc);
  u.searchParams.set('room', String(room));
  if (Number.isFinite(since)) u.searchParams.set('since', String(since));
  else u.searchParams.delete('since');
  if (wire !== 1) u.searchParams.set('v', String(wire));
  return u.toString();
}

/**
 * Creates the client of one room (not yet connected). room: room id; url:
 * WebSocket endpoint (default /ws on this host); since: seq to resume
 * after on the first connect; fetchAfter(room, afterSeq) → Promise of
 * comments with seq > afterSeq (e.g. api.commentsAfter), used to fill a
 * "gap" the server reports after a long absence; wire: the wire version
 * to ask for (default 2, compact comments frames; 1 for the original);
 * token, backoff,
 * ackTimeout, connectTimeout, WebSocket, setTimeout, clearTimeout, random:
 * see createSocket (socket.js); location: the page's, for the default URL.
 */
export function createClient(opts) {
  return new DanmakuClient(opts);
}

// One live connection to one room.
class DanmakuClient extends SocketClient {
  constructor({ room, url, since, fetchAfter = null, wire = WIRE_VERSION, location: loc = globalThis.location, ...socketOpts }) {
    // The URL is built on every connect, to resume after the last seq seen.
    super({ ...socketOpts, url: () => wsURL(this.room, this.resume.lastSeq(this.room), url, loc, wire) });
    this.room = room;
    this.fetchAfter = fetchAfter;
    this.resume = createResumeTracker();
    this.own = createOwnTracker();
    if (Number.isFinite(since)) this.resume.welcome(room, since);
    this.user = null;
    this.viewers = 0;
    this.banned = null; // the last banned frame
  }

  /**
   * Sends a comment ({text, time, mode, color, size}). Resolves with the
   * stored comment once the server acknowledges it (or its broadcast echo
   * arrives); rejects with {code, message} when rejected, offline or timed
   * out. `ref` may be passed to match the optimistic element on the page.
   * The comment carries an idempotency key: if the connection drops before
   * the ack, it is sent again with the same key once the room is rejoined,
   * and the server answers with what it stored rather than storing it twice.
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
      idempotency_key: newKey(),
    };
    const p = this.socket.request(msg, { onSettle: () => this.own.delete(ref), resendable: true });
    if (this.socket.pending(ref)) this.own.add(ref, { room: this.room, text: draft.text });
    return p;
  }

  /** Likes a comment (or the video when commentId is omitted); resolves with the ack. */
  like(commentId) {
    const msg = { type: 'like', room: this.room };
    if (commentId != null) msg.comment_id = commentId;
    return this.socket.request(msg);
  }

  /** Takes back a like of a comment; resolves with the ack ({likes}). */
  unlike(commentId) {
    return this.socket.request({ type: 'unlike', room: this.room, comment_id: commentId });
  }

  /** Reports a comment to the moderators for `reason` (spam, spoiler, abuse, ads, other). */
  report(commentId, reason) {
    return this.socket.request({ type: 'report', room: this.room, comment_id: commentId, reason });
  }

  /** Recalls one's own comment (within 2 minutes of sending it). */
  recall(commentId) {
    return this.socket.request({ type: 'recall', room: this.room, comment_id: commentId });
  }

  /**
   * Signs the open connection in as the token's user (and uses the token on
   * later reconnects). Resolves with the authed frame; rejects with
   * {code, message} for a bad token, after which the server closes the socket.
   */
  authenticate(token) {
    this.socket.token = token;
    return this.socket.request({ type: 'auth', token });
  }

  /** Moves this connection to another room, resuming after what was seen there. */
  join(room) {
    if (room === this.room) return;
    if (this.connected) this.socket.send({ type: 'leave', room: this.room });
    this.room = room;
    if (this.connected) {
      const msg = { type: 'join', room };
      const since = this.resume.lastSeq(room);
      if (Number.isFinite(since)) msg.since = since;
      this.socket.send(msg);
    }
  }

  // --- incoming frames ---

  /** Handles one frame of the room protocol (docs/protocol.md). */
  onFrame(m) {
    switch (m.type) {
      case 'welcome':
        this.socket.resetBackoff();
        this.user = m.user ?? null;
        if (Number.isFinite(m.viewers)) this.viewers = m.viewers;
        this.resume.welcome(m.room ?? this.room, m.last_seq);
        // Comments sent to this room whose acks the last connection lost.
        this.socket.resend((msg) => msg.type === 'comment' && msg.room === (m.room ?? this.room));
        this.emit('welcome', m);
        break;
      case 'authed':
        this.user = m.user ?? null;
        if (m.ref) this.socket.settle(m.ref, m, null);
        this.emit('authed', m);
        break;
      case 'comments':
        this.#deliver(frameItems(m), m);
        break;
      case 'gap':
        this.#fillGap(m.room ?? this.room, m.after_seq);
        break;
      case 'ack':
        if (m.ok) {
          if (m.comment) this.resume.accept(m.comment);
          this.socket.settle(m.ref, m.comment ?? m, null);
        } else {
          this.socket.settle(m.ref, null, m.error ?? { code: 'rejected', message: 'rejected' });
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
      case 'weights':
        this.emit('weights', m.weights && typeof m.weights === 'object' ? m.weights : {}, m);
        break;
      case 'banned':
        this.banned = m;
        this.emit('banned', m);
        break;
      case 'error':
        // An error answering a request (bad frame with a ref) fails that request.
        if (m.ref && this.socket.pending(m.ref)) this.socket.settle(m.ref, null, { code: m.code, message: m.message });
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
        this.socket.settle(ref, c, null);
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
}
