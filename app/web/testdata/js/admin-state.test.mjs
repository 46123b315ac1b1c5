import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createModState,
  statsRows,
  quantileBound,
  formatLatency,
  banWho,
  banRequest,
  breakerBadge,
  hostBadges,
  reasonsText,
  RECENT_KEEP,
} from '../../../../assets/js/admin-state.js';

const c = (id, status, room = 'demo', text = `c${id}`) => ({ id, status, room, text, user: { id: 'u', name: 'U' } });

test('a snapshot replaces everything; later frames upsert by id', () => {
  const s = createModState();
  s.upsert([c(99, 'visible')]);
  s.snapshot({ user: { id: 'm1' }, held: [c(3, 'held'), c(1, 'held')], recent: [c(2, 'visible')], bans: [{ id: 1 }], stats: { x: 1 } });
  assert.deepEqual(s.held().map((x) => x.id), [1, 3], 'held queue oldest first, the pre-snapshot comment gone');
  assert.deepEqual(s.recent().map((x) => x.id), [3, 2, 1]);
  s.upsert([{ ...c(1, 'visible'), seq: 14 }, c(4, 'held'), c(3, 'deleted')]);
  assert.deepEqual(s.held().map((x) => x.id), [4], 'approved and rejected comments leave the queue');
  assert.equal(s.comments.get(1).seq, 14);
  assert.equal(s.banList.length, 1);
});

test('recent filters by room and status and is bounded', () => {
  const s = createModState();
  s.upsert([c(1, 'visible', 'a'), c(2, 'deleted', 'a'), c(3, 'visible', 'b')]);
  assert.deepEqual(s.recent({ room: 'a' }).map((x) => x.id), [2, 1]);
  assert.deepEqual(s.recent({ status: 'visible' }).map((x) => x.id), [3, 1]);
  assert.deepEqual(s.rooms(), ['a', 'b']);
  const many = [];
  for (let i = 10; i < 10 + RECENT_KEEP + 50; i++) many.push(c(i, i === 10 ? 'held' : 'visible'));
  s.upsert(many);
  assert.equal(s.comments.size, RECENT_KEEP);
  assert.ok(s.comments.has(10), 'held comments are never dropped');
  assert.ok(!s.comments.has(1), 'the oldest others are');
});

test('counter rows: every chain, mean and 99% bound', () => {
  const lat = { buckets: [{ le: 0.00001, count: 90 }, { le: 0.001, count: 99 }, { le: 1, count: 100 }], count: 100, sum_seconds: 0.5 };
  const rows = statsRows({
    default: { plugins: [{ name: 'wordfilter', calls: 100, rejects: 2, latency: lat }] },
    rooms: { zed: { plugins: [{ name: 'hang', calls: 0, latency: { buckets: [], count: 0, sum_seconds: 0 } }] } },
  });
  assert.equal(rows.length, 2);
  assert.equal(rows[0].chain, 'default');
  assert.equal(rows[0].rejects, 2);
  assert.equal(rows[0].meanSeconds, 0.005);
  assert.equal(rows[0].p99Seconds, 0.001);
  assert.equal(rows[1].chain, 'room zed');
  assert.equal(rows[1].meanSeconds, null);
  assert.deepEqual(statsRows(null), []);
  assert.equal(quantileBound({ buckets: [{ le: 1, count: 5 }], count: 10 }, 0.99), Infinity);
});

test('formatting', () => {
  assert.equal(formatLatency(null), '–');
  assert.equal(formatLatency(0.0000034), '3µs');
  assert.equal(formatLatency(0.0012), '1.2ms');
  assert.equal(formatLatency(2), '2s');
  assert.equal(formatLatency(Infinity), '> 1s');
  assert.equal(banWho({ user_id: 'u1', ip: '203.0.113.7/32' }), 'user u1 and address 203.0.113.7');
  assert.equal(banWho({ ip: '198.51.100.0/24' }), 'address 198.51.100.0/24');
});

test('the ban form becomes a ban request', () => {
  assert.deepEqual(banRequest({ user_id: ' u1 ', ip: '', room: 'demo', duration: '1d', reason: ' spam ', deleteRecent: true }), {
    user_id: 'u1',
    ip: '',
    room: 'demo',
    duration: '1d',
    reason: 'spam',
    delete_recent: '24h',
  });
  assert.equal(banRequest({ user_id: 'u' }).delete_recent, undefined);
});

test('circuit breakers: a badge for plugins that have one, saying its state and how often it opened', () => {
  const lat = { buckets: [], count: 0, sum_seconds: 0 };
  const rows = statsRows({
    default: {
      plugins: [
        { name: 'wordfilter', calls: 3, latency: lat },
        { name: 'wasm-spam', calls: 9, errors: 5, latency: lat, breaker: 'open', breaker_opens: 2 },
        { name: 'hook', calls: 1, latency: lat, breaker: 'half_open', breaker_opens: 1 },
        { name: 'fresh', calls: 0, latency: lat, breaker: 'closed', breaker_opens: 0 },
        { name: 'future', calls: 0, latency: lat, breaker: 'tripping' },
      ],
    },
  });
  assert.deepEqual(rows.map((r) => [r.breaker, r.breakerOpens]), [[null, 0], ['open', 2], ['half_open', 1], ['closed', 0], ['tripping', 0]]);
  assert.equal(breakerBadge(rows[0]), null, 'no breaker, no badge');
  const [open, half, closed, unknown] = rows.slice(1).map(breakerBadge);
  assert.deepEqual([open.state, open.text], ['open', 'breaker open · opened 2×']);
  assert.match(open.title, /calls are skipped/);
  assert.match(open.title, /Opened 2 times/);
  assert.deepEqual([half.state, half.text], ['half_open', 'breaker half-open · opened 1×']);
  assert.match(half.title, /Opened once/);
  assert.deepEqual([closed.state, closed.text], ['closed', 'breaker closed']);
  assert.deepEqual([unknown.state, unknown.text], ['unknown', 'breaker tripping'], 'a state this page does not know is shown as it came, with a neutral class');
});

test('the reported queue: reported comments not yet reviewed, most reported first, kept past the bound', () => {
  const s = createModState();
  s.snapshot({ reported: [{ ...c(5, 'visible'), reports: 1, reasons: { spam: 1 } }, { ...c(6, 'held'), reports: 3, reasons: { ads: 2, spam: 1 } }] });
  assert.deepEqual(s.reported().map((x) => x.id), [6, 5]);
  assert.equal(reasonsText(s.comments.get(6).reasons), 'ads ×2, spam');
  const many = [];
  for (let i = 10; i < 10 + RECENT_KEEP + 5; i++) many.push(c(i, 'visible'));
  s.upsert(many);
  assert.ok(s.comments.has(5), 'a reported comment was dropped');
  s.upsert([{ ...c(5, 'visible'), reports: 0 }, { ...c(6, 'deleted'), reports: 0 }]);
  assert.deepEqual(s.reported(), [], 'dismissed and decided comments leave the queue');
});

test('host badges: abandoned calls and the cap, a demoted plugin, a dry run', () => {
  const rows = statsRows({
    default: {
      plugins: [
        { name: 'calm', stuck: 0, shed: 0, mode: 'enforce' },
        { name: 'hook', stuck: 64, max_abandoned: 64, shed: 12, mode: 'enforce' },
        { name: 'slowpoke', stuck: 2, max_abandoned: 64, demoted: true, mode: 'enforce' },
        { name: 'rules', mode: 'dry_run', dry_run: { rewrite: 0, reject: 3, hold: 1, shadow: 0 } },
      ],
    },
  });
  const badges = rows.map(hostBadges);
  assert.deepEqual(badges[0], [], 'a healthy plugin has no badge');
  assert.deepEqual(badges[1].map((b) => [b.kind, b.text]), [['shed', 'abandoned 64/64 · failed fast 12×']]);
  assert.deepEqual(badges[2].map((b) => [b.kind, b.text]), [['stuck', 'abandoned 2/64'], ['demoted', 'overran: worker path']]);
  assert.deepEqual(badges[3].map((b) => [b.kind, b.text]), [['dry', 'dry run · would reject 3, hold 1']]);
});
