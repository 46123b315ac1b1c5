// The viewer settings panel (DOM), bound to a settings store
// (createSettingsStore, settings.js).
// Every control has an id "dm-set-<name>" for tests and styling; each
// slider shows its value in an <output id="dm-set-<name>-value">; blocked
// users are listed in #dm-set-blocked, each with an Unblock button.

import { AREAS, DENSITIES, MAX_SHIELD, MAX_ON_SCREEN } from './settings.js';
import { el } from './dom.js';

const AREA_LABELS = { 0.25: '¼', 0.5: '½', 0.75: '¾', 1: 'Full' };
const DENSITY_LABELS = { low: 'Low (drop when full)', normal: 'Normal', high: 'High (wait longer)' };

/** How each slider's value reads. */
const SHOW = {
  opacity: (v) => `${Math.round(v * 100)}%`,
  fontScale: (v) => `${Math.round(v * 100)}%`,
  speed: (v) => `${v}×`,
  shield: (v) => (v > 0 ? `${v}` : 'Off'),
  maxOnScreen: (v) => (v > 0 ? `${v}` : 'No limit'),
};

/** Builds the settings form inside `container` and keeps it in sync with `store`. Returns an unmount function. */
export function mountSettingsPanel(container, store) {
  const doc = container.ownerDocument;
  const form = el(doc, 'form', { className: 'dm-settings', id: 'dm-settings-form', noValidate: true });
  // A label and its control (a slider with its value beside it).
  const row = (label, control) => {
    form.append(el(doc, 'label', { htmlFor: control.id, textContent: label }), control.closest('.dm-range') ?? control);
    return control;
  };
  const check = (name, label) => {
    const box = el(doc, 'input', { type: 'checkbox', id: `dm-set-${name}`, name });
    const l = el(doc, 'label', { htmlFor: box.id });
    l.append(box, ` ${label}`);
    return { box, label: l };
  };
  const outputs = {};
  const range = (name, min, max, step) => {
    const input = el(doc, 'input', { type: 'range', id: `dm-set-${name}`, name, min, max, step });
    outputs[name] = el(doc, 'output', { id: `dm-set-${name}-value`, htmlFor: input.id, className: 'dm-range-value' });
    el(doc, 'span', { className: 'dm-range' }, [input, outputs[name]]);
    return input;
  };
  const select = (name, options) => {
    const s = el(doc, 'select', { id: `dm-set-${name}`, name });
    for (const [value, text] of options) s.append(el(doc, 'option', { value: String(value), textContent: text }));
    return s;
  };

  const visible = check('visible', 'Show comments');
  const merge = check('merge', 'Merge duplicates');
  const subtitles = check('subtitleSafe', 'Keep the subtitle strip free');
  const top = form.appendChild(el(doc, 'fieldset', {}));
  top.append(visible.label, merge.label, subtitles.label);
  const opacity = row('Opacity', range('opacity', 0.1, 1, 0.05));
  const fontScale = row('Font size', range('fontScale', 0.5, 2, 0.05));
  const speed = row('Speed', range('speed', 0.5, 2, 0.1));
  const shield = row('Shield level', range('shield', 0, MAX_SHIELD, 1));
  const maxOnScreen = row('On screen at most', range('maxOnScreen', 0, MAX_ON_SCREEN, 10));
  const area = row('Display area', select('area', AREAS.map((a) => [a, AREA_LABELS[a]])));
  const density = row('Density', select('density', DENSITIES.map((d) => [d, DENSITY_LABELS[d]])));
  shield.title = 'Hides comments the server rates below this quality (0 to 10)';
  const hide = form.appendChild(el(doc, 'fieldset', {}));
  hide.append(el(doc, 'legend', { textContent: 'Hide' }));
  const hideBoxes = {};
  for (const [m, text] of [['scroll', 'scrolling'], ['top', 'top'], ['bottom', 'bottom']]) {
    const c = check(`hide-${m}`, text);
    hideBoxes[m] = c.box;
    hide.append(c.label);
  }
  const keywords = row(
    'Blocked words',
    el(doc, 'textarea', { id: 'dm-set-keywords', name: 'keywords', placeholder: 'one per line; /regexp/ allowed', rows: 3 }),
  );
  const blocked = el(doc, 'ul', { id: 'dm-set-blocked', className: 'dm-blocked' });
  const blockedBox = el(doc, 'fieldset', { className: 'dm-blocked-box' }, [el(doc, 'legend', { textContent: 'Blocked users' }), blocked]);
  form.append(blockedBox);
  const reset = el(doc, 'button', { type: 'button', id: 'dm-set-reset', textContent: 'Reset' });
  form.append(reset);
  container.replaceChildren(form);

  const sliders = { opacity, fontScale, speed, shield, maxOnScreen };
  const render = (s) => {
    visible.box.checked = s.visible;
    merge.box.checked = s.merge;
    subtitles.box.checked = s.subtitleSafe;
    for (const [name, input] of Object.entries(sliders)) {
      input.value = String(s[name]);
      outputs[name].value = SHOW[name](s[name]);
      input.setAttribute('aria-valuetext', SHOW[name](s[name]));
    }
    area.value = String(s.area);
    density.value = s.density;
    for (const m of Object.keys(hideBoxes)) hideBoxes[m].checked = s.hideModes[m];
    if (doc.activeElement !== keywords) keywords.value = s.blockedKeywords.join('\n');
    blocked.replaceChildren(...s.blockedUsers.map((u) => {
      const name = u.name || u.id;
      const unblock = el(doc, 'button', { type: 'button', className: 'dm-unblock', textContent: 'Unblock', 'aria-label': `Unblock ${name}` });
      unblock.addEventListener('click', () => store.update({ blockedUsers: store.get().blockedUsers.filter((b) => b.id !== u.id) }));
      return el(doc, 'li', { dataset: { user: u.id } }, [el(doc, 'span', { textContent: name }), unblock]);
    }));
    blockedBox.hidden = s.blockedUsers.length === 0;
  };
  render(store.get());

  const on = (elm, type, fn) => elm.addEventListener(type, fn);
  on(visible.box, 'change', () => store.update({ visible: visible.box.checked }));
  on(merge.box, 'change', () => store.update({ merge: merge.box.checked }));
  on(subtitles.box, 'change', () => store.update({ subtitleSafe: subtitles.box.checked }));
  on(opacity, 'input', () => store.update({ opacity: Number(opacity.value) }));
  // The rest apply when let go, but show their value while they move.
  for (const [name, input] of Object.entries({ fontScale, speed, shield, maxOnScreen })) {
    on(input, 'input', () => (outputs[name].value = SHOW[name](Number(input.value))));
    on(input, 'change', () => store.update({ [name]: Number(input.value) }));
  }
  on(area, 'change', () => store.update({ area: Number(area.value) }));
  on(density, 'change', () => store.update({ density: density.value }));
  for (const [m, box] of Object.entries(hideBoxes)) on(box, 'change', () => store.update({ hideModes: { [m]: box.checked } }));
  on(keywords, 'change', () => store.update({ blockedKeywords: keywords.value.split('\n') }));
  on(reset, 'click', () => store.reset());
  form.addEventListener('submit', (e) => e.preventDefault());
  const off = store.on('change', render);
  return () => {
    off();
    form.remove();
  };
}
