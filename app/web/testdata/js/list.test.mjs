import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareEntries, insertionIndex, entryAt, visibleRange } from '../../../../assets/js/comment-list.js';

test('entries order by time, then seq (own unacknowledged ones last), then id', () => {
  const list = [
    { key: 2, seq: 5, id: 5 },
    { key: 1, seq: 9, id: 9 },
    { key: 1, id: 'c-ref' },
    { key: 1, seq: 3, id: 3 },
  ].sort(compareEntries);
  assert.deepEqual(list.map((e) => e.id), [3, 9, 'c-ref', 5]);
});

test('insertion keeps the list sorted and puts equals after each other', () => {
  const sorted = [];
  for (const e of [{ key: 5, seq: 1, id: 1 }, { key: 1, seq: 2, id: 2 }, { key: 3, seq: 3, id: 3 }, { key: 3, seq: 4, id: 4 }, { key: 9, seq: 5, id: 5 }]) {
    sorted.splice(insertionIndex(sorted, e), 0, e);
  }
  assert.deepEqual(sorted.map((e) => e.id), [2, 3, 4, 1, 5]);
});

test('the entry at the playhead is the last one at or before it', () => {
  const sorted = [1, 3, 3, 7].map((key, i) => ({ key, id: i }));
  assert.equal(entryAt(sorted, 0.5), -1);
  assert.equal(entryAt(sorted, 1), 0);
  assert.equal(entryAt(sorted, 3), 2);
  assert.equal(entryAt(sorted, 6.9), 2);
  assert.equal(entryAt(sorted, 100), 3);
  assert.equal(entryAt([], 1), -1);
});

test('only the rows in view, and a few around them, are drawn', () => {
  assert.deepEqual(visibleRange(1000, 0, 320, 32, 6), [0, 16]);
  assert.deepEqual(visibleRange(1000, 3200, 320, 32, 6), [94, 116]);
  assert.deepEqual(visibleRange(1000, 32000, 320, 32, 6), [994, 1000], 'the end');
  assert.deepEqual(visibleRange(3, 0, 320, 32, 6), [0, 3], 'fewer rows than fit');
  assert.deepEqual(visibleRange(0, 0, 320), [0, 0]);
  assert.deepEqual(visibleRange(50, 0, 0, 32, 0), [0, 1], 'a box not laid out yet still draws a row');
});
