import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, wsURL } from '../../../../assets/js/client.js';
import { isFatalClose } from '../../../../assets/js/socket.js';
import { encodeRows } from '../../../../assets/js/wire.js';
import { FakeSocket, FakeTimers } from './fakes.mjs';

// Every test runs over both wire versions: a v2 client is sent the same
// comments as v2 rows (what the server writes) and must see what v1 sees.
const asV2 = (m) => (m?.type === 'comments' ? { type: 'comments', room: m.room, rows: encodeRows(m.items) } : m);
class FakeSocketV2 extends FakeSocket {
  receive(msg) {
    super.receive(typeof msg === 'string' ? msg : asV2(msg));
  }
}

function setup(extra = {}, wire = 1) {
  FakeSocket.all = [];
  const timers = new FakeTimers();
  const client = createClient({
    room: 'r1',
    url: 'ws://127.0.0.1:3000/ws',
    wire,
    WebSocket: wire === 2 ? FakeSocketV2 : FakeSocket,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    random: () => 0,
    backoff: { base: 1000, factor: 2, max: 8000, jitter: 0.5 },
    ackTimeout: 5000,
    ...extra,
  });
  const states = [];
  client.on('state', (s, info) => states.push([s, info.delay]));
  const sock = () => FakeSocket.all[FakeSocket.all.length - 1];
  return { client, timers, states, sock };
}

const welcome = (last_seq = 0) => ({ type: 'welcome', room: 'r1', viewers: 3, last_seq, user: { id: 'me', name: 'Me' } });
// A comment as a v1 frame carries it: every field.
const comment = (id, seq, extra = {}) => ({
  id, seq, room: 'r1', time: 1, text: `t${id}`, mode: 'scroll', color: '#ffffff', size: 'medium',
  user: { id: 'u9', name: 'x' }, created_at: '2026-11-26T04:28:42.939Z', likes: 0, ...extra,
});

function suite(wire) {
  const v = `v${wire}: `;
  const q = wire === 2 ? '&v=2' : '';

  test(v + 'wsURL derives ws/wss from the page and adds room and since', () => {
    assert.equal(wsURL('r1', undefined, undefined, { href: 'https://ex.test/rooms/r1' }), 'wss://ex.test/ws?room=r1');
    assert.equal(wsURL('a b', 7, undefined, { href: 'http://127.0.0.1:3000/' }), 'ws://127.0.0.1:3000/ws?room=a+b&since=7');
    assert.equal(wsURL('r', 1, 'ws://h/ws?since=3'), 'ws://h/ws?since=1&room=r');
    assert.equal(isFatalClose(4004), true);
    assert.equal(isFatalClose(1006), false);
  });

  test(v + 'connects, reports states and delivers comments once', () => {
    const { client, states, sock } = setup({}, wire);
    const got = [];
    client.on('comments', (items) => got.push(...items.map((c) => c.id)));
    client.connect();
    assert.equal(sock().url, `ws://127.0.0.1:3000/ws?room=r1${q}`);
    assert.equal(client.connected, false);
    sock().open();
    assert.equal(client.connected, true);
    sock().receive(welcome(10));
    assert.deepEqual(client.user, { id: 'me', name: 'Me' });
    sock().receive({ type: 'comments', room: 'r1', items: [comment(11, 11), comment(12, 12)] });
    sock().receive({ type: 'comments', room: 'r1', items: [comment(12, 12), comment(13, 13)] });
    sock().receive('not json');
    assert.deepEqual(got, [11, 12, 13]);
    assert.deepEqual(states.map((s) => s[0]), ['connecting', 'open']);
  });

  test(v + 'reconnects with backoff and resumes after the last seq seen', () => {
    const { client, timers, states, sock } = setup({}, wire);
    const got = [];
    client.on('comments', (items) => got.push(...items.map((c) => c.id)));
    client.connect();
    sock().open();
    sock().receive(welcome(10));
    sock().receive({ type: 'comments', room: 'r1', items: [comment(11, 11)] });
    sock().drop();
    assert.equal(client.state, 'reconnecting');
    assert.equal(client.connected, false);
    assert.equal(FakeSocket.all.length, 1);
    timers.advance(499);
    assert.equal(FakeSocket.all.length, 1, 'waits the backoff delay (1000 ms with jitter floor 500)');
    timers.advance(1);
    assert.equal(FakeSocket.all.length, 2);
    assert.equal(sock().url, `ws://127.0.0.1:3000/ws?room=r1&since=11${q}`);
    // The second try fails before opening: the delay doubles.
    sock().drop();
    assert.deepEqual(states.filter((s) => s[0] === 'reconnecting').map((s) => s[1]), [500, 1000]);
    timers.advance(1000);
    sock().open();
    sock().receive(welcome(12));
    // The resumed stream overlaps what was seen: shown once.
    sock().receive({ type: 'comments', room: 'r1', items: [comment(11, 11), comment(12, 12)] });
    assert.deepEqual(got, [11, 12]);
    // A welcome resets the backoff.
    sock().drop();
    assert.equal(states[states.length - 1][1], 500);
  });

  test(v + 'a connection stuck in connecting is retried', () => {
    const { client, timers } = setup({ connectTimeout: 3000 }, wire);
    client.connect();
    timers.advance(3000);
    assert.equal(client.state, 'reconnecting');
    timers.advance(500);
    assert.equal(FakeSocket.all.length, 2);
  });

  test(v + 'a fatal close code stops reconnecting', () => {
    const { client, timers, sock } = setup({}, wire);
    client.connect();
    sock().open();
    sock().drop(4004, 'no such room');
    assert.equal(client.state, 'closed');
    timers.advance(60000);
    assert.equal(FakeSocket.all.length, 1);
  });

  test(v + 'close() stops for good', () => {
    const { client, timers, sock } = setup({}, wire);
    client.connect();
    sock().open();
    client.close();
    timers.advance(60000);
    assert.equal(FakeSocket.all.length, 1);
    assert.equal(client.state, 'closed');
  });

  test(v + 'sendComment resolves on ack ok with the stored comment', async () => {
    const { client, sock } = setup({}, wire);
    client.connect();
    sock().open();
    sock().receive(welcome());
    const p = client.sendComment({ text: 'hi', time: 1.5, mode: 'top', color: '#ffffff', size: 'medium' }, 'ref-1');
    const key = sock().sent[0].idempotency_key;
    assert.match(key, /^[\x21-\x7e]{1,64}$/, 'a key the server accepts');
    assert.deepEqual(sock().sent[0], { type: 'comment', ref: 'ref-1', room: 'r1', text: 'hi', time: 1.5, mode: 'top', color: '#ffffff', size: 'medium', idempotency_key: key });
    sock().receive({ type: 'ack', ref: 'ref-1', ok: true, comment: comment(50, 50, { text: 'hi', user: { id: 'me' } }) });
    assert.equal((await p).id, 50);
    // The broadcast of the same comment afterwards is not delivered again.
    const got = [];
    client.on('comments', (items) => got.push(...items));
    sock().receive({ type: 'comments', room: 'r1', items: [comment(50, 50, { text: 'hi', user: { id: 'me' } })] });
    assert.deepEqual(got, []);
  });

  test(v + 'the broadcast echo arriving before the ack settles the send and is not delivered', async () => {
    const { client, sock } = setup({}, wire);
    client.connect();
    sock().open();
    sock().receive(welcome());
    const got = [];
    client.on('comments', (items) => got.push(...items));
    const p = client.sendComment({ text: 'Yo', time: 1, mode: 'scroll', color: '#ffffff', size: 'medium' }, 'ref-2');
    sock().receive({ type: 'comments', room: 'r1', items: [comment(60, 60, { text: 'yo', user: { id: 'me' } }), comment(61, 61)] });
    assert.equal((await p).id, 60);
    assert.deepEqual(got.map((c) => c.id), [61]);
    sock().receive({ type: 'ack', ref: 'ref-2', ok: true, comment: comment(60, 60) }); // late ack: harmless
  });

  test(v + 'a comment whose ack the connection lost is sent again, with its key, once the room is rejoined', async () => {
    const { client, timers, sock } = setup({}, wire);
    client.connect();
    sock().open();
    sock().receive(welcome());
    const p = client.sendComment({ text: 'maybe stored', time: 1 }, 'ref-3');
    const q = client.sendComment({ text: 'acked', time: 1 }, 'ref-4');
    sock().receive({ type: 'ack', ref: 'ref-4', ok: true, comment: comment(71, 71, { text: 'acked' }) });
    await q;
    const first = sock().sent.find((m) => m.ref === 'ref-3');
    sock().drop();
    timers.advance(1000);
    sock().open();
    assert.deepEqual(sock().sent, [], 'nothing is resent before the room is rejoined');
    timers.advance(3000); // the first ack timeout (5 s) is now 1 s away
    sock().receive(welcome(70));
    assert.deepEqual(sock().sent, [first], 'the unacked comment, as sent the first time (same ref and key); not the acked one');
    timers.advance(4999);
    sock().receive({ type: 'ack', ref: 'ref-3', ok: true, comment: comment(70, 70, { text: 'maybe stored' }) });
    assert.equal((await p).id, 70, 'the resend has an ack timeout of its own');
  });

  test(v + 'sendComment rejects on ack error, offline and timeout', async () => {
    const { client, timers, sock } = setup({}, wire);
    await assert.rejects(client.sendComment({ text: 'x' }), { code: 'offline' });
    client.connect();
    sock().open();
    sock().receive(welcome());
    const p = client.sendComment({ text: 'bad' }, 'r-bad');
    sock().receive({ type: 'ack', ref: 'r-bad', ok: false, error: { code: 'rate_limited', message: 'slow down' } });
    await assert.rejects(p, { code: 'rate_limited' });
    const q = client.sendComment({ text: 'lost' });
    timers.advance(5000);
    await assert.rejects(q, { code: 'timeout' });
  });

  test(v + 'likes, presence, retract and error are forwarded', async () => {
    const { client, sock } = setup({}, wire);
    const ev = [];
    client.on('likes', (m) => ev.push(['likes', m.room_likes]));
    client.on('presence', (n) => ev.push(['presence', n]));
    client.on('retract', (ids) => ev.push(['retract', ids]));
    client.on('error', (e) => ev.push(['error', e.code]));
    client.connect();
    sock().open();
    sock().receive({ type: 'likes', room: 'r1', room_likes: 5, comments: { 7: 2 } });
    sock().receive({ type: 'presence', room: 'r1', viewers: 9 });
    sock().receive({ type: 'retract', room: 'r1', ids: [7] });
    sock().receive({ type: 'error', code: 'bad_request', message: 'x' });
    assert.deepEqual(ev, [['likes', 5], ['presence', 9], ['retract', [7]], ['error', 'bad_request']]);
    assert.equal(client.viewers, 9);
    const p = client.like(7);
    const sent = sock().sent[0];
    assert.equal(sent.type, 'like');
    assert.equal(sent.comment_id, 7);
    sock().receive({ type: 'ack', ref: sent.ref, ok: true });
    await p;
    client.like();
    assert.equal('comment_id' in sock().sent[1], false, 'liking the video sends no comment_id');
  });

  test(v + 'join switches rooms on the open socket, resuming where that room was left', () => {
    const { client, sock } = setup({}, wire);
    client.connect();
    sock().open();
    client.join('r2');
    assert.deepEqual(sock().sent, [{ type: 'leave', room: 'r1' }, { type: 'join', room: 'r2' }]);
  });

  test(v + 'a gap frame makes the client fetch the missed comments page by page, deduplicated', async () => {
    const calls = [];
    const pages = { 100: [comment(101, 101), comment(102, 102)], 102: [comment(102, 102), comment(103, 103)], 103: [] };
    const { client, sock } = setup({ fetchAfter: async (room, after) => (calls.push([room, after]), pages[after]) }, wire);
    const got = [];
    client.on('comments', (items) => got.push(...items.map((c) => c.id)));
    client.connect();
    sock().open();
    sock().receive(welcome(90));
    sock().receive({ type: 'comments', room: 'r1', items: [comment(100, 100)] });
    sock().receive({ type: 'gap', room: 'r1', after_seq: 100 });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, [['r1', 100], ['r1', 102], ['r1', 103]]);
    assert.deepEqual(got, [100, 101, 102, 103]);
    assert.equal(client.resume.lastSeq('r1'), 103);
  });

  test(v + 'an error frame carrying a request ref rejects that request', async () => {
    const { client, sock } = setup({}, wire);
    const errors = [];
    client.on('error', (e) => errors.push(e.code));
    client.connect();
    sock().open();
    const p = client.sendComment({ text: 'x' }, 'ref-e');
    sock().receive({ type: 'error', ref: 'ref-e', code: 'forbidden', message: 'join first' });
    await assert.rejects(p, { code: 'forbidden' });
    assert.deepEqual(errors, [], 'not reported twice');
  });

  test(v + 'a like ack resolves with the new count', async () => {
    const { client, sock } = setup({}, wire);
    client.connect();
    sock().open();
    const p = client.like(5);
    sock().receive({ type: 'ack', ref: sock().sent[0].ref, ok: true, comment_id: 5, likes: 3 });
    assert.equal((await p).likes, 3);
  });

  // flush lets pending promise callbacks run.
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  test(v + 'a token is sent in an auth frame before anything else, on every connect', async () => {
    let calls = 0;
    const { client, timers, sock, states } = setup({ token: async () => `tok${++calls}` }, wire);
    const authed = [];
    client.on('authed', (m) => authed.push(m.user.id));
    client.connect();
    sock().open();
    await flush();
    assert.deepEqual(sock().sent[0], { type: 'auth', token: 'tok1' });
    assert.equal(states.at(-1)[0], 'open');
    sock().receive({ type: 'authed', user: { id: 'u1', name: 'Alice', roles: ['moderator'] }, expires_at: '2030-01-01T00:00:00Z' });
    assert.deepEqual(authed, ['u1']);
    assert.equal(client.user.id, 'u1');

    // An expired token closes with 1008; a token function lets the client come back with a fresh one.
    sock().drop(1008, 'token expired');
    assert.equal(states.at(-1)[0], 'reconnecting');
    timers.advance(10000);
    sock().open();
    await flush();
    assert.deepEqual(sock().sent[0], { type: 'auth', token: 'tok2' });
  });

  test(v + 'an expired token without a token function is final', () => {
    const { client, sock, states } = setup({ token: 'fixed' }, wire);
    client.connect();
    sock().open();
    assert.deepEqual(sock().sent[0], { type: 'auth', token: 'fixed' });
    sock().drop(1008, 'token expired');
    assert.equal(states.at(-1)[0], 'closed');
  });

  test(v + 'authenticate re-signs an open connection and resolves with the authed frame', async () => {
    const { client, sock } = setup({}, wire);
    client.connect();
    sock().open();
    const p = client.authenticate('t2');
    const frame = sock().sent.at(-1);
    assert.equal(frame.type, 'auth');
    assert.equal(frame.token, 't2');
    sock().receive({ type: 'authed', ref: frame.ref, user: { id: 'u2', name: 'Bob' } });
    assert.equal((await p).user.id, 'u2');

    const bad = client.authenticate('nope');
    sock().receive({ type: 'error', ref: sock().sent.at(-1).ref, code: 'unauthorized', message: 'invalid token' });
    await assert.rejects(bad, (e) => e.code === 'unauthorized');
  });

  test(v + 'a banned frame and a 4003 close end the connection for good', () => {
    const { client, timers, states, sock } = setup({}, wire);
    const banned = [];
    client.on('banned', (m) => banned.push(m));
    client.connect();
    sock().open();
    const frame = { type: 'banned', room: 'r1', reason: 'spam', until: '2026-12-01T00:00:00.000Z', message: 'you are banned' };
    sock().receive(frame);
    sock().drop(4003, 'banned');
    assert.deepEqual(banned, [frame]);
    assert.deepEqual(client.banned, frame);
    assert.equal(client.state, 'closed');
    timers.advance(60000);
    assert.equal(FakeSocket.all.length, 1, 'it did not reconnect');
    assert.deepEqual(states.map((s) => s[0]), ['connecting', 'open', 'closed']);
  });

  test(v + 'unlike, report and recall are requests answered by their acks; weights frames are passed on', async () => {
    const { client, sock } = setup({}, wire);
    const weights = [];
    client.on('weights', (w) => weights.push(w));
    client.connect();
    sock().open();
    sock().receive(welcome(1));
    const pending = [client.unlike(5), client.report(6, 'spoiler'), client.recall(7)];
    const sent = sock().sent;
    assert.deepEqual(sent.map((m) => [m.type, m.comment_id, m.reason, m.room]), [
      ['unlike', 5, undefined, 'r1'], ['report', 6, 'spoiler', 'r1'], ['recall', 7, undefined, 'r1'],
    ]);
    sock().receive({ type: 'ack', ref: sent[0].ref, ok: true, comment_id: 5, likes: 0 });
    sock().receive({ type: 'ack', ref: sent[1].ref, ok: false, error: { code: 'invalid', message: 'you cannot report your own comment' } });
    sock().receive({ type: 'ack', ref: sent[2].ref, ok: true, comment_id: 7 });
    const [unlike, report, recall] = await Promise.allSettled(pending);
    assert.equal(unlike.value.likes, 0);
    assert.equal(report.reason.code, 'invalid');
    assert.equal(recall.status, 'fulfilled');
    sock().receive({ type: 'weights', room: 'r1', weights: { 5: 3 } });
    assert.deepEqual(weights, [{ 5: 3 }]);
  });
}

suite(1);
suite(2);
