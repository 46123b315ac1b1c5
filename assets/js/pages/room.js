// Page script for /rooms/:id: the video with live comments, the composer,
// the connection indicator, viewer count and likes.

import { createClient } from '../client.js';
import { createAPI } from '../api.js';
import { mountComposer, errorMessage } from '../compose.js';
import { setupPlayer, byId, statusText, showCount } from './common.js';

const root = document.getElementById('dm-room');
const restAPI = createAPI({ base: root?.dataset.apiBase || '' });
const client = createClient({
  room: root?.dataset.roomId,
  url: root?.dataset.wsUrl || undefined,
  fetchAfter: (room, afterSeq) => restAPI.commentsAfter(room, afterSeq),
});
// Live rooms show pushed comments at once; VOD rooms also load by video time.
const { roomId, api, player } = setupPlayer({ client, loadWindows: root?.dataset.roomKind !== 'live' });

const status = byId('dm-status');
const composeBox = byId('dm-compose');
const composer = composeBox ? mountComposer(composeBox, { onSend: (draft) => player.send(draft) }) : null;
composer?.setEnabled(false);

client.on('state', (state, info) => {
  if (status) {
    status.dataset.state = state;
    status.textContent = statusText(state, info);
  }
  composer?.setEnabled(state === 'open');
});
client.on('welcome', (m) => showCount('dm-viewers', m.viewers));
client.on('presence', (n) => showCount('dm-viewers', n));
client.on('likes', (m) => showCount('dm-room-likes', m.room_likes));
client.on('error', (err) => composer?.setError(errorMessage(err)));

const likeRoom = byId('dm-like-room');
likeRoom?.addEventListener('click', async () => {
  likeRoom.disabled = true;
  try {
    if (client.connected) await client.like();
    else showCount('dm-room-likes', (await api.likeRoom(roomId))?.likes);
    likeRoom.classList.add('dm-liked');
  } catch {
    likeRoom.disabled = false;
  }
});

player.on('like', ({ id, likes }) => {
  if (Number.isFinite(likes)) document.querySelector(`.dm-item[data-id="${CSS.escape(String(id))}"]`)?.setAttribute('title', `${likes} likes`);
});

client.connect();
// Leave cleanly when the page goes away; come back if it is restored from the back/forward cache.
window.addEventListener('pagehide', () => client.close());
// Back online: retry at once instead of waiting out the backoff.
window.addEventListener('online', () => client.connect());
window.addEventListener('pageshow', (e) => {
  if (e.persisted) client.connect();
});
