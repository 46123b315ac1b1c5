import { check, assert, equal, until } from './harness.js';
import { createPlayer } from '/assets/js/player.js';
import { createSettingsStore } from '/assets/js/settings.js';
import { Emitter } from '/assets/js/emitter.js';

const video = document.getElementById('dm-video');
const root = document.getElementById('dm-stage');
class FakeClient extends Emitter {
  connected = true;
  user = { id: 'me' };
  sendComment() { return new Promise(() => {}); }
}
const client = new FakeClient();
let fetched = 0;
const api = { async segment() { fetched++; return []; } };
const player = createPlayer({ video, stageRoot: root, roomId: 'live1', kind: 'live', api, client, settings: createSettingsStore(null) });
const push = (id, time) => client.emit('comments', [{ id, seq: id, room: 'live1', time, text: `live ${id}`, mode: 'scroll', size: 'medium', color: '#ffffff', user: { id: 'x' } }]);

check('live comments show at once whatever their video time, and move while the video is paused', async () => {
  assert(video.paused, 'video should start paused');
  push(1, 0);
  push(2, 1234.5);
  const el = root.querySelector('[data-id="2"]');
  assert(root.querySelector('[data-id="1"]') && el, 'pushed comments not shown');
  const x = el.getBoundingClientRect().left;
  await until(() => el.getBoundingClientRect().left < x - 20, 15000, 'the comment to move');
});

check('seeking the video does not clear live comments; no windows are fetched', async () => {
  video.currentTime = 20;
  await until(() => !video.seeking, 15000, 'seek');
  await new Promise((r) => setTimeout(r, 100));
  assert(root.querySelector('[data-id="1"]'), 'cleared by a seek');
  equal(fetched, 0);
});

check('retract removes a live comment', () => {
  client.emit('retract', [1]);
  equal(root.querySelector('[data-id="1"]'), null);
  void player;
});
