import { check, assert, equal, frames, until } from './harness.js';
import { createStage } from '/assets/js/stage.js';
import { defaultSettings } from '/assets/js/settings.js';

let now = 0;
const root = document.getElementById('dm-stage');
const stage = createStage(root, { clock: () => now });
const items = () => [...root.querySelectorAll('.dm-item')];
const comment = (id, extra = {}) => ({ id, text: `comment ${id}`, mode: 'scroll', size: 'medium', color: '#ffffff', ...extra });

// A frame far from every earlier one, so the drift check runs (it syncs the
// animations to the clock and drops finished comments).
let ticks = 0;
function tickFar() {
  stage.tick(performance.now() + ++ticks * 1e6);
}

// Freezes every animation at video time t (as the stage does on pause).
function freezeAt(t) {
  now = t;
  stage.play();
  stage.pause();
  tickFar();
}

function overlaps(a, b) {
  return a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
}

// Throws if the real boxes of any two comments on screen overlap.
function assertNoOverlap(when) {
  const rects = items().map((el) => [el.dataset.id, el.getBoundingClientRect()]);
  const info = (k) => {
    const it = stage.items.get(rects[k][0]);
    const r = rects[k][1];
    return `${rects[k][0]} ${it && it.mode} lane=${it && it.lane} start=${it && it.start} w=${it && it.width} rect=[${r.left.toFixed(1)},${r.right.toFixed(1)}]x[${r.top.toFixed(1)},${r.bottom.toFixed(1)}]`;
  };
  for (let i = 0; i < rects.length; i++) {
    for (let j = i + 1; j < rects.length; j++) {
      if (overlaps(rects[i][1], rects[j][1])) throw new Error(`${when} overlap: ${info(i)} / ${info(j)}`);
    }
  }
}

// Freezes the stage at each video time and checks that no comments overlap.
function assertApartAt(times, after = '') {
  for (const t of times) {
    freezeAt(t);
    assertNoOverlap(`at t=${t}${after}`);
  }
}

// Runs fn on a busy stage (fillBusy), then restores the settings, the stage
// and the player's size.
async function withBusyStage(prefix, fn) {
  stage.clear();
  try {
    fillBusy(prefix);
    await fn();
  } finally {
    stage.setSettings(defaultSettings());
    stage.clear();
    await resizePlayer('');
  }
}

// Adds six comments of mixed text, modes and sizes every 0.1 s of video time
// for 6 s, as a busy room would, with smaller text (font scale 0.7) as a
// viewer would pick for it.
function fillBusy(prefix) {
  stage.setSettings({ ...defaultSettings(), density: 'high', fontScale: 0.7 });
  const texts = ['233333', 'first!', 'This is a rather long comment that goes on', 'lol', 'WWWWWWWWWW', 'nice one', 'iiiiiiii', '<b>bold?</b>'];
  const modes = ['scroll', 'scroll', 'scroll', 'top', 'bottom'];
  const sizes = ['medium', 'medium', 'small', 'large'];
  let n = 0;
  for (let step = 0; step < 60; step++) {
    now = step * 0.1;
    for (let i = 0; i < 6; i++, n++) {
      stage.add(comment(`${prefix}${n}`, { text: texts[n % texts.length], mode: modes[n % 5], size: sizes[n % 4] }));
    }
    tickFar();
  }
}

// Resizes the test player (width '' restores it) and waits until the stage's
// ResizeObserver has reflowed to it.
async function resizePlayer(width) {
  const player = document.getElementById('player');
  player.style.width = width;
  await until(() => stage.width === player.clientWidth, 5000, `the stage to follow the player to ${player.clientWidth} px`);
}

check('root gets the dm-stage class and has a size', () => {
  assert(root.classList.contains('dm-stage'));
  equal(root.clientWidth, 960, 'stage width');
  assert(root.clientHeight > 400, `stage height ${root.clientHeight}`);
});

check('comment text is inserted as text, never HTML', async () => {
  stage.clear();
  now = 0;
  const evil = '<img src=x onerror="window.pwned=1">';
  equal(stage.add(comment('xss', { text: evil })), 'shown');
  await frames(2);
  equal(root.querySelectorAll('img').length, 0, 'no element created from the text');
  equal(root.querySelector('[data-id="xss"] .dm-text').textContent, evil);
  equal(window.pwned, undefined);
  const bad = comment('css', { color: 'red;background:url(//evil)' });
  stage.add(bad);
  equal(root.querySelector('[data-id="css"]').style.color, 'rgb(255, 255, 255)', 'invalid colour falls back to white');
});

check('items carry the DOM hooks; own comments are outlined', () => {
  stage.clear();
  stage.add(comment(1, { mode: 'top', size: 'large', color: '#FE0302' }));
  stage.add(comment('c-own', {}), { own: true });
  stage.add(comment(3, {}), { count: 5 });
  const el = root.querySelector('.dm-item[data-id="1"]');
  equal(el.dataset.mode, 'top');
  equal(el.dataset.size, 'large');
  assert(el.classList.contains('dm-top'));
  equal(el.style.color, 'rgb(254, 3, 2)');
  assert(root.querySelector('[data-id="c-own"]').classList.contains('dm-own'), 'own class');
  equal(root.querySelector('[data-id="3"] .dm-count').textContent, '×5');
  equal(root.querySelector('[data-id="3"]').dataset.count, '5');
});

check('font sizes are 18/25/36 px at a 540 px high player', () => {
  stage.clear();
  // The player is 960x540; the stage leaves 44 px for the controls.
  const h = root.clientHeight;
  stage.add(comment('s', { size: 'small' }));
  stage.add(comment('m', { size: 'medium' }));
  stage.add(comment('l', { size: 'large' }));
  const px = (id) => parseFloat(getComputedStyle(root.querySelector(`[data-id="${id}"]`)).fontSize);
  const k = h / 540;
  assert(Math.abs(px('s') - 18 * k) < 0.6 && Math.abs(px('m') - 25 * k) < 0.6 && Math.abs(px('l') - 36 * k) < 0.6, `sizes ${px('s')}/${px('m')}/${px('l')} at height ${h}`);
});

check('100+ comments on screen never overlap and the measured widths are not underestimated', async () => {
  await resizePlayer('1280px');
  await withBusyStage('b', () => {
    assert(stage.count >= 100, `only ${stage.count} comments on screen`);
    for (const [id, it] of stage.items) {
      const w = it.el.getBoundingClientRect().width;
      assert(it.width + 0.5 >= w, `item ${id}: measured ${it.width} < rendered ${w}`);
    }
    assertApartAt([6, 7, 8, 9.5]);
  });
});

check('scrolling comments move right to left in step with the video clock', () => {
  stage.clear();
  now = 0;
  stage.add(comment('mv'));
  const el = root.querySelector('[data-id="mv"]');
  freezeAt(0);
  const x0 = el.getBoundingClientRect().left;
  freezeAt(4);
  const x4 = el.getBoundingClientRect().left;
  assert(x0 >= 959, `starts at the right edge (x=${x0})`);
  const w = stage.items.get('mv').width;
  const want = 960 - (960 + w) / 2;
  assert(Math.abs(x4 - want) < 3, `half way after 4 of 8 s: x=${x4}, want ${want}`);
});

check('pause freezes, play resumes, rate follows the video', () => {
  stage.clear();
  now = 0;
  stage.play();
  stage.add(comment('p1'));
  const anim = stage.items.get('p1').anim;
  equal(anim.playState, 'running');
  stage.pause();
  equal(anim.playState, 'paused');
  stage.setRate(2);
  equal(anim.playbackRate, 2);
  stage.play();
  equal(anim.playState, 'running');
  stage.setRate(1);
  stage.pause();
});

check('clicking a comment selects it (the page opens its menu); the layer is hidden from screen readers', () => {
  stage.clear();
  now = 0;
  stage.add(comment(77, { mode: 'top' }));
  let got = null;
  const off = stage.on('select', (e) => (got = e));
  root.querySelector('[data-id="77"]').click();
  off();
  equal(got?.id, 77);
  equal(got.el, root.querySelector('[data-id="77"]'));
  equal(root.getAttribute('aria-hidden'), 'true');
});

check('own comment: rekey on ack, remove on reject', () => {
  stage.clear();
  stage.add(comment('ref-1'), { own: true });
  assert(stage.rekey('ref-1', { id: 500, seq: 9 }));
  assert(root.querySelector('[data-id="500"]').classList.contains('dm-own'));
  equal(root.querySelector('[data-id="ref-1"]'), null);
  stage.add(comment('ref-2'), { own: true });
  stage.remove('ref-2');
  equal(root.querySelector('[data-id="ref-2"]'), null);
});

check('an own comment is placed even when every lane is busy', () => {
  stage.clear();
  stage.setSettings({ ...defaultSettings(), density: 'low', area: 0.25 });
  now = 0;
  for (let i = 0; i < 40; i++) stage.add(comment(`f${i}`, { mode: 'top' }));
  equal(stage.add(comment('extra', { mode: 'top' })), 'dropped');
  equal(stage.add(comment('mine', { mode: 'top' }), { own: true }), 'shown');
  stage.setSettings(defaultSettings());
});

check('display area: a quarter keeps scroll comments in the top quarter', () => {
  stage.clear();
  stage.setSettings({ ...defaultSettings(), area: 0.25 });
  now = 0;
  for (let i = 0; i < 30; i++) stage.add(comment(`q${i}`, { text: 'x'.repeat(30) }));
  const limit = root.getBoundingClientRect().top + root.clientHeight * 0.25 + 1;
  for (const el of items()) assert(el.getBoundingClientRect().bottom <= limit, `${el.dataset.id} below the area`);
  stage.setSettings(defaultSettings());
});

check('hidden setting hides the stage; opacity applies', () => {
  stage.setSettings({ ...defaultSettings(), visible: false, opacity: 0.5 });
  assert(root.classList.contains('dm-hidden'));
  equal(getComputedStyle(root).visibility, 'hidden');
  equal(root.style.opacity, '0.5');
  stage.setSettings(defaultSettings());
  equal(getComputedStyle(root).visibility, 'visible');
});

check('resize reflows comments to the new width and font size', async () => {
  stage.clear();
  now = 0;
  stage.add(comment('rs', { text: 'resize me' }));
  const el = root.querySelector('[data-id="rs"]');
  const before = parseFloat(el.style.fontSize);
  // No explicit resize(): the stage's ResizeObserver must notice.
  await resizePlayer('480px');
  freezeAt(0);
  const after = parseFloat(el.style.fontSize);
  assert(after < before, `font ${before} -> ${after}`);
  equal(stage.width, 480);
  const x = el.getBoundingClientRect().left - root.getBoundingClientRect().left;
  assert(Math.abs(x - 480) < 2, `starts at the new right edge, x=${x}`);
  await resizePlayer('');
});

check('after a resize, a screen full of comments still never overlaps', () =>
  withBusyStage('r', async () => {
    assertApartAt([6], ' before the resize');
    stage.queue.clear(); // so that only the comments the resize takes off wait
    const lanes = new Map([...stage.items].map(([id, it]) => [id, it.lane]));
    assert(stage.count >= 80, `only ${stage.count} comments on screen`);
    stage.play(); // moving, as on a playing video
    await resizePlayer('480px');
    // Running animations, sampled as the browser draws them.
    for (let f = 1; f <= 5; f++) {
      await frames(1);
      assertNoOverlap(`frame ${f} after the resize`);
    }
    const moved = [...stage.items].filter(([id, it]) => lanes.get(id) !== it.lane).length;
    const off = [...lanes.keys()].filter((id) => !stage.has(id));
    assert(moved > 0 && off.length > 0, `on a quarter of the screen nothing moved lanes (${moved}) or went off (${off.length})`);
    // Those taken off wait for a lane (density "high") and come back on their
    // way across, still without overlapping.
    assert(stage.waiting > 0, 'nothing waits');
    assertApartAt([6.5, 7, 8], ' after the resize');
    assert(off.some((id) => stage.has(id)), 'no comment taken off came back');
  }));

check('a comment whose ×N badge widens it moves off a lane where it would catch up', () => {
  stage.clear();
  now = 0;
  stage.add(comment('lead', { text: 'same text' }));
  const lead = stage.items.get('lead');
  // The follower starts as soon as the leader is in with the gap behind it;
  // at the same width it never gets closer, but any wider it is faster.
  now = ((lead.width + stage.alloc.gap) * lead.duration) / (stage.width + lead.width) + 0.01;
  stage.add(comment('follow', { text: 'same text' }));
  equal(stage.items.get('follow').lane, lead.lane, 'the follower shares the lane');
  stage.setCount('follow', 99);
  equal(root.querySelector('[data-id="follow"] .dm-count')?.textContent, '×99');
  assert(stage.items.get('follow').lane !== lead.lane, 'the widened follower kept the lane');
  assertApartAt([now, 3, 5, 7]);
  stage.play();
  stage.clear();
});

check('finished comments leave the DOM and free their lane', () => {
  stage.clear();
  now = 0;
  stage.add(comment('gone', { mode: 'top' }));
  now = 4.5;
  tickFar();
  equal(root.querySelector('[data-id="gone"]'), null);
  equal(stage.alloc.size, 0);
});

check('an own scrolling comment sent while paused is shown fully on screen at once', () => {
  stage.clear();
  now = 10;
  stage.pause();
  stage.add(comment('paused-own', { text: 'sent while paused' }), { own: true });
  const r = root.querySelector('[data-id="paused-own"]').getBoundingClientRect();
  const box = root.getBoundingClientRect();
  assert(r.left >= box.left - 1 && r.right <= box.right + 1, `not fully visible: [${r.left}, ${r.right}] in [${box.left}, ${box.right}]`);
  stage.play();
  stage.clear();
});

check('retracting a waiting comment keeps it off screen', () => {
  stage.clear();
  stage.setSettings({ ...defaultSettings(), area: 0.25 });
  now = 0;
  for (let i = 0; i < 30; i++) stage.add(comment(`w${i}`, { mode: 'top' }));
  const waiting = stage.queue.items.map((e) => e.value.comment.id);
  assert(waiting.length >= 2, 'expected waiting comments');
  stage.remove(waiting[0]); // retracted while waiting
  stage.remove('w0'); // frees a lane
  now = 0.5;
  tickFar();
  equal(stage.has(waiting[0]), false, 'retracted comment was placed');
  equal(stage.has(waiting[1]), true, 'next waiting comment took the free lane');
  stage.setSettings(defaultSettings());
  stage.clear();
});

check('like counts show as data-likes without changing the footprint', () => {
  stage.clear();
  now = 0;
  stage.add(comment(901, { mode: 'top', likes: 2 }));
  const el = root.querySelector('[data-id="901"]');
  equal(el.dataset.likes, '2');
  const w = el.getBoundingClientRect().width;
  stage.setLikes('901', 15); // ids arrive as strings in likes frames
  equal(el.dataset.likes, '15');
  equal(el.getBoundingClientRect().width, w, 'width changed');
  assert(getComputedStyle(el, '::after').content.includes('15'), 'marker not drawn');
  stage.clear();
});

check('the on-screen cap keeps at most that many comments shown and counts the rest as hidden', () => {
  stage.clear();
  stage.setSettings({ ...defaultSettings(), maxOnScreen: 10, density: 'low' });
  now = 0;
  const before = stage.hidden;
  for (let i = 0; i < 30; i++) stage.add(comment(`cap${i}`, { mode: i % 2 ? 'top' : 'scroll', text: `c${i}` }));
  equal(stage.count, 10, 'comments on screen');
  equal(stage.hidden - before, 20, 'comments counted hidden');
  equal(stage.add(comment('cap-own'), { own: true }), 'shown', 'the own comment is never capped');
  stage.setSettings(defaultSettings());
  stage.clear();
});

check('the subtitle strip stays free in all three modes, and the display area applies to bottom comments', () => {
  stage.clear();
  stage.setSettings({ ...defaultSettings(), subtitleSafe: true });
  now = 0;
  for (let i = 0; i < 60; i++) stage.add(comment(`sub${i}`, { mode: ['scroll', 'top', 'bottom'][i % 3], text: 'x'.repeat(20 + (i % 7)) }));
  const box = root.getBoundingClientRect();
  const strip = box.top + root.clientHeight * (1 - 0.15) + 1;
  const modes = new Set();
  for (const el of items()) {
    modes.add(el.dataset.mode);
    assert(el.getBoundingClientRect().bottom <= strip, `${el.dataset.id} (${el.dataset.mode}) runs into the subtitle strip`);
  }
  equal(modes.size, 3, 'every mode placed');
  stage.setSettings({ ...defaultSettings(), area: 0.25 });
  stage.clear();
  for (let i = 0; i < 10; i++) stage.add(comment(`area${i}`, { mode: 'bottom' }));
  const quarter = box.top + (root.clientHeight * 0.85) * 0.25 + 1;
  for (const el of items()) assert(el.getBoundingClientRect().bottom <= quarter, `bottom comment ${el.dataset.id} below the display area`);
  stage.setSettings(defaultSettings());
  stage.clear();
});

check('a held comment stands still while the video plays, then goes on from where it stood', () => {
  stage.clear();
  now = 0;
  stage.play();
  stage.add(comment('hold'));
  freezeAt(2);
  stage.play();
  const el = root.querySelector('[data-id="hold"]');
  const x = el.getBoundingClientRect().left;
  assert(stage.hold('hold'), 'held');
  assert(el.classList.contains('dm-held'));
  now = 5;
  tickFar(); // the drift check must leave it alone
  assert(Math.abs(el.getBoundingClientRect().left - x) < 1, 'it moved while held');
  stage.release('hold');
  assert(!el.classList.contains('dm-held'));
  equal(stage.items.get('hold').start, 3, 'its trip starts later by the 3 s it was held');
  stage.pause();
  assert(Math.abs(el.getBoundingClientRect().left - x) < 2, `it jumped on release: ${el.getBoundingClientRect().left} vs ${x}`);
  stage.play();
  stage.clear();
});

check('with reduced motion a scrolling comment appears in place and stays there', () => {
  stage.clear();
  stage.setReducedMotion(true);
  now = 0;
  stage.add(comment('still', { text: 'no motion please' }));
  const el = root.querySelector('[data-id="still"]');
  equal(el.dataset.mode, 'scroll');
  freezeAt(0.5);
  const x0 = el.getBoundingClientRect().left;
  freezeAt(3);
  const x1 = el.getBoundingClientRect().left;
  const box = root.getBoundingClientRect();
  assert(Math.abs(x1 - x0) < 0.5, `it moved from ${x0} to ${x1}`);
  assert(x0 > box.left && el.getBoundingClientRect().right < box.right, 'it is not wholly on screen');
  stage.setReducedMotion(false);
  stage.play();
  stage.clear();
});

check('an own comment sent while paused never covers another one', () => {
  stage.clear();
  stage.setSettings({ ...defaultSettings(), area: 0.25, density: 'high' });
  now = 10;
  // Fill every lane of the area with comments that are fully on screen.
  for (let i = 0; i < 40; i++) stage.add(comment(`busy${i}`, { text: 'busy busy busy' }));
  freezeAt(13);
  stage.add(comment('mine-paused', { text: 'sent while paused, busy screen' }), { own: true });
  assert(stage.has('mine-paused'), 'the own comment is shown');
  assertNoOverlap('with the own comment');
  stage.setSettings(defaultSettings());
  stage.play();
  stage.clear();
});
