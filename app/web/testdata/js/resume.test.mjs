import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResumeTracker, createOwnTracker } from '../../../../assets/js/resume.js';

const c = (id, seq, room = 'r1', extra = {}) => ({ id, seq, room, time: 0, text: 't', ...extra });

test('tracks the last seq per room, starting from the welcome', () => {
  const r = createResumeTracker();
  assert.equal(r.lastSeq('r1'), undefined);
  r.welcome('r1', 10);
  assert.equal(r.lastSeq('r1'), 10);
  r.accept(c(11, 11));
  r.accept(c(5, 5, 'r2'));
  assert.equal(r.lastSeq('r1'), 11);
  assert.equal(r.lastSeq('r2'), 5);
  r.welcome('r1', 3);
  assert.equal(r.lastSeq('r1'), 11, 'an older welcome does not move the resume point back');
});

test('a comment delivered twice is accepted once (by id)', () => {
  const r = createResumeTracker();
  assert.equal(r.accept(c(1, 1)), true);
  assert.equal(r.accept(c(1, 1)), false);
  assert.equal(r.accept(c(99, 1)), true, 'another comment with the same seq (a shadowed one took it first) is shown');
  assert.equal(r.lastSeq('r1'), 1);
  assert.equal(r.accept(c(2, 1, 'r2')), true, 'same seq in another room is different');
  assert.deepEqual(r.acceptAll([c(1, 1), c(3, 3), c(3, 3)]).map((x) => x.id), [3]);
});

test('memory of seen ids is bounded', () => {
  const r = createResumeTracker({ maxIds: 3 });
  for (let i = 1; i <= 5; i++) r.accept(c(i, i));
  assert.equal(r.ids.size, 3);
  assert.equal(r.seen(c(5, 5)), true);
  assert.equal(r.lastSeq('r1'), 5);
});

test('the echo of an own pending comment is matched by author and text', () => {
  const o = createOwnTracker();
  o.add('ref1', { room: 'r1', text: 'Hello!' });
  assert.equal(o.matchEcho(c(1, 1, 'r1', { text: 'hello', user: { id: 'u2' } }), 'u1'), null, 'someone else');
  assert.equal(o.matchEcho(c(1, 1, 'r1', { text: 'other', user: { id: 'u1' } }), 'u1'), null, 'other text');
  assert.equal(o.matchEcho(c(1, 1, 'r1', { text: 'hello', user: { id: 'u1' } }), 'u1'), 'ref1');
  assert.equal(o.matchEcho(c(1, 1, 'r1', { text: 'hello', user: { id: 'u1' } }), null), null, 'unknown self');
  o.delete('ref1');
  assert.equal(o.size, 0);
});

test('a welcome on a resumed join does not move the resume point ahead of the catch-up', () => {
  const r = createResumeTracker();
  r.welcome('r1', 10);
  r.accept(c(11, 11));
  r.welcome('r1', 20); // reconnected with since=11; 12..20 are still to come
  assert.equal(r.lastSeq('r1'), 11);
  r.accept(c(12, 12));
  assert.equal(r.lastSeq('r1'), 12);
});
