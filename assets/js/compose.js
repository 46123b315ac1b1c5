// The comment composer: draft validation (pure) and the input bar (DOM).

import { MODES } from './lanes.js';
import { el } from './dom.js';
import { isColor, localizeTimes } from './util.js';

/** Longest comment text accepted on the client, in characters (code points). */
export const MAX_TEXT = 100;

/** Sizes a comment can have. */
export const SIZES = Object.freeze(['small', 'medium', 'large']);

/** Colour swatches offered in the composer (Bilibili's basic palette). */
export const PALETTE = Object.freeze(['#ffffff', '#fe0302', '#ff7204', '#ffaa02', '#ffd302', '#00cd00', '#00a2ff', '#cc0273']);

/**
 * Checks and normalizes a draft {text, mode, color, size}. Returns
 * {ok:true, draft} with trimmed text and valid fields, or {ok:false, code,
 * message} explaining what to fix. maxText is the server's limit.
 */
export function validateDraft({ text, mode = 'scroll', color = '#ffffff', size = 'medium' } = {}, maxText = MAX_TEXT) {
  const t = String(text ?? '').replace(/[\r\n\t]+/g, ' ').trim();
  if (t === '') return { ok: false, code: 'empty', message: 'Type a comment first.' };
  const len = [...t].length;
  if (len > maxText) return { ok: false, code: 'too_long', message: `At most ${maxText} characters (${len} now).` };
  if (!MODES.includes(mode)) return { ok: false, code: 'bad_mode', message: 'Unknown display mode.' };
  if (!SIZES.includes(size)) return { ok: false, code: 'bad_size', message: 'Unknown size.' };
  if (!isColor(color)) {
    return { ok: false, code: 'bad_color', message: 'Colour must look like #rrggbb.' };
  }
  return { ok: true, draft: { text: t, mode, color: color.toLowerCase(), size } };
}

/**
 * Human-readable message for an error {code, message} from the server or
 * the client; instants in the server's words ("banned until …") are put in
 * the viewer's local time.
 */
export function errorMessage(err) {
  const byCode = {
    offline: 'Not connected: your comment was not sent.',
    timeout: 'The server did not answer; try again.',
    closed: 'Connection closed.',
    rate_limited: 'Too fast: wait a moment before sending again.',
  };
  if (err?.code === 'held') return `Waiting for a moderator${err.message ? `: ${err.message}` : ''}.`;
  return byCode[err?.code] || localizeTimes(err?.message) || 'Could not send the comment.';
}

/**
 * Builds the send bar inside `container`: a style popover (mode, size,
 * colour swatches and a picker), the text input and a send button; Enter
 * sends. onSend(draft) must return a promise; the box empties at once, and
 * when the promise rejects (a refused or held comment) the text comes back
 * to be fixed and sent again, with the rejection's {code, message} next
 * to the bar.
 * maxText: the server's limit. Returns {setEnabled(bool), setError(msg),
 * focus(), form}.
 */
export function mountComposer(container, { onSend, maxText = MAX_TEXT }) {
  const doc = container.ownerDocument;
  container.classList.add('dm-compose-box');
  const option = (value, text, selected = false) => el(doc, 'option', { value, textContent: text, selected });
  const mode = el(doc, 'select', { id: 'dm-mode', name: 'mode' }, [
    option('scroll', 'Scroll'), option('top', 'Top'), option('bottom', 'Bottom'),
  ]);
  const size = el(doc, 'select', { id: 'dm-size', name: 'size' }, [
    option('small', 'Small'), option('medium', 'Medium', true), option('large', 'Large'),
  ]);
  const color = el(doc, 'input', { type: 'color', id: 'dm-color', name: 'color', value: '#ffffff', title: 'Any colour' });
  const swatches = PALETTE.map((c) => {
    const b = el(doc, 'button', { type: 'button', className: 'dm-swatch', title: c, 'aria-label': `Colour ${c}`, dataset: { color: c } });
    b.style.backgroundColor = c; // CSSOM, allowed under a strict CSP
    return b;
  });
  const dot = el(doc, 'span', { className: 'dm-style-dot' });
  const summary = el(doc, 'summary', { className: 'dm-style-button', title: 'Comment style', 'aria-label': 'Comment style' }, ['A', dot]);
  const field = (label, control) => el(doc, 'label', { className: 'dm-style-field' }, [el(doc, 'span', { textContent: label }), control]);
  const panel = el(doc, 'div', { className: 'dm-style-panel' }, [
    field('Mode', mode),
    field('Size', size),
    el(doc, 'div', { className: 'dm-style-field' }, [
      el(doc, 'span', { textContent: 'Colour' }),
      el(doc, 'div', { className: 'dm-swatches' }, [...swatches, color]),
    ]),
  ]);
  const style = el(doc, 'details', { className: 'dm-style' }, [summary, panel]);
  const input = el(doc, 'input', {
    type: 'text', id: 'dm-input', name: 'text', maxLength: maxText * 2, autocomplete: 'off', enterKeyHint: 'send',
    placeholder: 'Send a comment…', 'aria-label': 'Comment text',
  });
  const send = el(doc, 'button', { type: 'submit', id: 'dm-send', textContent: 'Send' });
  const error = el(doc, 'div', { className: 'dm-compose-error', id: 'dm-compose-error', role: 'status' });
  const form = el(doc, 'form', { id: 'dm-form', className: 'dm-compose', noValidate: true }, [style, input, send, error]);
  container.replaceChildren(form);

  const showColor = () => {
    dot.style.backgroundColor = color.value;
    for (const b of swatches) b.setAttribute('aria-pressed', String(b.dataset.color === color.value.toLowerCase()));
  };
  showColor();
  color.addEventListener('input', showColor);
  for (const b of swatches) {
    b.addEventListener('click', () => {
      color.value = b.dataset.color;
      showColor();
    });
  }

  let enabled = true;
  let busy = false;
  const sync = () => {
    input.disabled = !enabled;
    send.disabled = !enabled || busy;
    form.classList.toggle('dm-disabled', !enabled);
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!enabled || busy) return;
    const v = validateDraft({ text: input.value, mode: mode.value, color: color.value, size: size.value }, maxText);
    if (!v.ok) {
      error.textContent = v.message;
      return;
    }
    error.textContent = '';
    busy = true;
    sync();
    // The box empties at once, so the next comment can be typed while this
    // one is on its way; a refused or held one comes back to be fixed.
    const typed = input.value;
    const sending = onSend(v.draft);
    input.value = '';
    busy = false;
    sync();
    input.focus();
    style.open = false;
    try {
      await sending;
    } catch (err) {
      error.textContent = errorMessage(err);
      // A delayed comment was sent: it shows once the room's delay is over.
      if (err?.code !== 'delayed' && input.value === '') input.value = typed;
    }
  });
  return {
    /** Enables or disables sending (e.g. while disconnected). */
    setEnabled(on) {
      enabled = !!on;
      sync();
    },
    /** Shows a message next to the bar. */
    setError(msg) {
      error.textContent = msg || '';
    },
    /** Focuses the text input. */
    focus() {
      input.focus();
    },
    form,
  };
}
