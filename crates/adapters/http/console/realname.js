// Real-name Authentication (R1–R13, R16, R19, R20): the holder's status, capabilities, the method
// chooser and form, the next action, decisions, the phone and sub-accounts.

import { api, sandboxOn } from './api.js';
import { t, when } from './i18n.js';
import { renderQr } from './qr.js';
import { busy, codeForm, empty, facts, field, h, label, loading, show, subjectFacts, yesNo } from './ui.js';

const UNDECIDED = ['awaiting_action', 'processing', 'in_review'];
const FAILURES = ['liveness_failed', 'face_obstructed', 'face_photo_mismatch', 'identity_info_incorrect', 'face_not_fully_visible', 'provider_error'];
const REGIONS = ['mainland', 'hong_kong', 'macao', 'taiwan', 'international'];
const POLL_MS = 2000;

let poll = null;

export async function realNamePage(main, who) {
  clearTimeout(poll);
  const root = who.account_id;
  const viewing = sessionStorage.getItem('realname.viewing') || root;
  show(main, h('h1', {}, t('rn.title')), loading());
  const sandbox = await sandboxOn();
  const [account, status, capabilities, applications, methods, invitations] = await Promise.all([
    api('GET', `/v1/accounts/${viewing}`),
    api('GET', `/v1/accounts/${viewing}/real-name`),
    api('GET', `/v1/accounts/${viewing}/capabilities`),
    api('GET', `/v1/accounts/${viewing}/applications?limit=1`),
    api('GET', '/v1/verification-methods'),
    api('GET', `/v1/accounts/${root}/sub-account-associations`).catch(() => ({ data: [] })),
  ]);
  const rerender = () => realNamePage(main, who);
  const latest = applications.data[0] ?? null;
  const subs = await api('GET', `/v1/accounts/${root}/sub-accounts`).catch(() => ({ data: [] }));
  show(
    main,
    h('h1', {}, t('rn.title')),
    switcher(root, viewing, subs.data, rerender),
    revocationBanner(status),
    statusCard(account, status),
    capabilitiesCard(capabilities),
    latest ? applicationCard(latest, sandbox, rerender) : null,
    chooser(viewing, status, latest, methods.data, rerender),
    viewing === root ? phoneCard(root, sandbox, rerender) : null,
    viewing === root ? subAccountsCard(root, sandbox, subs.data, invitations.data, rerender) : null,
  );
  if (latest && UNDECIDED.includes(latest.status)) {
    // The decision arrives from the provider, a payment or a reviewer: look again until it does.
    const check = async () => {
      if (!location.pathname.endsWith('/real-name')) return;
      const fresh = await api('GET', `/v1/applications/${latest.id}`).catch(() => latest);
      if (fresh.status !== latest.status) rerender();
      else poll = setTimeout(check, POLL_MS);
    };
    poll = setTimeout(check, POLL_MS);
  }
}

function switcher(root, viewing, subs, rerender) {
  if (!subs.length) return null;
  const select = h('select', { name: 'viewing' }, [root, ...subs.map((s) => s.id)].map((id) => h('option', { value: id, selected: id === viewing }, id === root ? `${id} (root)` : id)));
  select.addEventListener('change', () => {
    sessionStorage.setItem('realname.viewing', select.value);
    rerender();
  });
  return h('section', { class: 'card' }, field(t('rn.switch'), select));
}

function revocationBanner(status) {
  const pending = status.pending_revocation;
  if (!pending) return null;
  const modify = h('button', { type: 'button', class: 'secondary' }, t('rn.modify'));
  modify.addEventListener('click', () => {
    const form = document.getElementById('verify-h');
    form?.scrollIntoView({ block: 'start' });
    form?.closest('section')?.querySelector('input, select')?.focus();
  });
  return h('div', { class: 'banner', role: 'status' }, t('rn.revocation', { date: when(pending.effective_at) }), ' ', modify);
}

function statusCard(account, status) {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'status-h' },
    h('h2', { id: 'status-h' }, t('rn.status'), ' ', h('span', { class: 'badge', 'data-status': status.status }, label(status.status))),
    facts([
      [t('rn.account'), account.id],
      [t('rn.phone'), account.phone],
      ...subjectFacts(status.subject),
      [t('rn.method'), status.method && label(status.method)],
      [t('rn.verified_at'), status.verified_at && when(status.verified_at)],
      [t('rn.last_authenticated_at'), status.last_authenticated_at && when(status.last_authenticated_at)],
      [t('rn.modification_allowed_from'), status.modification_allowed_from && when(status.modification_allowed_from)],
      [t('rn.inherited_from'), status.inherited_from],
    ]),
  );
}

function capabilitiesCard(report) {
  const rows = Object.entries(report.capabilities).map(([name, answer]) =>
    h('tr', {}, h('th', { scope: 'row' }, label(name)), h('td', {}, yesNo(answer.allowed)), h('td', {}, answer.reason ? label(answer.reason) : ''), h('td', {}, answer.action ? label(answer.action) : answer.until ? when(answer.until) : '')),
  );
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'caps-h' },
    h('h2', { id: 'caps-h' }, t('rn.capabilities')),
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, [t('rn.capability'), t('rn.allowed'), t('rn.reason'), t('rn.fix')].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows))),
  );
}

function nextAction(action) {
  if (!action) return null;
  if (action.type === 'face_liveness') {
    return h('p', {}, h('a', { href: action.session_url, rel: 'noreferrer', target: '_blank' }, t('rn.face')));
  }
  if (action.type === 'scan_qr') {
    return h('div', { class: 'qr' }, h('p', {}, t('rn.scan')), renderQr(action.qr_url, t('rn.scan')));
  }
  return h(
    'div',
    {},
    h('h3', {}, t('rn.pay')),
    facts([
      [t('rn.pay.reference'), h('strong', { 'data-reference': '' }, action.reference)],
      [t('rn.pay.amount'), action.amount && `${action.amount} ${action.currency}`],
      [t('rn.pay.payee'), action.payee_account],
      [t('rn.pay.deadline'), when(action.expires_at)],
    ]),
  );
}

function applicationCard(app, sandbox, rerender) {
  const problems = h('div');
  const parts = [
    h('h2', { id: 'app-h' }, t('rn.application'), ' ', h('span', { class: 'badge', 'data-app-status': app.status }, label(app.status))),
    facts([
      [t('rn.method'), label(app.method)],
      ...subjectFacts(app.subject),
      [t('rv.deadline'), app.deadline && when(app.deadline)],
    ]),
  ];
  if (UNDECIDED.includes(app.status)) {
    parts.push(nextAction(app.next_action), h('p', { class: 'muted' }, t('rn.waiting')));
    const withdraw = h('button', { type: 'button', class: 'secondary' }, t('rn.withdraw'));
    withdraw.addEventListener('click', () => busy(withdraw, problems, async () => {
      await api('POST', `/v1/applications/${app.id}/withdraw`);
      rerender();
    }));
    const actions = [withdraw];
    if (sandbox && app.next_action && app.next_action.type !== 'pay') actions.push(...sandboxControls(app, problems, rerender));
    parts.push(h('div', { class: 'actions' }, actions));
  }
  if (app.status === 'rejected' && app.failure) parts.push(failureBlock(app.failure));
  parts.push(problems);
  return h('section', { class: 'card', 'aria-labelledby': 'app-h' }, parts);
}

function sandboxControls(app, problems, rerender) {
  const complete = (body) => api('POST', `/v1/sandbox/applications/${app.id}/complete`, body).then(rerender);
  const pass = h('button', { type: 'button' }, t('rn.sandbox') + ': ' + t('rn.sandbox.pass'));
  pass.addEventListener('click', () => busy(pass, problems, () => complete({ outcome: 'passed' })));
  const code = h('select', { name: 'failure_code' }, FAILURES.map((f) => h('option', { value: f }, label(f))));
  const fail = h('button', { type: 'button', class: 'danger' }, t('rn.sandbox.fail'));
  fail.addEventListener('click', () => busy(fail, problems, () => complete({ outcome: 'failed', failure_code: code.value })));
  return [pass, h('span', { class: 'actions' }, fail, field(t('rn.reason'), code))];
}

function failureBlock(failure) {
  const parts = [
    h('h3', {}, t('rn.rejected')),
    h('p', { 'data-failure': failure.code }, failure.message),
    h('p', {}, failure.retry_allowed ? t('rn.retry_allowed') : t('rn.retry_not_allowed')),
  ];
  if (failure.holding_accounts?.length) {
    parts.push(
      h('h3', {}, t('rn.limit')),
      h('div', { class: 'table-wrap' }, h('table', { 'data-holders': '' }, h('thead', {}, h('tr', {}, [t('rn.account'), t('rn.phone'), t('rn.verified_at')].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, failure.holding_accounts.map((a) => h('tr', {}, h('td', {}, a.account_id), h('td', {}, a.phone), h('td', {}, when(a.verified_at))))))),
      h('h3', {}, t('rn.limit.ways')),
      h('ul', {}, (failure.resolutions ?? []).map((r) => h('li', {}, t('rn.resolution.' + r)))),
    );
  }
  return h('div', { class: 'problem' }, parts);
}

function chooser(accountId, status, latest, methods, rerender) {
  if (status.inherited_from) return null;
  if (latest && UNDECIDED.includes(latest.status)) return null;
  const verified = status.status === 'verified';
  const purpose = verified ? 'modify' : 'verify';
  const problems = h('div');
  let type = status.subject_type === 'personal' && verified ? 'enterprise' : 'personal';
  const documentTypes = [...new Set(methods.filter((m) => m.subject_type === 'personal').flatMap((m) => m.document_types))];
  const documentType = h('select', { name: 'subject.document_type' }, documentTypes.map((d) => h('option', { value: d }, label(d))));
  const region = h('select', { name: 'subject.region' }, REGIONS.map((r) => h('option', { value: r }, label(r))));
  const list = h('ul', { class: 'methods' });
  const fields = h('div', { class: 'grid2' });
  const inputs = {
    name: h('input', { name: 'subject.name', autocomplete: 'off' }),
    document_number: h('input', { name: 'subject.document_number', autocomplete: 'off', spellcheck: 'false' }),
    uscc: h('input', { name: 'subject.uscc', autocomplete: 'off', spellcheck: 'false' }),
    legal_person_name: h('input', { name: 'subject.legal_person_name', autocomplete: 'off' }),
  };
  const typeRadios = ['personal', 'enterprise'].map((value) => {
    const input = h('input', { type: 'radio', name: 'subject.type', value, checked: value === type });
    input.addEventListener('change', () => {
      type = value;
      redraw();
    });
    return h('label', { class: 'inline' }, input, t('rn.' + value));
  });
  function redraw() {
    const available = (m) => m.subject_type !== 'personal' || m.document_types.includes(documentType.value);
    const shown = methods.filter((m) => m.subject_type === type).sort((a, b) => Number(b.recommended) - Number(a.recommended));
    const firstAvailable = shown.find(available);
    show(
      list,
      shown.map((m) => {
        const ok = available(m);
        const input = h('input', { type: 'radio', name: 'method', value: m.id, disabled: !ok, checked: m === firstAvailable, 'aria-describedby': 'm-' + m.id });
        const meta = [m.instant ? t('rn.instant') : t('rn.duration', { typical: m.typical_duration_working_days, max: m.max_duration_working_days })];
        if (m.needs_documents) meta.push(t('rn.documents'));
        if (m.recommended) meta.push(t('rn.recommended'));
        if (!ok) meta.push(t('rn.not_for_document'));
        return h('li', { class: ok ? '' : 'unavailable' }, h('label', {}, input, h('span', {}, label(m.id), h('span', { class: 'meta', id: 'm-' + m.id }, meta.join(' · ')))));
      }),
    );
    show(
      fields,
      type === 'personal'
        ? [field(t('rn.document_type'), documentType), field(t('rn.name'), inputs.name), field(t('rn.document'), inputs.document_number), field(label('region'), region)]
        : [field(t('rn.enterprise_name'), inputs.name), field(t('rn.uscc'), inputs.uscc), field(t('rn.legal_person'), inputs.legal_person_name), field(label('region'), region)],
    );
  }
  documentType.addEventListener('change', redraw);
  redraw();
  const submit = h('button', { type: 'submit' }, latest?.status === 'rejected' ? t('rn.resubmit') : t('rn.submit'));
  const form = h(
    'form',
    { novalidate: true },
    h('fieldset', {}, h('legend', {}, t('rn.subject_type')), h('div', { class: 'actions' }, typeRadios)),
    fields,
    h('fieldset', {}, h('legend', {}, t('rn.methods')), list),
    h('div', { class: 'actions' }, submit),
    problems,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const method = form.querySelector('input[name="method"]:checked')?.value;
    const subject = type === 'personal'
      ? { type, document_type: documentType.value, document_number: inputs.document_number.value.trim(), name: inputs.name.value.trim() }
      : { type, name: inputs.name.value.trim(), uscc: inputs.uscc.value.trim(), legal_person_name: inputs.legal_person_name.value.trim() };
    if (region.value !== 'mainland') subject.region = region.value;
    busy(submit, problems, async () => {
      await api('POST', `/v1/accounts/${accountId}/applications`, { purpose, method, subject }, { create: true });
      rerender();
    }, form);
  });
  const heading = verified ? t('rn.modify.title') : t('rn.verify');
  const cooldown = verified && status.modification_allowed_from ? h('p', { class: 'muted' }, t('rn.modify.cooldown', { date: when(status.modification_allowed_from) })) : null;
  return h('section', { class: 'card', 'aria-labelledby': 'verify-h' }, h('h2', { id: 'verify-h' }, heading), cooldown, form);
}

function phoneCard(accountId, sandbox, rerender) {
  const problems = h('div');
  const step = h('div');
  const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'tel' });
  const send = h('button', { type: 'submit' }, t('rn.phone.send'));
  const form = h('form', {}, field(t('rn.phone.new'), phone), h('div', { class: 'actions' }, send));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(send, problems, async () => {
      const change = await api('POST', `/v1/accounts/${accountId}/phone-changes`, { phone: phone.value.trim() }, { create: true });
      show(step, codeForm(change.id, sandbox, `/v1/accounts/${accountId}/phone-changes/${change.id}/confirm`, problems, (done) => {
        show(step, h('p', { class: 'ok', role: 'status' }, t('rn.phone.done', { phone: done.phone })));
      }));
    }, form);
  });
  return h('section', { class: 'card', 'aria-labelledby': 'phone-h' }, h('h2', { id: 'phone-h' }, t('rn.phone.change')), form, step, problems);
}

function subAccountsCard(root, sandbox, subs, invitations, rerender) {
  const problems = h('div');
  const step = h('div');
  const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'off' });
  const create = h('button', { type: 'submit' }, t('rn.subs.create'));
  const form = h('form', {}, field(t('rn.subs.phone'), phone), h('div', { class: 'actions' }, create));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(create, problems, async () => {
      const sub = await api('POST', `/v1/accounts/${root}/sub-accounts`, { phone: phone.value.trim() }, { create: true });
      const changeId = sub.phone_change?.id;
      show(step, h('p', { class: 'ok', role: 'status' }, t('rn.subs.created', { id: sub.id })), changeId ? codeForm(changeId, sandbox, `/v1/accounts/${sub.id}/phone-changes/${changeId}/confirm`, problems, rerender) : null);
    }, form);
  });
  const list = subs.length ? h('ul', {}, subs.map((s) => h('li', {}, `${s.id} · ${label(s.status)} · ${s.phone ?? ''}`))) : empty();
  const pending = invitations.filter((i) => i.status === 'pending');
  const invites = pending.length
    ? h('ul', {}, pending.map((i) => {
        const mine = i.account_id === root;
        const act = (verb) => {
          const button = h('button', { type: 'button', class: verb === 'accept' ? '' : 'secondary' }, t('rn.' + verb));
          button.addEventListener('click', () => busy(button, problems, async () => {
            await api('POST', `/v1/sub-account-associations/${i.id}/${verb}`);
            rerender();
          }));
          return button;
        };
        return h('li', {}, `${i.root_account_id} → ${i.account_id} `, h('span', { class: 'actions' }, mine ? [act('accept'), act('decline')] : [act('cancel')]));
      }))
    : empty();
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'subs-h' },
    h('h2', { id: 'subs-h' }, t('rn.subs')),
    list,
    form,
    step,
    h('h3', {}, t('rn.invitations')),
    invites,
    problems,
  );
}

