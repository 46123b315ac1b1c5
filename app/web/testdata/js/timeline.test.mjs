import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTimeline, createScheduler, dueBetween, withOwn } from '../../../../assets/js/timeline.js';

const c = (id, time, seq = id) => ({ id, time, seq, text: `c${id}` });

test('dueBetween is half-open [from, to)', () => {
  const list = [c(1, 1), c(2, 2), c(3, 3)];
  assert.deepEqual(dueBetween(list, 1, 3).map((x) => x.id), [1, 2]);
  assert.deepEqual(dueBetween(list, 3, 3), []);
});

test('timeline keeps comments sorted by time then seq and unique by id', () => {
  const tl = createTimeline();
  tl.insert([c(3, 30), c(1, 10)]);
  tl.insert([c(2, 20), c(1, 10), c(5, 10, 0)]);
  assert.deepEqual(tl.list.map((x) => x.id), [5, 1, 2, 3]);
  assert.equal(tl.size, 4);
  assert.deepEqual(tl.insert([c(2, 20)]), []);
});

test("withOwn merges a segment with the viewer's own part by time, each comment once", () => {
  const segment = [c(1, 10), c(2, 20), c(4, 40)];
  assert.equal(withOwn(segment, []), segment);
  assert.equal(withOwn(segment, undefined), segment);
  assert.equal(withOwn(segment, [c(2, 20)]), segment);
  const own = [c(5, 30, 3), { ...c(2, 20), text: 'the own copy' }, c(6, 5, 1)];
  const got = withOwn(segment, own);
  assert.deepEqual(got.map((x) => x.id), [6, 1, 2, 5, 4]);
  assert.equal(got.find((x) => x.id === 2).text, 'c2');
  assert.deepEqual(segment.map((x) => x.id), [1, 2, 4], 'the segment is left as it was');
  assert.deepEqual(withOwn([], [c(7, 1)]).map((x) => x.id), [7]);
});

test('timeline ignores malformed comments and supports retraction', () => {
  const tl = createTimeline();
  tl.insert([c(1, 1), { id: 2, time: NaN }, null, { time: 3 }]);
  assert.equal(tl.size, 1);
  assert.equal(tl.remove([1, 99]), 1);
  assert.equal(tl.has(1), false);
});

test('scheduler yields each comment once during continuous play', () => {
  const tl = createTimeline();
  tl.insert([c(1, 0), c(2, 0.5), c(3, 1.0), c(4, 1.7)]);
  const s = createScheduler(tl);
  assert.deepEqual(s.advance(0).seeked, true, 'first sample only sets the cursor');
  const seen = [];
  for (let t = 0.25; t <= 2; t += 0.25) seen.push(...s.advance(t).due.map((x) => x.id));
  assert.deepEqual(seen, [1, 2, 3, 4]);
});

test('a backwards move is a seek and yields nothing', () => {
  const tl = createTimeline();
  tl.insert([c(1, 5), c(2, 50)]);
  const s = createScheduler(tl, { maxStep: 1 });
  s.seek(49.8);
  assert.deepEqual(s.advance(50.5).due.map((x) => x.id), [2]);
  assert.deepEqual(s.advance(4.5), { due: [], pushed: [], seeked: true, stalled: false });
  assert.deepEqual(s.advance(5.1).due.map((x) => x.id), [1]);
});

test('a jump forward is a stall: only its last maxStep of play is due', () => {
  const tl = createTimeline();
  tl.insert([c(1, 5), c(2, 48.5), c(3, 49.5)]);
  const s = createScheduler(tl, { maxStep: 1 });
  s.seek(0);
  const r = s.advance(49.8);
  assert.equal(r.stalled, true);
  assert.equal(r.seeked, false);
  assert.deepEqual(r.due.map((x) => x.id), [3], 'the comment at 5 s is long gone; the one at 48.5 s is older than 1 s');
  assert.deepEqual(s.advance(50.5).due, [], 'nothing twice');
});

test('at a higher playbackRate larger steps still count as continuous play', () => {
  const tl = createTimeline();
  tl.insert([c(1, 0.5), c(2, 1.5)]);
  const s = createScheduler(tl, { maxStep: 1 });
  s.seek(0);
  assert.deepEqual(s.advance(1.8, 1).due.map((x) => x.id), [2], 'at 1x, 1.8 s at once is a stall');
  s.seek(0);
  const r = s.advance(1.8, 2);
  assert.equal(r.stalled, false);
  assert.deepEqual(r.due.map((x) => x.id), [1, 2]);
});

test('after a seek, comments at exactly the new position are due on the next tick', () => {
  const tl = createTimeline();
  tl.insert([c(1, 10), c(2, 9.9)]);
  const s = createScheduler(tl);
  s.seek(10);
  assert.deepEqual(s.advance(10.1).due.map((x) => x.id), [1]);
});

test('comments pushed while paused are due on resuming, behind the playhead or not, and only once', () => {
  const tl = createTimeline();
  tl.insert([c(1, 9), c(2, 10.5)]);
  const s = createScheduler(tl);
  s.seek(0);
  s.advance(10);
  s.hold(10); // paused: the player's frames hold the cursor instead of advancing
  const behind = c(10, 4); // from a viewer further back in the video
  const here = c(11, 10);
  const ahead = c(12, 10.2);
  assert.deepEqual(s.push(tl.insert([behind, here, ahead]), false), [], 'held while paused');
  s.hold(10);
  const r = s.advance(10.25);
  assert.deepEqual(r.pushed.map((x) => x.id), [10, 11, 12], 'all shown on resuming');
  assert.deepEqual(r.due, [], 'not a second time from the timeline');
  assert.deepEqual(s.advance(10.5).pushed, [], 'pushed comments are due once');
  assert.deepEqual(s.advance(11).due.map((x) => x.id), [2]);
  assert.equal(tl.has(10), true, 'kept on the timeline for later viewings');
});

test('a comment pushed while playing is returned at once and, when ahead, skipped when reached until a seek', () => {
  const tl = createTimeline();
  const s = createScheduler(tl);
  s.seek(5);
  s.advance(5.1);
  assert.deepEqual(s.push(tl.insert([c(1, 6), c(2, 5.15)]), true).map((x) => x.id), [2, 1]);
  assert.deepEqual(s.advance(5.2), { due: [], pushed: [], seeked: false, stalled: false }, 'not a second time');
  assert.deepEqual(s.advance(6.5).due, [], 'shown already');
  s.seek(5);
  assert.deepEqual(s.advance(6.5).due.map((x) => x.id), [2, 1], 'a new viewing after a seek');
  // Pausing is not a seek: the mark survives held frames.
  s.push(tl.insert([c(3, 7)]), true);
  s.hold(6.6);
  assert.deepEqual(s.advance(7.5).due, []);
});

test('a pushed comment retracted before it was shown is not due', () => {
  const tl = createTimeline();
  const s = createScheduler(tl);
  s.seek(0);
  s.push(tl.insert([c(1, 0), c(2, 0)]), false);
  tl.remove([1]);
  assert.deepEqual(s.advance(0.1).pushed.map((x) => x.id), [2]);
});
