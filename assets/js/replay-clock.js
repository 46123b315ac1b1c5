// A clock with the parts of HTMLMediaElement the player uses (currentTime,
// paused, playbackRate, duration, readyState, seeking, play(), pause() and
// the play/playing/pause/ratechange/seeking/seeked/ended/timeupdate events),
// so DanmakuPlayer drives the overlay from it exactly as from a <video>.
// The replay of a live room has no video to follow; this is its playhead.
// Pure logic: the wall clock is injected (milliseconds).

/** How often (ms of wall time) tick() fires "timeupdate" while playing, like a video does. */
export const TIMEUPDATE_MS = 250;

/** Creates a clock of `duration` seconds; see ReplayClock. */
export function createReplayClock(opts) {
  return new ReplayClock(opts);
}

/** A pausable, seekable, rate-changeable playhead over [0, duration]. */
class ReplayClock extends EventTarget {
  #base = 0; // position (s) at #anchor
  #anchor = 0; // wall ms when #base was taken
  #rate = 1;
  #paused = true;
  #ended = false;
  #lastUpdate = -Infinity;

  /** duration: seconds; now: () => wall milliseconds (performance.now by default). */
  constructor({ duration = 0, now = () => performance.now() } = {}) {
    super();
    this.now = now;
    this.readyState = 4; // HAVE_ENOUGH_DATA: nothing to load
    this.seeking = false;
    this.duration = duration > 0 && Number.isFinite(duration) ? duration : 0;
    this.#anchor = now();
  }

  /** The playhead in seconds. */
  get currentTime() {
    if (this.#paused) return this.#base;
    return Math.min(this.duration, this.#base + ((this.now() - this.#anchor) / 1000) * this.#rate);
  }

  /** Seeks: fires "seeking" and "seeked", like a video that has the data. */
  set currentTime(t) {
    const to = Math.min(this.duration, Math.max(0, Number.isFinite(t) ? t : 0));
    this.#rebase(to);
    this.#ended = false;
    this.seeking = true;
    this.#fire('seeking');
    this.seeking = false;
    this.#fire('seeked');
    this.#fire('timeupdate');
  }

  /** Whether the clock is paused (it starts paused). */
  get paused() {
    return this.#paused;
  }

  /** Whether the clock stopped at the end. */
  get ended() {
    return this.#ended;
  }

  /** Speed: 1 is real time. */
  get playbackRate() {
    return this.#rate;
  }

  set playbackRate(r) {
    if (!(r > 0) || !Number.isFinite(r) || r === this.#rate) return;
    this.#rebase(this.currentTime);
    this.#rate = r;
    this.#fire('ratechange');
  }

  /** Starts (from the beginning when it had ended). Resolves at once, like a video that can play. */
  play() {
    if (!this.#paused) return Promise.resolve();
    if (this.#ended || this.#base >= this.duration) {
      this.#base = 0;
      this.#ended = false;
      this.#fire('seeking');
      this.#fire('seeked');
    }
    this.#anchor = this.now();
    this.#paused = false;
    this.#fire('play');
    this.#fire('playing');
    return Promise.resolve();
  }

  /** Stops the playhead where it is. */
  pause() {
    if (this.#paused) return;
    this.#rebase(this.currentTime);
    this.#paused = true;
    this.#fire('pause');
  }

  /**
   * Call once per frame: stops at the end (firing "pause" and "ended") and
   * fires "timeupdate" every TIMEUPDATE_MS while playing.
   */
  tick() {
    if (this.#paused) return;
    const t = this.currentTime;
    if (t >= this.duration) {
      this.#rebase(this.duration);
      this.#paused = true;
      this.#ended = true;
      this.#fire('timeupdate');
      this.#fire('pause');
      this.#fire('ended');
      return;
    }
    const now = this.now();
    if (now - this.#lastUpdate >= TIMEUPDATE_MS) {
      this.#lastUpdate = now;
      this.#fire('timeupdate');
    }
  }

  #rebase(position) {
    this.#base = position;
    this.#anchor = this.now();
  }

  #fire(type) {
    this.dispatchEvent(new Event(type));
  }
}
