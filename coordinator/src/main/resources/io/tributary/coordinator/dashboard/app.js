// The coordinator's operations dashboard: polls the API every 2 s and renders tables, history and
// the event log. Text from the API is only ever set as textContent, never parsed as HTML.
'use strict';

const POLL_INTERVAL_MS = 2000;
const RATE_WINDOW_MS = 30000;
const EVENTS_FIRST_LOAD = 200;
const EVENTS_PER_CALL = 1000;
const EVENTS_KEPT = 1000;
const HISTORY_SHOWN = 100;
// Read more than is shown so that the rows of every commit since the last poll are counted.
const HISTORY_READ = 1000;
const ERROR_SHOWN = 120;
const TOKEN_KEY = 'tributary.dashboard.token';
const ERROR_TYPES = ['ERROR', 'COMMIT_REFUSED'];
const EVENT_TYPES = ['TABLE_REGISTERED', 'LEASE_ACQUIRED', 'LEASE_RELEASED', 'COMMIT', 'COMMIT_REFUSED',
  'SCHEMA_CHANGED', 'SNAPSHOT_PROGRESS', 'RESYNC', 'ROLLBACK', 'ERROR'];
const API = '/api/v1';

const $ = (id) => document.getElementById(id);

/** An API call that did not succeed: the HTTP status (0 when unreachable) and the API's code and message. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The coordinator's clock, from the Date header of its answers, so that ages do not depend on this machine's clock. */
const serverClock = {
  offsetMs: 0,
  observe(response) {
    const date = Date.parse(response.headers.get('Date') || '');
    if (!Number.isNaN(date)) {
      this.offsetMs = date - Date.now();
    }
  },
  now() {
    return Date.now() + this.offsetMs;
  },
};

// ---- API access and the bearer token ----

const auth = {
  waiting: null,
  token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  /** Asks for a token once, however many calls were refused; resolves when the dialog closes. */
  ask(reason) {
    if (!this.waiting) {
      this.waiting = new Promise((resolve) => {
        const dialog = $('token-dialog');
        $('token-reason').textContent = reason;
        $('token-input').value = '';
        dialog.addEventListener('close', () => {
          this.waiting = null;
          resolve();
        }, { once: true });
        dialog.showModal();
        $('token-input').focus();
      });
    }
    return this.waiting;
  },
};

async function send(path, init) {
  let response;
  try {
    response = await fetch(path, { cache: 'no-store', credentials: 'omit', redirect: 'error', ...init });
  } catch (error) {
    throw new ApiError(0, 'UNREACHABLE', `Cannot reach the coordinator: ${error.message}`);
  }
  serverClock.observe(response);
  return response;
}

async function readJson(response) {
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (ignored) {
    body = null;
  }
  if (!response.ok) {
    const code = body && body.code ? body.code : `HTTP_${response.status}`;
    const message = body && body.message ? body.message : (text || response.statusText);
    throw new ApiError(response.status, code, message);
  }
  return body;
}

/** Calls the API with the session's token; on 401 asks for a token and tries again. */
async function api(path, options = {}) {
  for (;;) {
    const token = auth.token();
    const headers = { Accept: 'application/json' };
    if (token) {
      headers.Authorization = `Bearer ${token}`;
    }
    const init = { method: options.method || 'GET', headers };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    const response = await send(path, init);
    if (response.status !== 401) {
      return readJson(response);
    }
    // Forget a refused token unless another call already replaced it.
    if (token && auth.token() === token) {
      sessionStorage.removeItem(TOKEN_KEY);
    }
    await auth.ask(token
      ? 'The coordinator did not accept that token. Enter a valid one.'
      : 'The coordinator asks for a bearer token to show its tables and events.');
  }
}

function tablePath(id) {
  return `${API}/tables/${encodeURIComponent(id)}`;
}

// ---- The model: what the last polls saw ----

const model = {
  ready: null,
  metrics: null,
  tables: new Map(),
  order: [],
  events: [],
  filtered: [],
  eventsLoaded: false,
  lastSequence: 0,
  selected: null,
  updatedAt: null,
  error: null,
};

function entry(id) {
  let table = model.tables.get(id);
  if (!table) {
    table = { status: null, history: [], historyVersion: null, rowsTotal: 0, samples: [], lastError: null,
      lastErrorLoaded: false };
    model.tables.set(id, table);
  }
  return table;
}

/** Rows changed per second over the samples of the last RATE_WINDOW_MS; null until two polls are a second apart. */
function rowsPerSecond(table) {
  const first = table.samples[0];
  const last = table.samples[table.samples.length - 1];
  if (!first || last.t - first.t < 1000) {
    return null;
  }
  return Math.max(0, last.rows - first.rows) / ((last.t - first.t) / 1000);
}

function tableState(status) {
  if (status.paused === true) {
    return { text: 'PAUSED', kind: 'paused' };
  }
  if (status.lease_holder) {
    const expires = Date.parse(status.lease_expires_at || '');
    if (!Number.isNaN(expires) && expires <= serverClock.now()) {
      return { text: 'LEASE EXPIRED', kind: 'expired' };
    }
    return { text: 'LEASED', kind: 'leased' };
  }
  return { text: 'FREE', kind: 'free' };
}

async function readiness() {
  try {
    const response = await send('/readyz', { headers: { Accept: 'application/json' } });
    const text = await response.text();
    const body = text ? JSON.parse(text) : {};
    return response.ok
      ? { ready: true, text: `${body.status} (${body.state})` }
      : { ready: false, text: `NOT READY: ${body.message || response.statusText}` };
  } catch (error) {
    return { ready: false, text: error instanceof ApiError ? 'UNREACHABLE' : `UNKNOWN: ${error.message}` };
  }
}

/** Sums the samples of each metric over its labels; null when the coordinator exports no Prometheus text. */
async function metricsSample() {
  const response = await send('/metrics', {});
  if (!response.ok) {
    return null;
  }
  const values = new Map();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match) {
      const value = Number(match[3]);
      if (Number.isFinite(value)) {
        values.set(match[1], (values.get(match[1]) || 0) + value);
      }
    }
  }
  return values;
}

async function refreshTable(status, sampledAt) {
  const table = entry(status.table_id);
  table.status = status;
  if (table.historyVersion !== status.version) {
    // History entries never change once written: read the latest page again only when the version
    // moved, and count the rows of the commits that are new since the last read.
    const history = await api(`${tablePath(status.table_id)}/history?limit=${HISTORY_READ}`);
    const seen = table.historyVersion === null ? Infinity : table.historyVersion;
    table.rowsTotal += history.filter((commit) => commit.version > seen)
      .reduce((sum, commit) => sum + (commit.rows_changed || 0), 0);
    table.history = history;
    table.historyVersion = history.length ? history[0].version : -1;
  }
  table.samples.push({ t: sampledAt, rows: table.rowsTotal });
  while (table.samples.length > 2 && table.samples[1].t <= sampledAt - RATE_WINDOW_MS) {
    table.samples.shift();
  }
  if (!table.lastErrorLoaded) {
    const errors = await api(`${API}/events?table=${encodeURIComponent(status.table_id)}&type=${ERROR_TYPES.join(',')}&limit=1`);
    table.lastErrorLoaded = true;
    noteError(errors[0]);
  }
}

function noteError(event) {
  if (!event || !event.table_id || !ERROR_TYPES.includes(event.type)) {
    return;
  }
  const table = model.tables.get(event.table_id);
  if (table && (!table.lastError || table.lastError.sequence < event.sequence)) {
    table.lastError = event;
  }
}

/** Reads the events after the last one seen; the first call reads the latest ones. Returns the new ones. */
async function followEvents() {
  if (!model.eventsLoaded) {
    const latest = await api(`${API}/events?limit=${EVENTS_FIRST_LOAD}`);
    model.eventsLoaded = true;
    mergeEvents(latest);
    return [];
  }
  const fresh = await api(`${API}/events?after=${model.lastSequence}&limit=${EVENTS_PER_CALL}`);
  if (fresh.length === EVENTS_PER_CALL) {
    const to = fresh[fresh.length - 1].sequence - 1;
    if (to > model.lastSequence) {
      fresh.push({ gap: true, sequence: model.lastSequence + 0.5, from: model.lastSequence + 1, to });
    }
  }
  mergeEvents(fresh);
  return fresh;
}

/** Adds events (any order) to the kept ones, newest first, without duplicates. */
function mergeEvents(events) {
  const known = new Set(model.events.map((event) => event.sequence));
  for (const event of events) {
    if (!known.has(event.sequence)) {
      model.events.push(event);
      known.add(event.sequence);
    }
    if (!event.gap) {
      model.lastSequence = Math.max(model.lastSequence, event.sequence);
      noteError(event);
      addOption($('filter-type'), event.type);
    }
  }
  model.events.sort((a, b) => b.sequence - a.sequence);
  model.events.length = Math.min(model.events.length, EVENTS_KEPT);
}

async function refresh() {
  const [ready, metrics] = await Promise.all([readiness(), metricsSample().catch(() => null)]);
  model.ready = ready;
  model.metrics = metrics;
  renderHeader();
  const statuses = await api(`${API}/tables`);
  const sampledAt = performance.now();
  const ids = new Set(statuses.map((status) => status.table_id));
  for (const id of [...model.tables.keys()]) {
    if (!ids.has(id)) {
      model.tables.delete(id);
    }
  }
  await Promise.all(statuses.map((status) => refreshTable(status, sampledAt)));
  model.order = [...ids].sort();
  return followEvents();
}

// ---- Polling ----

const poller = { timer: null, running: false, again: false };

async function poll() {
  if (poller.running) {
    poller.again = true;
    return;
  }
  poller.running = true;
  poller.timer = null;
  let fresh = [];
  try {
    fresh = await refresh();
    model.error = null;
    model.updatedAt = serverClock.now();
  } catch (error) {
    model.error = error;
  } finally {
    poller.running = false;
    render(fresh);
    schedule(poller.again ? 0 : POLL_INTERVAL_MS);
    poller.again = false;
  }
}

function schedule(delayMs) {
  clearTimeout(poller.timer);
  poller.timer = setTimeout(poll, delayMs);
}

// ---- Rendering ----

function setText(element, text) {
  const value = text === null || text === undefined ? '' : String(text);
  if (element.textContent !== value) {
    element.textContent = value;
  }
}

function field(root, name) {
  return root.querySelector(`[data-field="${name}"]`);
}

function formatInstant(iso) {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';
}

function formatAge(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) {
    return `${seconds} s`;
  }
  if (seconds < 7200) {
    return `${Math.round(seconds / 60)} min`;
  }
  return `${Math.round(seconds / 3600)} h`;
}

function formatRate(rate) {
  if (rate === null) {
    return 'measuring…';
  }
  return rate >= 100 ? String(Math.round(rate)) : rate.toFixed(1);
}

function shorten(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function addOption(select, value) {
  if (value && ![...select.options].some((option) => option.value === value)) {
    select.append(new Option(value, value));
  }
}

function render(fresh) {
  renderHeader();
  renderTables();
  renderDetail();
  renderEvents(fresh);
}

function renderHeader() {
  const state = field($('coordinator-state'), 'state');
  setText(state, model.ready ? model.ready.text : 'connecting…');
  state.className = model.ready && model.ready.ready ? 'ok' : 'bad';

  const freshness = $('freshness');
  if (model.updatedAt !== null) {
    const updated = formatInstant(new Date(model.updatedAt).toISOString());
    setText(freshness, `Updated ${updated} by the coordinator's clock; the page polls every 2 s.`);
    freshness.dataset.updated = String(model.updatedAt);
  }
  const stale = $('stale');
  document.body.dataset.live = String(model.error === null && model.updatedAt !== null);
  if (model.error) {
    const since = model.updatedAt === null ? 'never loaded' : `last updated ${formatInstant(new Date(model.updatedAt).toISOString())}`;
    setText(stale, `Not live (${since}): ${model.error.message}`);
    stale.hidden = false;
  } else {
    stale.hidden = true;
  }

  const tables = [...model.tables.values()].filter((table) => table.status);
  const kinds = tables.map((table) => tableState(table.status).kind);
  const rates = tables.map(rowsPerSecond).filter((rate) => rate !== null);
  const metric = (name) => (model.metrics && model.metrics.has(name) ? String(model.metrics.get(name)) : '—');
  setTotal('tables', model.updatedAt === null ? '—' : tables.length);
  setTotal('leased', model.updatedAt === null ? '—' : kinds.filter((kind) => kind === 'leased').length);
  setTotal('paused', model.updatedAt === null ? '—' : kinds.filter((kind) => kind === 'paused').length);
  setTotal('rows-per-second', rates.length ? formatRate(rates.reduce((a, b) => a + b, 0)) : '—');
  setTotal('ratified', metric('tributary_coordinator_commits_ratified_total'));
  setTotal('refused', metric('tributary_coordinator_commits_refused_total') === '—' && model.metrics ? '0'
    : metric('tributary_coordinator_commits_refused_total'));
  setTotal('last-event', model.lastSequence ? `#${model.lastSequence}` : '—');
}

function setTotal(name, value) {
  setText(document.querySelector(`[data-total="${name}"]`), value);
}

const TABLE_FIELDS = ['state', 'lease-holder', 'epoch', 'version', 'last-commit', 'applied-position',
  'rows-per-second', 'applied-lag', 'last-error'];

function renderTables() {
  const body = $('tables').tBodies[0];
  const rows = new Map([...body.rows].map((row) => [row.dataset.tableId, row]));
  for (const [id, row] of rows) {
    if (!model.tables.has(id)) {
      row.remove();
    }
  }
  let previous = null;
  for (const id of model.order) {
    const table = model.tables.get(id);
    if (!table || !table.status) {
      continue;
    }
    let row = rows.get(id);
    if (!row) {
      row = tableRow(id);
    }
    if (previous ? previous.nextSibling !== row : body.firstChild !== row) {
      body.insertBefore(row, previous ? previous.nextSibling : body.firstChild);
    }
    fillTableRow(row, table);
    previous = row;
  }
  $('no-tables').hidden = model.updatedAt === null || model.tables.size > 0;
  const filter = $('filter-table');
  model.order.forEach((id) => addOption(filter, id));
}

function tableRow(id) {
  const row = document.createElement('tr');
  row.dataset.tableId = id;
  const header = document.createElement('th');
  header.scope = 'row';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'link';
  button.textContent = id;
  button.setAttribute('aria-controls', 'detail');
  button.addEventListener('click', () => select(id));
  header.append(button);
  row.append(header);
  for (const name of TABLE_FIELDS) {
    const cell = document.createElement('td');
    cell.dataset.field = name;
    row.append(cell);
  }
  return row;
}

function fillTableRow(row, table) {
  const status = table.status;
  const state = tableState(status);
  const cell = (name) => field(row, name);
  row.querySelector('button').setAttribute('aria-current', String(model.selected === status.table_id));
  setText(cell('state'), state.text);
  cell('state').className = `state state-${state.kind}`;
  cell('state').title = status.paused && status.paused_reason ? `Paused: ${status.paused_reason}` : '';
  setText(cell('lease-holder'), status.lease_holder || '—');
  setText(cell('epoch'), status.epoch);
  setText(cell('version'), status.version >= 0 ? status.version : '—');
  cell('version').title = status.version >= 0 ? '' : 'No commit yet';

  const latest = table.history[0];
  const age = latest ? serverClock.now() - Date.parse(latest.committed_at) : null;
  setText(cell('last-commit'), latest ? `${formatAge(age)} ago` : '—');
  cell('last-commit').title = latest ? formatInstant(latest.committed_at) : 'No commit yet';
  setText(cell('applied-position'), status.applied_position || '—');
  setText(cell('rows-per-second'), formatRate(rowsPerSecond(table)));
  setText(cell('applied-lag'), latest && state.kind === 'leased' ? `≤ ${formatAge(age)}` : '—');

  const error = table.lastError;
  setText(cell('last-error'), error ? `${error.type}: ${shorten(error.message, ERROR_SHOWN)}` : '—');
  cell('last-error').title = error ? `#${error.sequence} at ${formatInstant(error.at)}: ${error.message}` : '';
  cell('last-error').className = error ? 'has-error' : '';
}

function select(id) {
  model.selected = id;
  const message = $('action-message');
  setText(message, '');
  message.dataset.status = '';
  renderTables();
  renderDetail();
  $('detail-heading').focus();
}

function renderDetail() {
  const detail = $('detail');
  const id = model.selected;
  detail.hidden = id === null;
  if (id === null) {
    return;
  }
  setText(field(detail, 'table'), id);
  const table = model.tables.get(id);
  if (!table || !table.status) {
    setText(field(detail, 'state'), 'No longer registered');
    return;
  }
  const status = table.status;
  setText(field(detail, 'state'), tableState(status).text);
  setText(field(detail, 'location'), status.location);
  setText(field(detail, 'key-columns'), (status.key_columns || []).join(', '));
  setText(field(detail, 'lease'), status.lease_holder
    ? `${status.lease_holder}, epoch ${status.epoch}, expires ${formatInstant(status.lease_expires_at)}`
    : `none (epoch ${status.epoch})`);
  setText(field(detail, 'paused-reason'), status.paused ? (status.paused_reason || 'no reason given') : '—');
  setText(field(detail, 'resync'), describeResync(status.resync));
  $('resync-button').disabled = Boolean(status.resync && ['REQUESTED', 'CAPTURING', 'CAPTURED'].includes(status.resync.state));
  // Which action applies is known once the coordinator reports the paused flag; until then both are offered.
  $('pause-button').disabled = status.paused === true;
  $('resume-button').disabled = status.paused === false;
  renderHistory(table);
}

function describeResync(resync) {
  if (!resync) {
    return 'never';
  }
  return `${resync.state} since ${formatInstant(resync.updated_at)} (${resync.reason})`
    + (resync.detail ? `: ${resync.detail}` : '');
}

function renderHistory(table) {
  const body = $('history').tBodies[0];
  const key = `${model.selected}@${table.historyVersion}`;
  if (body.dataset.key === key) {
    return;
  }
  body.dataset.key = key;
  const shown = table.history.slice(0, HISTORY_SHOWN);
  body.replaceChildren(...shown.map((commit) => {
    const row = document.createElement('tr');
    row.dataset.version = String(commit.version);
    const version = document.createElement('th');
    version.scope = 'row';
    version.textContent = commit.version;
    row.append(version);
    for (const value of [formatInstant(commit.committed_at), commit.writer, commit.epoch, commit.watermark || '—',
      (commit.segments || []).length, commit.rows_changed,
      commit.rollback ? `${commit.status}, rollback to ${commit.rollback.to_version}` : commit.status]) {
      const cell = document.createElement('td');
      cell.textContent = value;
      row.append(cell);
    }
    if (commit.rollback) {
      row.classList.add('rollback');
      row.title = `Rollback to the content of version ${commit.rollback.to_version}: ${commit.rollback.reason}`;
    }
    return row;
  }));
  // Every version has one commit: the latest version says how many there are.
  const total = table.historyVersion + 1;
  setText(field($('history'), 'history-count'), total > HISTORY_SHOWN
    ? `(the latest ${HISTORY_SHOWN} of ${total})` : `(${total})`);
}

function eventFilter() {
  const table = $('filter-table').value;
  const type = $('filter-type').value;
  const severity = $('filter-severity').value;
  return (event) => event.gap || ((!table || event.table_id === table) && (!type || event.type === type)
    && (!severity || event.severity === severity));
}

function eventItem(event) {
  const item = document.createElement('li');
  if (event.gap) {
    item.className = 'gap';
    item.textContent = `Events #${event.from} to #${event.to} are not shown: more than ${EVENTS_PER_CALL} arrived `
      + 'between two polls. GET /api/v1/events reads them.';
    return item;
  }
  item.className = `event severity-${event.severity.toLowerCase()}`;
  item.dataset.sequence = String(event.sequence);
  item.dataset.type = event.type;
  item.dataset.table = event.table_id || '';
  const part = (className, text) => {
    const span = document.createElement('span');
    span.className = className;
    span.textContent = text;
    item.append(span, ' ');
    return span;
  };
  part('sequence', `#${event.sequence}`);
  const time = document.createElement('time');
  time.dateTime = event.at;
  time.textContent = formatInstant(event.at);
  item.append(time, ' ');
  part('severity', event.severity);
  part('type', event.type);
  part('table', event.table_id || '(coordinator)');
  part('message', event.message);
  const details = Object.entries(event.details || {}).map(([name, value]) => `${name}=${value}`).join(' ');
  if (details) {
    part('details', details);
  }
  return item;
}

/** Adds new events at the top of the log; redraws it whole only when the filters changed. */
function renderEvents(fresh, redraw = false) {
  const list = $('events');
  const accept = eventFilter();
  if (redraw || list.dataset.drawn !== 'true') {
    const kept = new Set(model.events.map((event) => event.sequence));
    const events = model.events.concat(model.filtered.filter((event) => !kept.has(event.sequence)))
      .sort((a, b) => b.sequence - a.sequence);
    list.setAttribute('aria-busy', 'true');
    list.replaceChildren(...events.filter(accept).map(eventItem));
    list.dataset.drawn = String(model.eventsLoaded);
    list.setAttribute('aria-busy', 'false');
  } else {
    const added = fresh.filter(accept).sort((a, b) => a.sequence - b.sequence);
    for (const event of added) {
      list.prepend(eventItem(event));
    }
    while (list.children.length > EVENTS_KEPT) {
      list.lastElementChild.remove();
    }
  }
  const shown = list.querySelectorAll('li.event').length;
  const filtering = $('filter-table').value || $('filter-type').value || $('filter-severity').value;
  const events = shown === 1 ? '1 event' : `${shown} events`;
  setText($('events-summary'), `${filtering ? `${events} match the filters` : `The latest ${events}`}`
    + '; new events appear at the top.');
}

async function filtersChanged() {
  const table = $('filter-table').value;
  const type = $('filter-type').value;
  model.filtered = [];
  if (table || type) {
    // The kept events may hold few of the chosen ones: read the latest of them too. Newer ones
    // than the last seen come with the next poll, so that following the log skips nothing.
    const query = new URLSearchParams({ limit: String(EVENTS_FIRST_LOAD) });
    if (table) {
      query.set('table', table);
    }
    if (type) {
      query.set('type', type);
    }
    try {
      model.filtered = (await api(`${API}/events?${query}`)).filter((event) => event.sequence <= model.lastSequence);
    } catch (error) {
      model.error = error;
      renderHeader();
    }
  }
  renderEvents([], true);
}

// ---- Operator actions ----

// Resolves to { reason, version } once confirmed (version only when asked for), or null when cancelled.
function askReason(title, askVersion) {
  return new Promise((resolve) => {
    const dialog = $('reason-dialog');
    setText($('reason-title'), title);
    $('reason-input').value = '';
    $('version-field').hidden = !askVersion;
    $('version-input').required = askVersion;
    $('version-input').value = '';
    dialog.returnValue = '';
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm'
        ? { reason: $('reason-input').value.trim(), version: askVersion ? Number($('version-input').value) : null }
        : null);
    }, { once: true });
    dialog.showModal();
    (askVersion ? $('version-input') : $('reason-input')).focus();
  });
}

const ACTIONS = {
  pause: { verb: 'Pause', done: (id, answer) => `${id} is now ${tableState(answer).text}.` },
  resume: { verb: 'Resume', done: (id, answer) => `${id} is now ${tableState(answer).text}.` },
  resync: {
    verb: 'Resync',
    done: (id, answer) => `${id}: resync ${answer.resync ? answer.resync.state.toLowerCase() : 'requested'}; its gateway`
      + ' captures a fresh snapshot and its applier switches the table over.',
  },
  rollback: {
    verb: 'Rollback',
    done: (id, answer) => `${id} has the content of version ${answer.to_version} again, as version ${answer.version}; `
      + (answer.replay.pending
        ? `its applier applies ${answer.replay.segments.length} staged segments again.`
        : 'no source change was undone.'),
  },
};

async function act(action) {
  const id = model.selected;
  const { verb, done } = ACTIONS[action];
  const answer = await askReason(action === 'rollback' ? `Roll back ${id}` : `${verb} ${id}`, action === 'rollback');
  if (answer === null) {
    return;
  }
  const body = action === 'rollback' ? { to_version: answer.version, reason: answer.reason } : { reason: answer.reason };
  const message = $('action-message');
  message.className = 'pending';
  message.dataset.status = '';
  setText(message, `${verb} of ${id} sent…`);
  try {
    const result = await api(`${tablePath(id)}/${action}`, { method: 'POST', body });
    if (action !== 'rollback') {
      entry(id).status = result;
    }
    message.className = 'ok';
    message.dataset.status = '200';
    setText(message, done(id, result));
    render([]);
    schedule(0);
  } catch (error) {
    message.className = 'error';
    message.dataset.status = String(error.status);
    setText(message, error.status
      ? `${verb} refused (HTTP ${error.status} ${error.code}): ${error.message}`
      : `${verb} failed: ${error.message}`);
  }
}

// ---- Wiring ----

function start() {
  EVENT_TYPES.forEach((type) => addOption($('filter-type'), type));
  $('change-token').hidden = auth.token() === null;

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token-input').value.trim();
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
      $('token-input').value = '';
      $('change-token').hidden = false;
      $('token-dialog').close();
    }
  });
  // Without a token nothing can be shown: the dialog stays until one is given.
  $('token-dialog').addEventListener('cancel', (event) => event.preventDefault());
  $('change-token').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    schedule(0);
  });

  $('reason-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const version = $('version-input');
    const versionGiven = $('version-field').hidden || (version.value !== '' && Number.isInteger(Number(version.value))
      && Number(version.value) >= 0);
    if ($('reason-input').value.trim() && versionGiven) {
      $('reason-dialog').close('confirm');
    }
  });
  $('reason-cancel').addEventListener('click', () => $('reason-dialog').close('cancel'));
  $('pause-button').addEventListener('click', () => act('pause'));
  $('resume-button').addEventListener('click', () => act('resume'));
  $('rollback-button').addEventListener('click', () => act('rollback'));
  $('resync-button').addEventListener('click', () => act('resync'));
  $('close-detail').addEventListener('click', () => {
    const id = model.selected;
    model.selected = null;
    renderTables();
    renderDetail();
    const row = [...$('tables').tBodies[0].rows].find((candidate) => candidate.dataset.tableId === id);
    (row ? row.querySelector('button') : $('tables-heading')).focus();
  });
  for (const id of ['filter-table', 'filter-type', 'filter-severity']) {
    $(id).addEventListener('change', filtersChanged);
  }
  $('event-filters').addEventListener('submit', (event) => event.preventDefault());
  poll();
}

document.addEventListener('DOMContentLoaded', start);
