// The xbr-edge status page: polls status.json and renders it. Plain DOM, no library, no inline script (the
// page is served with a Content-Security-Policy that forbids it); a module script (strict, deferred).
// Everything shown is text (text nodes), never markup built from data.
const POLL_MS = 3000;
const TIMEOUT_MS = 8000;
const SVG = 'http://www.w3.org/2000/svg';

const $ = (id) => document.getElementById(id);

/** An element with attributes (skipped when null/undefined/false) and children (strings become text nodes). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

// ---- formatting

const pad2 = (n) => String(n).padStart(2, '0');

/** HH:MM:SS in the browser's time zone. */
function clock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function duration(s) {
  if (typeof s !== 'number' || !Number.isFinite(s)) return '—';
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = Math.floor(s % 60);
  if (d > 0) return `${d} d ${hh} h`;
  if (hh > 0) return `${hh} h ${pad2(mm)} min`;
  if (mm > 0) return `${mm} min ${pad2(ss)} s`;
  return `${ss} s`;
}

const count = (n) => (typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US') : '—');

/** Token base units (a decimal string) as XBR: at least three decimals, more when they are not zero. */
function xbr(units, decimals) {
  if (typeof units !== 'string' || !/^-?\d+$/.test(units)) return '—';
  let v = BigInt(units);
  const neg = v < 0n;
  if (neg) v = -v;
  const unit = 10n ** BigInt(decimals);
  const whole = v / unit;
  let frac = decimals > 0 ? (v % unit).toString().padStart(decimals, '0').replace(/0+$/, '') : '';
  if (frac.length < 3) frac = frac.padEnd(3, '0');
  return `${neg ? '-' : ''}${whole.toLocaleString('en-US')}.${frac} XBR`;
}

const rate = (r) => (typeof r === 'number' && Number.isFinite(r) ? `${r.toFixed(r >= 10 ? 1 : 2)}/s` : '—');
const shortHex = (hex) => (typeof hex === 'string' && hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : String(hex ?? '—'));

// ---- pieces

function tile(label, value, field) {
  return h('div', { class: 'tile' }, h('span', { class: 'label' }, label), h('span', { class: 'value', 'data-field': field }, value));
}

function badge(text, tone) {
  return h('span', { class: `badge badge-${tone}` }, text);
}

function table(head, rows, numeric) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { class: numeric.includes(i) ? 'num' : null, scope: 'col' }, t)))),
      h('tbody', {}, rows),
    ),
  );
}

/**
 * Keys sold per second as a line over its area, the newest point on the right: over the last 15 minutes, or
 * since the first point when the history is shorter.
 */
function sparkline(market, now) {
  const points = Array.isArray(market.purchase_rate?.points) ? market.purchase_rate.points : [];
  const W = 300;
  const H = 60;
  const end = new Date(now).getTime();
  const values = points.map((p) => ({ t: new Date(p.at).getTime(), v: Number(p.per_s) || 0 })).filter((p) => Number.isFinite(p.t) && p.t <= end && p.t >= end - 15 * 60_000);
  const intervalMs = (Number(market.purchase_rate?.interval_s) || 5) * 1000;
  const start = values.length > 0 ? Math.min(values[0].t - intervalMs, end - 4 * intervalMs) : end - 15 * 60_000;
  const span = Math.max(end - start, 1);
  const peak = values.reduce((x, p) => Math.max(x, p.v), 0);
  const top = peak > 0 ? peak : 1;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'keys sold per second' });
  chart.append(svg('line', { class: 'base', x1: 0, y1: H - 1, x2: W, y2: H - 1 }));
  if (values.length > 0) {
    // each rate holds over the interval that ends at its point: a step line
    const xy = [];
    let prevT = Math.max(start, values[0].t - intervalMs);
    for (const p of values) {
      const y = H - 2 - (p.v / top) * (H - 8);
      xy.push([((prevT - start) / span) * W, y], [((p.t - start) / span) * W, y]);
      prevT = p.t;
    }
    const line = xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
    chart.append(svg('polygon', { class: 'area', points: `${xy[0][0].toFixed(1)},${H - 1} ${line} ${xy[xy.length - 1][0].toFixed(1)},${H - 1}` }));
    chart.append(svg('polyline', { class: 'line', points: line }));
  }
  const minutes = Math.max(1, Math.round(span / 60_000));
  const latest = values.length > 0 ? values[values.length - 1].v : undefined;
  const caption =
    values.length > 0 ? `keys sold/s, last ${minutes} min · now ${rate(latest)} · peak ${rate(peak)}` : 'keys sold/s · no samples yet (one every few seconds)';
  return h('figure', { class: 'spark' }, chart, h('figcaption', { 'data-field': 'rate' }, caption));
}

function statusTone(status) {
  if (status === 'RUNNING') return 'ok';
  if (status === 'FAILED' || status === 'STOPPED') return 'bad';
  return 'warn';
}

function marketCard(m, data) {
  const dec = data.token?.decimals ?? 18;
  const side = (name, title, flow, s) =>
    h(
      'section',
      { class: 'side', 'data-side': name },
      h('h3', {}, title, ' ', h('span', { class: 'muted' }, flow)),
      s
        ? h(
            'div',
            { class: 'tiles money' },
            tile('Open', count(s.open), `${name}-open`),
            tile('Remaining', xbr(s.remaining, dec), `${name}-remaining`),
            tile('In flight', xbr(s.inflight, dec), `${name}-inflight`),
            tile('Spent', xbr(s.spent, dec), `${name}-spent`),
          )
        : h('p', { class: 'muted' }, 'The ledger is not open yet.'),
    );
  return h(
    'article',
    { class: 'card market', 'data-market': m.market ?? '', 'data-maker': m.maker },
    h('header', {}, h('h2', {}, 'Market ', h('code', { title: m.market ?? '' }, m.market ? shortHex(m.market) : '(not found yet)')), h('span', { 'data-field': 'maker-status' }, badge(m.status, statusTone(m.status)))),
    h('p', { class: 'muted' }, `maker ${m.maker} · realm ${m.realm} · ${m.worker}`, m.address ? [' · ', h('code', { title: m.address }, shortHex(m.address))] : null),
    m.error ? h('p', { class: 'error-text' }, `${m.error.uri}: ${m.error.message}`) : null,
    h(
      'div',
      { class: 'market-body' },
      h(
        'div',
        {},
        h(
          'div',
          { class: 'tiles' },
          tile('Keys sold', count(m.purchases?.sold), 'sold'),
          tile('Refunded', count(m.purchases?.refunded), 'refunded'),
          tile('Refused', count(m.purchases?.refused), 'refused'),
          tile('Offers live', m.offers ? count(m.offers.live) : '—', 'offers-live'),
          tile('Suspended', m.offers ? count(m.offers.suspended) : '—', 'offers-suspended'),
          tile('Pending txs', count(m.pending_transactions), 'pending-transactions'),
        ),
        sparkline(m, data.time),
      ),
      h('div', { class: 'ledger' }, side('payment', 'Payment channels', 'buyers → maker', m.channels?.payment), side('paying', 'Paying channels', 'maker → sellers', m.channels?.paying)),
    ),
  );
}

function workersCard(data) {
  const rows = data.workers.map((w) => {
    const tone = w.state === 'ready' ? (w.ready === false ? 'warn' : 'ok') : w.state === 'crashed' || w.state === 'backoff' ? 'bad' : 'warn';
    return h(
      'tr',
      { 'data-worker': w.id },
      h('td', { class: 'wrap' }, w.id),
      h('td', {}, w.type),
      h('td', { 'data-field': 'state' }, badge(w.state, tone)),
      h('td', { class: 'num' }, w.pid ?? '—'),
      h('td', { class: 'num', 'data-field': 'restarts' }, count(w.restarts)),
    );
  });
  return h('section', { class: 'card', id: 'workers' }, h('header', {}, h('h2', {}, 'Workers')), table(['Worker', 'Type', 'State', 'PID', 'Restarts'], rows, [3, 4]));
}

function chainCard(data) {
  const c = data.chain;
  const body = c
    ? h(
        'div',
        { class: 'tiles' },
        tile('Head', count(c.head), 'chain-head'),
        tile('Monitor', count(c.monitor_block), 'chain-monitor'),
        tile('Lag (blocks)', count(c.lag_blocks), 'chain-lag'),
        tile('Pending txs', count(c.pending_transactions), 'chain-pending'),
      )
    : h('p', { class: 'muted' }, 'No worker has reported the chain yet.');
  return h('section', { class: 'card', id: 'chain' }, h('header', {}, h('h2', {}, 'Chain')), body);
}

function ipfsCard(data) {
  const i = data.ipfs;
  if (!i) return h('section', { class: 'card', id: 'ipfs' }, h('header', {}, h('h2', {}, 'IPFS')), h('p', { class: 'muted' }, 'No IPFS downloads configured.'));
  const files = i.files ?? {};
  const retries = Array.isArray(i.next_retries) ? i.next_retries : [];
  return h(
    'section',
    { class: 'card', id: 'ipfs' },
    h('header', {}, h('h2', {}, 'IPFS')),
    h(
      'div',
      { class: 'tiles' },
      tile('Downloaded', count(files.downloaded ?? 0), 'ipfs-downloaded'),
      tile('Pending', count(files.pending ?? 0), 'ipfs-pending'),
      tile('Failed', count((files.invalid ?? 0) + (files.malformed ?? 0) + (files.too_large ?? 0)), 'ipfs-failed'),
      tile('Active / waiting', `${count(i.downloads?.active)} / ${count(i.downloads?.waiting)}`, 'ipfs-downloads'),
    ),
    retries.length > 0
      ? table(
          ['Pending file', 'Retries', 'Next try', 'Last error'],
          retries.map((r) =>
            h('tr', {}, h('td', { class: 'wrap' }, h('code', { title: r.file_hash }, shortHex(r.file_hash))), h('td', { class: 'num' }, count(r.retries)), h('td', { class: 'num' }, clock(r.next_retry_at)), h('td', { class: 'wrap' }, r.last_error ?? '')),
          ),
          [1, 2],
        )
      : h('p', { class: 'muted' }, 'No download waiting for a retry.'),
  );
}

function errorsCard(data) {
  const errors = Array.isArray(data.errors) ? data.errors : [];
  return h(
    'section',
    { class: 'card wide', id: 'errors' },
    h('header', {}, h('h2', {}, 'Recent errors'), h('span', { class: 'muted' }, `last ${errors.length}`)),
    errors.length > 0
      ? table(
          ['Time', 'Where', 'URI', 'What'],
          errors.map((e) => h('tr', { 'data-error-uri': e.uri ?? '' }, h('td', { class: 'num' }, clock(e.time)), h('td', { class: 'wrap' }, e.where), h('td', { class: 'wrap' }, e.uri ? h('code', {}, e.uri) : '—'), h('td', { class: 'wrap' }, e.message))),
          [0],
        )
      : h('p', { class: 'muted' }, 'No errors since the node started.'),
  );
}

function render(data) {
  const workers = Array.isArray(data.workers) ? data.workers : [];
  const markets = Array.isArray(data.markets) ? data.markets : [];
  const readyWorkers = workers.filter((w) => w.state === 'ready').length;
  const summary = h(
    'section',
    { class: 'card wide', id: 'summary' },
    h(
      'div',
      { class: 'tiles' },
      tile('Node', data.ready ? 'ready' : 'not ready', 'node-ready'),
      tile('Uptime', duration(data.uptime_s), 'uptime'),
      tile('Workers ready', `${readyWorkers} / ${workers.length}`, 'workers-ready'),
      tile('Markets', count(markets.length), 'markets'),
      tile('Chain head', count(data.chain?.head), 'head'),
      tile('Monitor lag', data.chain?.lag_blocks == null ? '—' : `${count(data.chain.lag_blocks)} blocks`, 'lag'),
    ),
    Array.isArray(data.problems) && data.problems.length > 0 ? h('ul', { class: 'problems', 'data-field': 'problems' }, data.problems.map((p) => h('li', {}, p))) : null,
  );
  const main = $('main');
  main.replaceChildren(
    h('div', { class: 'grid' }, summary),
    markets.length > 0 ? h('div', { class: 'grid grid-markets', id: 'markets' }, markets.map((m) => marketCard(m, data))) : h('p', { class: 'muted' }, 'No market maker is configured on this node.'),
    h('div', { class: 'grid' }, workersCard(data), chainCard(data), ipfsCard(data), errorsCard(data)),
  );
  $('node').textContent = `node ${data.node}`;
  const pill = $('pill');
  pill.textContent = data.ready ? 'ready' : 'not ready';
  pill.className = `pill ${data.ready ? 'pill-ok' : 'pill-warn'}`;
  $('updated').textContent = `updated ${clock(data.time)}`;
  document.title = `${data.ready ? '' : '⚠ '}xbr-edge ${data.node}`;
}

// ---- polling

let lastOk;

function unreachable(reason) {
  document.body.classList.add('stale');
  const pill = $('pill');
  pill.textContent = 'unreachable';
  pill.className = 'pill pill-bad';
  const banner = $('banner');
  banner.textContent = `Node unreachable: ${reason}. ${lastOk ? `Last update at ${clock(lastOk)}; what is shown is from then.` : 'Nothing received yet.'} Retrying every ${POLL_MS / 1000} s.`;
  banner.hidden = false;
  document.title = '✖ xbr-edge unreachable';
}

function reachable() {
  document.body.classList.remove('stale');
  $('banner').hidden = true;
}

let timer;
let inFlight = false;
async function poll() {
  if (inFlight) return;
  inFlight = true;
  clearTimeout(timer);
  let data;
  try {
    const r = await fetch('status.json', { cache: 'no-store', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!r.ok) throw new Error(`status.json answered HTTP ${r.status}`);
    data = await r.json();
  } catch (err) {
    unreachable(err?.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : err instanceof TypeError ? 'the request failed (network error)' : String(err?.message ?? err));
  }
  if (data !== undefined) {
    try {
      render(data);
      lastOk = data.time;
      reachable();
    } catch (err) {
      const banner = $('banner');
      banner.textContent = `The status could not be shown: ${String(err?.message ?? err)}`;
      banner.hidden = false;
    }
  }
  inFlight = false;
  timer = setTimeout(poll, document.hidden ? POLL_MS * 5 : POLL_MS);
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) poll();
});
poll();
