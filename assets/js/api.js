// REST calls used by the pages. `fetch` is injectable for tests.

import { SEGMENT_SECONDS } from './windows.js';

/** Error thrown for a non-2xx answer: status plus the server's {code, message} when given. */
export class APIError extends Error {
  /** status: HTTP status; code/message: from the JSON error body when present. */
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.name = 'APIError';
    this.status = status;
    this.code = code || `http_${status}`;
  }
}

/**
 * Creates the REST client for the viewers' and the moderators' endpoints
 * (docs/protocol.md); `base` is prepended to paths (default: same origin).
 * Every method takes an optional last {signal}. Errors are APIErrors.
 */
export function createAPI({ base = '', fetch: f = globalThis.fetch?.bind(globalThis) } = {}) {
  // query: added as ?k=v (undefined and null left out); body: sent as JSON.
  async function call(method, path, { signal, query, body } = {}) {
    let url = base + path;
    if (query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) qs.set(k, String(v));
      const s = qs.toString();
      if (s) url += `?${s}`;
    }
    const init = { method, signal, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await f(url, init);
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    if (!res.ok) {
      const err = data?.error ?? data ?? {};
      throw new APIError(res.status, err.code, err.message);
    }
    return data;
  }
  const room = (id) => `/api/rooms/${encodeURIComponent(id)}`;

  return {
    /** GET /api/rooms → {rooms: [room…]}. */
    listRooms: (opts) => call('GET', '/api/rooms', opts),
    /** GET /api/rooms/:id → room {id,title,video_url,kind,created_at,viewers,comment_count,likes}. */
    getRoom: (id, opts) => call('GET', room(id), opts),
    /** GET /api/rooms/:id/comments?from&to&limit → comments with from <= time < to, by video time. */
    commentsWindow: async (id, from, to, { limit = 2000, signal } = {}) =>
      (await call('GET', `${room(id)}/comments`, { signal, query: { from, to, limit } }))?.comments ?? [],
    /**
     * GET /api/rooms/:id/segments/:n → the visible comments of seconds
     * [n×360, (n+1)×360), by video time. The browser's cache keeps it and
     * asks again with its ETag: a repeat costs a 304.
     */
    segment: async (id, n, { signal } = {}) =>
      (await call('GET', `${room(id)}/segments/${encodeURIComponent(n)}`, { signal }))?.comments ?? [],
    /** Seconds of video in a segment. */
    segmentSeconds: SEGMENT_SECONDS,
    /** GET /api/rooms/:id/comments?after_seq&limit → comments with seq > afterSeq. */
    commentsAfter: async (id, afterSeq, { limit = 500, signal } = {}) =>
      (await call('GET', `${room(id)}/comments`, { signal, query: { after_seq: afterSeq, limit } }))?.comments ?? [],
    /** POST /api/rooms/:id/like → {likes}. */
    likeRoom: (id, opts) => call('POST', `${room(id)}/like`, opts),
    /** POST /api/comments/:id/like → {likes}. */
    likeComment: (id, opts) => call('POST', `/api/comments/${encodeURIComponent(id)}/like`, opts),
    /** DELETE /api/comments/:id/like → {likes}: the like taken back. */
    unlikeComment: (id, opts) => call('DELETE', `/api/comments/${encodeURIComponent(id)}/like`, opts),
    /** GET /api/rooms/:id/liked → {room: bool, comments: [ids]}: what the caller liked there. */
    liked: (id, opts) => call('GET', `${room(id)}/liked`, opts),
    /** POST /api/comments/:id/report {reason} → {reported, hidden}. */
    reportComment: (id, reason, opts) => call('POST', `/api/comments/${encodeURIComponent(id)}/report`, { ...opts, body: { reason } }),
    /** POST /api/comments/:id/recall → {recalled: true}: one's own comment, within 2 minutes. */
    recallComment: (id, opts) => call('POST', `/api/comments/${encodeURIComponent(id)}/recall`, opts),
    /** GET /api/rooms/:id/heat?step&to → {step, counts, peak, …}: the room's heat curve. */
    heat: (id, { step, to, signal } = {}) => call('GET', `${room(id)}/heat`, { signal, query: { step, to } }),

    // The moderators' endpoints (/api/admin): the session needs the moderator role.

    /** GET /api/admin/comments?room&user&status&before&limit → {comments}, newest first. */
    modComments: (query, opts) => call('GET', '/api/admin/comments', { ...opts, query }),
    /** POST /api/admin/comments/{approve|reject|delete} with {ids} → {comments}, as they are now. */
    decide: (verb, ids, opts) => call('POST', `/api/admin/comments/${encodeURIComponent(verb)}`, { ...opts, body: { ids } }),
    /** POST /api/admin/bans with a ban request → {ban, deleted: [ids]}. */
    ban: (request, opts) => call('POST', '/api/admin/bans', { ...opts, body: request }),
    /** DELETE /api/admin/bans/:id → {ban}, lifted. */
    unban: (id, opts) => call('DELETE', `/api/admin/bans/${encodeURIComponent(id)}`, opts),
    /** GET /api/admin/reports?room&limit → {comments}: reported comments, most reported first. */
    reported: (query, opts) => call('GET', '/api/admin/reports', { ...opts, query }),
    /** POST /api/admin/reports/dismiss with {ids} → {comments}: their reports reviewed. */
    dismissReports: (ids, opts) => call('POST', '/api/admin/reports/dismiss', { ...opts, body: { ids } }),
    /** POST /api/admin/plugins/reload → the new plugin counters. */
    reloadPlugins: (opts) => call('POST', '/api/admin/plugins/reload', opts),
  };
}
