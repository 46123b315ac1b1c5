import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heatStep, heatPath, peakTimes, countIn, HEAT_POINTS } from '../../../../assets/js/heat.js';

test('the step keeps a video within the points asked for', () => {
  assert.equal(heatStep(60), 1);
  assert.equal(heatStep(HEAT_POINTS * 2), 2);
  assert.equal(heatStep(7200), 48);
  assert.ok(Math.ceil(7200 / heatStep(7200)) <= HEAT_POINTS);
  assert.equal(heatStep(NaN), 5, 'an unknown duration');
  assert.equal(heatStep(0), 5);
});

test('the path rises to the peak at the middle of its step and closes along the bottom', () => {
  const d = heatPath([0, 4, 2, 0], 400, 50, { margin: 0 });
  assert.equal(d, 'M0,50 L0,50 L50,50 L150,0 L250,25 L350,50 L400,50 L400,50 Z');
  assert.equal(heatPath([0, 0], 400, 50), '', 'nothing to draw');
  assert.equal(heatPath([], 400, 50), '');
  assert.equal(heatPath([3], 0, 50), '', 'no room to draw in');
  // Steps of 10 s on a bar of a 40 s video: the last step runs past the end.
  assert.equal(heatPath([2, 0, 0, 0, 2], 400, 50, { margin: 0, step: 10, span: 40 }),
    'M0,50 L0,0 L50,0 L150,50 L250,50 L350,50 L400,0 L400,0 L400,50 Z');
});

test('peaks are the busiest steps, at their middles', () => {
  assert.deepEqual(peakTimes([1, 9, 0, 9, 4], 10), [15, 35, 45]);
  assert.deepEqual(peakTimes([0, 0], 10), []);
});

test('a live comment is counted into its step', () => {
  assert.deepEqual(countIn([1, 0], 5, 4.9), [2, 0]);
  assert.deepEqual(countIn([1], 5, 12), [1, 0, 1]);
  assert.deepEqual(countIn([1], 5, -1), [1], 'before the start');
  const counts = [1];
  countIn(counts, 5, 0);
  assert.deepEqual(counts, [1], 'the input is left as it was');
});
