import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReplayClock, TIMEUPDATE_MS } from '../../../../assets/js/replay-clock.js';
import { createReplaySource, toReplay } from '../../../../assets/js/replay-source.js';

function fakeWall() {
  let ms = 1000;
  return { now: () => ms, advance: (d) => (ms += d) };
}

function recorder(clock) {
  const events = [];
  for (const type of ['play', 'playing', 'pause', 'seeking', 'seeked', 'ratechange', 'ended', 'timeupdate']) {
    clock.addEventListener(type, () => events.push(type));
  }
  return events;
}

test('the clock starts paused at 0 and advances with the wall clock while playing', () => {
  const wall = fakeWall();
  const c = createReplayClock({ duration: 60, now: wall.now });
  assert.equal(c.paused, true);
  assert.equal(c.currentTime, 0);
  assert.equal(c.readyState, 4);
  wall.advance(5000);
  assert.equal(c.currentTime, 0, 'paused clocks stand still');
  const events = recorder(c);
  c.play();
  assert.deepEqual(events, ['play', 'playing']);
  wall.advance(2500);
  assert.equal(c.currentTime, 2.5);
  c.pause();
  wall.advance(1000);
  assert.equal(c.currentTime, 2.5);
  assert.deepEqual(events, ['play', 'playing', 'pause']);
});

test('playbackRate scales time from the moment it changes', () => {
  const wall = fakeWall();
  const c = createReplayClock({ duration: 100, now: wall.now });
  c.play();
  wall.advance(1000);
  const events = recorder(c);
  c.playbackRate = 4;
  assert.deepEqual(events, ['ratechange']);
  wall.advance(1000);
  assert.equal(c.currentTime, 5, '1 s at 1×, then 1 s at 4×');
  c.playbackRate = 0;
  c.playbackRate = -2;
  c.playbackRate = NaN;
  assert.equal(c.playbackRate, 4, 'nonsense rates are ignored');
  c.playbackRate = 4;
  assert.deepEqual(events, ['ratechange'], 'no event without a change');
});

test('seeking clamps to [0, duration] and fires seeking then seeked', () => {
  const wall = fakeWall();
  const c = createReplayClock({ duration: 30, now: wall.now });
  const events = recorder(c);
  c.currentTime = 12;
  assert.equal(c.currentTime, 12);
  assert.deepEqual(events.slice(0, 2), ['seeking', 'seeked']);
  c.currentTime = 99;
  assert.equal(c.currentTime, 30);
  c.currentTime = -5;
  assert.equal(c.currentTime, 0);
  c.play();
  wall.advance(1000);
  c.currentTime = 10;
  wall.advance(500);
  assert.equal(c.currentTime, 10.5, 'a seek while playing keeps playing from there');
});

test('tick stops at the end with pause and ended; play starts over', () => {
  const wall = fakeWall();
  const c = createReplayClock({ duration: 10, now: wall.now });
  c.playbackRate = 2;
  c.play();
  const events = recorder(c);
  wall.advance(4000);
  c.tick();
  assert.deepEqual(events, ['timeupdate']);
  wall.advance(TIMEUPDATE_MS / 2);
  c.tick();
  assert.deepEqual(events, ['timeupdate'], 'timeupdate is throttled');
  wall.advance(2000);
  assert.equal(c.currentTime, 10, 'never past the end');
  c.tick();
  assert.equal(c.paused, true);
  assert.equal(c.ended, true);
  assert.deepEqual(events.slice(-2), ['pause', 'ended']);
  c.play();
  assert.equal(c.currentTime, 0);
  assert.equal(c.ended, false);
});

function room(n, { originMs = 0, stepMs = 1000 } = {}) {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1, seq: i + 1, room: 'r', time: 3 + i, text: `c${i + 1}`,
    created_at: new Date(originMs + (i + 1) * stepMs).toISOString(),
  }));
}

function fetcher(all) {
  const calls = [];
  const fetchAfter = async (after, limit) => {
    calls.push(after);
    return all.filter((c) => c.seq > after).slice(0, limit);
  };
  return { calls, fetchAfter };
}

test('comments are placed by created_at relative to the origin, keeping their video time', () => {
  const c = toReplay({ id: 1, time: 42.5, created_at: '2026-01-01T00:00:10.250Z' }, Date.parse('2026-01-01T00:00:00Z'));
  assert.equal(c.time, 10.25);
  assert.equal(c.video_time, 42.5);
  assert.ok(Number.isNaN(toReplay({ id: 2 }, 0).time));
});

test('the source fetches pages in seq order only as far as a window needs', async () => {
  const all = room(25);
  const { calls, fetchAfter } = fetcher(all);
  const src = createReplaySource({ fetchAfter, originMs: 0, pageSize: 10 });
  const w = await src.commentsWindow('r', 0, 5);
  assert.deepEqual(w.map((c) => c.id), [1, 2, 3, 4], 'from inclusive, to exclusive');
  assert.deepEqual(calls, [0], 'one page covers replay time 5');
  const w2 = await src.commentsWindow('r', 5, 15);
  assert.deepEqual(w2.map((c) => c.time), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  assert.deepEqual(calls, [0, 10]);
  const rest = await src.commentsWindow('r', 15, 1000);
  assert.equal(rest.length, 11);
  assert.deepEqual(calls, [0, 10, 20], 'a short page is the end');
  await src.commentsWindow('r', 0, 1000);
  assert.deepEqual(calls, [0, 10, 20], 'nothing fetched twice');
});

test('a replay segment is its window of replay time', async () => {
  const all = room(25);
  const { fetchAfter } = fetcher(all);
  const src = createReplaySource({ fetchAfter, originMs: 0, pageSize: 10, segmentSeconds: 10 });
  assert.equal(src.segmentSeconds, 10);
  assert.deepEqual((await src.segment('r', 1)).map((c) => c.time), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  assert.equal(createReplaySource({ fetchAfter, originMs: 0 }).segmentSeconds, 360, 'the server segment length by default');
});

test('callers share the page in flight; an aborted caller stops waiting', async () => {
  const all = room(30);
  let release;
  const gate = new Promise((r) => (release = r));
  const calls = [];
  const src = createReplaySource({
    originMs: 0,
    pageSize: 10,
    fetchAfter: async (after, limit) => {
      calls.push(after);
      await gate;
      return all.filter((c) => c.seq > after).slice(0, limit);
    },
  });
  const ctrl = new AbortController();
  const a = src.commentsWindow('r', 0, 5, { signal: ctrl.signal });
  const b = src.commentsWindow('r', 0, 5);
  ctrl.abort();
  release();
  await assert.rejects(a, { name: 'AbortError' });
  assert.equal((await b).length, 4);
  assert.deepEqual(calls, [0], 'both waited on one request');
});

test('a failed page fails the window and is retried by the next call', async () => {
  let fail = true;
  const all = room(3);
  const src = createReplaySource({
    originMs: 0,
    fetchAfter: async (after) => {
      if (fail) throw new Error('offline');
      return all.filter((c) => c.seq > after);
    },
  });
  await assert.rejects(src.commentsWindow('r', 0, 10), /offline/);
  fail = false;
  assert.equal((await src.commentsWindow('r', 0, 10)).length, 3);
});

test('a page that does not advance ends the replay instead of looping', async () => {
  const src = createReplaySource({ originMs: 0, pageSize: 2, fetchAfter: async () => [{ id: 1, seq: 0, created_at: '1970-01-01T00:00:01Z' }, { id: 2, seq: 0, created_at: '1970-01-01T00:00:02Z' }] });
  assert.equal((await src.commentsWindow('r', 0, 100)).length, 2);
  assert.equal(src.done, true);
});
