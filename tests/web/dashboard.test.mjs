// The dashboard in Debian's chromium (playwright-core, no browser download). Started by
// run_browser_tests.py with DASHBOARD_URL, DASHBOARD_TOKEN, SCREENSHOT_DIR, CHROMIUM set.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const URL0 = process.env.DASHBOARD_URL;
const ORIGIN = new URL(URL0).origin;
const SHOTS = process.env.SCREENSHOT_DIR;
const HOSTILE_SAMPLE = process.env.HOSTILE_SAMPLE;
const FAILED = process.env.FAILED_HASH;

const PAGES = [
  ['overview', '/?window=all'],
  ['samples', '/samples?window=all'],
  ['sample', '/samples/' + HOSTILE_SAMPLE],
  ['attacks', '/attacks?window=all'],
  ['tree', '/attacks/' + process.env.HOSTILE_ROOT],
  ['queue', '/queue'],
  ['quota', '/quota?window=24h'],
  ['reports', '/reports/summary'],
  ['report-undetected', '/reports/undetected?vendor=Engine0'],
  ['status', '/status'],
  ['login', '/login'],
];

// What the hostile strings must look like on the page: verbatim, control and bidi
// characters as visible escapes.
const VISIBLE = [
  '<script>window.__xss=1</script>',
  '"onmouseover="window.__xss=1',
  'javascript:window.__xss=1',
  'evil\\u202eexe.txt',
  '\\x1b[31mRED\\x1b[0m',
  'nul\\x00byte',
  '<img src=x onerror=window.__xss=1>',
];

let browser;

async function launch() {
  // launch() gives the browser a fresh temporary profile (user data dir) of its own.
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

async function openPage(context) {
  const page = await context.newPage();
  const problems = [];
  const foreign = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(ORIGIN) && !u.startsWith('data:')) foreign.push(u);
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  });
  return { page, problems, foreign };
}

async function settle(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300);
}

test('every page loads without errors, CSP violations or foreign requests, hostile strings as text', async () => {
  await launch();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  for (const [name, route] of PAGES) {
    const { page, problems, foreign } = await openPage(context);
    await page.goto(URL0.replace(/\/$/, '') + route);
    await settle(page);
    await page.screenshot({ path: path.join(SHOTS, name + '.png') });
    const csp = await page.evaluate(() => window.__csp);
    assert.deepEqual(problems, [], name + ': ' + problems.join('; '));
    assert.deepEqual(csp, [], name + ': CSP violations ' + csp.join('; '));
    assert.deepEqual(foreign, [], name + ': requests left the origin');
    assert.equal(await page.evaluate(() => window.__xss), undefined, name + ': injected script ran');
    // No link is built from attacker data.
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
    for (const h of hrefs) {
      const ok = /^\/(|samples|attacks|queue|quota|reports|status|login)(\/[0-9a-z_-]{1,64})?(\?[0-9A-Za-z_.~%&=+*-]*)?$/.test(h) ||
        /^https:\/\/www\.virustotal\.com\/gui\/file\/[0-9a-f]{32,64}$/.test(h) || /^\/api\/v1\/[a-z0-9/_-]+\?[0-9A-Za-z_.~%&=+*-]*$/.test(h);
      assert.ok(ok, name + ': unexpected link ' + h);
    }
    const body = await page.evaluate(() => document.body.innerText);
    assert.ok(!body.includes('\u202e'), name + ': a bidi override reached the page unescaped');
    if (['sample', 'tree'].includes(name)) {
      const want = name === 'tree' ? VISIBLE.slice(3, 4) : VISIBLE.slice(3, 4);
      for (const v of want) assert.ok(body.includes(v), name + ': missing ' + v);
    }
    if (name === 'overview' || name === 'attacks') {
      assert.ok(body.includes('198.51.100.1'), name + ': the fixture attacker is missing');
    }
    await page.close();
  }
  await context.close();
});

test('the tree page shows exactly what `honeyvt tree` prints for that root', async () => {
  const want = fs.readFileSync(process.env.TREE_EXPECTED, 'utf8');
  assert.ok(want.split('\n').length > 3, 'honeyvt tree printed too little: ' + want);
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, problems } = await openPage(context);
  await page.goto(URL0 + 'attacks/' + process.env.HOSTILE_ROOT);
  await settle(page);
  const got = await page.evaluate(() => document.getElementById('tree').textContent);
  assert.equal(got, want);
  // Its md5s link to their samples.
  const links = await page.$$eval('#tree a', (as) => as.map((a) => a.getAttribute('href')));
  for (const h of links) assert.match(h, /^\/samples\/[0-9a-f]{32}$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('hostile strings appear verbatim on the sample page and the attack tree', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page } = await openPage(context);
  // Each hostile string is the URL tail and engine name of one sample: check them all.
  const res = await page.request.get(URL0 + 'api/v1/samples?window=all&limit=100');
  const rows = (await res.json()).rows;
  assert.ok(rows.length >= VISIBLE.length, 'fixture samples missing');
  let seen = 0;
  for (const r of rows) {
    await page.goto(URL0 + 'samples/' + r.md5);
    await settle(page);
    const body = await page.evaluate(() => document.body.innerText);
    for (const v of VISIBLE) if (body.includes(v)) seen++;
    if (body.includes('A'.repeat(10240))) seen++;
    assert.equal(await page.evaluate(() => window.__xss), undefined);
  }
  assert.ok(seen >= VISIBLE.length + 1, 'not every hostile string was shown verbatim (' + seen + ')');
  await context.close();
});

function post(options, body) {
  return new Promise((resolve) => {
    const req = http.request(options, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    if (body) req.write(body);
    req.end();
  });
}

async function failedCount() {
  const r = await fetch(URL0 + 'api/v1/queue');
  const q = await r.json();
  return q.states.find((s) => s.state === 'failed').count;
}

test('forged actions change nothing; Retry with the token does', async () => {
  const u = new URL(URL0);
  const before = await failedCount();
  assert.equal(before, 1);
  // GET never acts.
  assert.equal((await fetch(URL0 + 'api/v1/actions/retry')).status, 405);
  // Another Host (DNS rebinding).
  const rebound = await post({ host: u.hostname, port: u.port, path: '/api/v1/actions/retry', method: 'POST',
    headers: { Host: 'rebind.attacker.example', 'Content-Type': 'application/json' } }, JSON.stringify({ hash: FAILED }));
  assert.equal(rebound.status, 421);
  // No token (a script without the session's CSRF header).
  const nocsrf = await post({ host: u.hostname, port: u.port, path: '/api/v1/actions/retry', method: 'POST',
    headers: { Host: u.host, 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin' } }, JSON.stringify({ hash: FAILED }));
  assert.ok([401, 403].includes(nocsrf.status), 'no-token POST answered ' + nocsrf.status);
  // A page on another port of 127.0.0.1 (same-site to the browser) posting to us.
  const evil = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><form id=f method=POST action="' + URL0 + 'api/v1/actions/retry" enctype="text/plain">' +
      '<input name=\'{"hash":"' + FAILED + '","x":"\' value=\'"}\'></form><script>' +
      'fetch("' + URL0 + 'api/v1/actions/retry",{method:"POST",mode:"no-cors",credentials:"include",' +
      'body:JSON.stringify({hash:"' + FAILED + '"}),headers:{"Content-Type":"text/plain"}}).finally(()=>document.getElementById("f").submit());</script>');
  });
  await new Promise((r) => evil.listen(0, '127.0.0.1', r));
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page } = await openPage(context);
  // Log in first, so the browser holds a real session cookie for 127.0.0.1.
  await page.goto(URL0 + 'login');
  await page.fill('#token', process.env.DASHBOARD_TOKEN);
  await Promise.all([page.waitForURL(URL0), page.click('button[type=submit]')]);
  const attacker = await context.newPage();
  await attacker.goto('http://127.0.0.1:' + evil.address().port + '/');
  await attacker.waitForTimeout(1500);
  evil.close();
  assert.equal(await failedCount(), before, 'a forged action changed the queue');
  // Retry from our own page with the session's token.
  await page.goto(URL0 + 'queue');
  await settle(page);
  await page.click('button[data-hash="' + FAILED + '"]');
  await page.waitForTimeout(1500);
  assert.equal(await failedCount(), before - 1, 'Retry with the token did not change the queue');
  await page.screenshot({ path: path.join(SHOTS, 'queue-after-retry.png') });
  await context.close();
});

test('window and filter URLs are stable: a reload shows the same rows', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page } = await openPage(context);
  const to = Math.ceil(Date.now() / 1000);
  await page.goto(URL0 + 'attacks?from=0&to=' + to + '&protocol=smbd');
  await settle(page);
  const first = await page.$eval('#attacks', (e) => e.innerText);
  await page.reload();
  await settle(page);
  assert.equal(await page.$eval('#attacks', (e) => e.innerText), first);
  assert.ok(first.includes('smbd'));
  await context.close();
  await browser.close();
});
