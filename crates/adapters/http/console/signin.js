// Sign-in: the platform hands a token over as #token=…; in sandbox mode a development sign-in
// mints one for a chosen role and account.

import { api, sandboxOn, signIn, signedOutBecause } from './api.js';
import { t } from './i18n.js';
import { busy, field, h, show } from './ui.js';

const ROLES = ['holder', 'service', 'reviewer', 'account_manager', 'admin'];

function randomPhone() {
  return '13' + String(Math.floor(Math.random() * 1e9)).padStart(9, '0');
}

async function mint(role, accountId) {
  const body = { role };
  if (accountId) body.account_id = accountId;
  return (await api('POST', '/v1/sandbox/tokens', body, { anonymous: true })).token;
}

export async function signInPage(main, done) {
  const notice = signedOutBecause ? h('p', { class: 'problem', role: 'alert' }, t(signedOutBecause)) : null;
  show(main, h('h1', {}, t('signin.title')), notice, h('p', {}, t('signin.platform')));
  if (!(await sandboxOn())) return;
  const problems = h('div');
  const role = h('select', { name: 'role' }, ROLES.map((r) => h('option', { value: r }, t('role.' + r))));
  const account = h('input', { name: 'account_id', autocomplete: 'off', spellcheck: 'false', placeholder: 'acct_…' });
  const go = h('button', { type: 'submit' }, t('signin.go'));
  const form = h('form', {}, field(t('signin.role'), role), field(t('signin.account'), account), h('div', { class: 'actions' }, go));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(go, problems, async () => {
      signIn(await mint(role.value, role.value === 'holder' ? account.value.trim() : null));
      done();
    }, form);
  });
  const fresh = h('button', { type: 'button', class: 'secondary' }, t('signin.new'));
  fresh.addEventListener('click', () =>
    busy(fresh, problems, async () => {
      signIn(await mint('service'));
      const created = await api('POST', '/v1/accounts', { phone: randomPhone() }, { create: true });
      signIn(await mint('holder', created.id));
      done();
    }),
  );
  main.append(h('section', { class: 'card' }, h('h2', {}, t('signin.dev')), form, h('div', { class: 'actions' }, fresh), problems));
}
