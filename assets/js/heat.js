// The heat curve (高能进度条) of the progress bar: the step to ask the
// server for, and the SVG path drawn from its counts. Pure logic, no DOM.

/** Most points a curve is asked with: about one per 4 px of a wide bar. */
export const HEAT_POINTS = 150;

/** The whole seconds per point that keep a video of `duration` s within maxPoints points. */
export function heatStep(duration, maxPoints = HEAT_POINTS) {
  if (!(duration > 0)) return 5;
  return Math.max(1, Math.ceil(duration / maxPoints));
}

/**
 * The SVG path of a filled curve over `counts` (one per `step` seconds) in
 * a box of `width` x `height` that spans `span` seconds (default: every
 * step): each count at the middle of its step, scaled so the peak reaches
 * `height` less a margin, closed along the bottom. '' when there is
 * nothing to draw.
 */
export function heatPath(counts, width, height, { margin = 2, step = 1, span = counts?.length } = {}) {
  const n = counts?.length ?? 0;
  const peak = n > 0 ? Math.max(...counts) : 0;
  if (!(peak > 0) || !(width > 0) || !(height > 0) || !(span > 0)) return '';
  const y = (c) => round(height - (c / peak) * (height - margin));
  const x = (i) => round(Math.min(1, ((i + 0.5) * step) / span) * width);
  let d = `M0,${height} L0,${y(counts[0])}`;
  for (let i = 0; i < n; i++) d += ` L${x(i)},${y(counts[i])}`;
  return `${d} L${width},${y(counts[n - 1])} L${width},${height} Z`;
}

/** The times (the middle of their steps) of the `n` busiest steps, busiest first. */
export function peakTimes(counts, step, n = 3) {
  return [...(counts ?? []).keys()]
    .filter((i) => counts[i] > 0)
    .sort((a, b) => counts[b] - counts[a] || a - b)
    .slice(0, n)
    .map((i) => (i + 0.5) * step);
}

/** Adds one comment at time t to counts of `step` s (a live comment), growing them as needed. */
export function countIn(counts, step, t) {
  const i = Math.floor(t / step);
  if (!(i >= 0) || !Number.isFinite(i)) return counts;
  const out = counts.slice();
  while (out.length <= i) out.push(0);
  out[i]++;
  return out;
}

function round(v) {
  return Math.round(v * 10) / 10;
}
