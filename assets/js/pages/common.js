// Shared wiring for the room and replay pages. The page markup provides the
// elements by id (see the README in assets/js); this module reads them and
// builds the player, its controls and heat curve, the settings panel, the
// popovers and keyboard shortcuts, and the indicators.

import { createPlayer } from '../player.js';
import { createAPI } from '../api.js';
import { createSettingsStore, createFilter } from '../settings.js';
import { mountSettingsPanel } from '../settings-panel.js';
import { createCommentList } from '../comment-list.js';
import { mountControls } from '../controls.js';
import { wirePopovers } from '../popovers.js';
import { wireShortcuts, SHORTCUTS } from '../shortcuts.js';
import { byId, requireId, el } from '../dom.js';

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
 * data-room-kind) and builds the settings store, REST client, player on
 * #dm-video / #dm-stage and its controls (#dm-controls). Mounts the
 * settings panel into #dm-settings when present, and wires the popovers,
 * the shortcuts and the "N hidden" hint. maxAge (ms) makes loaded windows
 * go stale and load again. `video` replaces #dm-video (e.g. a replay
 * clock, whose length is `duration`), `source` the REST API as the source
 * of comment windows, and `kind` the room's kind.
 * Returns {roomId, kind, api, settings, player, root, video, controls}.
 */
export function setupPlayer({ client = null, loadWindows = true, maxAge = Infinity, video = null, source = null, kind = null, duration = NaN } = {}) {
  const root = requireId('dm-room');
  const roomId = root.dataset.roomId;
  if (!roomId) throw new Error('danmaku: #dm-room needs data-room-id');
  kind ??= root.dataset.roomKind === 'live' ? 'live' : 'vod';
  const api = createAPI({ base: root.dataset.apiBase || '' });
  const settings = createSettingsStore(safeStorage());
  const stage = requireId('dm-stage');
  video ??= requireId('dm-video');
  const motion = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)');
  const player = createPlayer({
    video,
    stageRoot: stage,
    roomId,
    kind,
    api: loadWindows ? source ?? api : null,
    rest: api,
    client,
    settings,
    maxAge,
    reducedMotion: !!motion?.matches,
  });
  motion?.addEventListener?.('change', (e) => player.stage.setReducedMotion(e.matches));
  const panel = byId('dm-settings');
  if (panel) mountSettingsPanel(panel, settings);
  wireToggle(byId('dm-toggle'), settings);
  wireFullscreen(byId('dm-fullscreen'), byId('dm-theater') || stage.closest('.dm-player') || stage.parentElement);
  const controls = mountControls(document, { media: video, duration });
  // Clicking the picture plays and pauses, as on a video (a click on a
  // comment opens its menu instead).
  byId('dm-player')?.addEventListener('click', (e) => {
    if (!e.target.closest('.dm-item, .dm-menu')) controls.togglePlay();
  });
  wirePopovers(document);
  fillHelp(byId('dm-keys'));
  wireShortcuts(document, {
    togglePlay: controls.togglePlay,
    seek: (s) => controls.seekBy(s),
    toggleComments: () => settings.update({ visible: !settings.get().visible }),
    compose: byId('dm-compose') ? () => byId('dm-input')?.focus() : null,
    help: () => {
      const help = byId('dm-help');
      if (!help) return;
      help.open = true;
      help.querySelector('summary')?.focus();
    },
  });
  wireHiddenHint(player.stage, byId('dm-hidden-hint'));
  return { roomId, kind, api, settings, player, root, video, controls };
}

/** Lists the keyboard shortcuts in the help popover's <dl>. */
function fillHelp(dl) {
  if (!dl) return;
  const doc = dl.ownerDocument;
  dl.replaceChildren(...SHORTCUTS.flatMap(([keys, what]) => [
    el(doc, 'dt', {}, [el(doc, 'kbd', { textContent: keys })]),
    el(doc, 'dd', { textContent: what }),
  ]));
}

/** Seconds the "N hidden" hint counts over. */
const HINT_SECONDS = 10;

/**
 * Keeps `hint` saying how many comments did not fit on screen (no lane,
 * the viewer's cap, too long a wait) in the last HINT_SECONDS, hidden when
 * none. The counting is the stage's; this samples it once a second.
 */
export function wireHiddenHint(stage, hint, every = 1000) {
  if (!hint) return;
  const samples = [stage.hidden];
  setInterval(() => {
    samples.push(stage.hidden);
    if (samples.length > HINT_SECONDS + 1) samples.shift();
    const n = samples[samples.length - 1] - samples[0];
    hint.hidden = n <= 0;
    const text = `${n} hidden`;
    if (hint.textContent !== text) {
      hint.textContent = text;
      hint.title = `${n} comments did not fit on screen in the last ${HINT_SECONDS} s (the density and on-screen cap settings decide)`;
    }
  }, every);
}

/**
 * Draws the room's heat curve under the progress bar once the video's
 * length is known, and returns {refresh()}, which asks again (debounced)
 * after comments left the room.
 */
export function loadHeat(api, roomId, controls, media) {
  let timer = null;
  const load = async () => {
    const step = controls.heatStep();
    if (!step) return;
    try {
      controls.setHeat(await api.heat(roomId, { step, to: controls.duration() }));
    } catch {
      // No curve is no harm: the bar works without it.
    }
  };
  media.addEventListener('loadedmetadata', load);
  media.addEventListener('durationchange', load);
  load();
  return {
    refresh() {
      clearTimeout(timer);
      timer = setTimeout(load, 2000);
    },
  };
}

/**
 * Builds the comment list in #dm-list (if the page has one) and keeps it in
 * step with the player: new, own, retracted and liked comments, without
 * those the viewer's blocked words, blocked users and shield level hide
 * (hidden modes are about the overlay, so their comments stay listed).
 * Clicking an entry seeks `video` (when seekable); its ♥ likes the
 * comment or takes the like back. keyOf/label choose the time column (see
 * comment-list.js). Returns the list or null.
 */
export function mountList(player, video, settings, { keyOf, label, seekable = true } = {}) {
  const box = byId('dm-list');
  if (!box) return null;
  const list = createCommentList(box, { keyOf, label, seekable, liked: (id) => player.likes(id) });
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
  player.on('like', ({ id, likes, liked }) => {
    list.setLiked(id, liked);
    list.setLikes(id, likes);
  });
  player.on('like-error', (_err, id) => list.setLiked(id, player.likes(id)));
  player.on('liked', (ids) => ids.forEach((id) => list.setLiked(id, true)));
  player.on('weights', () => applySettings(settings.get()));
  list.on('like', (id) => player.toggleLike(id));
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
  const e = byId(id);
  if (e && Number.isFinite(n)) e.textContent = String(n);
}

let toastTimer = null;

/** Says something short in #dm-toast (a live region) for a few seconds. */
export function toast(text, kind = 'info') {
  const t = byId('dm-toast');
  if (!t) return;
  t.textContent = text;
  t.dataset.kind = kind;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    t.textContent = '';
  }, 4000);
}
