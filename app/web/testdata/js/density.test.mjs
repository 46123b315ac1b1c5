import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWaitQueue, densityPolicy, DENSITY } from '../../../../assets/js/density.js';

test('low density drops at once', () => {
  const q = createWaitQueue(densityPolicy('low'));
  assert.equal(q.push('a', 0), false);
  assert.equal(q.size, 0);
  assert.equal(q.dropped, 1);
});

test('unknown density falls back to normal', () => {
  assert.equal(densityPolicy('bogus'), DENSITY.normal);
});

test('waiting comments are placed in order once lanes free up', () => {
  const q = createWaitQueue({ maxWait: 2, maxQueue: 10 });
  q.push('a', 0);
  q.push('b', 0.1);
  let free = 0;
  const placed = [];
  const tryPlace = (v) => (free > 0 ? (free--, placed.push(v), true) : false);
  assert.equal(q.drain(0.5, tryPlace), 0);
  free = 1;
  assert.equal(q.drain(0.6, tryPlace), 1);
  assert.deepEqual(placed, ['a']);
  assert.equal(q.size, 1);
});

test('a comment that cannot fit does not block a later one that can', () => {
  const q = createWaitQueue({ maxWait: 2, maxQueue: 10 });
  q.push({ mode: 'scroll' }, 0);
  q.push({ mode: 'top' }, 0);
  assert.equal(q.drain(0.1, (v) => v.mode === 'top'), 1);
  assert.equal(q.items[0].value.mode, 'scroll');
});

test('comments that waited longer than maxWait are dropped', () => {
  const q = createWaitQueue({ maxWait: 1.5, maxQueue: 10 });
  q.push('old', 0);
  q.push('new', 1);
  const placed = [];
  q.drain(2, (v) => (placed.push(v), true));
  assert.deepEqual(placed, ['new']);
  assert.equal(q.dropped, 1);
});

test('the queue is bounded: overflow drops the oldest', () => {
  const q = createWaitQueue({ maxWait: 5, maxQueue: 3 });
  for (const v of ['a', 'b', 'c', 'd']) q.push(v, 0);
  assert.deepEqual(q.items.map((e) => e.value), ['b', 'c', 'd']);
  assert.equal(q.dropped, 1);
  q.setPolicy({ maxWait: 5, maxQueue: 1 });
  assert.deepEqual(q.items.map((e) => e.value), ['d']);
});

test('drain offers at most maxTries comments per call', () => {
  const q = createWaitQueue({ maxWait: 5, maxQueue: 100 });
  for (let i = 0; i < 50; i++) q.push(i, 0);
  let offered = 0;
  q.drain(0, () => (offered++, false), 10);
  assert.equal(offered, 10);
  assert.equal(q.size, 50);
});

test('removeWhere drops retracted comments from the queue', () => {
  const q = createWaitQueue({ maxWait: 5, maxQueue: 10 });
  q.push({ id: 1 }, 0);
  q.push({ id: 2 }, 0);
  q.removeWhere((v) => v.id === 1);
  assert.deepEqual(q.items.map((e) => e.value.id), [2]);
});
