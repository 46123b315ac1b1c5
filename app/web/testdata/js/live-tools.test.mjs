import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modesText } from '../../../../assets/js/util.js';
import { createModState, userActionRequest, termRequest, actionText, undoable } from '../../../../assets/js/admin-state.js';
import { createResumeTracker } from '../../../../assets/js/resume.js';
import { errorMessage } from '../../../../assets/js/compose.js';

test('the send bar names each active mode, and nothing when all are off', () => {
  const cases = [
    [{}, []],
    [{ slow_seconds: 0, unique_window: 0, signed_in_only: false, delay_seconds: 0, emergency: false }, []],
    [{ slow_seconds: 30 }, ['Slow mode: one comment every 30 s']],
    [{ unique_window: 5 }, ['Unique chat: no repeats']],
    [{ signed_in_only: true }, ['Signed-in only']],
    [{ delay_seconds: 5 }, ['Chat delay: 5 s']],
    [{ emergency: true, slow_seconds: 10 }, ['Emergency mode: comments wait for a moderator', 'Slow mode: one comment every 10 s']],
  ];
  for (const [modes, want] of cases) assert.deepEqual(modesText(modes), want, JSON.stringify(modes));
});

test('the moderation state keeps the live tools from the snapshot and the live frames', () => {
  const s = createModState();
  s.snapshot({ live: { modes: [{ room: 'demo', slow_seconds: 5 }], terms: [{ id: 1 }], actions: [] } });
  assert.equal(s.modesOf('demo').slow_seconds, 5);
  assert.deepEqual(s.modesOf('other'), { room: 'other' });
  assert.deepEqual(s.rooms(), ['demo']);
  s.setLive({ type: 'live', modes: [], terms: [], actions: [{ id: 2 }] });
  assert.deepEqual(s.modesOf('demo'), { room: 'demo' });
  assert.equal(s.live.actions.length, 1);
  s.setLive(null);
  assert.deepEqual(s.live, { modes: [], terms: [], actions: [] });
});

test('the user form makes a request; only a timeout carries a duration', () => {
  assert.deepEqual(userActionRequest('timeout', { user_id: ' u1 ', room: 'demo', duration: '10m', reason: ' calm ' }),
    { kind: 'timeout', user_id: 'u1', room: 'demo', reason: 'calm', duration: '10m' });
  assert.deepEqual(userActionRequest('purge', { user_id: 'u1', room: 'demo', duration: '10m' }),
    { kind: 'purge', user_id: 'u1', room: 'demo', reason: '' });
});

test('the term form splits terms at commas and leaves out an empty expiry', () => {
  assert.deepEqual(termRequest({ text: 'spoil*, *coin,, bad ', room: '', action: 'reject' }),
    { terms: ['spoil*', '*coin', 'bad'], room: '', action: 'reject' });
  assert.equal(termRequest({ text: 'x', expiresIn: '1h' }).expires_in, '1h');
});

test('user actions in words, and whether they can still be undone', () => {
  assert.equal(actionText({ kind: 'timeout', user_id: 'u' }), 'Timed out u');
  assert.equal(actionText({ kind: 'hide', user_id: 'u' }), 'Hid u');
  assert.equal(actionText({ kind: 'purge', user_id: 'u', comments: [1] }), 'Purged 1 comment of u');
  assert.equal(actionText({ kind: 'purge', user_id: 'u', comments: [1, 2] }), 'Purged 2 comments of u');
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(undoable({ kind: 'timeout', until: '2026-01-01T00:00:10Z' }, now), true);
  assert.equal(undoable({ kind: 'timeout', until: '2025-12-31T23:59:59Z' }, now), false);
  assert.equal(undoable({ kind: 'purge', undone_at: '2026-01-01T00:00:00Z' }, now), false);
  assert.equal(undoable({ kind: 'hide' }, now), true);
});

test('a retracted comment is new again once restored', () => {
  const r = createResumeTracker();
  const c = { id: 7, seq: 3, room: 'r' };
  assert.equal(r.accept(c), true);
  assert.equal(r.accept(c), false);
  r.forget([7]);
  assert.equal(r.accept({ ...c, seq: 9 }), true);
});

test('refusals by the live tools read as the server says them', () => {
  assert.equal(errorMessage({ code: 'slow_mode', message: 'Slow mode: one comment every 30 s; wait 29 s' }), 'Slow mode: one comment every 30 s; wait 29 s');
  assert.equal(errorMessage({ code: 'delayed', message: 'Chat delay: your comment shows in 5 s' }), 'Chat delay: your comment shows in 5 s');
  assert.match(errorMessage({ code: 'timed_out', message: 'A moderator timed you out until 2026-01-01T00:00:10Z: calm' }), /^A moderator timed you out until .+: calm$/);
});
