// The comment menu on a player page: opened by hovering a flying comment
// with the mouse (it holds still meanwhile), by tapping or clicking one,
// or from the list's ⋯ button; its choices go to the player (like,
// report, recall), the clipboard, or the viewer's settings (block).

import { createCommentMenu } from '../comment-menu.js';
import { errorMessage } from '../compose.js';
import { byId } from '../dom.js';
import { toast } from './common.js';

/** How long the mouse rests on a comment before its menu opens, and how long it may be away before it closes (ms). */
const HOVER_OPEN_MS = 250;
const HOVER_CLOSE_MS = 400;

/** The labels of report reasons, as the toast says them. */
const REASON_WORDS = { spam: 'spam', spoiler: 'a spoiler', abuse: 'abuse', ads: 'advertising', other: 'something else' };

/** Wires the menu for `player`'s stage and `list` (may be null); `settings` takes blocked users. Returns the menu. */
export function wireCommentMenu(player, list, settings) {
  const container = byId('dm-theater') ?? document.body;
  const stage = player.stage;
  let held = null; // the comment id the menu holds still on the stage
  let openTimer = null;
  let closeTimer = null;

  const menu = createCommentMenu(container, { onAction: (action, ctx, reason) => act(action, ctx.comment, reason) });
  menu.on('close', () => {
    if (held != null) stage.release(held);
    held = null;
  });

  const contextOf = (comment, own, keyboard = false) => ({
    comment,
    own: own || player.isOwn(comment),
    pending: typeof comment.id === 'string',
    liked: player.likes(comment.id),
    canRecall: player.canRecall(comment),
    keyboard,
  });

  // Opens the menu on a flying comment, holding it still.
  const openOnStage = ({ id, comment, own, el }) => {
    clearTimeout(closeTimer);
    if (menu.isOpen && menu.comment?.id === id) return;
    if (held != null && held !== id) stage.release(held);
    held = stage.hold(id) ? id : null;
    menu.open(el, contextOf(comment, own));
  };
  stage.on('select', (e) => {
    clearTimeout(openTimer);
    openOnStage(e);
  });
  stage.on('hover', (e) => {
    if (e.pointerType !== 'mouse') return; // touch opens on tap
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    openTimer = setTimeout(() => openOnStage(e), menu.isOpen ? 0 : HOVER_OPEN_MS);
  });
  stage.on('leave', (e) => {
    clearTimeout(openTimer);
    if (e.pointerType === 'mouse' && menu.isOpen && menu.comment?.id === e.id) closeTimer = setTimeout(() => menu.close(), HOVER_CLOSE_MS);
  });
  menu.el.addEventListener('pointerenter', () => clearTimeout(closeTimer));
  menu.el.addEventListener('pointerleave', (e) => {
    if (e.pointerType === 'mouse' && held != null) closeTimer = setTimeout(() => menu.close(), HOVER_CLOSE_MS);
  });
  list?.on('menu', ({ comment, own, el, keyboard }) => menu.open(el, contextOf(comment, own, keyboard)));
  // A comment that leaves (recalled, deleted, hidden) takes its menu along.
  player.on('retract', (ids) => {
    if (menu.isOpen && ids.some((id) => String(id) === String(menu.comment?.id))) menu.close();
  });

  async function act(action, c, reason) {
    try {
      switch (action) {
        case 'like':
          await player.toggleLike(c.id);
          break;
        case 'copy':
          await copyText(c.text ?? '');
          toast('Copied');
          break;
        case 'report': {
          const res = await player.report(c.id, reason);
          toast(res?.hidden ? 'Reported: it is hidden until a moderator looks at it.' : `Reported as ${REASON_WORDS[reason] ?? reason}. Thank you.`);
          break;
        }
        case 'block': {
          const user = c.user ?? {};
          const blocked = settings.get().blockedUsers;
          if (user.id && !blocked.some((u) => u.id === user.id)) settings.update({ blockedUsers: [...blocked, { id: user.id, name: user.name ?? '' }] });
          toast(`You will not see comments from ${user.name || 'this user'}. Unblock them in the settings.`);
          break;
        }
        case 'recall':
          await player.recall(c.id);
          toast('Recalled: it is gone from every screen.');
          break;
      }
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  }
  return menu;
}

/** Puts text on the clipboard, with the old way where the new one is refused. */
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // Not allowed here (no focus, an insecure origin): a selected textarea.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'dm-offscreen';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw { code: 'copy', message: 'Could not copy: select the text in the list instead.' };
}
