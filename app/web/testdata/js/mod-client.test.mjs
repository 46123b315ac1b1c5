import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createModClient } from '../../../../assets/js/mod-client.js';
import { createSocket, socketURL } from '../../../../assets/js/socket.js';
import { FakeSocket, FakeTimers } from './fakes.mjs';

function setup(extra = {}) {
  FakeSocket.all = [];
  const timers = new FakeTimers();
  const client = createModClient({
    location: { href: 'https://mod.example/admin' },
    WebSocket: FakeSocket,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    random: () => 0,
    backoff: { base: 1000, factor: 2, max: 8000, jitter: 0.5 },
    ...extra,
  });
  const events = [];
  for (const type of ['state', 'snapshot', 'comments', 'bans', 'stats', 'error']) {
    client.on(type, (...args) => events.push([type, ...args]));
  }
  const sock = () => FakeSocket.all[FakeSocket.all.length - 1];
  return { client, timers, events, sock };
}

const snapshot = { type: 'snapshot', user: { id: 'm1' }, held: [], recent: [], bans: [], stats: null };

test('socket URLs follow the page: http becomes ws, https wss', () => {
  assert.equal(socketURL('/ws/admin', { href: 'http://127.0.0.1:3000/admin' }).toString(), 'ws://127.0.0.1:3000/ws/admin');
  assert.equal(socketURL('/ws/admin', { href: 'https://ex.test/admin' }).toString(), 'wss://ex.test/ws/admin');
  assert.equal(socketURL('ws://other.test/x', undefined).toString(), 'ws://other.test/x');
});

test('the moderators client opens /ws/admin on the page host and forwards each frame type', () => {
  const { client, events, sock } = setup();
  client.connect();
  assert.equal(sock().url, 'wss://mod.example/ws/admin');
  sock().open();
  sock().receive(snapshot);
  sock().receive([{ type: 'comments', items: [{ id: 1, status: 'held' }] }, { type: 'bans', bans: [{ id: 3 }] }]);
  sock().receive({ type: 'stats', stats: { loaded_at: 'x' } });
  sock().receive({ type: 'error', code: 'bad_request', message: 'not JSON' });
  sock().receive({ type: 'pong' });
  assert.deepEqual(
    events.map((e) => e[0]),
    ['state', 'state', 'snapshot', 'comments', 'bans', 'stats', 'error'],
  );
  assert.deepEqual(events[3][1], [{ id: 1, status: 'held' }]);
  assert.deepEqual(events[4][1], [{ id: 3 }]);
  assert.deepEqual(events[5][1], { loaded_at: 'x' });
  assert.deepEqual(events[6][1], { code: 'bad_request', message: 'not JSON' });
  assert.deepEqual(sock().sent, [], 'nothing sent unasked');
});

test('a comments frame that left some out asks for a snapshot', () => {
  const { client, sock } = setup();
  client.connect();
  sock().open();
  sock().receive({ type: 'comments', items: [], dropped: 0 });
  assert.deepEqual(sock().sent, []);
  sock().receive({ type: 'comments', items: [{ id: 1 }], dropped: 12 });
  assert.deepEqual(sock().sent, [{ type: 'refresh' }]);
  assert.equal(client.refresh(), true);
  assert.equal(sock().sent.length, 2);
});

test('it reconnects with backoff, and a snapshot makes the next wait short again', () => {
  const { client, timers, events, sock } = setup();
  const delays = () => events.filter((e) => e[0] === 'state' && e[1] === 'reconnecting').map((e) => e[2].delay);
  client.connect();
  sock().drop();
  timers.advance(500);
  sock().drop();
  assert.deepEqual(delays(), [500, 1000], 'refused twice: the wait doubles');
  timers.advance(1000);
  assert.equal(FakeSocket.all.length, 3);
  sock().open();
  sock().drop();
  assert.equal(delays().at(-1), 2000, 'open alone is not enough: it doubles again');
  timers.advance(2000);
  sock().open();
  sock().receive(snapshot);
  sock().drop();
  assert.equal(delays().at(-1), 500, 'after a snapshot it starts again from the shortest wait');
  assert.equal(client.state, 'reconnecting');
});

test('a refusal (1008: the role or session is gone) closes for good', () => {
  const { client, timers, events, sock } = setup();
  client.connect();
  sock().open();
  sock().receive(snapshot);
  sock().drop(1008, 'forbidden');
  assert.equal(client.state, 'closed');
  assert.deepEqual(events.at(-1), ['state', 'closed', { code: 1008, reason: 'forbidden' }]);
  timers.advance(60000);
  assert.equal(FakeSocket.all.length, 1, 'no reconnect');
  assert.equal(client.refresh(), false, 'nothing to send on');
});

test('requests: answered by settle, or failed by a timeout or a close', async () => {
  FakeSocket.all = [];
  const timers = new FakeTimers();
  const s = createSocket({ url: 'ws://h/x', WebSocket: FakeSocket, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout, ackTimeout: 100 });
  await assert.rejects(s.request({ type: 'ping' }), { code: 'offline' });
  s.connect();
  const ws = FakeSocket.all[0];
  ws.open();
  const ended = [];
  const a = s.request({ type: 'approve', ids: [1] }, { onSettle: (ref) => ended.push(ref) });
  const ref = ws.sent[0].ref;
  assert.ok(ref, 'a ref is added');
  assert.equal(s.pending(ref), true);
  s.settle(ref, { ok: true }, null);
  assert.deepEqual(await a, { ok: true });
  assert.deepEqual(ended, [ref]);
  assert.equal(s.pending(ref), false);
  const b = s.request({ type: 'reload', ref: 'mine' });
  assert.equal(ws.sent[1].ref, 'mine', 'a given ref is kept');
  timers.advance(100);
  await assert.rejects(b, { code: 'timeout' });
  const c = s.request({ type: 'reload' });
  s.close();
  await assert.rejects(c, { code: 'closed' });
});
