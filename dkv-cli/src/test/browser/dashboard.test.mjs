// Drives the dkv dashboard in Debian's Chromium: waits until the page shows every node up,
// runs the given kill command, then waits until the page shows the killed node down within
// 10 s of the kill, and saves a screenshot of that.
//
//   node dashboard.test.mjs --url http://127.0.0.1:12000/ --nodes 3 --node n3 \
//        --screenshot /tmp/dashboard-node-down.png -- <kill command and its arguments>
//
// Prints READY once every node shows up, then the kill command's output, and exits 0 on
// success; on failure it prints "FAIL: <why>" to stderr, saves what the page showed next to
// the screenshot as <name>-failed.png, and exits 1. DashboardBrowserIT runs it.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const ALL_UP_LIMIT_MS = 60_000;
const DOWN_LIMIT_MS = 10_000;
const KILL_COMMAND_LIMIT_MS = 120_000;
// Flags for Debian's Chromium on a machine with no network but loopback: no background
// connections (refused here, many at a time), no sandbox (runs as root), no GPU.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const { values: options, positionals: killCommand } = parseArgs({
  options: {
    url: { type: 'string' },
    nodes: { type: 'string' },
    node: { type: 'string' },
    screenshot: { type: 'string' },
  },
  allowPositionals: true,
});
for (const name of ['url', 'nodes', 'node', 'screenshot']) {
  if (!options[name]) usage(`--${name} is missing`);
}
if (killCommand.length === 0) usage('the kill command (after --) is missing');
const nodes = Number(options.nodes);
if (!Number.isInteger(nodes) || nodes < 1) usage(`--nodes must be a positive whole number, not ${options.nodes}`);

function usage(problem) {
  console.error(`FAIL: ${problem}\nusage: node dashboard.test.mjs --url URL --nodes N --node ID --screenshot FILE.png -- KILL COMMAND...`);
  process.exit(2);
}

/** What the page shows, for failure messages. */
function describe() {
  const summary = document.getElementById('summary')?.textContent;
  const error = document.getElementById('error');
  const rows = [...document.querySelectorAll('tr[data-node]')].map((row) => `${row.dataset.node}=${row.dataset.state}`);
  return `summary "${summary}", rows [${rows.join(' ')}], error banner ${error && !error.hidden ? `"${error.textContent}"` : 'hidden'}`;
}

/** Every node, in the ring and in the table, is up; the summary agrees; no error banner. */
function allUp(count) {
  const ring = [...document.querySelectorAll('#ring [data-node]')];
  const rows = [...document.querySelectorAll('tr[data-node]')];
  return document.body.dataset.status === 'ok'
    && ring.length === count && rows.length === count
    && [...ring, ...rows].every((element) => element.dataset.state === 'up')
    && document.getElementById('summary').textContent === `${count} nodes: ${count} up, 0 suspect, 0 down`;
}

/** The node is down in the ring and in the table, it is the only one down, and the page still polls fine. */
function shownDown({ node, count }) {
  const marked = document.querySelectorAll(`[data-node="${node}"][data-state="down"]`);
  const summary = document.getElementById('summary').textContent;
  return document.body.dataset.status === 'ok'
    && marked.length === 2
    && summary.startsWith(`${count} nodes: `) && summary.endsWith(', 1 down');
}

const userDataDir = mkdtempSync(join(tmpdir(), 'dkv-dashboard-chromium-'));
const pageErrors = [];
let context;
let page;
let step = 'starting Chromium';

async function run() {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 720 },
  });
  page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));

  step = `opening ${options.url}`;
  const response = await page.goto(options.url, { waitUntil: 'load', timeout: 30_000 });
  if (!response || !response.ok()) throw new Error(`GET ${options.url} answered ${response ? response.status() : 'nothing'}`);
  const type = response.headers()['content-type'] ?? '';
  if (!type.startsWith('text/html')) throw new Error(`GET ${options.url} has content type "${type}", not text/html`);

  step = `waiting up to ${ALL_UP_LIMIT_MS / 1000} s for the page to show ${nodes} nodes up`;
  await page.waitForFunction(allUp, nodes, { timeout: ALL_UP_LIMIT_MS, polling: 100 });
  console.log(`READY ${await page.evaluate(describe)}`);

  step = `running the kill command: ${killCommand.join(' ')}`;
  const kill = spawnSync(killCommand[0], killCommand.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: KILL_COMMAND_LIMIT_MS,
  });
  const killedAt = Date.now();
  process.stdout.write(kill.stdout ?? '');
  process.stderr.write(kill.stderr ?? '');
  if (kill.error) throw kill.error;
  if (kill.status !== 0) throw new Error(`the kill command exited with ${kill.status ?? kill.signal}`);

  step = `waiting up to ${DOWN_LIMIT_MS / 1000} s after the kill for the page to show ${options.node} down`;
  await page.waitForFunction(shownDown, { node: options.node, count: nodes }, { timeout: DOWN_LIMIT_MS, polling: 100 });
  const shownAfter = Date.now() - killedAt;
  console.log(`DOWN ${options.node} shown down ${shownAfter} ms after the kill: ${await page.evaluate(describe)}`);

  step = `saving the screenshot ${options.screenshot}`;
  await page.screenshot({ path: options.screenshot, fullPage: true });
  if (pageErrors.length > 0) throw new Error(`the page threw: ${pageErrors.join('; ')}`);
  console.log(`SCREENSHOT ${options.screenshot}`);
}

let failed = false;
try {
  await run();
} catch (error) {
  failed = true;
  let seen = '';
  if (page) {
    seen = await page.evaluate(describe).then((text) => `\n  the page shows: ${text}`, () => '');
    const failedShot = options.screenshot.replace(/(\.png)?$/i, '-failed.png');
    await page.screenshot({ path: failedShot, fullPage: true })
      .then(() => { seen += `\n  screenshot of that: ${failedShot}`; }, () => {});
  }
  const errors = pageErrors.length > 0 ? `\n  page errors: ${pageErrors.join('; ')}` : '';
  console.error(`FAIL: ${step}: ${error.message.split('\n')[0]}${seen}${errors}`);
} finally {
  await context?.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
