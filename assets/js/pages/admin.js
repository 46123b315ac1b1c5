// Page script for /admin, the moderation page: live over /ws/admin
// (mod-client.js), actions over /api/admin (api.js), what the server last
// said in admin-state.js, the table rows from admin-view.js. Markup:
// templates/admin.html. No inline script or style: the page runs under a
// strict CSP.

import { createAPI } from '../api.js';
import { createModClient } from '../mod-client.js';
import { createModState, statsRows, banWho, banRequest, actionError, userActionRequest, termRequest, actionText, undoable } from '../admin-state.js';
import { heldRow, recentRow, reportedRow, banRow, statsRow, fillRoomPicker, modesRow, actionRow, termRow, auditRow } from '../admin-view.js';
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

  let undoLast = null;
  /**
   * Shows a short message above the panels; errors stay until the next
   * message. undo, when given, is what the Undo button next to it does.
   */
  const say = (text, kind = 'info', undo = null) => {
    const m = $('mod-message');
    m.textContent = text;
    m.dataset.kind = kind;
    m.hidden = !text;
    undoLast = undo;
    $('mod-undo').hidden = !undo;
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
      renderLive();
    });
  };

  function renderLive() {
    const { modes, terms, actions } = state.live;
    $('modes-rows').replaceChildren(...modes.map((m) => modesRow(doc, m)));
    $('modes-empty').hidden = modes.length > 0;
    $('action-rows').replaceChildren(...actions.map((a) => actionRow(doc, a, { onUndo: () => undoAction(a) })));
    $('actions-count').textContent = String(actions.filter((a) => undoable(a)).length);
    $('actions-empty').hidden = actions.length > 0;
    $('term-rows').replaceChildren(
      ...terms.map((t) => termRow(doc, t, { onRemove: () => removeTerm(t), onBanUsers: () => banTermUsers(t) })),
    );
    $('terms-empty').hidden = terms.length > 0;
    showRoomModes();
  }

  /** Fills the modes form with the picked room's modes. */
  function showRoomModes() {
    const room = $('modes-room').value;
    const m = state.modesOf(room);
    if (doc.activeElement?.closest?.('#modes-form') == null) {
      $('mode-slow').value = String(m.slow_seconds ?? 0);
      $('mode-unique').value = String(m.unique_window ?? 0);
      $('mode-delay').value = String(m.delay_seconds ?? 0);
      $('mode-signed').checked = !!m.signed_in_only;
    }
    const on = !!m.emergency;
    const b = $('mode-emergency');
    b.dataset.on = String(on);
    b.textContent = on ? 'End emergency mode' : 'Emergency mode: hold every comment';
    b.disabled = !room;
    $('modes-apply').disabled = !room;
  }

  const setModes = (modes, what) =>
    act(what, async () => {
      const room = $('modes-room').value;
      const m = await api.setModes(room, modes);
      state.setLive({ ...state.live, modes: [...state.live.modes.filter((x) => x.room !== room), m] });
      say(`${what}: done for room ${room}.`);
    });

  function submitModes(ev) {
    ev.preventDefault();
    return setModes(
      {
        slow_seconds: Number($('mode-slow').value) || 0,
        unique_window: Number($('mode-unique').value) || 0,
        delay_seconds: Number($('mode-delay').value) || 0,
        signed_in_only: $('mode-signed').checked,
      },
      'Modes',
    );
  }

  const toggleEmergency = () => {
    const on = $('mode-emergency').dataset.on !== 'true';
    return setModes({ emergency: on }, on ? 'Emergency mode on' : 'Emergency mode off');
  };

  const userAction = (kind) =>
    act(kind === 'timeout' ? 'Time out' : kind === 'hide' ? 'Hide' : 'Purge', async () => {
      const req = userActionRequest(kind, {
        user_id: $('act-user').value,
        room: $('act-room').value,
        duration: $('act-duration').value,
        reason: $('act-reason').value,
      });
      const a = await api.userAction(req);
      state.setLive({ ...state.live, actions: [a, ...state.live.actions] });
      say(`${actionText(a)}.`, 'info', () => undoAction(a));
      loadAudit();
    });

  const undoAction = (a) =>
    act('Undo', async () => {
      const done = await api.undoAction(a.id);
      state.setLive({ ...state.live, actions: state.live.actions.map((x) => (x.id === done.id ? done : x)) });
      say(`Undone: ${actionText(done)}.`);
      loadAudit();
    });

  function submitTerms(ev) {
    ev.preventDefault();
    const req = termRequest({
      text: $('term-text').value,
      room: $('term-room').value,
      action: $('term-action').value,
      expiresIn: $('term-expiry').value,
    });
    return act('Block', async () => {
      const res = await api.addTerms(req);
      state.setLive({ ...state.live, terms: [...state.live.terms, ...res.terms] });
      $('term-text').value = '';
      const names = res.terms.map((t) => t.term).join(', ');
      say(`Blocked ${names}.`, 'info', () => Promise.all(res.terms.map((t) => removeTerm(t))));
      loadAudit();
    });
  }

  const removeTerm = (t) =>
    act('Remove', async () => {
      await api.removeTerm(t.id);
      state.setLive({ ...state.live, terms: state.live.terms.filter((x) => x.id !== t.id) });
      say(`Unblocked ${t.term}.`);
      loadAudit();
    });

  const banTermUsers = (t) =>
    act('Ban who used it', async () => {
      const minutes = Number($('term-ban-minutes').value) || 0;
      const res = await api.banTermUsers(t.id, { minutes, duration: $('term-ban-duration').value });
      state.bans([...state.banList, ...res.bans]);
      const n = res.bans.length;
      say(`Banned ${n} user${n === 1 ? '' : 's'} who used ${t.term} in the last ${minutes} minutes.`, 'info',
        n ? () => Promise.all(res.bans.map((b) => unban(b.id))) : null);
      loadAudit();
    });

  async function loadAudit() {
    try {
      const res = await api.audit({ limit: 100 });
      $('audit-rows').replaceChildren(...res.entries.map((e) => auditRow(doc, e)));
    } catch (err) {
      say(actionError('Loading the audit log', err), 'error');
    }
  }

  function fillUser({ user_id = '', room = '' }) {
    $('act-user').value = user_id;
    $('act-room').value = room;
    $('act-reason').focus();
    $('act-form').scrollIntoView({ block: 'center' });
  }

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
      ...rows.map((c) => recentRow(doc, c, { onDelete: () => decide('delete', [c.id]), onBan: fillBan, onUser: fillUser })),
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
    fillRoomPicker($('act-room'), 'Every room', sorted);
    fillRoomPicker($('term-room'), 'Every room', sorted);
    fillRoomPicker($('modes-room'), 'Pick a room', sorted);
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
      say(`Banned ${banWho(res.ban)}${n ? `, and deleted ${n} of their comments` : ''}.`, 'info', () => unban(res.ban.id));
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
    live: (l) => {
      state.setLive(l);
      loadAudit();
    },
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
  $('mod-undo').addEventListener('click', () => undoLast?.());
  $('modes-form').addEventListener('submit', submitModes);
  $('modes-room').addEventListener('change', showRoomModes);
  $('mode-emergency').addEventListener('click', toggleEmergency);
  $('act-timeout').addEventListener('click', () => userAction('timeout'));
  $('act-hide').addEventListener('click', () => userAction('hide'));
  $('act-purge').addEventListener('click', () => userAction('purge'));
  $('term-form').addEventListener('submit', submitTerms);
  $('audit-refresh').addEventListener('click', loadAudit);
  loadAudit();
  loadRooms();
}

const client = createModClient({ backoff: { base: 1000, max: 30000 } });
mountAdmin(document, { api: createAPI(), client });
client.connect();
