// State of the moderation page, fed by the /ws/admin frames (snapshot,
// comments, bans, stats) and by the answers of the moderator actions.
// Pure logic: no DOM, unit-tested with node --test.

/** Most recent comments kept in memory for the recent list. */
export const RECENT_KEEP = 500;

/** Creates an empty page state. */
export function createModState() {
  return new ModState();
}

// Comments by id, bans and plugin counters, as the server last told them.
class ModState {
  constructor() {
    this.comments = new Map(); // id -> comment with status, ip, note
    this.banList = [];
    this.stats = null;
    this.user = null;
  }

  /** Replaces everything with a snapshot frame. */
  snapshot(s) {
    this.comments.clear();
    this.user = s.user ?? null;
    this.upsert([...(s.recent ?? []), ...(s.held ?? []), ...(s.reported ?? [])]);
    this.banList = s.bans ?? [];
    this.stats = s.stats ?? null;
  }

  /** Applies comments that were stored or changed; the later state of an id wins. */
  upsert(items) {
    for (const c of items ?? []) {
      if (c == null || c.id == null) continue;
      this.comments.set(c.id, c);
    }
    this.#trim();
  }

  /** Replaces the bans in force. */
  bans(list) {
    this.banList = Array.isArray(list) ? list : [];
  }

  /** Replaces the plugin counters. */
  setStats(s) {
    this.stats = s ?? null;
  }

  /** The held queue, oldest first. */
  held() {
    return [...this.comments.values()].filter((c) => c.status === 'held').sort((a, b) => a.id - b.id);
  }

  /** The comments viewers reported and no moderator reviewed yet, most reported first. */
  reported() {
    return [...this.comments.values()]
      .filter((c) => c.reports > 0 && (c.status === 'visible' || c.status === 'held'))
      .sort((a, b) => b.reports - a.reports || a.id - b.id);
  }

  /** Recent comments, newest first, filtered by room and status when given. */
  recent({ room = '', status = '', limit = 100 } = {}) {
    return [...this.comments.values()]
      .filter((c) => (!room || c.room === room) && (!status || c.status === status))
      .sort((a, b) => b.id - a.id)
      .slice(0, limit);
  }

  /** Every room the page has seen a comment or ban in, sorted. */
  rooms() {
    const set = new Set();
    for (const c of this.comments.values()) set.add(c.room);
    for (const b of this.banList) if (b.room) set.add(b.room);
    return [...set].sort();
  }

  // Keeps memory bounded: drops the oldest comments past RECENT_KEEP that are
// neither held nor reported (both are queues a moderator works through).
  #trim() {
    const extra = this.comments.size - RECENT_KEEP;
    if (extra <= 0) return;
    const old = [...this.comments.values()]
      .filter((c) => c.status !== 'held' && !(c.reports > 0))
      .sort((a, b) => a.id - b.id)
      .slice(0, extra);
    for (const c of old) this.comments.delete(c.id);
  }
}

/**
 * Rows for the counters table: one per plugin of every chain, with the
 * mean latency and the upper bound of the bucket under which 99% of the
 * calls finished (null when nothing was counted), and the state of the
 * plugin's circuit breaker (null for plugins without one).
 */
export function statsRows(stats) {
  if (!stats) return [];
  const chains = [{ name: 'default', chain: stats.default }];
  for (const room of Object.keys(stats.rooms ?? {}).sort()) chains.push({ name: `room ${room}`, chain: stats.rooms[room] });
  const rows = [];
  for (const { name, chain } of chains) {
    for (const p of chain?.plugins ?? []) {
      const lat = p.latency ?? { buckets: [], count: 0, sum_seconds: 0 };
      rows.push({
        chain: name,
        plugin: p.name,
        calls: p.calls,
        allows: p.allows,
        rewrites: p.rewrites,
        rejects: p.rejects,
        holds: p.holds,
        shadows: p.shadows,
        errors: p.errors,
        timeouts: p.timeouts,
        joinRefusals: p.join_refusals,
        breaker: p.breaker ?? null,
        breakerOpens: p.breaker_opens ?? 0,
        stuck: p.stuck ?? 0,
        maxAbandoned: p.max_abandoned ?? 0,
        shed: p.shed ?? 0,
        demoted: Boolean(p.demoted),
        dryRun: p.mode === 'dry_run' ? (p.dry_run ?? {}) : null,
        meanSeconds: lat.count ? lat.sum_seconds / lat.count : null,
        p99Seconds: quantileBound(lat, 0.99),
      });
    }
  }
  return rows;
}

/** Upper bound (seconds) of the first cumulative bucket holding q of the calls; Infinity past the last. */
export function quantileBound(lat, q) {
  if (!lat || !lat.count) return null;
  const want = q * lat.count;
  for (const b of lat.buckets ?? []) if (b.count >= want) return b.le;
  return Infinity;
}

/** Seconds as a short latency: "3µs", "1.2ms", "2s", "> 1s". */
export function formatLatency(s) {
  if (s == null) return '–';
  if (s === Infinity) return '> 1s';
  if (s < 1e-3) return `${Math.round(s * 1e6)}µs`;
  if (s < 1) return `${Number((s * 1e3).toPrecision(2))}ms`;
  return `${Number(s.toPrecision(2))}s`;
}

// What each state of a plugin's circuit breaker (wasm and webhook plugins) is called and means.
const BREAKER = {
  closed: { name: 'closed', means: 'calls go through' },
  open: { name: 'open', means: 'calls are skipped until it tries again' },
  half_open: { name: 'half-open', means: 'trying calls to see whether the plugin works again' },
};

/**
 * The badge of a stats row's circuit breaker, or null for a plugin without
 * one: {state} for the class name (closed, open, half_open, or unknown for
 * a state this page does not know), {text} and a {title} that explains it.
 */
export function breakerBadge(row) {
  if (!row?.breaker) return null;
  const known = Object.hasOwn(BREAKER, row.breaker) ? BREAKER[row.breaker] : null;
  const name = known ? known.name : String(row.breaker);
  const opens = Number.isFinite(row.breakerOpens) ? row.breakerOpens : 0;
  return {
    state: known ? row.breaker : 'unknown',
    text: opens > 0 ? `breaker ${name} · opened ${opens}×` : `breaker ${name}`,
    title: `Circuit breaker ${name}${known ? `: ${known.means}` : ''}. Opened ${opens === 1 ? 'once' : `${opens} times`}.`,
  };
}

/**
 * The plugin host's notes on a stats row, as badges ({kind, text, title}):
 * abandoned calls still running and calls failed fast past the cap
 * (kind 'shed' once any were), a NonBlocking plugin moved to the worker
 * path after overrunning ('demoted'), and a dry run's verdicts ('dry').
 */
export function hostBadges(row) {
  const out = [];
  if (row?.stuck > 0 || row?.shed > 0) {
    const cap = row.maxAbandoned > 0 ? `/${row.maxAbandoned}` : '';
    out.push({
      kind: row.shed > 0 ? 'shed' : 'stuck',
      text: row.shed > 0 ? `abandoned ${row.stuck}${cap} · failed fast ${row.shed}×` : `abandoned ${row.stuck}${cap}`,
      title: 'Calls abandoned at their timeout that are still running; past the cap new calls fail fast under on_error.',
    });
  }
  if (row?.demoted) {
    out.push({ kind: 'demoted', text: 'overran: worker path', title: 'Says it never blocks but overran its timeout: it now runs where its timeout is enforced.' });
  }
  if (row?.dryRun) {
    const would = Object.entries(row.dryRun).filter(([, n]) => n > 0).map(([a, n]) => `${a} ${n}`);
    out.push({ kind: 'dry', text: `dry run${would.length ? ` · would ${would.join(', ')}` : ''}`, title: 'Mode dry_run: its verdicts are logged and counted, not enforced.' });
  }
  return out;
}

/** Who a ban is for: "user u1", "address 203.0.113.7", or both. */
export function banWho(b) {
  const parts = [];
  if (b.user_id) parts.push(`user ${b.user_id}`);
  if (b.ip) parts.push(`address ${b.ip.replace(/\/(32|128)$/, '')}`);
  return parts.join(' and ');
}

/** The ban request the ban form describes (see POST /api/admin/bans). */
export function banRequest({ user_id = '', ip = '', room = '', duration = '', reason = '', deleteRecent = false }) {
  const req = { user_id: user_id.trim(), ip: ip.trim(), room, duration, reason: reason.trim() };
  if (deleteRecent) req.delete_recent = '24h';
  return req;
}

/** Text for a failed action: the server's message, or the HTTP status. */
export function actionError(what, err) {
  return `${what} failed: ${err?.message || 'no answer from the server'}`;
}

/** "spam ×2, ads": a reported comment's reasons, most given first. */
export function reasonsText(reasons) {
  return Object.entries(reasons ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([r, n]) => (n > 1 ? `${r} ×${n}` : r))
    .join(', ');
}
