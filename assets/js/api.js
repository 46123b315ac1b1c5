// REST calls used by the pages. `fetch` is injectable for tests.

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

/** Creates the REST client; `base` is prepended to paths (default: same origin). */
export function createAPI({ base = '', fetch: f = globalThis.fetch?.bind(globalThis) } = {}) {
  async function call(method, path, { signal, query } = {}) {
    let url = base + path;
    if (query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) qs.set(k, String(v));
      const s = qs.toString();
      if (s) url += `?${s}`;
    }
    const res = await f(url, {
      method,
      signal,
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
    let body = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    if (!res.ok) {
      const err = body?.error ?? body ?? {};
      throw new APIError(res.status, err.code, err.message);
    }
    return body;
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
    /** GET /api/rooms/:id/comments?after_seq&limit → comments with seq > afterSeq. */
    commentsAfter: async (id, afterSeq, { limit = 500, signal } = {}) =>
      (await call('GET', `${room(id)}/comments`, { signal, query: { after_seq: afterSeq, limit } }))?.comments ?? [],
    /** POST /api/rooms/:id/like → {likes}. */
    likeRoom: (id, opts) => call('POST', `${room(id)}/like`, opts),
    /** POST /api/comments/:id/like → {likes}. */
    likeComment: (id, opts) => call('POST', `/api/comments/${encodeURIComponent(id)}/like`, opts),
  };
}
