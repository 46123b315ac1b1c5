// The moderation page (/admin): live over /ws/admin, actions over
// /api/admin. Markup: templates/admin.html. No inline script or style: the
// page runs under a strict CSP. Every text from users goes in with
// textContent, never as HTML.

import { createBackoff } from './backoff.js';
import {
  createModState,
  statsRows,
  formatLatency,
  banWho,
  banRequest,
  actionError,
} from './admin-state.js';

const $ = (id) => document.getElementById(id);

const state = createModState();
const selected = new Set(); // held comment ids ticked for a bulk decision
const backoff = createBackoff({ base: 1000, max: 30000 });
let socket = null;
let renderQueued = false;

/** Calls an /api/admin endpoint with a JSON body; resolves with the JSON answer, throws with the server's message. */
async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = new Error(data?.error?.message || `HTTP ${res.status}`);
    e.status = res.status;
    throw e;
  }
  return data;
}

/** Shows a short message above the panels; errors stay until the next message. */
function say(text, kind = 'info') {
  const el = $('mod-message');
  el.textContent = text;
  el.dataset.kind = kind;
  el.hidden = !text;
}

function setStatus(stateName, text) {
  const el = $('mod-status');
  el.dataset.state = stateName;
  el.textContent = text;
}

// --- live updates -------------------------------------------------------

function connect() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  socket = new WebSocket(`${proto}//${location.host}/ws/admin`);
  setStatus('connecting', 'Connecting…');
  socket.addEventListener('open', () => {
    backoff.reset();
    setStatus('open', 'Live');
  });
  socket.addEventListener('message', (ev) => {
    let m;
    try {
      m = JSON.parse(ev.data);
    } catch {
      return;
    }
    onFrame(m);
  });
  socket.addEventListener('close', (ev) => {
    socket = null;
    if (ev.code === 1008) {
      // The server refused this moderator (role or session gone): do not retry.
      setStatus('closed', 'Signed out');
      say('This session may no longer moderate. Sign in as a moderator and reload the page.', 'error');
      return;
    }
    const delay = backoff.next();
    setStatus('reconnecting', `Reconnecting in ${Math.ceil(delay / 1000)} s…`);
    setTimeout(connect, delay);
  });
}

function onFrame(m) {
  switch (m.type) {
    case 'snapshot':
      state.snapshot(m);
      break;
    case 'comments':
      state.upsert(m.items);
      if (m.dropped > 0) socket?.send(JSON.stringify({ type: 'refresh' }));
      break;
    case 'bans':
      state.bans(m.bans);
      break;
    case 'stats':
      state.setStats(m.stats);
      break;
    case 'error':
      say(m.message || 'The server reported an error.', 'error');
      return;
    default:
      return;
  }
  queueRender();
}

// --- rendering ----------------------------------------------------------

function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function render() {
  renderHeld();
  renderRecent();
  renderBans();
  renderStats();
  renderRooms();
}

/** A table cell with text, optionally a class. */
function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (cls) td.className = cls;
  return td;
}

function button(label, onClick, cls) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (cls) b.className = cls;
  b.addEventListener('click', onClick);
  return b;
}

function actions(...buttons) {
  const td = document.createElement('td');
  td.className = 'mod-actions';
  td.append(...buttons);
  return td;
}

/** "14:03:22" today, "3 May 14:03" before. */
function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return d.toLocaleTimeString();
  return d.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

function user(c) {
  return `${c.user?.name ?? ''} (${c.user?.id ?? ''})`;
}

function renderHeld() {
  const rows = state.held();
  for (const id of selected) if (!rows.some((c) => c.id === id)) selected.delete(id);
  const body = $('held-rows');
  body.replaceChildren(
    ...rows.map((c) => {
      const tr = document.createElement('tr');
      tr.dataset.id = c.id;
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = selected.has(c.id);
      box.setAttribute('aria-label', `Select comment ${c.id}`);
      box.addEventListener('change', () => {
        if (box.checked) selected.add(c.id);
        else selected.delete(c.id);
        updateBulk();
      });
      const check = document.createElement('td');
      check.className = 'mod-check';
      check.append(box);
      tr.append(
        check,
        cell(when(c.created_at)),
        cell(c.room),
        cell(user(c)),
        cell(c.text, 'mod-text'),
        cell(c.note, 'mod-note'),
        actions(
          button('Approve', () => decide('approve', [c.id]), 'mod-approve'),
          button('Reject', () => decide('reject', [c.id]), 'mod-danger mod-reject'),
        ),
      );
      return tr;
    }),
  );
  $('held-count').textContent = String(rows.length);
  $('held-empty').hidden = rows.length > 0;
  updateBulk();
}

function updateBulk() {
  const n = selected.size;
  $('held-approve').disabled = n === 0;
  $('held-reject').disabled = n === 0;
  $('held-approve').textContent = n ? `Approve ${n} selected` : 'Approve selected';
  $('held-reject').textContent = n ? `Reject ${n} selected` : 'Reject selected';
  const total = state.held().length;
  $('held-all').checked = total > 0 && n === total;
}

function renderRecent() {
  const rows = state.recent({ room: $('recent-room').value, status: $('recent-status').value });
  $('recent-rows').replaceChildren(
    ...rows.map((c) => {
      const tr = document.createElement('tr');
      tr.dataset.id = c.id;
      tr.dataset.status = c.status;
      const status = cell(c.status, `mod-badge mod-${c.status}`);
      if (c.moderated_by) status.title = `by ${c.moderated_by}`;
      const acts = [];
      if (c.status !== 'deleted') acts.push(button('Delete', () => decide('delete', [c.id]), 'mod-danger mod-delete'));
      acts.push(button('Ban user', () => fillBan({ user_id: c.user?.id, room: c.room }), 'mod-ban-user'));
      if (c.ip) acts.push(button('Ban address', () => fillBan({ ip: c.ip, room: c.room }), 'mod-ban-ip'));
      tr.append(cell(when(c.created_at)), cell(c.room), cell(user(c)), cell(c.ip), cell(c.text, 'mod-text'), status, actions(...acts));
      return tr;
    }),
  );
  $('recent-empty').hidden = rows.length > 0;
}

function renderBans() {
  const bans = state.banList;
  $('ban-rows').replaceChildren(
    ...bans.map((b) => {
      const tr = document.createElement('tr');
      tr.dataset.id = b.id;
      tr.append(
        cell(banWho(b)),
        cell(b.room || 'every room'),
        cell(b.until ? when(b.until) : 'permanent'),
        cell(b.reason),
        cell(b.created_by),
        actions(button('Unban', () => unban(b.id), 'mod-unban')),
      );
      return tr;
    }),
  );
  $('bans-count').textContent = String(bans.length);
  $('bans-empty').hidden = bans.length > 0;
}

function renderStats() {
  const s = state.stats;
  $('plugins-loaded').textContent = s?.loaded_at ? `Config loaded ${when(s.loaded_at)}; counters count from then.` : '';
  $('plugin-rows').replaceChildren(
    ...statsRows(s).map((r) => {
      const tr = document.createElement('tr');
      tr.append(
        cell(r.chain),
        cell(r.plugin),
        ...[r.calls, r.allows, r.rewrites, r.rejects, r.holds, r.shadows, r.errors, r.timeouts, r.joinRefusals].map((n) =>
          cell(String(n ?? 0)),
        ),
        cell(formatLatency(r.meanSeconds)),
        cell(formatLatency(r.p99Seconds)),
      );
      return tr;
    }),
  );
}

const knownRooms = new Set();

/** Adds rooms to the room pickers, keeping what is selected. */
function renderRooms(extra = []) {
  let changed = false;
  for (const r of [...state.rooms(), ...extra]) {
    if (!knownRooms.has(r)) {
      knownRooms.add(r);
      changed = true;
    }
  }
  if (!changed) return;
  const sorted = [...knownRooms].sort();
  for (const [id, first] of [
    ['recent-room', 'All rooms'],
    ['ban-room', 'Every room'],
  ]) {
    const sel = $(id);
    const keep = sel.value;
    sel.replaceChildren(new Option(first, ''), ...sorted.map((r) => new Option(r, r)));
    sel.value = keep;
  }
}

// --- actions ------------------------------------------------------------

const decisionVerbs = { approve: 'Approve', reject: 'Reject', delete: 'Delete' };
const decisionDone = { approve: 'Approved', reject: 'Rejected', delete: 'Deleted' };

async function decide(what, ids) {
  try {
    const res = await call('POST', `/api/admin/comments/${what}`, { ids });
    state.upsert(res.comments);
    for (const id of ids) selected.delete(id);
    say(`${decisionDone[what]} ${res.comments.length} comment${res.comments.length === 1 ? '' : 's'}.`);
  } catch (err) {
    say(actionError(decisionVerbs[what], err), 'error');
    socket?.send(JSON.stringify({ type: 'refresh' })); // another moderator may have been first
  }
  queueRender();
}

function fillBan({ user_id = '', ip = '', room = '' }) {
  $('ban-user').value = user_id;
  $('ban-ip').value = ip;
  $('ban-room').value = room;
  $('ban-reason').focus();
  $('ban-form').scrollIntoView({ block: 'center' });
}

async function submitBan(ev) {
  ev.preventDefault();
  const req = banRequest({
    user_id: $('ban-user').value,
    ip: $('ban-ip').value,
    room: $('ban-room').value,
    duration: $('ban-duration').value,
    reason: $('ban-reason').value,
    deleteRecent: $('ban-purge').checked,
  });
  try {
    const res = await call('POST', '/api/admin/bans', req);
    state.bans([...state.banList.filter((b) => b.id !== res.ban.id), res.ban]);
    $('ban-form').reset();
    const n = res.deleted.length;
    say(`Banned ${banWho(res.ban)}${n ? `, and deleted ${n} of their comments` : ''}.`);
  } catch (err) {
    say(actionError('Ban', err), 'error');
  }
  queueRender();
}

async function unban(id) {
  try {
    const res = await call('DELETE', `/api/admin/bans/${id}`);
    state.bans(state.banList.filter((b) => b.id !== id));
    say(`Lifted the ban of ${banWho(res.ban)}.`);
  } catch (err) {
    say(actionError('Unban', err), 'error');
  }
  queueRender();
}

async function reloadPlugins() {
  try {
    state.setStats(await call('POST', '/api/admin/plugins/reload'));
    say('Reloaded the plugin config.');
  } catch (err) {
    say(actionError('Reload (the running config stays)', err), 'error');
  }
  queueRender();
}

async function loadRoomHistory() {
  const room = $('recent-room').value;
  if (room) {
    try {
      const res = await call('GET', `/api/admin/comments?room=${encodeURIComponent(room)}&limit=100`);
      state.upsert(res.comments);
    } catch (err) {
      say(actionError('Loading the room', err), 'error');
    }
  }
  queueRender();
}

async function loadRooms() {
  try {
    const res = await call('GET', '/api/rooms');
    renderRooms(res.rooms.map((r) => r.id));
  } catch {
    // The pickers still fill from the comments and bans seen.
  }
}

function wire() {
  $('held-all').addEventListener('change', (ev) => {
    selected.clear();
    if (ev.target.checked) for (const c of state.held()) selected.add(c.id);
    renderHeld();
  });
  $('held-approve').addEventListener('click', () => decide('approve', [...selected]));
  $('held-reject').addEventListener('click', () => decide('reject', [...selected]));
  $('recent-room').addEventListener('change', loadRoomHistory);
  $('recent-status').addEventListener('change', queueRender);
  $('ban-form').addEventListener('submit', submitBan);
  $('plugins-reload').addEventListener('click', reloadPlugins);
}

wire();
loadRooms();
connect();
