// Shared wiring for the room and replay pages. The page markup provides the
// elements by id (see the README in assets/js); this module reads them and
// builds the player, settings panel and indicators.

import { createPlayer } from '../player.js';
import { createAPI } from '../api.js';
import { createSettingsStore, createFilter } from '../settings.js';
import { mountSettingsPanel } from '../settings-panel.js';
import { createCommentList } from '../comment-list.js';
import { byId, requireId } from '../dom.js';

/** Localstorage if usable (it throws in some privacy modes), else null. */
export function safeStorage() {
  try {
    const s = globalThis.localStorage;
    s.getItem('danmaku.probe');
    return s;
  } catch {
    return null;
  }
}

/**
 * Reads the room from #dm-room's data attributes (data-room-id,
 * data-room-kind) and builds the settings store, REST client and player on
 * #dm-video / #dm-stage. Mounts the settings panel into #dm-settings when
 * present. maxAge (ms) makes loaded windows go stale and load again.
 * `video` replaces #dm-video (e.g. a replay clock), `source` the REST API as
 * the source of comment windows, and `kind` the room's kind.
 * Returns {roomId, kind, api, settings, player, root, video}.
 */
export function setupPlayer({ client = null, loadWindows = true, maxAge = Infinity, video = null, source = null, kind = null } = {}) {
  const root = requireId('dm-room');
  const roomId = root.dataset.roomId;
  if (!roomId) throw new Error('danmaku: #dm-room needs data-room-id');
  kind ??= root.dataset.roomKind === 'live' ? 'live' : 'vod';
  const api = createAPI({ base: root.dataset.apiBase || '' });
  const settings = createSettingsStore(safeStorage());
  const stage = requireId('dm-stage');
  video ??= requireId('dm-video');
  const player = createPlayer({
    video,
    stageRoot: stage,
    roomId,
    kind,
    api: loadWindows ? source ?? api : null,
    client,
    settings,
    maxAge,
  });
  const panel = byId('dm-settings');
  if (panel) mountSettingsPanel(panel, settings);
  wireToggle(byId('dm-toggle'), settings);
  wireFullscreen(byId('dm-fullscreen'), byId('dm-theater') || stage.closest('.dm-player') || stage.parentElement);
  return { roomId, kind, api, settings, player, root, video };
}

/**
 * Builds the comment list in #dm-list (if the page has one) and keeps it in
 * step with the player: new, own, retracted and liked comments, without
 * those the viewer's blocked words hide (hidden modes are about the
 * overlay, so their comments stay listed). Clicking an entry seeks `video`
 * (when seekable); its ♥ likes the comment. keyOf/label choose the time
 * column (see comment-list.js). Returns the list or null.
 */
export function mountList(player, video, settings, { keyOf, label, seekable = true } = {}) {
  const box = byId('dm-list');
  if (!box) return null;
  const list = createCommentList(box, { keyOf, label, seekable });
  const applySettings = (s) => list.setFilter(createFilter({ ...s, hideModes: {} }));
  applySettings(settings.get());
  settings.on('change', applySettings);
  player.on('comments', (items) => list.add(items));
  player.on('pending', (c) => list.add([c], { own: true }));
  player.on('sent', (c, ref) => c && list.rekey(ref, c));
  player.on('rejected', (_err, _draft, ref) => list.remove([ref]));
  player.on('retract', (ids) => list.remove(ids));
  player.on('likes', (counts) => {
    for (const [id, n] of Object.entries(counts)) list.setLikes(id, n);
  });
  player.on('like', ({ id, likes }) => {
    list.markLiked(id);
    list.setLikes(id, likes);
  });
  list.on('like', (id) => player.like(id));
  if (seekable) {
    list.on('seek', (t) => {
      video.currentTime = Math.max(0, t - 0.5); // just before, so the comment flies in
      if (video.paused) video.play()?.catch?.(() => {});
    });
    video.addEventListener('timeupdate', () => list.focus(video.currentTime));
    video.addEventListener('seeked', () => list.focus(video.currentTime));
  }
  return list;
}

/** Makes `button` show/hide the comments (aria-pressed reflects "shown"). */
export function wireToggle(button, settings) {
  if (!button) return;
  const render = (s) => button.setAttribute('aria-pressed', String(s.visible));
  render(settings.get());
  settings.on('change', render);
  button.addEventListener('click', () => settings.update({ visible: !settings.get().visible }));
}

/**
 * Makes `button` toggle fullscreen on the player box (video + overlay), so
 * the comments stay visible; the video's own fullscreen would hide them.
 */
export function wireFullscreen(button, box) {
  if (!button || !box) return;
  const doc = box.ownerDocument;
  if (!doc.fullscreenEnabled) {
    button.hidden = true;
    return;
  }
  button.addEventListener('click', () => {
    if (doc.fullscreenElement) doc.exitFullscreen();
    else box.requestFullscreen().catch(() => {});
  });
  doc.addEventListener('fullscreenchange', () => {
    button.setAttribute('aria-pressed', String(doc.fullscreenElement === box));
  });
}

/** Shows a number in the element with `id` if the page has it. */
export function showCount(id, n) {
  const el = byId(id);
  if (el && Number.isFinite(n)) el.textContent = String(n);
}
