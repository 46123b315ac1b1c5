import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMerger, mergeDuplicates } from '../../../../assets/js/merge.js';

const c = (id, time, text) => ({ id, time, text });

test('identical texts within the window merge into one with a count', () => {
  const m = createMerger({ windowSec: 3 });
  const first = m.offer(c(1, 10, '233'));
  assert.equal(first.merged, false);
  const second = m.offer(c(2, 11, '233 '));
  assert.equal(second.merged, true);
  assert.equal(second.count, 2);
  assert.equal(second.group.comment.id, 1);
  assert.deepEqual(second.group.ids, [1, 2]);
});

test('duplicates outside the window start a new group', () => {
  const m = createMerger({ windowSec: 3 });
  m.offer(c(1, 10, 'lol'));
  assert.equal(m.offer(c(2, 13.5, 'lol')).merged, false);
  assert.equal(m.offer(c(3, 14, 'LOL')).count, 2);
});

test('own comments are never merged; reset forgets groups', () => {
  const m = createMerger();
  m.offer(c(1, 1, 'hi'));
  assert.equal(m.offer(c(2, 1.5, 'hi'), { own: true }).merged, false);
  m.reset();
  assert.equal(m.offer(c(3, 1.6, 'hi')).merged, false);
});

test('mergeDuplicates collapses a sorted batch', () => {
  const out = mergeDuplicates([c(1, 0, 'a'), c(2, 0.5, 'b'), c(3, 1, 'A'), c(4, 1.2, 'a!')], 3);
  assert.deepEqual(out.map((g) => [g.comment.id, g.count]), [[1, 3], [2, 1]]);
});

test('look-ahead absorption counts upcoming duplicates once', () => {
  const m = createMerger({ windowSec: 3 });
  const first = m.offer(c(1, 10, 'gg'));
  assert.equal(m.absorb(first.group, c(2, 11, 'GG')), true);
  assert.equal(m.absorb(first.group, c(2, 11, 'GG')), false, 'not twice');
  assert.equal(m.absorb(first.group, c(3, 13.5, 'gg')), false, 'outside the window');
  assert.equal(m.absorb(first.group, c(4, 11, 'other')), false, 'other text');
  assert.equal(first.group.count, 2);
  const later = m.offer(c(2, 11, 'GG'));
  assert.equal(later.merged, true);
  assert.equal(later.absorbed, true);
  assert.equal(first.group.count, 2, 'absorbed comment is not counted again when due');
  assert.equal(m.offer(c(1, 10, 'gg')).merged, true, 'offering the same comment again never double counts');
  assert.equal(first.group.count, 2);
});
