// Page script for /rooms/:id/replay: a live room's stored comments played
// back at the pace they were sent (by created_at), with play/pause, 1×/2×/4×
// and a scrubber. There is no video to follow: a ReplayClock is the playhead,
// and a ReplaySource turns the room's comments (fetched in seq order) into
// windows of replay time, so the ordinary player drives the overlay.

import { createReplayClock } from '../replay-clock.js';
import { createReplaySource } from '../replay-source.js';
import { createAPI } from '../api.js';
import { formatTime } from '../util.js';
import { byId, requireId } from '../dom.js';
import { setupPlayer, mountList } from './common.js';

const root = requireId('dm-room');
const origin = Number(root.dataset.origin);
const duration = Number(root.dataset.duration) || 0;
const rest = createAPI({ base: root.dataset.apiBase || '' });
const clock = createReplayClock({ duration });
const source = createReplaySource({
  originMs: origin,
  fetchAfter: (afterSeq, limit) => rest.commentsAfter(root.dataset.roomId, afterSeq, { limit }),
});
const { player, settings } = setupPlayer({ client: null, video: clock, source, kind: 'vod' });
mountList(player, clock, settings);

const playButton = byId('dm-play');
const scrub = byId('dm-scrub');
const clockText = byId('dm-clock');
const speedButtons = [...document.querySelectorAll('#dm-speed [data-rate]')];

const total = formatTime(duration);
let dragging = false;

function render() {
  const t = clock.currentTime;
  if (playButton) {
    playButton.dataset.state = clock.paused ? 'paused' : 'playing';
    playButton.setAttribute('aria-label', clock.paused ? 'Play' : 'Pause');
    playButton.title = clock.paused ? 'Play' : 'Pause';
  }
  if (scrub && !dragging) {
    scrub.value = String(t);
    scrub.style.setProperty('--dm-progress', duration > 0 ? `${(t / duration) * 100}%` : '0%');
  }
  if (clockText) clockText.textContent = `${formatTime(t)} / ${total}`;
  for (const b of speedButtons) b.setAttribute('aria-pressed', String(Number(b.dataset.rate) === clock.playbackRate));
}

const toggle = () => (clock.paused ? clock.play() : clock.pause());
playButton?.addEventListener('click', toggle);
// Clicking the picture plays and pauses, as on a video (clicks on comments like them instead).
byId('dm-play-area')?.addEventListener('click', () => {
  if (!playButton?.disabled) toggle();
});
for (const b of speedButtons) {
  b.addEventListener('click', () => {
    clock.playbackRate = Number(b.dataset.rate);
    render();
  });
}
if (scrub) {
  scrub.max = String(duration);
  scrub.addEventListener('input', () => {
    dragging = true;
    if (clockText) clockText.textContent = `${formatTime(Number(scrub.value))} / ${total}`;
  });
  scrub.addEventListener('change', () => {
    dragging = false;
    clock.currentTime = Number(scrub.value);
  });
}
// Space toggles play, as in a video player (not while typing in a field).
document.addEventListener('keydown', (e) => {
  if (e.key !== ' ' || e.target.closest?.('input, textarea, select, button, summary')) return;
  e.preventDefault();
  if (!playButton?.disabled) toggle();
});
for (const type of ['play', 'pause', 'seeked', 'ratechange', 'ended']) clock.addEventListener(type, render);

(function frame() {
  clock.tick();
  render();
  requestAnimationFrame(frame);
})();
