import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collides, trajectory, laneCount, lanesFor, createLaneAllocator } from '../../../../assets/js/lanes.js';

const W = 1000;
const scroll = (id, width, duration = 8, height = 30) => ({ id, mode: 'scroll', width, height, duration });
const fixed = (id, mode, width, duration = 4, height = 30) => ({ id, mode, width, height, duration });

// Samples both trajectories densely and reports whether they ever overlap.
function overlapsBySampling(a, b, gap = 0) {
  const from = Math.max(a.start, b.start);
  const to = Math.min(a.end, b.end);
  for (let i = 0; i <= 2000; i++) {
    const t = from + ((to - from) * i) / 2000;
    if (t >= to) break;
    const la = a.x0 + a.vx * (t - a.start);
    const lb = b.x0 + b.vx * (t - b.start);
    if (la < lb + b.width + gap - 1e-6 && lb < la + a.width + gap - 1e-6) return true;
  }
  return false;
}

test('a scrolling comment crosses from the right edge to fully off the left edge in its duration', () => {
  const tr = trajectory({ mode: 'scroll', width: 200, duration: 8 }, 10, W);
  assert.equal(tr.x0, W);
  assert.equal(tr.end, 18);
  assert.equal(tr.x0 + tr.vx * 8 + 200, 0);
});

test('fixed comments are centred and still', () => {
  const tr = trajectory({ mode: 'top', width: 200, duration: 4 }, 0, W);
  assert.equal(tr.x0, 400);
  assert.equal(tr.vx, 0);
});

test('collision: the follower must wait until the leader has fully entered', () => {
  const a = trajectory({ mode: 'scroll', width: 300, duration: 8 }, 0, W);
  // The leader moves (1000+300)/8 = 162.5 px/s and needs 300/162.5 = 1.846 s to enter.
  const early = trajectory({ mode: 'scroll', width: 300, duration: 8 }, 1.0, W);
  const late = trajectory({ mode: 'scroll', width: 300, duration: 8 }, 1.9, W);
  assert.equal(collides(a, early), true);
  assert.equal(collides(a, late), false);
});

test('collision: a short slow leader is caught by a long fast follower', () => {
  const short = trajectory({ mode: 'scroll', width: 50, duration: 8 }, 0, W); // 131.25 px/s
  const long = trajectory({ mode: 'scroll', width: 900, duration: 8 }, 1, W); // 237.5 px/s
  // The leader entered long ago (0.38 s), yet the follower catches it before it leaves.
  assert.equal(collides(short, long), true);
  assert.equal(overlapsBySampling(short, long), true);
  const longLater = trajectory({ mode: 'scroll', width: 900, duration: 8 }, 3.8, W);
  assert.equal(collides(short, longLater), false);
  assert.equal(overlapsBySampling(short, longLater), false);
});

test('collision agrees with dense sampling on random pairs', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const modes = ['scroll', 'scroll', 'top'];
  for (let i = 0; i < 500; i++) {
    const a = trajectory({ mode: modes[i % 3], width: 20 + rnd() * 600, duration: 4 + rnd() * 6 }, rnd() * 5, W);
    const b = trajectory({ mode: modes[(i + 1) % 3], width: 20 + rnd() * 600, duration: 4 + rnd() * 6 }, rnd() * 5, W);
    assert.equal(collides(a, b, 10), overlapsBySampling(a, b, 10), `pair ${i}`);
  }
});

test('lane counts follow the display area', () => {
  assert.equal(laneCount(600, 30, 1), 20);
  assert.equal(laneCount(600, 30, 0.5), 10);
  assert.equal(laneCount(600, 30, 0.25), 5);
  assert.equal(laneCount(20, 30, 0.25), 1);
  assert.equal(lanesFor(30, 30), 1);
  assert.equal(lanesFor(43, 30), 2);
});

test('scroll comments take the topmost free lane and stack when the lane is busy', () => {
  const al = createLaneAllocator({ width: W, height: 300, laneHeight: 30 });
  assert.equal(al.place(scroll('a', 300), 0).lane, 0);
  assert.equal(al.place(scroll('b', 300), 0.1).lane, 1);
  // After the first has entered and cannot be caught, lane 0 is free again.
  assert.equal(al.place(scroll('c', 300), 2).lane, 0);
});

test('top comments occupy a lane for their duration; bottom comments stack from the bottom', () => {
  const al = createLaneAllocator({ width: W, height: 300, laneHeight: 30 });
  assert.equal(al.place(fixed('t1', 'top', 200), 0).lane, 0);
  assert.equal(al.place(fixed('t2', 'top', 200), 1).lane, 1);
  assert.equal(al.place(fixed('t3', 'top', 200), 4.5).lane, 0, 'lane 0 frees after 4 s');
  assert.equal(al.place(fixed('b1', 'bottom', 200), 0).lane, 9);
  assert.equal(al.place(fixed('b2', 'bottom', 200), 0).lane, 8);
});

test('display area limits the lanes scroll comments may use; full stage returns null', () => {
  const al = createLaneAllocator({ width: W, height: 300, laneHeight: 30, area: 0.25 });
  const lanes = [];
  for (let i = 0; i < 3; i++) lanes.push(al.place(scroll(`s${i}`, 400), 0)?.lane ?? null);
  assert.deepEqual(lanes, [0, 1, null]);
  assert.equal(al.usable, 2);
});

test('large comments span two lanes and never overlap neighbours', () => {
  const al = createLaneAllocator({ width: W, height: 300, laneHeight: 30 });
  al.place(scroll('small', 200), 0);
  const big = al.place(scroll('big', 300, 8, 43), 0);
  assert.equal(big.lane, 1);
  assert.equal(big.span, 2);
  assert.equal(al.place(scroll('next', 200), 0).lane, 3);
});

test('forced placement (own comment) always succeeds, in the lane that frees first', () => {
  const al = createLaneAllocator({ width: W, height: 60, laneHeight: 30 });
  al.place(fixed('x', 'top', 200, 6), 0);
  al.place(fixed('y', 'top', 200, 3), 0);
  assert.equal(al.place(fixed('z', 'top', 200), 1), null);
  const own = al.place(fixed('own', 'top', 200), 1, { force: true });
  assert.equal(own.lane, 1);
});

test('removing a comment frees its lane; clear frees all', () => {
  const al = createLaneAllocator({ width: W, height: 30, laneHeight: 30 });
  al.place(fixed('a', 'top', 100), 0);
  assert.equal(al.place(fixed('b', 'top', 100), 0), null);
  assert.equal(al.remove('a'), true);
  assert.equal(al.place(fixed('b', 'top', 100), 0).lane, 0);
  al.clear();
  assert.equal(al.size, 0);
});

test('a random storm of placements never yields two overlapping comments', () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const al = createLaneAllocator({ width: W, height: 540, laneHeight: 30, gap: 12 });
  const placed = [];
  const modes = ['scroll', 'scroll', 'scroll', 'top', 'bottom'];
  for (let i = 0; i < 600; i++) {
    const t = i * 0.05;
    const item = { id: i, mode: modes[Math.floor(rnd() * 5)], width: 30 + rnd() * 500, height: rnd() < 0.2 ? 43 : 30, duration: 8 };
    if (item.mode !== 'scroll') item.duration = 4;
    const e = al.place(item, t);
    if (e) placed.push(e);
  }
  assert.ok(placed.length > 100, `placed ${placed.length}`);
  for (let i = 0; i < placed.length; i++) {
    for (let j = i + 1; j < placed.length; j++) {
      const a = placed[i];
      const b = placed[j];
      const share = a.lane < b.lane + b.span && b.lane < a.lane + a.span;
      if (share) assert.equal(overlapsBySampling(a.tr, b.tr, 12), false, `${a.id} vs ${b.id}`);
    }
  }
});

test('resize keeps entries in lanes that still exist', () => {
  const al = createLaneAllocator({ width: W, height: 300, laneHeight: 30 });
  al.place(fixed('low', 'bottom', 100), 0); // lane 9
  al.place(fixed('high', 'top', 100), 0); // lane 0
  al.resize({ height: 150 });
  assert.equal(al.items.has('high'), true);
  assert.equal(al.items.has('low'), false);
});
