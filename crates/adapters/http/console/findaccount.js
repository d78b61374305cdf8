// Find Account (R14, R15): prove the identity with an instant personal method, see the masked
// accounts verified with it, recover one with a new phone, freeze the others, open an appeal.

import { api, sandboxOn } from './api.js';
import { t } from './i18n.js';
import { busy, codeForm, facts, field, h, label, show } from './ui.js';

const METHODS = ['face_recognition', 'wechat_scan', 'qq_scan'];
const DOCUMENTS = ['resident_id', 'hk_macao_permit', 'taiwan_permit', 'residence_permit'];

export async function findAccountPage(main) {
  const sandbox = await sandboxOn();
  const problems = h('div');
  const step = h('div');
  const method = h('select', { name: 'method' }, METHODS.map((m) => h('option', { value: m }, label(m))));
  const documentType = h('select', { name: 'subject.document_type' }, DOCUMENTS.map((d) => h('option', { value: d }, label(d))));
  const name = h('input', { name: 'subject.name', autocomplete: 'off' });
  const number = h('input', { name: 'subject.document_number', autocomplete: 'off', spellcheck: 'false' });
  const prove = h('button', { type: 'submit' }, t('fa.prove'));
  const form = h(
    'form',
    { novalidate: true },
    h('div', { class: 'grid2' }, field(t('rn.methods'), method), field(t('rn.document_type'), documentType), field(t('rn.name'), name), field(t('rn.document'), number)),
    h('div', { class: 'actions' }, prove),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const subject = { type: 'personal', document_type: documentType.value, document_number: number.value.trim(), name: name.value.trim() };
    busy(prove, problems, async () => {
      const proof = await api('POST', '/v1/identity-proofs', { method: method.value, subject }, { create: true });
      show(step, proofStep(proof, sandbox, problems));
    }, form);
  });
  show(
    main,
    h('h1', {}, t('fa.title')),
    h('section', { class: 'card', 'aria-labelledby': 'prove-h' }, h('h2', { id: 'prove-h' }, t('fa.prove')), h('p', {}, t('fa.intro')), form, problems),
    step,
  );
}

function proofStep(proof, sandbox, problems) {
  const box = h('section', { class: 'card', 'aria-labelledby': 'proof-h' });
  const action = proof.next_action;
  const link = action?.session_url ?? action?.qr_url;
  const badge = h('span', { class: 'badge', 'data-proof-status': '' }, label(proof.status));
  const parts = [h('h2', { id: 'proof-h' }, t('fa.proof'), ' ', badge)];
  if (link) parts.push(h('p', {}, h('a', { href: link, rel: 'noreferrer', target: '_blank' }, action.type === 'face_liveness' ? t('rn.face') : t('rn.scan'))));
  const accounts = h('div');
  const notice = h('div');
  const refresh = async () => {
    const found = await api('GET', `/v1/identity-proofs/${proof.id}/accounts`);
    show(badge, label('passed'));
    show(accounts, accountsStep(proof, sandbox, found, problems, refresh, notice));
  };
  if (sandbox) {
    const pass = h('button', { type: 'button' }, t('fa.sandbox.pass'));
    pass.addEventListener('click', () => busy(pass, problems, async () => {
      await api('POST', `/v1/sandbox/identity-proofs/${proof.id}/complete`, { outcome: 'passed' });
      pass.remove();
      await refresh();
    }));
    parts.push(h('div', { class: 'actions' }, pass));
  }
  // Without the sandbox the provider decides; look until the proof has passed.
  const wait = async () => {
    if (!box.isConnected) return;
    const now = await api('GET', `/v1/identity-proofs/${proof.id}`).catch(() => null);
    if (now?.status === 'passed') await refresh();
    else setTimeout(wait, 2000);
  };
  if (!sandbox) setTimeout(wait, 2000);
  box.append(...parts, accounts, notice);
  return box;
}

function accountsStep(proof, sandbox, found, problems, refresh, notice) {
  const note = h('textarea', { name: 'note' });
  const freeze = h('button', { type: 'submit', class: 'danger' }, t('fa.freeze'));
  const result = notice;
  const rows = found.data.map((a) =>
    h(
      'tr',
      {},
      h('td', {}, h('input', { type: 'checkbox', name: 'refs', value: a.ref, 'aria-label': `${t('fa.select')} ${a.account_id}` })),
      h('td', {}, a.account_id),
      h('td', {}, a.phone),
      h('td', {}, label(a.status), a.state && a.state !== 'active' ? ` · ${label(a.state)}` : ''),
      h('td', {}, recoverButton(proof, a, sandbox, problems, result)),
    ),
  );
  const form = h(
    'form',
    {},
    facts([[t('fa.summary'), found.summary]]),
    h('div', { class: 'table-wrap' }, h('table', { 'data-found': '' }, h('thead', {}, h('tr', {}, [t('fa.select'), t('rn.account'), t('fa.phone'), t('fa.state'), ''].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows))),
    field(t('fa.note'), note),
    h('div', { class: 'actions' }, freeze),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const refs = [...form.querySelectorAll('input[name="refs"]:checked')].map((i) => i.value);
    busy(freeze, problems, async () => {
      const opened = await api('POST', `/v1/identity-proofs/${proof.id}/freezes`, { refs, note: note.value }, { create: true });
      await refresh();
      show(result, h('p', { class: 'ok', role: 'status' }, t('fa.frozen', { id: opened.id })));
    }, form);
  });
  return h('div', {}, h('h3', {}, t('fa.accounts')), form, result, appealForm(proof, problems));
}

function recoverButton(proof, account, sandbox, problems, result) {
  const button = h('button', { type: 'button', class: 'secondary' }, t('fa.recover'));
  button.addEventListener('click', () => {
    const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'tel' });
    const send = h('button', { type: 'submit' }, t('rn.phone.send'));
    const form = h('form', {}, field(t('fa.recover.phone'), phone), h('div', { class: 'actions' }, send));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(send, problems, async () => {
        const recovery = await api('POST', `/v1/identity-proofs/${proof.id}/recoveries`, { ref: account.ref, phone: phone.value.trim() }, { create: true });
        const confirm = `/v1/identity-proofs/${proof.id}/recoveries/${recovery.id}/confirm`;
        show(result, codeForm(recovery.id, sandbox, confirm, problems, () => show(result, h('p', { class: 'ok', role: 'status' }, t('fa.recovered')))));
      }, form);
    });
    show(result, form);
    phone.focus();
  });
  return button;
}

function appealForm(proof, problems) {
  const message = h('textarea', { name: 'message' });
  const send = h('button', { type: 'submit', class: 'secondary' }, t('fa.appeal'));
  const result = h('div');
  const form = h('form', {}, field(t('fa.appeal.message'), message), h('div', { class: 'actions' }, send));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(send, problems, async () => {
      const opened = await api('POST', '/v1/appeals', { proof_id: proof.id, message: message.value }, { create: true });
      show(result, h('p', { class: 'ok', role: 'status' }, t('fa.appealed', { id: opened.id })));
    }, form);
  });
  return h('div', {}, h('h3', {}, t('fa.appeal')), form, result);
}
