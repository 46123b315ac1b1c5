// Small pure helpers several modules share: text and colour as shown, time
// labels, connection status texts, and request refs. No DOM, unit-tested
// with node --test.

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** Whether `c` is a colour as the protocol carries it: #rrggbb (any case). */
export function isColor(c) {
  return typeof c === 'string' && HEX_COLOR.test(c);
}

/** The comment colour if it is a valid #rrggbb, else white (never lets other CSS through). */
export function safeColor(c) {
  return isColor(c) ? c.toLowerCase() : '#ffffff';
}

/** Text as shown on one line: line breaks and tabs become spaces. */
export function displayText(text) {
  return String(text ?? '').replace(/[\r\n\t\u2028\u2029]+/g, ' ');
}

const TRAILING_NOISE = /[\s!！?？.。,，~～…、]+$/u;

/** Canonical form of a comment text for duplicate detection, echo matching and keyword blocking. */
export function normalizeText(text) {
  return String(text ?? '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(TRAILING_NOISE, '');
}

const pad2 = (n) => String(n).padStart(2, '0');

/** Seconds as m:ss, or h:mm:ss from an hour up (negative and NaN count as 0). */
export function formatTime(sec) {
  const s = Math.max(0, Math.floor(Number.isFinite(sec) ? sec : 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s % 60)}` : `${m}:${pad2(s % 60)}`;
}

/** An instant (Unix ms) as the viewer's local HH:MM:SS, or '' when unknown. */
export function formatClock(ms) {
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map(pad2).join(':');
}

/**
 * An ISO instant in the viewer's locale, short: the time alone when it is
 * on the same day as `now` ("14:03:22"), else day, month and time ("3 May,
 * 14:03"); '' when missing.
 */
export function formatWhen(iso, now = new Date()) {
  if (!iso) return '';
  const d = new Date(iso);
  if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString();
  return d.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** A comment's created_at as Unix ms (NaN when missing or malformed). */
export function createdMs(c) {
  return typeof c?.created_at === 'string' ? Date.parse(c.created_at) : NaN;
}

/** Text for a connection indicator, from a socket's state and its info (see socket.js). */
export function statusText(state, info = {}) {
  switch (state) {
    case 'open':
      return 'Connected';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return info.delay ? `Reconnecting in ${Math.ceil(info.delay / 1000)} s…` : 'Reconnecting…';
    case 'closed':
      return info.reason ? `Disconnected: ${info.reason}` : 'Disconnected';
    default:
      return '';
  }
}

/**
 * What a banned viewer is told, from the server's banned frame {room,
 * reason, until}: "Banned from this room until <their local time>: <reason>".
 */
export function bannedText(ban = {}, now = new Date()) {
  let s = ban.room ? 'Banned from this room' : 'Banned';
  if (ban.until) s += ` until ${formatWhen(ban.until, now)}`;
  return ban.reason ? `${s}: ${ban.reason}` : s;
}

/**
 * The active modes of a room ({slow_seconds, unique_window, signed_in_only,
 * delay_seconds, emergency}, as the modes frame carries them) as short
 * labels for the send bar: ["Slow mode: 30 s", "Signed-in only", …].
 */
export function modesText(m = {}) {
  const out = [];
  if (m.emergency) out.push('Emergency mode: comments wait for a moderator');
  if (m.slow_seconds > 0) out.push(`Slow mode: one comment every ${m.slow_seconds} s`);
  if (m.unique_window > 0) out.push('Unique chat: no repeats');
  if (m.signed_in_only) out.push('Signed-in only');
  if (m.delay_seconds > 0) out.push(`Chat delay: ${m.delay_seconds} s`);
  return out;
}

const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})\b/g;

/** A server message with every RFC 3339 instant in it shown in the viewer's local time ("banned until …"). */
export function localizeTimes(message, now = new Date()) {
  return String(message ?? '').replace(ISO_INSTANT, (iso) => (Number.isNaN(Date.parse(iso)) ? iso : formatWhen(iso, now)));
}

let refCounter = 0;

/**
 * A fresh idempotency key for a comment: a random UUID where the browser
 * has one (secure contexts), else random base-36 digits. At most 64 ASCII
 * characters, as the server requires.
 */
export function newKey() {
  if (typeof globalThis.crypto?.randomUUID === 'function') return globalThis.crypto.randomUUID();
  const bytes = new Uint32Array(4);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((n) => n.toString(36)).join('-');
}

/** A fresh client-side reference, unique on this page, for matching a request with its answer. */
export function newRef() {
  refCounter = (refCounter + 1) % 1e9;
  const rnd = Math.floor(Math.random() * 0x100000).toString(36);
  return `c${Date.now().toString(36)}${rnd}${refCounter.toString(36)}`;
}
