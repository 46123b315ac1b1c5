// The player's own controls (DOM), the same on the room and the replay
// page (templates/partials/controls.html): play/pause, the time, a
// progress bar with the room's heat curve under it, volume, speed. They
// drive anything with the parts of HTMLMediaElement used here: a <video>,
// or the replay page's clock.
//
// DOM hooks (by id, each optional): #dm-play (data-state playing|paused),
// #dm-clock, #dm-scrub (a range input over #dm-heat, an <svg> with a
// <path>), #dm-mute and #dm-volume (a range), #dm-speed (buttons with
// data-rate and aria-pressed) and #dm-speed-label, in a popover.

import { formatTime } from './util.js';
import { heatPath, heatStep, countIn } from './heat.js';

/** Width and height of the heat curve's viewBox (it is stretched to the bar). */
const HEAT_W = 1000;
const HEAT_H = 40;

/** Least time between two redraws of the curve as comments arrive (ms). */
const HEAT_REDRAW_MS = 1000;

/**
 * Wires the controls in `doc` to `media`. duration: the length when the
 * media cannot tell it (the replay). Returns {render(), setHeat(curve),
 * countComment(t), seekBy(s), togglePlay(), heat}.
 */
export function mountControls(doc, { media, duration: fixedDuration = NaN }) {
  const $ = (id) => doc.getElementById(id);
  const play = $('dm-play');
  const clock = $('dm-clock');
  const scrub = $('dm-scrub');
  const heatSvg = $('dm-heat');
  const mute = $('dm-mute');
  const volume = $('dm-volume');
  const speedLabel = $('dm-speed-label');
  const speeds = [...doc.querySelectorAll('#dm-speed [data-rate]')];
  const heat = { counts: [], step: 0 };
  let dragging = false;
  let redraw = null; // a pending redraw of the curve

  const duration = () => (Number.isFinite(media.duration) && media.duration > 0 ? media.duration : fixedDuration || 0);

  const togglePlay = () => {
    if (play?.disabled) return;
    if (media.paused) media.play()?.catch?.(() => {});
    else media.pause();
  };

  const seekTo = (t) => {
    const d = duration();
    media.currentTime = Math.max(0, d > 0 ? Math.min(t, d - 0.05) : t);
  };

  function render() {
    const t = media.currentTime || 0;
    const d = duration();
    if (play) {
      const state = media.paused ? 'paused' : 'playing';
      if (play.dataset.state !== state) {
        play.dataset.state = state;
        play.setAttribute('aria-label', media.paused ? 'Play' : 'Pause');
        play.title = media.paused ? 'Play (Space)' : 'Pause (Space)';
      }
    }
    const text = `${formatTime(t)} / ${formatTime(d)}`;
    if (clock && clock.textContent !== text) clock.textContent = text;
    if (scrub && !dragging) {
      if (Number(scrub.max) !== d && d > 0) scrub.max = String(d);
      scrub.value = String(t);
      scrub.setAttribute('aria-valuetext', `${formatTime(t)} of ${formatTime(d)}`);
      scrub.style.setProperty('--dm-progress', d > 0 ? `${(t / d) * 100}%` : '0%');
    }
    for (const b of speeds) b.setAttribute('aria-pressed', String(Number(b.dataset.rate) === media.playbackRate));
    if (speedLabel) speedLabel.textContent = `${media.playbackRate}×`;
    if (mute) {
      const silent = media.muted || media.volume === 0;
      mute.setAttribute('aria-pressed', String(silent));
      mute.setAttribute('aria-label', silent ? 'Unmute' : 'Mute');
      mute.dataset.state = silent ? 'muted' : 'on';
    }
    if (volume && doc.activeElement !== volume) volume.value = String(media.muted ? 0 : media.volume);
  }

  // The heat curve, drawn over the bar's length: counts[i] is comments in
  // [i×step, (i+1)×step).
  function drawHeat() {
    const path = heatSvg?.querySelector('path');
    const d = duration();
    if (!path || !(d > 0)) return;
    path.setAttribute('d', heatPath(heat.counts, HEAT_W, HEAT_H, { step: heat.step, span: d }));
    heatSvg.dataset.peak = String(Math.max(0, ...heat.counts));
  }

  play?.addEventListener('click', togglePlay);
  if (scrub) {
    scrub.addEventListener('input', () => {
      dragging = true;
      if (clock) clock.textContent = `${formatTime(Number(scrub.value))} / ${formatTime(duration())}`;
      scrub.style.setProperty('--dm-progress', `${(Number(scrub.value) / (duration() || 1)) * 100}%`);
    });
    scrub.addEventListener('change', () => {
      dragging = false;
      seekTo(Number(scrub.value));
    });
  }
  mute?.addEventListener('click', () => {
    media.muted = !media.muted;
    if (!media.muted && media.volume === 0) media.volume = 0.5;
    render();
  });
  volume?.addEventListener('input', () => {
    media.volume = Number(volume.value);
    media.muted = media.volume === 0;
    render();
  });
  for (const b of speeds) {
    b.addEventListener('click', () => {
      media.playbackRate = Number(b.dataset.rate);
      b.closest('details')?.removeAttribute('open');
      render();
    });
  }
  for (const type of ['play', 'pause', 'seeked', 'ratechange', 'ended', 'durationchange', 'loadedmetadata', 'volumechange', 'timeupdate']) {
    media.addEventListener(type, render);
  }
  media.addEventListener('durationchange', drawHeat);
  media.addEventListener('loadedmetadata', drawHeat);
  render();

  return {
    render,
    togglePlay,
    /** Moves the playhead by s seconds. */
    seekBy: (s) => seekTo((media.currentTime || 0) + s),
    /** Draws a heat curve {step, counts} from the server. */
    setHeat(curve) {
      heat.step = curve?.step || 1;
      heat.counts = Array.isArray(curve?.counts) ? curve.counts.slice() : [];
      drawHeat();
    },
    /**
     * Counts a comment that just arrived at time t into the curve, drawn
     * again at most once a second: in a busy room comments come far
     * faster than the curve visibly changes.
     */
    countComment(t) {
      if (!heat.step) return;
      heat.counts = countIn(heat.counts, heat.step, t);
      redraw ??= setTimeout(() => {
        redraw = null;
        drawHeat();
      }, HEAT_REDRAW_MS);
    },
    /** The step the curve should be asked in for the media's length (0 until it is known). */
    heatStep: () => (duration() > 0 ? heatStep(duration()) : 0),
    duration,
    heat,
  };
}
