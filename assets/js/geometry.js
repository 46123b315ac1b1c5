// Sizes, durations and colours of comments on the overlay. Pure logic, no DOM.

import { safeColor } from './util.js';

/** Font sizes in px per comment size at the reference player height. */
export const BASE_FONT = Object.freeze({ small: 18, medium: 25, large: 36 });

/** Player height (px) at which BASE_FONT applies; other heights scale. */
export const REFERENCE_HEIGHT = 540;

/** Seconds a scrolling comment takes to cross the player at speed 1. */
export const SCROLL_SECONDS = 8;

/** Seconds a top/bottom comment stays. */
export const FIXED_SECONDS = 4;

/** Share of the player's height kept free at the bottom for subtitles, when the viewer asks for it. */
export const SUBTITLE_STRIP = 0.15;

/** Line height of comments relative to their font size. */
export const LINE_HEIGHT = 1.2;

/** How much the player height scales comments (bounded so tiny or huge players stay readable). */
export function heightScale(stageHeight) {
  if (!(stageHeight > 0)) return 1;
  return Math.min(1.6, Math.max(0.6, stageHeight / REFERENCE_HEIGHT));
}

/** Smallest comment text in px, however small the player (a phone) or the font setting. */
export const MIN_FONT_PX = 14;

/** Smallest ×N badge text in px. */
export const MIN_BADGE_PX = 11;

/** Font size in px of a comment of `size` on a stage `stageHeight` px high with the viewer's font scale. */
export function fontPx(size, stageHeight, fontScale = 1) {
  const base = BASE_FONT[size] ?? BASE_FONT.medium;
  return Math.max(MIN_FONT_PX, Math.round(base * heightScale(stageHeight) * fontScale * 10) / 10);
}

/** Font size in px of the ×N badge of a comment whose text is `px` (0.7 of it, kept readable). */
export function badgePx(px) {
  return Math.max(MIN_BADGE_PX, Math.round(px * 0.7 * 10) / 10);
}

/** Lane height in px: one medium line, so small and medium take one lane and large takes two. */
export function laneHeightPx(stageHeight, fontScale = 1) {
  return Math.ceil(fontPx('medium', stageHeight, fontScale) * LINE_HEIGHT + 1);
}

/** Horizontal gap in px kept between two comments in one lane (room for the ♥N like marker). */
export function gapPx(stageHeight, fontScale = 1) {
  return Math.round(fontPx('medium', stageHeight, fontScale) * 0.8);
}

/** Seconds (video time) a comment of `mode` stays on screen at the viewer's speed setting. */
export function durationFor(mode, speed = 1) {
  if (mode === 'scroll') return SCROLL_SECONDS / Math.min(2, Math.max(0.5, speed || 1));
  return FIXED_SECONDS;
}

/** Whether a colour is dark enough to need a light outline instead of a dark one. */
export function isDark(c) {
  const hex = safeColor(c);
  const r = parseInt(hex.slice(1, 3), 16);
  const g = parseInt(hex.slice(3, 5), 16);
  const b = parseInt(hex.slice(5, 7), 16);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 60;
}

/** The ×N badge text for a merged comment, or '' for a single one. */
export function badgeText(count) {
  return count > 1 ? `×${count}` : '';
}
