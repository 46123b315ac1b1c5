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
