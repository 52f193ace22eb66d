// The login page: the token from the token file gives a session (needed to act, and to
// read at all when the dashboard listens on a non-loopback address).
import { el, clear, layout, text } from './lib.js';

async function main() {
  const m = await layout('Log in');
  const input = el('input', { type: 'password', name: 'token', id: 'token', autocomplete: 'current-password', size: 70, 'aria-label': 'access token' });
  const msg = el('p', { class: 'muted', id: 'login-msg' }, 'The token is the first line of the token file (honeyvt web prints its path; default <state>.web-token beside the state database).');
  const button = el('button', { type: 'submit' }, 'Log in');
  const form = el('form', { class: 'card login' }, el('label', { for: 'token' }, 'Access token'), input, button, msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const res = await fetch('/login', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: input.value }),
    });
    if (res.ok) {
      location.href = '/';
    } else {
      const body = await res.json().catch(() => ({}));
      clear(msg).appendChild(text(body.error || ('HTTP ' + res.status)));
      msg.setAttribute('class', 'error');
    }
  });
  m.appendChild(form);
}
main();
