// Viewer settings for the overlay, their validation, persistence and the
// comment filter they imply. Pure logic; the storage is injected
// (localStorage in the browser, a Map-backed fake in tests).

import { Emitter } from './emitter.js';
import { normalizeText } from './util.js';

/** localStorage key the settings are saved under. */
export const STORAGE_KEY = 'danmaku.settings.v1';

/** Allowed display areas (fraction of the player height). */
export const AREAS = Object.freeze([0.25, 0.5, 0.75, 1]);

/** Allowed density settings (see density.js). */
export const DENSITIES = Object.freeze(['low', 'normal', 'high']);

const MAX_KEYWORDS = 100;
const MAX_KEYWORD_LEN = 50;
const MAX_BLOCKED_USERS = 200;

/** The highest shield level: comments weigh 0 to 10 (docs/protocol.md, "Quality weight"). */
export const MAX_SHIELD = 10;

/** The largest on-screen cap the panel offers; 0 means no cap. */
export const MAX_ON_SCREEN = 300;

/** A fresh copy of the default settings. */
export function defaultSettings() {
  return {
    visible: true,
    opacity: 1, // 0.1 .. 1
    fontScale: 1, // 0.5 .. 2
    speed: 1, // 0.5 .. 2, multiplies how fast comments cross
    area: 1, // one of AREAS
    density: 'normal', // one of DENSITIES
    merge: true, // collapse duplicates into ×N
    hideModes: { scroll: false, top: false, bottom: false },
    blockedKeywords: [],
    shield: 0, // 0 .. MAX_SHIELD: comments weighing less are not shown
    maxOnScreen: 0, // comments on screen at once (同屏数量); 0: no cap
    subtitleSafe: true, // keep the bottom strip, where subtitles are, free
    blockedUsers: [], // [{id, name}] whose comments this viewer does not see
  };
}

function clampNum(v, lo, hi, dflt) {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) return dflt;
  return Math.min(hi, Math.max(lo, n));
}

function bool(v, dflt) {
  return typeof v === 'boolean' ? v : dflt;
}

/** Cleans a keyword list: trimmed, non-empty, unique, bounded. */
export function cleanKeywords(list) {
  if (!Array.isArray(list)) return [];
  const seen = new Set();
  const out = [];
  for (const k of list) {
    if (typeof k !== 'string') continue;
    const w = k.trim().slice(0, MAX_KEYWORD_LEN);
    const key = normalizeText(w);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(w);
    if (out.length >= MAX_KEYWORDS) break;
  }
  return out;
}

/** Cleans a blocked-user list: {id, name} with a string id, unique, bounded. */
export function cleanBlockedUsers(list) {
  if (!Array.isArray(list)) return [];
  const seen = new Set();
  const out = [];
  for (const u of list) {
    const id = typeof u?.id === 'string' ? u.id.slice(0, 128) : '';
    if (id === '' || seen.has(id)) continue;
    seen.add(id);
    out.push({ id, name: typeof u.name === 'string' ? u.name.slice(0, 64) : '' });
    if (out.length >= MAX_BLOCKED_USERS) break;
  }
  return out;
}

/** Returns valid settings from anything (unknown or bad fields fall back to defaults). */
export function sanitizeSettings(raw) {
  const d = defaultSettings();
  if (raw === null || typeof raw !== 'object') return d;
  const area = Number(raw.area);
  const hm = raw.hideModes && typeof raw.hideModes === 'object' ? raw.hideModes : {};
  return {
    visible: bool(raw.visible, d.visible),
    opacity: clampNum(raw.opacity, 0.1, 1, d.opacity),
    fontScale: clampNum(raw.fontScale, 0.5, 2, d.fontScale),
    speed: clampNum(raw.speed, 0.5, 2, d.speed),
    area: AREAS.includes(area) ? area : d.area,
    density: DENSITIES.includes(raw.density) ? raw.density : d.density,
    merge: bool(raw.merge, d.merge),
    hideModes: {
      scroll: bool(hm.scroll, false),
      top: bool(hm.top, false),
      bottom: bool(hm.bottom, false),
    },
    blockedKeywords: cleanKeywords(raw.blockedKeywords),
    shield: Math.round(clampNum(raw.shield, 0, MAX_SHIELD, d.shield)),
    maxOnScreen: Math.round(clampNum(raw.maxOnScreen, 0, MAX_ON_SCREEN, d.maxOnScreen)),
    subtitleSafe: bool(raw.subtitleSafe, d.subtitleSafe),
    blockedUsers: cleanBlockedUsers(raw.blockedUsers),
  };
}

/** Reads settings from `storage` (getItem); defaults when absent, corrupt or unavailable. */
export function loadSettings(storage, key = STORAGE_KEY) {
  try {
    const raw = storage?.getItem(key);
    return sanitizeSettings(raw ? JSON.parse(raw) : null);
  } catch {
    return defaultSettings();
  }
}

/** Writes settings to `storage` (setItem); returns false when storage refuses (quota, privacy mode). */
export function saveSettings(storage, settings, key = STORAGE_KEY) {
  try {
    storage.setItem(key, JSON.stringify(sanitizeSettings(settings)));
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the predicate deciding whether a comment may be shown under
 * `settings`: hidden modes, blocked users, the shield level (a comment's
 * `weight`, 0 when missing, below it hides it) and blocked keywords
 * (case-, width- and whitespace-insensitive substring match; "/re/"
 * entries are regexps). The viewer's own comments are never filtered.
 */
export function createFilter(settings) {
  const plain = [];
  const regexps = [];
  for (const k of settings.blockedKeywords) {
    const m = /^\/(.+)\/([iu]*)$/u.exec(k);
    if (m) {
      try {
        regexps.push(new RegExp(m[1], m[2].includes('i') ? m[2] : m[2] + 'i'));
        continue;
      } catch {
        // not a valid regexp: treat as text
      }
    }
    plain.push(normalizeText(k));
  }
  const blocked = new Set((settings.blockedUsers ?? []).map((u) => u.id));
  const shield = settings.shield ?? 0;
  return (comment, { own = false } = {}) => {
    if (own) return true;
    if (settings.hideModes[comment.mode]) return false;
    if (blocked.size > 0 && blocked.has(comment.user?.id)) return false;
    if (shield > 0 && (comment.weight ?? 0) < shield) return false;
    if (plain.length === 0 && regexps.length === 0) return true;
    const text = normalizeText(comment.text);
    for (const k of plain) if (text.includes(k)) return false;
    for (const re of regexps) if (re.test(comment.text)) return false;
    return true;
  };
}

/** Creates a settings store loaded from `storage` that saves on every change. */
export function createSettingsStore(storage, key = STORAGE_KEY) {
  return new SettingsStore(storage, key);
}

/** Holds the current settings; emits "change" with (settings, previous) on update. */
class SettingsStore extends Emitter {
  /** storage: an object with getItem/setItem (or null for no persistence). */
  constructor(storage, key = STORAGE_KEY) {
    super();
    this.storage = storage;
    this.key = key;
    this.value = loadSettings(storage, key);
  }

  /** Current settings (treat as read-only). */
  get() {
    return this.value;
  }

  /** Merges `patch` into the settings, validates, saves and emits "change". */
  update(patch) {
    const prev = this.value;
    const merged = { ...prev, ...patch };
    if (patch.hideModes) merged.hideModes = { ...prev.hideModes, ...patch.hideModes };
    this.value = sanitizeSettings(merged);
    if (this.storage) saveSettings(this.storage, this.value, this.key);
    this.emit('change', this.value, prev);
    return this.value;
  }

  /** Restores the defaults. */
  reset() {
    return this.update(defaultSettings());
  }
}
