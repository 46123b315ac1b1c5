import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collides, trajectory, laneCount, lanesFor, createLaneAllocator } from '../../../../assets/js/lanes.js';

const W = 1000;
const scroll = (id, width, duration = 8, height = 30) => ({ id, mode: 'scroll', width, height, duration });
const fixed = (id, mode, width, duration = 4, height = 30) => ({ id, mode, width, height, duration });

// Samples both trajectories densely and reports whether they ever overlap
// (at or after `since`).
function overlapsBySampling(a, b, gap = 0, since = -Infinity) {
  const from = Math.max(a.start, b.start, since);
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
  const al = createLaneAllocator({ width: W, height: 540, laneHeight: 30, gap: 12 });
  const { entries } = storm(al, 30, 42);
  assert.ok(entries.length > 100, `placed ${entries.length}`);
  assertApart(entries, 12, -Infinity, 'storm');
});

test('collision ignores what happened before `since`', () => {
  const top = trajectory({ mode: 'top', width: 200, duration: 4 }, 0, W); // [400, 600]
  const scrolling = trajectory({ mode: 'scroll', width: 100, duration: 4 }, 0, W); // 275 px/s
  // The scroller crosses the centred one between about 1.45 s and 2.55 s.
  assert.equal(collides(top, scrolling), true);
  assert.equal(collides(top, scrolling, 0, 2), true);
  assert.equal(collides(top, scrolling, 0, 3), false);
  assert.equal(overlapsBySampling(top, scrolling, 0, 3), false);
});

// Random comments placed every 0.05 s for `until` seconds, as a busy room
// would place them. Returns the items placed (with their start) and entries.
function storm(al, until, seed) {
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const modes = ['scroll', 'scroll', 'scroll', 'top', 'bottom'];
  const items = [];
  const entries = [];
  for (let i = 0; i * 0.05 < until; i++) {
    const mode = modes[Math.floor(rnd() * 5)];
    const item = { id: i, mode, width: 30 + rnd() * 500, height: rnd() < 0.2 ? 43 : 30, duration: mode === 'scroll' ? 8 : 4, start: i * 0.05 };
    const e = al.place(item, item.start);
    if (e) {
      items.push(item);
      entries.push(e);
    }
  }
  return { items, entries };
}

// Throws unless the entries sharing a lane stay apart at and after `since`.
function assertApart(entries, gap, since, what) {
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const [a, b] = [entries[i], entries[j]];
      const share = a.lane < b.lane + b.span && b.lane < a.lane + a.span;
      if (share) assert.equal(overlapsBySampling(a.tr, b.tr, gap, since), false, `${what}: ${a.id} (lane ${a.lane}) vs ${b.id} (lane ${b.lane})`);
    }
  }
}

test('after the stage changes size, reflowed comments never overlap, where keeping every lane would', () => {
  const now = 6;
  for (const [width, height] of [[480, 540], [700, 540], [480, 300], [1600, 540]]) {
    const what = `${width}x${height}`;
    const al = createLaneAllocator({ width: W, height: 540, laneHeight: 30, gap: 12 });
    const live = storm(al, now, width).items.filter((it) => it.start + it.duration > now);
    assert.ok(live.length > 30, `${what}: ${live.length} on screen`);
    const before = new Map(live.map((it) => [it.id, al.get(it.id)]));

    // The old way kept every comment in its lane on its new trajectory.
    // Those that would then run into another must move; the others keep their lane.
    const clash = new Set();
    for (const [i, a] of live.entries()) {
      for (const b of live.slice(i + 1)) {
        const [ea, eb] = [before.get(a.id), before.get(b.id)];
        const share = ea.lane < eb.lane + eb.span && eb.lane < ea.lane + ea.span;
        if (share && collides(trajectory(a, a.start, width), trajectory(b, b.start, width), 12, now)) clash.add(a.id).add(b.id);
      }
    }
    // A wider stage mostly pulls comments apart; a narrower one must not.
    if (width < W) assert.ok(clash.size > 0, `${what}: keeping every lane overlaps nothing, so this checks nothing`);

    const unplaced = al.reflow(live, now, { width, height });
    assert.equal(al.width, width);
    assertApart([...al.items.values()], 12, now, what);
    for (const it of unplaced) assert.equal(al.get(it.id), undefined, `${what}: ${it.id} returned and recorded`);
    assert.equal(al.size + unplaced.length, live.length, `${what}: every comment is placed or returned`);
    for (const e of al.items.values()) assert.ok(e.lane + e.span <= al.total, `${what}: ${e.id} below the stage`);
    if (height !== 540) continue; // other lanes: "its lane" means another one
    for (const it of live) {
      if (!clash.has(it.id)) assert.equal(al.get(it.id)?.lane, before.get(it.id).lane, `${what}: ${it.id} moved`);
    }
  }
});

test('a reflow keeps lanes counted from the top, or from the bottom for bottom comments', () => {
  const al = createLaneAllocator({ width: W, height: 300, laneHeight: 30 });
  const low = { ...fixed('low', 'bottom', 100), start: 0 };
  const high = { ...fixed('high', 'top', 100), start: 0 };
  assert.equal(al.place(low, 0).lane, 9);
  assert.equal(al.place(high, 0).lane, 0);
  assert.deepEqual(al.reflow([low, high], 1, { height: 150 }), []);
  assert.equal(al.get('low').lane, 4, 'still at the bottom');
  assert.equal(al.get('high').lane, 0);
});

test('a comment that widens (its ×N badge) moves when its lane no longer fits; the others stay', () => {
  // a leads b by 2 s in lane 0, both 200 px wide at 150 px/s: 100 px apart.
  // At 600 px wide b moves at 200 px/s and would catch a up at t = 4.
  const a = { ...scroll('a', 200), start: 0 };
  const b = { ...scroll('b', 200), start: 2 };
  const wide = { ...b, width: 600 };
  const setup = (lanes) => {
    const al = createLaneAllocator({ width: W, height: 30 * lanes, laneHeight: 30, gap: 0 });
    assert.equal(al.place(a, 0).lane, 0);
    assert.equal(al.place(b, 2).lane, 0);
    return al;
  };
  const al = setup(2);
  assert.deepEqual(al.reflow([wide], 2.5), []);
  assert.equal(al.get('a').lane, 0, 'the neighbour stayed');
  assert.equal(al.get('b').lane, 1, 'the widened comment moved');
  assert.equal(al.get('b').tr.width, 600);
  // With one lane it fits nowhere and is returned, not recorded.
  const full = setup(1);
  assert.deepEqual(full.reflow([wide], 2.5).map((x) => x.id), ['b']);
  assert.equal(full.get('b'), undefined);
  assert.equal(full.get('a').lane, 0);
  // Had it stayed narrow, it would have kept its lane.
  assert.deepEqual(full.reflow([b], 2.5), []);
  assert.equal(full.get('b').lane, 0);
});

test('own comments are reflowed first and always placed; ended comments are returned', () => {
  const al = createLaneAllocator({ width: W, height: 30, laneHeight: 30 });
  const other = { ...fixed('other', 'top', 300), start: 0 };
  const own = { ...fixed('own', 'top', 300), start: 1, own: true };
  const gone = { ...fixed('gone', 'top', 300), start: -4 };
  al.place(other, 0);
  al.place(own, 1, { force: true }); // shares the one lane
  const unplaced = al.reflow([other, own, gone], 2, { width: 900 });
  assert.deepEqual(unplaced.map((x) => x.id).sort(), ['gone', 'other']);
  assert.equal(al.get('own').lane, 0);
});

test('rename keeps the lanes under the new id', () => {
  const al = createLaneAllocator({ width: W, height: 30, laneHeight: 30 });
  al.place(fixed('ref', 'top', 100), 0);
  assert.equal(al.rename('ref', 7), true);
  assert.equal(al.get('ref'), undefined);
  assert.equal(al.get(7).lane, 0);
  assert.equal(al.place(fixed('x', 'top', 100), 0), null, 'the lane is still taken');
  assert.equal(al.remove(7), true);
  assert.equal(al.place(fixed('x', 'top', 100), 0).lane, 0);
});

test('the subtitle strip is kept free, and every mode stays in the display area above it', () => {
  // 600 px high, 30 px lanes, a 90 px strip: 17 lanes, 8 of them in half the area.
  const alloc = createLaneAllocator({ width: W, height: 600, laneHeight: 30, area: 0.5, gap: 10, reserve: 90 });
  const bottoms = [];
  for (let i = 0; i < 20; i++) {
    for (const mode of ['scroll', 'top', 'bottom']) {
      const e = alloc.place(mode === 'scroll' ? scroll(`${mode}${i}`, 300) : fixed(`${mode}${i}`, mode, 300), 0);
      if (e) bottoms.push([mode, e.y + 30 * e.span]);
    }
  }
  const limit = (600 - 90) * 0.5;
  for (const [mode, bottom] of bottoms) assert.ok(bottom <= limit, `${mode} comment ends at ${bottom}, below ${limit}`);
  assert.ok(bottoms.some(([m]) => m === 'bottom'), 'bottom comments were placed');
  const lowestBottom = Math.max(...bottoms.filter(([m]) => m === 'bottom').map(([, b]) => b));
  assert.equal(lowestBottom, 8 * 30, 'bottom comments start at the bottom of the display area');

  const full = createLaneAllocator({ width: W, height: 600, laneHeight: 30, area: 1, gap: 10, reserve: 90 });
  const e = full.place(fixed('b', 'bottom', 100), 0);
  assert.equal(e.y + 30, 510, 'with the whole area, the first bottom comment sits right above the strip');
});

test('a forced own comment with evict moves the comments in its way instead of covering them', () => {
  const alloc = createLaneAllocator({ width: W, height: 90, laneHeight: 30, area: 1, gap: 10 });
  // Three lanes, each holding a still comment in the middle of the screen.
  for (let i = 0; i < 3; i++) assert.ok(alloc.place(fixed(`t${i}`, 'top', 400), 0));
  assert.equal(alloc.place(fixed('x', 'top', 400), 1), null, 'every lane is busy');
  const own = alloc.place(fixed('own', 'top', 400), 1, { force: true, evict: true });
  assert.ok(own, 'the own comment is placed');
  assert.deepEqual(own.evicted, ['t0'], 'the one comment in its lane moves out');
  assert.equal(alloc.get('t0'), undefined);
  for (const id of ['t1', 't2']) assert.notEqual(alloc.get(id).lane, own.lane, `${id} shares the own comment's lane`);
  // Where a lane is free, nothing is evicted.
  alloc.remove('t2');
  assert.deepEqual(alloc.place(fixed('own2', 'top', 400), 1, { force: true, evict: true }).evicted, undefined);
});
