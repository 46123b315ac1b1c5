// Page script for /admin, the moderation page: live over /ws/admin
// (mod-client.js), actions over /api/admin (api.js), what the server last
// said in admin-state.js, the table rows from admin-view.js. Markup:
// templates/admin.html. No inline script or style: the page runs under a
// strict CSP.

import { createAPI } from '../api.js';
import { createModClient } from '../mod-client.js';
import { createModState, statsRows, banWho, banRequest, actionError } from '../admin-state.js';
import { heldRow, recentRow, reportedRow, banRow, statsRow, fillRoomPicker } from '../admin-view.js';
import { requireId } from '../dom.js';
import { formatWhen, statusText } from '../util.js';

/** What the decision buttons say, and the message after them. */
const DECISIONS = {
  approve: { verb: 'Approve', done: 'Approved' },
  reject: { verb: 'Reject', done: 'Rejected' },
  delete: { verb: 'Delete', done: 'Deleted' },
};

/**
 * Wires the moderation page in `doc` to `api` (createAPI) and `client`
 * (createModClient, connected by the caller). All the page's state lives
 * here: the held comment ids ticked for a bulk decision and the rooms the
 * pickers offer, next to `state` (createModState).
 */
function mountAdmin(doc, { api, client, state = createModState() }) {
  const $ = (id) => requireId(id, doc);
  const selected = new Set();
  const knownRooms = new Set();
  let renderQueued = false;

  /** Shows a short message above the panels; errors stay until the next message. */
  const say = (text, kind = 'info') => {
    const m = $('mod-message');
    m.textContent = text;
    m.dataset.kind = kind;
    m.hidden = !text;
  };

  const queueRender = () => {
    if (renderQueued) return;
    renderQueued = true;
    doc.defaultView.requestAnimationFrame(() => {
      renderQueued = false;
      renderHeld();
      renderReported();
      renderRecent();
      renderBans();
      renderStats();
      renderRooms();
    });
  };

  function renderHeld() {
    const rows = state.held();
    for (const id of selected) if (!rows.some((c) => c.id === id)) selected.delete(id);
    $('held-rows').replaceChildren(
      ...rows.map((c) =>
        heldRow(doc, c, {
          checked: selected.has(c.id),
          onCheck: (on) => {
            if (on) selected.add(c.id);
            else selected.delete(c.id);
            updateBulk();
          },
          onDecide: (verb) => decide(verb, [c.id]),
        }),
      ),
    );
    $('held-count').textContent = String(rows.length);
    $('held-empty').hidden = rows.length > 0;
    updateBulk();
  }

  function updateBulk() {
    const n = selected.size;
    for (const verb of ['approve', 'reject']) {
      const b = $(`held-${verb}`);
      b.disabled = n === 0;
      b.textContent = n ? `${DECISIONS[verb].verb} ${n} selected` : `${DECISIONS[verb].verb} selected`;
    }
    const total = state.held().length;
    $('held-all').checked = total > 0 && n === total;
  }

  function renderReported() {
    const rows = state.reported();
    $('reported-rows').replaceChildren(
      ...rows.map((c) =>
        reportedRow(doc, c, { onDismiss: () => dismiss([c.id]), onDecide: (verb) => decide(verb, [c.id]), onBan: fillBan }),
      ),
    );
    $('reported-count').textContent = String(rows.length);
    $('reported-empty').hidden = rows.length > 0;
  }

  const dismiss = (ids) =>
    act('Dismiss', async () => {
      const res = await api.dismissReports(ids);
      state.upsert(res.comments);
      say(`Dismissed the reports of ${res.comments.length} comment${res.comments.length === 1 ? '' : 's'}.`);
    });

  function renderRecent() {
    const rows = state.recent({ room: $('recent-room').value, status: $('recent-status').value });
    $('recent-rows').replaceChildren(
      ...rows.map((c) => recentRow(doc, c, { onDelete: () => decide('delete', [c.id]), onBan: fillBan })),
    );
    $('recent-empty').hidden = rows.length > 0;
  }

  function renderBans() {
    const bans = state.banList;
    $('ban-rows').replaceChildren(...bans.map((b) => banRow(doc, b, { onUnban: () => unban(b.id) })));
    $('bans-count').textContent = String(bans.length);
    $('bans-empty').hidden = bans.length > 0;
  }

  function renderStats() {
    const s = state.stats;
    $('plugins-loaded').textContent = s?.loaded_at ? `Config loaded ${formatWhen(s.loaded_at)}; counters count from then.` : '';
    $('plugin-rows').replaceChildren(...statsRows(s).map((r) => statsRow(doc, r)));
  }

  /** Adds rooms to the room pickers, keeping what is selected. */
  function renderRooms(extra = []) {
    const before = knownRooms.size;
    for (const r of [...state.rooms(), ...extra]) knownRooms.add(r);
    if (knownRooms.size === before) return;
    const sorted = [...knownRooms].sort();
    fillRoomPicker($('recent-room'), 'All rooms', sorted);
    fillRoomPicker($('ban-room'), 'Every room', sorted);
  }

  // Runs a moderator action; a failure is shown with `what` it was. The
  // page renders again either way. Resolves with whether it worked.
  async function act(what, run) {
    try {
      await run();
    } catch (err) {
      say(actionError(what, err), 'error');
      return false;
    } finally {
      queueRender();
    }
    return true;
  }

  async function decide(verb, ids) {
    const ok = await act(DECISIONS[verb].verb, async () => {
      const res = await api.decide(verb, ids);
      state.upsert(res.comments);
      for (const id of ids) selected.delete(id);
      const n = res.comments.length;
      say(`${DECISIONS[verb].done} ${n} comment${n === 1 ? '' : 's'}.`);
    });
    if (!ok) client.refresh(); // another moderator may have been first
  }

  function fillBan({ user_id = '', ip = '', room = '' }) {
    $('ban-user').value = user_id;
    $('ban-ip').value = ip;
    $('ban-room').value = room;
    $('ban-reason').focus();
    $('ban-form').scrollIntoView({ block: 'center' });
  }

  function submitBan(ev) {
    ev.preventDefault();
    const req = banRequest({
      user_id: $('ban-user').value,
      ip: $('ban-ip').value,
      room: $('ban-room').value,
      duration: $('ban-duration').value,
      reason: $('ban-reason').value,
      deleteRecent: $('ban-purge').checked,
    });
    return act('Ban', async () => {
      const res = await api.ban(req);
      state.bans([...state.banList.filter((b) => b.id !== res.ban.id), res.ban]);
      $('ban-form').reset();
      const n = res.deleted.length;
      say(`Banned ${banWho(res.ban)}${n ? `, and deleted ${n} of their comments` : ''}.`);
    });
  }

  const unban = (id) =>
    act('Unban', async () => {
      const res = await api.unban(id);
      state.bans(state.banList.filter((b) => b.id !== id));
      say(`Lifted the ban of ${banWho(res.ban)}.`);
    });

  const reloadPlugins = () =>
    act('Reload (the running config stays)', async () => {
      state.setStats(await api.reloadPlugins());
      say('Reloaded the plugin config.');
    });

  const loadRoomHistory = () =>
    act('Loading the room', async () => {
      const room = $('recent-room').value;
      if (room) state.upsert((await api.modComments({ room, limit: 100 })).comments);
    });

  async function loadRooms() {
    try {
      const res = await api.listRooms();
      renderRooms(res.rooms.map((r) => r.id));
    } catch {
      // The pickers still fill from the comments and bans seen.
    }
  }

  // --- live updates ---
  client.on('state', (s, info) => {
    const status = $('mod-status');
    status.dataset.state = s;
    status.textContent = s === 'closed' ? 'Signed out' : statusText(s, info);
    // The server refused this moderator (role or session gone): the client does not retry.
    if (s === 'closed') say('This session may no longer moderate. Sign in as a moderator and reload the page.', 'error');
  });
  const updates = {
    snapshot: (m) => state.snapshot(m),
    comments: (items) => state.upsert(items),
    bans: (list) => state.bans(list),
    stats: (s) => state.setStats(s),
  };
  for (const [type, apply] of Object.entries(updates)) {
    client.on(type, (v) => {
      apply(v);
      queueRender();
    });
  }
  client.on('error', (err) => say(err.message || 'The server reported an error.', 'error'));

  // --- controls ---
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
  loadRooms();
}

const client = createModClient({ backoff: { base: 1000, max: 30000 } });
mountAdmin(document, { api: createAPI(), client });
client.connect();
