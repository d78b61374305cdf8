// Small DOM helpers. Text goes in as text nodes, never as HTML: nothing sent by anyone is parsed.

import { Problem, SignedOut, api } from './api.js';
import { t, lang } from './i18n.js';

/** An element: `h('button', {type: 'button', onclick}, 'Go')`. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces `el`'s content. */
export function show(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

export function loading() {
  return h('p', { class: 'loading', role: 'status' }, t('loading'));
}

export function empty() {
  return h('p', { class: 'muted' }, t('empty'));
}

/** A code from the API as words: the translation when there is one, else the code spelt out. */
export function label(code) {
  if (code === null || code === undefined) return '—';
  const key = 'code.' + code;
  const text = t(key);
  return text === key ? String(code).replace(/_/g, ' ') : text;
}

/** A problem as sentences: its title and detail, never its JSON. */
export function problemBox(error) {
  if (error instanceof SignedOut) return null;
  if (!(error instanceof Problem)) {
    return h('div', { class: 'problem', role: 'alert' }, String(error?.message ?? error));
  }
  const parts = [h('strong', {}, error.title || label(error.code))];
  if (error.detail) parts.push(' ', error.detail);
  const site = error.body?.international_site_url;
  if (site) parts.push(' ', h('a', { href: site, rel: 'noreferrer' }, t('rn.intl')));
  return h('div', { class: 'problem', role: 'alert' }, parts);
}

/**
 * Shows a problem: field errors beside their inputs (an input's `name` is the API's field path),
 * the rest in `where`.
 */
export function report(error, where, form = null) {
  for (const old of form?.querySelectorAll('.field-error') ?? []) old.remove();
  for (const input of form?.querySelectorAll('[aria-invalid]') ?? []) input.removeAttribute('aria-invalid');
  const unplaced = [];
  for (const field of error?.errors ?? []) {
    const input = form?.querySelector(`[name="${CSS.escape(field.field)}"]`);
    if (!input) {
      unplaced.push(field);
      continue;
    }
    const id = input.id + '-error';
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id);
    input.closest('.field')?.append(h('span', { class: 'field-error', id }, field.message));
  }
  const box = problemBox(error);
  if (box && unplaced.length) {
    box.append(h('ul', {}, unplaced.map((f) => h('li', {}, `${f.field}: ${f.message}`))));
  }
  if (where) show(where, box);
  form?.querySelector('[aria-invalid]')?.focus();
}

let ids = 0;

/** A labelled input, select or textarea; `name` is the API's field path. */
export function field(text, control) {
  control.id ||= 'f' + ++ids;
  return h('div', { class: 'field' }, h('label', { for: control.id }, text), control);
}

/** A definition list of facts, skipping empty ones. */
export function facts(rows) {
  return h(
    'dl',
    { class: 'facts' },
    rows.filter(([, value]) => value !== null && value !== undefined && value !== '').map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
}

/** A yes/no badge. */
export function yesNo(value) {
  return h('span', { class: 'badge ' + (value ? 'yes' : 'no') }, value ? t('rn.yes') : t('rn.no'));
}

/** How long ago, in days or hours. */
export function age(iso) {
  const hours = Math.max(0, Math.floor((Date.now() - new Date(iso).getTime()) / 3_600_000));
  return hours >= 48 ? t('days', { n: Math.floor(hours / 24) }) : t('hours', { n: hours });
}

/** A masked subject's lines. */
export function subjectFacts(subject) {
  if (!subject) return [];
  if (subject.type === 'enterprise') {
    return [
      [t('rn.enterprise_name'), subject.name],
      [t('rn.uscc'), subject.uscc],
      [t('rn.legal_person'), subject.legal_person_name],
    ];
  }
  return [
    [t('rn.name'), subject.name],
    [t('rn.document_type'), label(subject.document_type)],
    [t('rn.document'), subject.document_number],
  ];
}

/** Runs `work` with `button` disabled, reporting a failure into `where`. */
export async function busy(button, where, work, form = null) {
  button.disabled = true;
  try {
    if (where) where.replaceChildren();
    await work();
  } catch (error) {
    report(error, where, form);
  } finally {
    button.disabled = false;
  }
}

/**
 * The one-time-code step of a phone change or recovery (R19): the code, and in sandbox mode a
 * button that reads it from the sandbox's inbox; `onDone` gets the confirmed change.
 */
export function codeForm(changeId, sandbox, confirmPath, problems, onDone) {
  const code = h('input', { name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6 });
  const confirm = h('button', { type: 'submit' }, t('rn.phone.confirm'));
  const form = h('form', {}, field(t('rn.phone.code'), code), h('div', { class: 'actions' }, confirm));
  if (sandbox) {
    const peek = h('button', { type: 'button', class: 'secondary' }, t('rn.phone.sandbox'));
    peek.addEventListener('click', () => busy(peek, problems, async () => {
      code.value = (await api('GET', `/v1/sandbox/sms?change_id=${changeId}`)).code;
    }));
    form.querySelector('.actions').append(peek);
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(confirm, problems, async () => onDone(await api('POST', confirmPath, { code: code.value.trim() })), form);
  });
  return form;
}

export { lang };
