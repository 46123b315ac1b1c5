// The comment menu (DOM): what a viewer can do to one comment, opened on a
// flying comment (hover or tap) or from the list's ⋯ button. It only
// shows the choices and says which was picked; the page carries them out.
//
//   const menu = createCommentMenu(container, { onAction });
//   menu.open(anchorElement, { comment, own, liked, canRecall, keyboard });
//   onAction(action, context, reason?)   // like | copy | report | block | recall
//
// Items: like / unlike (a menuitemcheckbox, aria-checked), copy, report
// (then a reason: spam, spoiler, abuse, ads, other), block this user (not
// on one's own) and recall (one's own, within 2 minutes). Esc, a click
// outside, or a choice closes it; arrow keys move between the items.
//
// DOM hooks: div.dm-menu[role=menu] with button[role=menuitem] (the like:
// menuitemcheckbox) whose data-action is the action (and data-reason for
// the reasons).

import { Emitter } from './emitter.js';
import { el } from './dom.js';
import { displayText } from './util.js';

/** The reasons a viewer may report a comment for, with their labels. */
export const REPORT_REASONS = Object.freeze([
  ['spam', 'Spam'],
  ['spoiler', 'Spoiler'],
  ['abuse', 'Abuse'],
  ['ads', 'Advertising'],
  ['other', 'Something else'],
]);

/** Pixels kept between the menu and the viewport's edges. */
const EDGE = 8;

/** Creates the menu in `container` (inside the fullscreen box, so it shows there too). */
export function createCommentMenu(container, opts) {
  return new CommentMenu(container, opts);
}

/** A comment's menu. Events: "open" (context), "close" (context). */
class CommentMenu extends Emitter {
  /** onAction(action, context, reason): the viewer picked an action. */
  constructor(container, { onAction }) {
    super();
    this.doc = container.ownerDocument;
    this.onAction = onAction;
    this.ctx = null;
    this.anchor = null;
    this.el = el(this.doc, 'div', { className: 'dm-menu', role: 'menu', 'aria-label': 'Comment actions', hidden: true });
    this.title = el(this.doc, 'p', { className: 'dm-menu-title' });
    this.items = el(this.doc, 'div', { className: 'dm-menu-items' });
    this.el.append(this.title, this.items);
    container.append(this.el);
    this.el.addEventListener('click', (e) => this.#pick(e));
    this.el.addEventListener('keydown', (e) => this.#key(e));
    this.onOutside = (e) => {
      if (this.ctx && !this.el.contains(e.target) && !this.anchor?.contains(e.target)) this.close();
    };
    this.onEscape = (e) => {
      if (e.key === 'Escape' && this.ctx) {
        e.preventDefault();
        this.close({ focusAnchor: true });
      }
    };
    this.doc.addEventListener('pointerdown', this.onOutside, true);
    this.doc.addEventListener('keydown', this.onEscape);
  }

  /** Whether the menu is open. */
  get isOpen() {
    return this.ctx !== null;
  }

  /** The comment the menu is open on, or null. */
  get comment() {
    return this.ctx?.comment ?? null;
  }

  /**
   * Opens the menu next to `anchor` for ctx {comment, own, liked,
   * canRecall}; with ctx.keyboard its first item takes the focus.
   */
  open(anchor, ctx) {
    if (this.ctx) this.close();
    this.ctx = ctx;
    this.anchor = anchor;
    this.title.textContent = displayText(ctx.comment?.text);
    this.#fillActions();
    this.el.hidden = false;
    this.place();
    if (ctx.keyboard) this.#buttons()[0]?.focus();
    this.emit('open', ctx);
  }

  /** Closes the menu; focusAnchor returns the focus to what opened it. */
  close({ focusAnchor = false } = {}) {
    const ctx = this.ctx;
    if (!ctx) return;
    this.ctx = null;
    this.el.hidden = true;
    if (focusAnchor && this.anchor?.isConnected && this.anchor.focus) this.anchor.focus();
    this.anchor = null;
    this.emit('close', ctx);
  }

  /** Puts the menu next to its anchor, inside the viewport: below it, else above. */
  place() {
    if (!this.anchor) return;
    const view = this.doc.defaultView;
    const a = this.anchor.getBoundingClientRect();
    const m = this.el.getBoundingClientRect();
    let left = Math.min(Math.max(EDGE, a.left), view.innerWidth - m.width - EDGE);
    let top = a.bottom + 4;
    if (top + m.height > view.innerHeight - EDGE) top = a.top - m.height - 4;
    top = Math.min(Math.max(EDGE, top), view.innerHeight - m.height - EDGE);
    left = Math.max(EDGE, left);
    this.el.style.left = `${Math.round(left)}px`;
    this.el.style.top = `${Math.round(top)}px`;
  }

  /** Removes the menu and its listeners. */
  destroy() {
    this.doc.removeEventListener('pointerdown', this.onOutside, true);
    this.doc.removeEventListener('keydown', this.onEscape);
    this.el.remove();
  }

  #item(action, label, extra = {}) {
    return el(this.doc, 'button', { type: 'button', role: 'menuitem', textContent: label, dataset: { action }, ...extra });
  }

  #fillActions() {
    const { own, liked, canRecall, pending } = this.ctx;
    const list = [];
    if (!pending) {
      list.push(this.#item('like', liked ? '♥ Unlike' : '♡ Like', { role: 'menuitemcheckbox', 'aria-checked': String(!!liked) }));
    }
    list.push(this.#item('copy', 'Copy text'));
    if (!own && !pending) {
      list.push(this.#item('report', 'Report…', { 'aria-haspopup': 'true' }));
      list.push(this.#item('block', `Block ${this.ctx.comment?.user?.name || 'this user'}`));
    }
    if (canRecall) list.push(this.#item('recall', 'Recall (within 2 minutes)'));
    this.items.replaceChildren(...list);
  }

  #fillReasons() {
    const back = this.#item('back', '‹ Back');
    const reasons = REPORT_REASONS.map(([reason, label]) => this.#item('report', label, { dataset: { action: 'report', reason } }));
    this.items.replaceChildren(el(this.doc, 'p', { className: 'dm-menu-note', textContent: 'Report it for:' }), ...reasons, back);
    this.place();
    reasons[0].focus();
  }

  #pick(e) {
    const b = e.target.closest?.('button[data-action]');
    if (!b || !this.ctx) return;
    const { action, reason } = b.dataset;
    if (action === 'back') {
      this.#fillActions();
      this.#buttons()[0]?.focus();
      return;
    }
    if (action === 'report' && !reason) {
      this.#fillReasons();
      return;
    }
    const ctx = this.ctx;
    this.close({ focusAnchor: e.detail === 0 });
    this.onAction(action, ctx, reason);
  }

  #buttons() {
    return [...this.items.querySelectorAll('button')];
  }

  // Up and down move between the items, Home and End to the ends.
  #key(e) {
    const list = this.#buttons();
    const i = list.indexOf(this.doc.activeElement);
    const to = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: list.length - 1 }[e.key];
    if (to === undefined || list.length === 0) return;
    e.preventDefault();
    list[(to + list.length) % list.length].focus();
  }
}
