// Page script for /rooms/:id: the video with live comments, the send bar,
// the comment list, the connection indicator, viewer count and likes.

import { createClient } from '../client.js';
import { createAPI } from '../api.js';
import { mountComposer, errorMessage, MAX_TEXT } from '../compose.js';
import { createdMs, formatClock, statusText } from '../util.js';
import { byId } from '../dom.js';
import { setupPlayer, mountList, showCount } from './common.js';

/** Recent comments a live room's list starts with. */
const LIVE_HISTORY = 50;

const root = document.getElementById('dm-room');
const restAPI = createAPI({ base: root?.dataset.apiBase || '' });
const client = createClient({
  room: root?.dataset.roomId,
  url: root?.dataset.wsUrl || undefined,
  fetchAfter: (room, afterSeq) => restAPI.commentsAfter(room, afterSeq),
});
const live = root?.dataset.roomKind === 'live';
// Live rooms show pushed comments at once; VOD rooms also load by video time.
const { roomId, api, player, video, settings } = setupPlayer({ client, loadWindows: !live });
// A VOD lists comments by video time (click to seek); a live room by when they were sent.
const list = live
  ? mountList(player, video, settings, { keyOf: (c) => createdMs(c) || Date.now(), label: formatClock, seekable: false })
  : mountList(player, video, settings);

const maxText = Number(root?.dataset.maxText) || MAX_TEXT;
const status = byId('dm-status');
const composeBox = byId('dm-compose');
const composer = composeBox ? mountComposer(composeBox, { onSend: (draft) => player.send(draft), maxText }) : null;
composer?.setEnabled(false);

client.on('state', (state, info) => {
  if (status) {
    status.dataset.state = state;
    status.textContent = statusText(state, info);
  }
  // Sending needs the socket: while it is down the bar says why and waits.
  composer?.setEnabled(state === 'open');
  if (state === 'open') composer?.setError('');
  else if (state === 'reconnecting' || state === 'closed') composer?.setError('Offline: sending is paused until the connection is back.');
});

let historyLoaded = false;
client.on('welcome', (m) => {
  showCount('dm-viewers', m.viewers);
  if (!live || historyLoaded || !list) return;
  historyLoaded = true;
  const after = Math.max(0, (m.last_seq ?? 0) - LIVE_HISTORY);
  restAPI
    .commentsAfter(roomId, after, { limit: LIVE_HISTORY })
    .then((items) => {
      list.add(items);
      list.follow();
    })
    .catch(() => {});
});
client.on('presence', (n) => showCount('dm-viewers', n));
client.on('likes', (m) => showCount('dm-room-likes', m.room_likes));
client.on('error', (err) => composer?.setError(errorMessage(err)));

// The room's comment counter follows what arrives.
const countEl = byId('dm-comment-count');
const bumpCount = (n) => {
  if (countEl && n > 0) countEl.textContent = String((Number(countEl.textContent) || 0) + n);
};
client.on('comments', (items) => bumpCount(items.length));
player.on('sent', (c) => c && bumpCount(1));
if (live) player.on('comments', () => list?.follow());

const likeRoom = byId('dm-like-room');
likeRoom?.addEventListener('click', async () => {
  likeRoom.disabled = true;
  try {
    const ack = client.connected ? await client.like() : await api.likeRoom(roomId);
    showCount('dm-room-likes', ack?.likes);
    likeRoom.classList.add('dm-liked');
    likeRoom.setAttribute('aria-pressed', 'true');
  } catch {
    likeRoom.disabled = false;
  }
});

client.connect();
// Leave cleanly when the page goes away; come back if it is restored from the back/forward cache.
window.addEventListener('pagehide', () => client.close());
// Back online: retry at once instead of waiting out the backoff.
window.addEventListener('online', () => client.connect());
window.addEventListener('pageshow', (e) => {
  if (e.persisted) client.connect();
});
