import { check, assert, equal, until, frames } from './harness.js';
import { createPlayer } from '/assets/js/player.js';
import { createSettingsStore } from '/assets/js/settings.js';
import { Emitter } from '/assets/js/emitter.js';
import { mountComposer } from '/assets/js/compose.js';
import { mountSettingsPanel } from '/assets/js/settings-panel.js';

const video = document.getElementById('dm-video');
const root = document.getElementById('dm-stage');
const shown = (id) => root.querySelector(`.dm-item[data-id="${id}"]`);

// Comments every 0.25 s with ids t<ms>; a burst of duplicates at 30.5 s; a
// blocked word at 31.2 s.
const all = [];
let seq = 0;
for (let ms = 250; ms < 60000; ms += 250) {
  all.push({ id: `t${ms}`, seq: ++seq, room: 'demo', time: ms / 1000, text: `at ${ms}`, mode: 'scroll', size: 'medium', color: '#ffffff', user: { id: 'u', name: 'u' } });
}
for (const [i, t] of [30.5, 30.9, 31.3].entries()) {
  all.push({ id: `dup${i}`, seq: ++seq, room: 'demo', time: t, text: i === 1 ? 'Same Again!' : 'same again', mode: 'top', size: 'medium', color: '#00a2ff', user: { id: 'u' } });
}
all.push({ id: 'blocked', seq: ++seq, room: 'demo', time: 31.2, text: 'big SPOILER here', mode: 'bottom', size: 'medium', color: '#ffffff', user: { id: 'u' } });
all.sort((a, b) => a.time - b.time);

const segmentCalls = [];
const api = {
  segmentSeconds: 60,
  async segment(room, n) {
    segmentCalls.push([room, n]);
    return all.filter((c) => c.time >= n * 60 && c.time < (n + 1) * 60);
  },
  async likeComment() {
    return { likes: 1 };
  },
};

class FakeClient extends Emitter {
  constructor() {
    super();
    this.connected = true;
    this.user = { id: 'me', name: 'Me' };
    this.sent = [];
    this.likes = [];
    this.unlikes = [];
  }
  sendComment(draft, ref) {
    return new Promise((resolve, reject) => this.sent.push({ draft, ref, resolve, reject }));
  }
  async like(id) {
    this.likes.push(id);
    return { ok: true, likes: 1 };
  }
  async unlike(id) {
    this.unlikes.push(id);
    return { ok: true, likes: 0 };
  }
}
const client = new FakeClient();
const memory = new Map();
const settings = createSettingsStore({ getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => memory.set(k, v) });
const player = createPlayer({ video, stageRoot: root, roomId: 'demo', kind: 'vod', api, client, settings });

async function playFrom(t) {
  video.currentTime = t;
  await until(() => !video.seeking && video.readyState >= 2, 15000, 'seek');
  await video.play();
}

check('the demo video plays in this browser', async () => {
  await until(() => video.readyState >= 2, 10000, 'video data');
  equal(video.videoWidth, 640);
  await video.play();
  const t0 = video.currentTime;
  await until(() => video.currentTime > t0 + 0.5, 15000, 'playback to advance');
});

check('the segment under the playhead is fetched, once, in the segment length of the api', async () => {
  await until(() => player.timeline.size === all.length, 15000, 'the whole segment to load');
  equal(player.windows.size, 60);
  equal(JSON.stringify(segmentCalls), JSON.stringify([['demo', 0]]));
});

check('comments appear when the playhead reaches them, not before', async () => {
  await until(() => root.querySelectorAll('.dm-item').length >= 3, 15000, 'comments on screen');
  const t = video.currentTime;
  for (const el of root.querySelectorAll('.dm-item')) {
    const c = all.find((x) => x.id === el.dataset.id);
    assert(c, `unknown item ${el.dataset.id}`);
    assert(c.time <= t + 0.05, `${c.id} at ${c.time} shown at ${t}`);
  }
});

check('pausing the video freezes the comments; playing resumes them', async () => {
  video.pause();
  await until(() => root.classList.contains('dm-paused'), 15000, 'stage paused');
  const el = root.querySelector('.dm-item');
  const x = el.getBoundingClientRect().left;
  await frames(10);
  equal(el.getBoundingClientRect().left, x, 'moved while paused');
  await video.play();
  await until(() => el.getBoundingClientRect().left < x - 1, 15000, 'comment to move again');
});

check('seeking clears the screen and resumes from the new position with merged duplicates', async () => {
  const before = [...root.querySelectorAll('.dm-item')].map((e) => e.dataset.id);
  assert(before.length > 0);
  await playFrom(30.2);
  for (const id of before) equal(shown(id), null, `${id} still shown after the seek`);
  await until(() => shown('dup0'), 15000, 'duplicate group');
  const el = shown('dup0');
  equal(el.querySelector('.dm-count').textContent, '×3');
  await until(() => video.currentTime > 31.5, 15000, 'playhead past the duplicates');
  equal(shown('dup1'), null);
  equal(shown('dup2'), null);
});

check('blocked keywords and hidden modes are not shown', async () => {
  settings.update({ blockedKeywords: ['spoiler'], hideModes: { top: true } });
  await playFrom(30.8);
  await until(() => video.currentTime > 31.5, 15000, 'playhead past 31.2');
  equal(shown('blocked'), null, 'blocked word shown');
  equal(root.querySelectorAll('.dm-item[data-mode="top"]').length, 0, 'top comments shown');
  settings.update({ blockedKeywords: [], hideModes: { top: false } });
});

check('playbackRate is followed', async () => {
  video.playbackRate = 2;
  await until(() => [...player.stage.items.values()].some((it) => it.anim.playbackRate === 2), 15000, 'rate 2');
  video.playbackRate = 1;
  await until(() => [...player.stage.items.values()].every((it) => it.anim.playbackRate === 1), 15000, 'rate 1');
});

check('own comment shows at once outlined, is rekeyed on ack and removed on reject', async () => {
  const p = player.send({ text: 'my own <b>words</b>', mode: 'scroll', color: '#ffffff', size: 'medium' });
  const s = client.sent[client.sent.length - 1];
  const el = shown(s.ref);
  assert(el, 'own comment not shown at once');
  assert(el.classList.contains('dm-own'));
  equal(el.querySelector('.dm-text').textContent, 'my own <b>words</b>');
  assert(Math.abs(s.draft.time - video.currentTime) < 0.5, 'time is the playhead');
  s.resolve({ id: 9001, seq: 9999, room: 'demo', time: s.draft.time, text: s.draft.text, mode: 'scroll', user: client.user });
  await p;
  assert(shown(9001)?.classList.contains('dm-own'), 'rekeyed');
  const q = player.send({ text: 'rejected one', mode: 'top', color: '#ffffff', size: 'medium' });
  const r = client.sent[client.sent.length - 1];
  assert(shown(r.ref), 'second own comment not shown');
  r.reject({ code: 'invalid', message: 'nope' });
  let err = null;
  await q.catch((e) => (err = e));
  equal(err?.code, 'invalid');
  equal(shown(r.ref), null, 'rejected comment still shown');
});

check('a pushed comment shows at once while playing; retract removes it', async () => {
  const c = { id: 'live1', seq: 10001, room: 'demo', time: video.currentTime - 0.3, text: 'pushed live', mode: 'top', size: 'medium', color: '#ffffff', user: { id: 'x' } };
  client.emit('comments', [c]);
  await until(() => shown('live1'), 15000, 'pushed comment');
  client.emit('retract', ['live1']);
  equal(shown('live1'), null);
});

check('a pushed comment for a later moment shows now and not again when the playhead gets there', async () => {
  video.playbackRate = 4; // a top comment stays 4 s of video time: 1 s here
  settings.update({ merge: false }); // merging alone would also hide a second showing
  const at = video.currentTime + 5;
  let added = 0;
  const watch = new MutationObserver((rs) => {
    for (const r of rs) for (const n of r.addedNodes) if (n.dataset?.id === 'ahead') added++;
  });
  watch.observe(root, { childList: true });
  client.emit('comments', [{ id: 'ahead', seq: 10002, room: 'demo', time: at, text: 'from a viewer further on', mode: 'top', size: 'medium', color: '#ffffff', user: { id: 'x' } }]);
  await until(() => shown('ahead'), 15000, 'pushed comment');
  await until(() => video.currentTime > at + 0.5, 15000, 'the playhead to pass its time');
  watch.disconnect();
  video.playbackRate = 1;
  settings.update({ merge: true });
  equal(added, 1, 'shown again at its time');
});

check('comments pushed while paused wait and show when playback resumes, even from behind the playhead', async () => {
  video.pause();
  await frames(2);
  const t = video.currentTime;
  const pushed = (id, time, text) => ({ id, seq: 10003, room: 'demo', time, text, mode: 'bottom', size: 'medium', color: '#ffffff', user: { id: 'x' } });
  // paused2 comes from a viewer 5 s behind us: the playhead will not reach it.
  client.emit('comments', [pushed('paused1', t, 'sent while you paused'), pushed('paused2', t - 5, 'sent from further back')]);
  await frames(3);
  equal(shown('paused1'), null, 'shown on a paused video');
  equal(shown('paused2'), null, 'shown on a paused video');
  await video.play();
  await until(() => shown('paused1') && shown('paused2'), 15000, 'both comments after resuming');
  assert(player.timeline.has('paused2'), 'not kept on the timeline');
});

check('a like is sent once at a time and can be taken back; a click selects the comment instead', async () => {
  const el = await until(() => root.querySelector('.dm-item:not(.dm-own)'), 15000, 'a comment');
  const id = el.dataset.id;
  let selected = null;
  player.stage.once('select', (e) => (selected = e.id));
  el.click();
  equal(selected, id, 'the click selected it');
  equal(client.likes.length, 0, 'a click liked it');
  const first = player.toggleLike(id);
  player.toggleLike(id); // a second click while the first is on its way does nothing
  await first;
  equal(String(client.likes[0]), id);
  equal(client.likes.length, 1, 'liked twice');
  assert(el.classList.contains('dm-liked') && player.likes(id), 'not marked liked');
  await player.toggleLike(id);
  equal(String(client.unlikes[0]), id);
  assert(!el.classList.contains('dm-liked') && !player.likes(id), 'still marked liked');
});

check('composer validates, sends and disables', async () => {
  const drafts = [];
  const box = document.getElementById('dm-compose');
  const ui = mountComposer(box, { onSend: async (d) => drafts.push(d) });
  const input = box.querySelector('#dm-input');
  input.value = '   ';
  box.querySelector('#dm-send').click();
  await frames(1);
  assert(box.querySelector('#dm-compose-error').textContent.length > 0, 'no error for empty');
  input.value = 'hello';
  box.querySelector('#dm-mode').value = 'bottom';
  box.querySelector('#dm-send').click();
  await frames(1);
  equal(drafts.length, 1);
  equal(drafts[0].mode, 'bottom');
  equal(input.value, '');
  ui.setEnabled(false);
  assert(box.querySelector('#dm-send').disabled && input.disabled, 'not disabled');
});

check('settings panel writes the store and reflects changes', async () => {
  const box = document.getElementById('dm-settings');
  mountSettingsPanel(box, settings);
  const area = box.querySelector('#dm-set-area');
  area.value = '0.5';
  area.dispatchEvent(new Event('change'));
  equal(settings.get().area, 0.5);
  equal(JSON.parse(memory.get('danmaku.settings.v1')).area, 0.5, 'saved');
  settings.update({ opacity: 0.3 });
  equal(box.querySelector('#dm-set-opacity').value, '0.3');
  equal(root.style.opacity, '0.3');
  box.querySelector('#dm-set-reset').click();
  equal(settings.get().area, 1);
});
