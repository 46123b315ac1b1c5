import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fontPx, heightScale, laneHeightPx, durationFor, isDark, badgeText, badgePx, MIN_FONT_PX } from '../../../../assets/js/geometry.js';
import { lanesFor } from '../../../../assets/js/lanes.js';

test('font sizes are 18/25/36 px at the reference height and scale with the player and setting', () => {
  assert.deepEqual(['small', 'medium', 'large'].map((s) => fontPx(s, 540)), [18, 25, 36]);
  assert.equal(fontPx('medium', 1080), 40, 'capped at 1.6x');
  assert.equal(fontPx('medium', 270), 15, 'floored at 0.6x');
  assert.equal(fontPx('medium', 540, 1.5), 37.5);
  assert.equal(fontPx('bogus', 540), 25);
  assert.equal(heightScale(0), 1);
});

test('text stays readable on a phone-sized player: at least 14 px, badges at least 11 px', () => {
  // A 390 px wide phone shows a 16:9 player 219 px high.
  assert.deepEqual(['small', 'medium', 'large'].map((s) => fontPx(s, 219)), [MIN_FONT_PX, 15, 21.6]);
  assert.equal(fontPx('medium', 540, 0.5), MIN_FONT_PX, 'the smallest font setting too');
  assert.equal(badgePx(14), 11);
  assert.equal(badgePx(36), 25.2);
});

test('small and medium fit one lane, large takes two', () => {
  for (const h of [300, 540, 900]) {
    const lane = laneHeightPx(h);
    assert.equal(lanesFor(fontPx('small', h) * 1.2, lane), 1);
    assert.equal(lanesFor(fontPx('medium', h) * 1.2, lane), 1);
    assert.equal(lanesFor(fontPx('large', h) * 1.2, lane), 2);
  }
});

test('scroll duration follows the speed setting; fixed comments stay 4 s', () => {
  assert.equal(durationFor('scroll', 1), 8);
  assert.equal(durationFor('scroll', 2), 4);
  assert.equal(durationFor('scroll', 100), 4, 'speed is clamped');
  assert.equal(durationFor('top', 2), 4);
});

test('dark colours are told apart for their outline', () => {
  assert.equal(isDark('#000000'), true);
  assert.equal(isDark('#ffffff'), false);
});

test('the badge is only for merged comments', () => {
  assert.equal(badgeText(1), '');
  assert.equal(badgeText(3), '×3');
});
