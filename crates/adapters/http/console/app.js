// The console's shell: sign-in, the navigation and the page its path names.

import { SignedOut, adoptTokenFromHash, claims, signOut, token } from './api.js';
import { lang, setLang, t } from './i18n.js';
import { h, problemBox, show } from './ui.js';
import { signInPage } from './signin.js';
import { realNamePage } from './realname.js';
import { findAccountPage } from './findaccount.js';
import { limitsPage, reviewPage } from './review.js';

// Each page: its path under /console/, the roles it serves, and what renders it.
const PAGES = [
  { path: 'real-name', roles: ['holder'], render: realNamePage },
  { path: 'find-account', roles: ['holder', 'service', 'reviewer', 'account_manager', 'admin'], render: findAccountPage },
  { path: 'review', roles: ['reviewer'], render: reviewPage },
  { path: 'limits', roles: ['account_manager', 'reviewer', 'admin'], render: limitsPage },
];

const main = document.getElementById('main');

function current() {
  const path = location.pathname.replace(/^\/console\/?/, '').replace(/\/$/, '');
  return PAGES.find((p) => p.path === path) ?? null;
}

function home(role) {
  return PAGES.find((p) => p.roles.includes(role))?.path ?? 'find-account';
}

function renderChrome() {
  document.title = 'realname — ' + (current() ? t('nav.' + current().path) : t('signin.title'));
  document.getElementById('lang-label').textContent = t('lang');
  document.querySelector('.skip').textContent = t('skip');
  const select = document.getElementById('lang');
  select.value = lang();
  const out = document.getElementById('signout');
  out.textContent = t('signout');
  out.hidden = !token();
  const role = claims()?.role;
  const nav = document.getElementById('nav');
  show(
    nav,
    role
      ? PAGES.filter((p) => p.roles.includes(role)).map((p) =>
          h('a', { href: '/console/' + p.path, 'aria-current': current() === p ? 'page' : null }, t('nav.' + p.path)),
        )
      : null,
  );
}

async function render() {
  renderChrome();
  const page = current();
  const who = claims();
  if (token() && !who?.role) signOut('signin.invalid');
  if (!token() || !who?.role) {
    await signInPage(main, () => {
      const role = claims()?.role;
      const target = page && page.roles.includes(role) ? page.path : home(role);
      history.replaceState(null, '', '/console/' + target + location.search);
      render();
    });
    return;
  }
  if (!page) {
    history.replaceState(null, '', '/console/' + home(who.role) + location.search);
    return render();
  }
  if (!page.roles.includes(who.role)) {
    show(main, h('h1', {}, t('nav.' + page.path)), h('p', { class: 'problem', role: 'alert' }, t('signin.wrong-role', { role: page.roles.map((r) => t('role.' + r)).join(', ') })));
    return;
  }
  try {
    await page.render(main, who);
  } catch (error) {
    // A 401 has already sent the user back to sign-in; anything else is said in words.
    if (!(error instanceof SignedOut)) show(main, h('h1', {}, t('nav.' + page.path)), problemBox(error));
  }
}

document.getElementById('lang').addEventListener('change', (event) => {
  setLang(event.target.value);
  render();
});
document.getElementById('signout').addEventListener('click', () => {
  signOut();
  render();
});
window.addEventListener('realname:signed-out', () => render());
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href^="/console/"]');
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  history.pushState(null, '', link.getAttribute('href') + location.search);
  render();
});
window.addEventListener('popstate', () => render());

adoptTokenFromHash();
render();
