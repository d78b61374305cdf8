// The reviewer console (R8, R14, R22) and an enterprise's account limit (R4).

import { api } from './api.js';
import { t, when } from './i18n.js';
import { age, busy, empty, facts, field, h, label, loading, show, subjectFacts } from './ui.js';

const OUTCOMES = { theft: ['confirmed', 'rejected'], appeal: ['resolved', 'rejected'] };

export async function reviewPage(main) {
  const queue = h('section', { class: 'card', 'aria-labelledby': 'queue-h' }, h('h2', { id: 'queue-h' }, t('rv.queue')), loading());
  const detail = h('div');
  const cases = h('section', { class: 'card', 'aria-labelledby': 'cases-h' }, h('h2', { id: 'cases-h' }, t('rv.cases')), loading());
  show(main, h('h1', {}, t('rv.title')), queue, detail, cases, auditCard());
  await Promise.all([fillQueue(queue, detail), fillCases(cases, detail)]);
}

async function fillQueue(queue, detail) {
  const page = await api('GET', '/v1/review-queue?limit=50');
  const reload = () => fillQueue(queue, detail);
  const rows = page.data.map((app) => {
    const open = h('button', { type: 'button', class: 'link' }, app.id);
    open.addEventListener('click', () => openApplication(app.id, detail, reload));
    return h(
      'tr',
      { class: app.overdue ? 'overdue' : '' },
      h('td', {}, open),
      h('td', {}, label(app.method)),
      h('td', {}, label(app.review_reason)),
      h('td', {}, app.deadline ? when(app.deadline) : '—', app.overdue ? [' ', h('span', { class: 'badge no' }, t('rv.overdue'))] : ''),
      h('td', {}, age(app.created_at)),
    );
  });
  show(
    queue,
    h('h2', { id: 'queue-h' }, t('rv.queue')),
    rows.length
      ? h('div', { class: 'table-wrap' }, h('table', { 'data-queue': '' }, h('thead', {}, h('tr', {}, [t('rv.application'), t('rn.method'), t('rv.reason'), t('rv.deadline'), t('rv.age')].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows)))
      : empty(),
  );
}

async function openApplication(id, detail, reload) {
  show(detail, loading());
  const app = await api('GET', `/v1/applications/${id}`);
  const context = app.review_context ?? {};
  const problems = h('div');
  const decision = h('select', { name: 'decision' }, ['approve', 'reject'].map((d) => h('option', { value: d }, t('rv.' + d))));
  const reason = h('input', { name: 'reason_code', autocomplete: 'off', spellcheck: 'false' });
  const note = h('textarea', { name: 'note' });
  const submit = h('button', { type: 'submit' }, t('rv.submit'));
  const form = h('form', {}, h('div', { class: 'grid2' }, field(t('rv.decide'), decision), field(t('rv.reason_code'), reason)), field(t('rv.note'), note), h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { decision: decision.value, note: note.value };
    if (reason.value.trim()) body.reason_code = reason.value.trim();
    busy(submit, problems, async () => {
      const decided = await api('POST', `/v1/applications/${id}/decision`, body);
      show(detail, h('p', { class: 'ok', role: 'status' }, t('rv.decided', { status: label(decided.status) })));
      reload();
    }, form);
  });
  const registry = context.registry
    ? h('div', {}, h('h3', {}, t('rv.registry')), facts([[t('rn.enterprise_name'), context.registry.name], [t('rn.status'), label(context.registry.status)], [t('rn.legal_person'), context.registry.legal_representative], [t('rv.at'), when(context.registry.checked_at)]]))
    : null;
  const credit = context.payment_credit
    ? h('div', {}, h('h3', {}, t('rv.credit')), facts([[t('rn.pay.amount'), context.payment_credit.amount], [t('rn.name'), context.payment_credit.payer_name], [t('rn.account'), context.payment_credit.payer_account], [t('rv.at'), when(context.payment_credit.received_at)]]))
    : null;
  show(
    detail,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'detail-h' },
      h('h2', { id: 'detail-h' }, t('rv.detail'), ' ', h('span', { class: 'badge' }, label(app.status))),
      facts([[t('rv.application'), app.id], [t('rn.account'), app.account_id], [t('rn.method'), label(app.method)], ...subjectFacts(app.subject), [t('rv.reason'), label(app.review_reason)], [t('rv.deadline'), app.deadline && when(app.deadline)]]),
      registry,
      credit,
      app.status === 'in_review' ? form : null,
      problems,
    ),
  );
  detail.querySelector('h2').scrollIntoView({ block: 'start' });
}

async function fillCases(box, detail) {
  const page = await api('GET', '/v1/cases?status=open&limit=50');
  const reload = () => fillCases(box, detail);
  const rows = page.data.map((c) => {
    const open = h('button', { type: 'button', class: 'link' }, c.id);
    open.addEventListener('click', () => openCase(c.id, detail, reload));
    return h('tr', {}, h('td', {}, open), h('td', {}, label(c.kind)), h('td', {}, c.account_ids.length), h('td', {}, when(c.created_at)));
  });
  show(
    box,
    h('h2', { id: 'cases-h' }, t('rv.cases')),
    rows.length
      ? h('div', { class: 'table-wrap' }, h('table', { 'data-cases': '' }, h('thead', {}, h('tr', {}, [t('rv.case'), t('rv.kind'), t('rn.account'), t('rv.at')].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows)))
      : empty(),
  );
}

async function openCase(id, detail, reload) {
  show(detail, loading());
  const c = await api('GET', `/v1/cases/${id}`);
  const problems = h('div');
  const outcome = h('select', { name: 'outcome' }, (OUTCOMES[c.kind] ?? []).map((o) => h('option', { value: o }, label(o))));
  const note = h('textarea', { name: 'note' });
  const submit = h('button', { type: 'submit' }, t('rv.resolve'));
  const form = h('form', {}, field(t('rv.outcome'), outcome), field(t('rv.note'), note), h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, problems, async () => {
      const done = await api('POST', `/v1/cases/${id}/resolution`, { outcome: outcome.value, note: note.value });
      show(detail, h('p', { class: 'ok', role: 'status' }, t('rv.resolved', { outcome: label(done.outcome) })));
      reload();
    }, form);
  });
  show(
    detail,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'case-h' },
      h('h2', { id: 'case-h' }, t('rv.case'), ' ', c.id),
      facts([[t('rv.kind'), label(c.kind)], [t('rn.status'), label(c.status)], [t('rv.message'), c.message ?? '—'], [t('rn.account'), c.account_ids.join(', ')], [t('fa.proof'), c.proof_id], [t('rv.at'), when(c.created_at)], [t('rv.note'), c.note]]),
      c.status === 'open' ? form : null,
      problems,
    ),
  );
  detail.querySelector('h2').scrollIntoView({ block: 'start' });
}

function auditCard() {
  const problems = h('div');
  const out = h('div');
  const account = h('input', { name: 'account_id', autocomplete: 'off', spellcheck: 'false', placeholder: 'acct_…' });
  const go = h('button', { type: 'submit' }, t('rv.audit.show'));
  const form = h('form', {}, field(t('rv.audit.account'), account), h('div', { class: 'actions' }, go));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(go, problems, async () => {
      const log = await api('GET', `/v1/accounts/${encodeURIComponent(account.value.trim())}/audit-log`);
      const verdict = log.chain_valid === undefined ? null : h('p', { class: log.chain_valid ? 'ok' : 'problem', 'data-chain-valid': String(log.chain_valid) }, log.chain_valid ? t('rv.chain_valid') : t('rv.chain_broken'));
      show(
        out,
        verdict,
        log.data.length
          ? h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, [t('rv.at'), t('rv.action'), t('rv.actor'), t('rv.reason')].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, log.data.map((e) => h('tr', {}, h('td', {}, when(e.at)), h('td', {}, e.action), h('td', {}, e.actor), h('td', {}, e.reason ?? ''))))))
          : empty(),
      );
    }, form);
  });
  return h('section', { class: 'card', 'aria-labelledby': 'audit-h' }, h('h2', { id: 'audit-h' }, t('rv.audit')), form, problems, out);
}

export async function limitsPage(main, who) {
  const problems = h('div');
  const out = h('div');
  const uscc = h('input', { name: 'uscc', autocomplete: 'off', spellcheck: 'false' });
  const go = h('button', { type: 'submit' }, t('lim.show'));
  const form = h('form', {}, field(t('lim.uscc'), uscc), h('div', { class: 'actions' }, go));
  const load = async () => {
    const limit = await api('GET', `/v1/enterprises/${encodeURIComponent(uscc.value.trim())}/account-limit`);
    show(out, limitView(limit, uscc.value.trim(), who, load));
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(go, problems, load, form);
  });
  show(main, h('h1', {}, t('lim.title')), h('section', { class: 'card' }, form, problems), out);
}

function limitView(limit, uscc, who, load) {
  const problems = h('div');
  const parts = [
    facts([[t('lim.uscc'), limit.uscc], [t('lim.limit'), limit.limit], [t('lim.default'), limit.default_limit], [t('lim.used'), limit.used]]),
    h('h3', {}, t('lim.holders')),
    limit.holders.length ? h('ul', {}, limit.holders.map((a) => h('li', {}, `${a.account_id} · ${a.phone}`))) : empty(),
    h('h3', {}, t('lim.history')),
    limit.history.length
      ? h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, [t('lim.limit'), t('rv.actor'), t('rv.at'), t('lim.reason')].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, limit.history.map((c) => h('tr', {}, h('td', {}, c.limit), h('td', {}, c.set_by), h('td', {}, when(c.set_at)), h('td', {}, c.reason ?? ''))))))
      : empty(),
  ];
  if (who.role === 'account_manager') {
    const value = h('input', { name: 'limit', type: 'number', min: 1, value: limit.limit });
    const reason = h('input', { name: 'reason', autocomplete: 'off' });
    const save = h('button', { type: 'submit' }, t('lim.set'));
    const form = h('form', {}, h('div', { class: 'grid2' }, field(t('lim.limit'), value), field(t('lim.reason'), reason)), h('div', { class: 'actions' }, save));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(save, problems, async () => {
        await api('PUT', `/v1/enterprises/${encodeURIComponent(uscc)}/account-limit`, { limit: Number(value.value), reason: reason.value });
        await load();
      }, form);
    });
    parts.push(h('h3', {}, t('lim.set')), form);
  }
  return h('section', { class: 'card' }, parts, problems);
}
