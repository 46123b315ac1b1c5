// Wire version 2's comments frames (docs/protocol.md#wire-versions): the
// room once, then one row of positioned fields per comment,
//
//   [Δid, Δseq, time_ms, Δcreated_ms, text, user_id, weight, name, likes, mode, color, size]
//
// Δ fields are differences from the row before (from 0 for the first);
// Δseq is null for a comment without a seq; from weight on, fields are
// left off the end while they hold their defaults, and 0 stands for a
// default before one that is not. Pure: no DOM.

/** The wire version this client asks for (the ?v= of the socket URL). */
export const WIRE_VERSION = 2;

const MODES = ['scroll', 'top', 'bottom'];
const SIZES = ['medium', 'small', 'large'];
const WHITE = '#ffffff';

/** The name a guest with user id `id` gets (guest-4f2a for g-4f2a…); '' for other ids. */
export function defaultGuestName(id) {
  return typeof id === 'string' && id.length >= 6 && id.startsWith('g-') ? `guest-${id.slice(2, 6)}` : '';
}

// A mode or size: its code, or the value itself when the server had none for it.
function code(v, names) {
  return typeof v === 'string' ? v : names[v] ?? names[0];
}

/**
 * The comments of a v2 frame's rows, as a v1 frame's items carry them:
 * {id, room, seq (left out when none), time (s), text, mode, color, size,
 * user: {id, name}, created_at (ISO), likes, weight (left out when 0)}.
 */
export function decodeRows(room, rows) {
  const out = [];
  let id = 0;
  let seq = 0;
  let created = 0;
  for (const r of Array.isArray(rows) ? rows : []) {
    if (!Array.isArray(r) || r.length < 6) continue;
    id += r[0];
    created += r[3];
    const c = { id, room };
    if (r[1] !== null) {
      seq += r[1];
      c.seq = seq;
    }
    c.time = r[2] / 1000;
    c.text = r[4];
    c.mode = code(r[9] || 0, MODES);
    c.color = r[10] ? `#${r[10]}` : WHITE;
    c.size = code(r[11] || 0, SIZES);
    c.user = { id: r[5], name: r[7] || defaultGuestName(r[5]) };
    c.created_at = new Date(created).toISOString();
    c.likes = r[8] || 0;
    if (r[6]) c.weight = r[6];
    out.push(c);
  }
  return out;
}

/** The items of a comments frame, whichever version it came in. */
export function frameItems(m) {
  if (Array.isArray(m.rows)) return decodeRows(m.room, m.rows);
  return Array.isArray(m.items) ? m.items : [];
}

/** The rows of a v2 frame for v1 items (what the server writes; for tests and tools). */
export function encodeRows(items) {
  let id = 0;
  let seq = 0;
  let created = 0;
  return items.map((c) => {
    const at = Date.parse(c.created_at) || 0;
    const row = [c.id - id, c.seq ? c.seq - seq : null, Math.round(c.time * 1000), at - created, c.text, c.user?.id ?? ''];
    id = c.id;
    created = at;
    if (c.seq) seq = c.seq;
    const name = c.user?.name && c.user.name !== defaultGuestName(c.user?.id) ? c.user.name : 0;
    const mode = MODES.indexOf(c.mode ?? 'scroll');
    const size = SIZES.indexOf(c.size ?? 'medium');
    const color = c.color && c.color !== WHITE ? c.color.slice(1) : 0;
    const rest = [c.weight ?? 0, name, c.likes ?? 0, mode < 0 ? c.mode : mode, color, size < 0 ? c.size : size];
    while (rest.length > 0 && rest[rest.length - 1] === 0) rest.pop();
    return [...row, ...rest];
  });
}
