import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAPI, APIError } from '../../../../assets/js/api.js';

function fakeFetch(routes) {
  const calls = [];
  const f = async (url, init) => {
    calls.push([init.method, url]);
    const [status, body] = routes[`${init.method} ${url}`] ?? [404, { error: { code: 'not_found', message: 'no route' } }];
    return { ok: status >= 200 && status < 300, status, json: async () => body };
  };
  return { f, calls };
}

test('comment windows and after_seq queries build the documented URLs', async () => {
  const { f, calls } = fakeFetch({
    'GET /api/rooms/demo/comments?from=0&to=60&limit=2000': [200, { comments: [{ id: 1 }] }],
    'GET /api/rooms/demo/comments?after_seq=5&limit=500': [200, { comments: [] }],
  });
  const api = createAPI({ fetch: f });
  assert.deepEqual(await api.commentsWindow('demo', 0, 60), [{ id: 1 }]);
  assert.deepEqual(await api.commentsAfter('demo', 5), []);
  assert.equal(calls.length, 2);
});

test('segments are GETs of /segments/:n, 360 seconds each', async () => {
  const { f, calls } = fakeFetch({ 'GET /api/rooms/a%2Fb/segments/3': [200, { room: 'a/b', index: 3, comments: [{ id: 9 }] }] });
  const api = createAPI({ fetch: f });
  assert.deepEqual(await api.segment('a/b', 3), [{ id: 9 }]);
  assert.deepEqual(calls, [['GET', '/api/rooms/a%2Fb/segments/3']]);
  assert.equal(api.segmentSeconds, 360);
});

test('likes POST to the room and comment endpoints', async () => {
  const { f } = fakeFetch({
    'POST /api/rooms/a%2Fb/like': [200, { likes: 4 }],
    'POST /api/comments/7/like': [200, { likes: 2 }],
  });
  const api = createAPI({ fetch: f });
  assert.deepEqual(await api.likeRoom('a/b'), { likes: 4 });
  assert.deepEqual(await api.likeComment(7), { likes: 2 });
});

test('errors carry status and the server code', async () => {
  const { f } = fakeFetch({ 'GET /api/rooms/x': [429, { error: { code: 'rate_limited', message: 'slow' } }] });
  const api = createAPI({ fetch: f });
  await assert.rejects(api.getRoom('x'), (e) => e instanceof APIError && e.status === 429 && e.code === 'rate_limited');
  await assert.rejects(api.getRoom('missing'), (e) => e.status === 404 && e.code === 'not_found');
});

test('moderator actions send JSON bodies to /api/admin', async () => {
  const seen = [];
  const f = async (url, init) => {
    seen.push({ method: init.method, url, type: init.headers['Content-Type'], body: init.body && JSON.parse(init.body) });
    return { ok: true, status: 200, json: async () => ({ done: true }) };
  };
  const api = createAPI({ fetch: f });
  await api.decide('approve', [1, 2]);
  await api.ban({ user_id: 'u1', room: '' });
  await api.unban(3);
  await api.reloadPlugins();
  await api.modComments({ room: 'a b', limit: 100, user: undefined });
  assert.deepEqual(seen, [
    { method: 'POST', url: '/api/admin/comments/approve', type: 'application/json', body: { ids: [1, 2] } },
    { method: 'POST', url: '/api/admin/bans', type: 'application/json', body: { user_id: 'u1', room: '' } },
    { method: 'DELETE', url: '/api/admin/bans/3', type: undefined, body: undefined },
    { method: 'POST', url: '/api/admin/plugins/reload', type: undefined, body: undefined },
    { method: 'GET', url: '/api/admin/comments?room=a+b&limit=100', type: undefined, body: undefined },
  ]);
});

test('a refused moderator action carries the server message', async () => {
  const { f } = fakeFetch({ 'POST /api/admin/comments/approve': [409, { error: { code: 'conflict', message: 'comment 4 is not held' } }] });
  const api = createAPI({ fetch: f });
  await assert.rejects(api.decide('approve', [4]), (e) => e.status === 409 && e.code === 'conflict' && e.message === 'comment 4 is not held');
});
