import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowIndex, windowRange, createWindowTracker } from '../../../../assets/js/windows.js';

test('window index and range', () => {
  assert.equal(windowIndex(0, 30), 0);
  assert.equal(windowIndex(29.99, 30), 0);
  assert.equal(windowIndex(30, 30), 1);
  assert.equal(windowIndex(-1, 30), 0);
  assert.deepEqual(windowRange(2, 30), { index: 2, from: 60, to: 90 });
});

test('fetches the window under the playhead first, one at a time', () => {
  const w = createWindowTracker({ size: 30, lookahead: 10 });
  assert.deepEqual(w.next(5, 0), { index: 0, from: 0, to: 30 });
  w.start(0);
  assert.equal(w.next(5, 0), null, 'nothing while a fetch is in flight');
  w.done(0, 0);
  assert.equal(w.next(5, 0), null, 'next window not yet within lookahead');
});

test('prefetches the next window when the playhead gets within lookahead', () => {
  const w = createWindowTracker({ size: 30, lookahead: 10 });
  w.start(0);
  w.done(0, 0);
  assert.equal(w.next(19.9, 0), null);
  assert.deepEqual(w.next(20, 0), { index: 1, from: 30, to: 60 });
});

test('does not fetch past the end of the video', () => {
  const w = createWindowTracker({ size: 30, lookahead: 10 });
  w.setDuration(60);
  w.start(0); w.done(0, 0);
  w.start(1); w.done(1, 0);
  assert.equal(w.next(55, 0), null);
  assert.equal(w.next(60, 0), null, 'playhead at the very end maps to the last window');
});

test('a seek cancels in-flight fetches and fetches the new position', () => {
  const w = createWindowTracker({ size: 30, lookahead: 10 });
  w.start(0);
  assert.deepEqual(w.seek(), [0]);
  assert.deepEqual(w.next(125, 0), { index: 4, from: 120, to: 150 });
  w.start(4); w.done(4, 0);
  // Seeking back to an already loaded window needs no fetch.
  w.start(0); w.done(0, 0);
  w.seek();
  assert.equal(w.next(3, 0), null);
});

test('failed windows are retried after retryAfter ms', () => {
  const w = createWindowTracker({ size: 30, retryAfter: 5000 });
  w.start(0);
  w.fail(0, 1000);
  assert.equal(w.next(1, 2000), null);
  assert.deepEqual(w.next(1, 6000), { index: 0, from: 0, to: 30 });
});

test('loaded windows go stale after maxAge and are fetched again', () => {
  const w = createWindowTracker({ size: 30, maxAge: 60000 });
  w.start(0);
  w.done(0, 1000);
  assert.equal(w.next(1, 60000), null);
  assert.deepEqual(w.next(1, 61000), { index: 0, from: 0, to: 30 });
});
