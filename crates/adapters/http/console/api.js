// The console's only way to realname: the public JSON API, with the signed-in user's token.
// The token lives in sessionStorage, never in the address bar, and is never logged.

const KEY = 'realname.token';

/** Why the user was sent back to sign in, if they were. */
export let signedOutBecause = null;

/** Takes `#token=…` from the address bar into sessionStorage and removes it from there. */
export function adoptTokenFromHash() {
  const match = location.hash.match(/^#token=([^&]+)/);
  if (!match) return;
  sessionStorage.setItem(KEY, decodeURIComponent(match[1]));
  history.replaceState(null, '', location.pathname + location.search);
}

export function token() {
  return sessionStorage.getItem(KEY);
}

export function signIn(value) {
  sessionStorage.setItem(KEY, value);
  signedOutBecause = null;
}

export function signOut(reason = null) {
  sessionStorage.removeItem(KEY);
  signedOutBecause = reason;
}

/** The token's claims (role, account_id, exp), read without verifying: the server verifies. */
export function claims() {
  const value = token();
  if (!value) return null;
  try {
    const part = value.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      Array.from(atob(part), (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''),
    );
    return JSON.parse(json);
  } catch {
    return null;
  }
}

/** An answer that is not 2xx: the problem's status, code, title, detail and field errors. */
export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? 'http_' + status;
    this.title = body?.title ?? '';
    this.detail = body?.detail ?? '';
    this.errors = Array.isArray(body?.errors) ? body.errors : [];
    this.body = body ?? {};
  }
}

/** Thrown after a 401: the page goes back to sign-in. */
export class SignedOut extends Error {}

function reasonFor(problem) {
  if (problem.code === 'token_revoked') return 'signin.revoked';
  const exp = claims()?.exp;
  if (exp && exp * 1000 <= Date.now()) return 'signin.expired';
  return 'signin.invalid';
}

/**
 * Calls the API. `create` adds an Idempotency-Key, as every creating operation takes one.
 * A 401 signs the user out and throws SignedOut; another failure throws a Problem.
 */
export async function api(method, path, body, { create = false, anonymous = false } = {}) {
  const headers = { Accept: 'application/json' };
  const bearer = token();
  if (bearer && !anonymous) headers.Authorization = 'Bearer ' + bearer;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (create) headers['Idempotency-Key'] = crypto.randomUUID();
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (response.ok) return data;
  const problem = new Problem(response.status, data);
  if (response.status === 401 && !anonymous) {
    signOut(reasonFor(problem));
    window.dispatchEvent(new Event('realname:signed-out'));
    throw new SignedOut(problem.message);
  }
  throw problem;
}

/** Whether the sandbox's development endpoints exist (they answer 404 when it is off). */
export async function sandboxOn() {
  try {
    await api('POST', '/v1/sandbox/tokens', {}, { anonymous: true });
    return true;
  } catch (e) {
    return e instanceof Problem && e.status === 422;
  }
}
