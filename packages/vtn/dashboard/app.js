// The VTN operator dashboard: plain browser JS, one page per hash route, every figure read from the
// admin API with the operator's token, so whatever the pages show can be scripted the same way.

const TOKEN_KEY = 'oadr-kit-admin-token';
const API = '/admin/v1';
const POLL_MS = 1000;

const main = document.getElementById('main');
const nav = document.getElementById('nav');

/** Bumped on every navigation: a page whose fetch returns after the user moved on draws nothing. */
let generation = 0;
let pollTimer;
let loginMessage = '';
const charts = new Map();

/** A refusal by the admin API; `details` name the fields at fault (e.g. "body/activePeriod/duration: …"). */
class ApiError extends Error {
  constructor(message, details) {
    super(message);
    this.details = details;
  }
}

/** No token, or the VTN refused it: the page gives way to the login page with this message. */
class LoggedOut extends Error {}

function toLogin(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  loginMessage = message;
  if (location.hash === '#/login') render();
  else location.hash = '#/login';
}

async function api(method, path, body, token = sessionStorage.getItem(TOKEN_KEY)) {
  if (token === null) throw new LoggedOut('Log in with the VTN admin token.');
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) throw new LoggedOut('The VTN refused the admin token: log in again.');
  const text = await response.text();
  const json = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    const error = (json && json.error) || {};
    throw new ApiError(error.message || `HTTP ${response.status}`, Array.isArray(error.details) ? error.details : []);
  }
  return json;
}

/** Builds an element; strings become text nodes, so no data from the API is ever parsed as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

function time(value) {
  if (value === undefined || value === null) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace('.000Z', 'Z').replace('T', ' ');
}

function num(value, digits = 3) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '—';
}

function table(headers, rows, attrs = {}) {
  return h('table', attrs, h('thead', {}, h('tr', {}, headers.map((text) => h('th', {}, text)))), h('tbody', {}, rows));
}

function statusCell(status) {
  return h('td', {}, h('span', { class: `status status-${status}` }, status));
}

function idList(value) {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A uPlot chart kept across polls: new data goes through setData, so the page does not flicker. */
function chart(key, parent, title, series, data, scales = {}) {
  const width = Math.max(360, Math.min(560, main.clientWidth - 40));
  // Same title and series: only the data moved on. Anything else (a new series, a relabelled one) redraws.
  const signature = JSON.stringify([title, series.map((s) => s.label)]);
  const existing = charts.get(key);
  if (existing !== undefined && existing.signature === signature) {
    existing.plot.setData(data);
    return;
  }
  existing?.plot.destroy();
  existing?.box.remove();
  const box = h('div', { class: 'chart', 'data-chart': key });
  parent.append(box);
  const options = {
    title,
    width,
    height: 240,
    scales: { x: { time: scales.time ?? false }, ...(scales.y === undefined ? {} : { y: scales.y }) },
    // Tables print UTC; the time axes say the same instants the same way, whatever the browser's zone.
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    series: [{ label: scales.xLabel ?? 'x' }, ...series],
    // uPlot's default labels round 1e-4 to "0" on a log axis.
    axes: [{}, { size: 60, ...(scales.y?.distr === 3 ? { values: (_, splits) => splits.map((v) => (v === null ? '' : v.toExponential(0))) } : {}) }],
  };
  charts.set(key, { signature, box, plot: new uPlot(options, data, box) });
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function line(label, index, extra = {}) {
  return { label, stroke: PALETTE[index % PALETTE.length], width: 2, ...extra };
}

// ---------- login ----------

function loginPage() {
  nav.hidden = true;
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', 'aria-describedby': 'token-error' });
  const error = h('p', { class: 'field-error', id: 'token-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'card', id: 'login-form', novalidate: true },
    h('h1', {}, 'Log in'),
    h('p', { class: 'login-message', id: 'login-message', role: 'status' }, loginMessage),
    h('div', { class: 'field' }, h('label', { for: 'token' }, 'Admin token'), input, error),
    h('button', { type: 'submit' }, 'Log in'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    if (token === '') {
      error.textContent = 'Enter the admin token (admin.token in the VTN configuration).';
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    try {
      await api('GET', '/programs', undefined, token);
    } catch (failure) {
      error.textContent = failure instanceof LoggedOut ? 'The VTN refused this token.' : `The VTN could not be reached: ${failure.message}`;
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    loginMessage = '';
    location.hash = '#/vens';
  });
  main.replaceChildren(form);
  input.focus();
}

// ---------- VENs ----------

function optSummary(opts) {
  if (opts.length === 0) return '—';
  return opts.map((o) => `${o.optType} (${o.eventID === undefined ? 'schedule' : `event ${o.eventID}`}, ${o.optReason})`).join('; ');
}

async function vensPage(gen) {
  const [vens, opts] = await Promise.all([api('GET', '/vens'), api('GET', '/opts')]);
  if (gen !== generation) return;
  const rows = vens.map((ven) => {
    const active = opts.filter((o) => o.venID === ven.venID && o.cancelledAt === undefined);
    return h(
      'tr',
      { 'data-ven': ven.venID },
      h('td', {}, h('span', { class: 'mono' }, ven.venID), ven.venName ? h('div', { class: 'muted' }, ven.venName) : null),
      statusCell(ven.state),
      h('td', { class: 'mono' }, ven.registrationID ?? '—'),
      h('td', { class: 'mono' }, ven.fingerprint ?? '—'),
      h('td', {}, ven.transport, ven.transportAddress ? h('div', { class: 'muted mono' }, ven.transportAddress) : null),
      h('td', {}, [...ven.groupIDs.map((g) => `group ${g}`), ...ven.resourceIDs.map((r) => `resource ${r}`), ...ven.partyIDs.map((p) => `party ${p}`)].join(', ') || '—'),
      h('td', {}, time(ven.registeredAt)),
      h('td', {}, time(ven.lastSeenAt)),
      h('td', {}, optSummary(active)),
    );
  });
  main.replaceChildren(
    h('h1', {}, 'VENs'),
    vens.length === 0
      ? h('p', { class: 'muted' }, 'No VEN has registered or been provisioned yet.')
      : table(['VEN', 'state', 'registration', 'fingerprint', 'transport', 'targets', 'registered', 'last seen', 'opts in force'], rows, { id: 'vens' }),
    h('p', { class: 'muted' }, 'Last seen: the latest request of the VEN (a poll or any service call); a VEN that polls another VTN process on the same database shows up to 5 s late.'),
  );
}

// ---------- events ----------

const SIGNALS = [
  ['SIMPLE', 'level'],
  ['ELECTRICITY_PRICE', 'price'],
  ['LOAD_DISPATCH', 'setpoint'],
  ['LOAD_CONTROL', 'x-loadControlLevelOffset'],
  ['ENERGY_PRICE', 'price'],
  ['DEMAND_CHARGE', 'price'],
];
const SIGNAL_TYPES = ['level', 'price', 'priceRelative', 'priceMultiplier', 'setpoint', 'delta', 'multiplier', 'x-loadControlCapacity', 'x-loadControlLevelOffset', 'x-loadControlPercentOffset', 'x-loadControlSetpoint'];
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/** The event form's fields, each with the admin API path its errors name (EventInput). */
const EVENT_FIELDS = [
  { name: 'eventID', label: 'Event ID (optional)', path: '/eventID', createOnly: true },
  { name: 'marketContext', label: 'Market context', path: '/marketContext', also: ['/programID'], placeholder: 'http://market.example.com/dr' },
  { name: 'dtstart', label: 'Start (UTC)', path: '/activePeriod/dtstart', placeholder: '2030-01-01T16:00:00Z' },
  { name: 'duration', label: 'Duration', path: '/activePeriod/duration', placeholder: 'PT1H', also: ['/activePeriod'] },
  { name: 'rampUp', label: 'Ramp-up (optional)', path: '/activePeriod/x-eiRampUp', placeholder: 'PT30M' },
  { name: 'signalName', label: 'Signal', path: '/signals/0/signalName', options: SIGNALS.map(([name]) => name), also: ['/signals'] },
  { name: 'signalType', label: 'Signal type', path: '/signals/0/signalType', options: SIGNAL_TYPES },
  { name: 'value', label: 'Value', path: '/signals/0/intervals/0/signalPayload', placeholder: '2', also: ['/signals/0/intervals'] },
  { name: 'venIDs', label: 'Target venIDs (comma-separated)', path: '/target/venID', also: ['/target'] },
  { name: 'groupIDs', label: 'Target groupIDs (comma-separated)', path: '/target/groupID' },
  { name: 'modificationReason', label: 'Reason for the change', path: '/modificationReason', modifyOnly: true },
];

/** Client-side checks: the same rules the API applies, said next to the field before a round trip. */
function checkEventForm(values) {
  const problems = {};
  if (values.marketContext === '') problems.marketContext = 'Required: the market context (a URI) of the program.';
  else if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(values.marketContext)) problems.marketContext = 'Must be a URI such as http://market.example.com/dr.';
  if (!DATE_TIME.test(values.dtstart) || Number.isNaN(Date.parse(values.dtstart))) problems.dtstart = 'Must be a date-time with zone, such as 2030-01-01T16:00:00Z.';
  if (!DURATION.test(values.duration)) problems.duration = 'Must be an ISO 8601 duration, such as PT1H or PT15M (PT0S: until cancelled).';
  if (values.rampUp !== '' && !DURATION.test(values.rampUp)) problems.rampUp = 'Must be an ISO 8601 duration, such as PT30M, or empty.';
  if (values.value === '' || !Number.isFinite(Number(values.value))) problems.value = 'Must be a number.';
  else if (values.signalName === 'SIMPLE' && ![0, 1, 2, 3].includes(Number(values.value))) problems.value = 'A SIMPLE level is 0, 1, 2 or 3.';
  return problems;
}

function eventBody(values, base) {
  const target = {};
  if (idList(values.venIDs).length > 0) target.venID = idList(values.venIDs);
  if (idList(values.groupIDs).length > 0) target.groupID = idList(values.groupIDs);
  const activePeriod = { ...(base?.activePeriod ?? {}), dtstart: values.dtstart, duration: values.duration };
  if (values.rampUp !== '') activePeriod['x-eiRampUp'] = values.rampUp;
  else delete activePeriod['x-eiRampUp'];
  const signal = { signalName: values.signalName, signalType: values.signalType, signalID: values.signalName.toLowerCase(), intervals: [{ duration: values.duration, uid: '0', signalPayload: Number(values.value) }] };
  return {
    ...(values.eventID ? { eventID: values.eventID } : {}),
    marketContext: values.marketContext,
    ...(base?.priority === undefined ? {} : { priority: base.priority }),
    ...(base?.vtnComment === undefined ? {} : { vtnComment: base.vtnComment }),
    ...(base?.responseRequired === undefined ? {} : { responseRequired: base.responseRequired }),
    activePeriod,
    signals: [signal],
    target,
    ...(values.modificationReason ? { modificationReason: values.modificationReason } : {}),
  };
}

/** The API names a field by path ("body/activePeriod/dtstart: must match …"): show it at that field. */
function fieldOfDetail(detail) {
  const [rawPath] = detail.split(': ');
  const path = rawPath.replace(/^body/, '');
  let best;
  for (const field of EVENT_FIELDS) {
    for (const candidate of [field.path, ...(field.also ?? [])]) {
      if (path === candidate || path.startsWith(`${candidate}/`)) {
        if (best === undefined || candidate.length > best.length) best = { field, length: candidate.length };
      }
    }
  }
  return best?.field;
}

function eventForm(mode, initial, submit) {
  const inputs = {};
  const errors = {};
  const formError = h('p', { class: 'form-error', role: 'alert', id: `${mode}-form-error` });
  const fields = EVENT_FIELDS.filter((f) => !(mode === 'create' && f.modifyOnly) && !(mode === 'modify' && f.createOnly)).map((field) => {
    const id = `${mode}-${field.name}`;
    const input = field.options
      ? h('select', { id, name: field.name }, field.options.map((o) => h('option', { value: o, selected: initial[field.name] === o }, o)))
      : h('input', { id, name: field.name, value: initial[field.name] ?? '', placeholder: field.placeholder, 'aria-describedby': `${id}-error` });
    if (field.options && !field.options.includes(initial[field.name]) && initial[field.name]) input.append(h('option', { value: initial[field.name], selected: true }, initial[field.name]));
    inputs[field.name] = input;
    errors[field.name] = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert' });
    return h('div', { class: 'field' }, h('label', { for: id }, field.label), input, errors[field.name]);
  });
  if (mode === 'create') {
    // A signal name suggests its usual type; the operator may still pick another.
    inputs.signalName.addEventListener('change', () => {
      const pair = SIGNALS.find(([name]) => name === inputs.signalName.value);
      if (pair) inputs.signalType.value = pair[1];
    });
  }
  const form = h('form', { class: 'card', id: `${mode}-event`, novalidate: true }, h('h2', {}, mode === 'create' ? 'Create an event' : 'Modify the event'), fields, formError, h('button', { type: 'submit' }, mode === 'create' ? 'Create event' : 'Save modification'));
  const show = (problems, general) => {
    for (const name of Object.keys(inputs)) {
      errors[name].textContent = problems[name] ?? '';
      if (problems[name]) inputs[name].setAttribute('aria-invalid', 'true');
      else inputs[name].removeAttribute('aria-invalid');
    }
    formError.textContent = general;
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value.trim()]));
    const problems = checkEventForm(values);
    show(problems, Object.keys(problems).length > 0 ? 'Fix the fields marked above.' : '');
    if (Object.keys(problems).length > 0) return;
    try {
      await submit(values);
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      const fromApi = {};
      const unplaced = [];
      for (const detail of failure.details) {
        const field = fieldOfDetail(detail);
        const text = detail.includes(': ') ? detail.slice(detail.indexOf(': ') + 2) : failure.message;
        if (field && inputs[field.name]) fromApi[field.name] = fromApi[field.name] ? `${fromApi[field.name]}; ${text}` : `The VTN says: ${text}`;
        else unplaced.push(detail);
      }
      show(fromApi, Object.keys(fromApi).length > 0 && unplaced.length === 0 ? 'The VTN refused the event: see the fields marked above.' : `The VTN refused the event: ${failure.message}`);
    }
  });
  return form;
}

function nextHour() {
  const date = new Date(Date.now() + 3_600_000);
  date.setUTCMinutes(0, 0, 0);
  return date.toISOString().replace('.000Z', 'Z');
}

async function eventsPage(gen) {
  const events = await api('GET', '/events');
  if (gen !== generation) return;
  const rows = events.map((e) =>
    h(
      'tr',
      { 'data-event': e.eventID },
      h('td', {}, h('a', { href: `#/events/${encodeURIComponent(e.eventID)}`, class: 'mono' }, e.eventID)),
      statusCell(e.status),
      h('td', { class: 'num' }, e.modificationNumber),
      h('td', { class: 'mono' }, e.marketContext),
      h('td', {}, time(e.spec.activePeriod.dtstart)),
      h('td', {}, e.spec.activePeriod.duration),
      h('td', {}, e.spec.signals.map((s) => s.signalName).join(', ')),
      h('td', { class: 'num' }, `${e.delivered} / ${e.vens}`),
      h('td', { class: 'num' }, `${e.optedIn} in, ${e.optedOut} out`),
    ),
  );
  const form = eventForm('create', { dtstart: nextHour(), duration: 'PT1H', signalName: 'SIMPLE', signalType: 'level', value: '1' }, async (values) => {
    const created = await api('POST', '/events', eventBody(values));
    location.hash = `#/events/${encodeURIComponent(created.eventID)}`;
  });
  main.replaceChildren(
    h('h1', {}, 'Events'),
    events.length === 0 ? h('p', { class: 'muted' }, 'No events yet.') : table(['event', 'status', 'mod.', 'market context', 'start', 'duration', 'signals', 'delivered', 'opts'], rows, { id: 'events' }),
    form,
  );
}

function deliveryState(d, modificationNumber) {
  if (d.excluded) return 'no longer targeted';
  if (d.deliveredMod === modificationNumber) return `delivered (mod. ${d.deliveredMod})`;
  if (d.deliveredMod < 0) return 'waiting for the VEN';
  return `mod. ${d.deliveredMod} delivered, mod. ${d.targetMod} due`;
}

function deliveriesTable(event) {
  if (event.deliveries.length === 0) return h('p', { class: 'muted' }, 'The event targets no registered VEN.');
  const rows = event.deliveries.map((d) =>
    h(
      'tr',
      { 'data-ven': d.venID },
      h('td', { class: 'mono' }, d.venID),
      h('td', { class: 'delivery' }, deliveryState(d, event.modificationNumber)),
      h('td', {}, time(d.deliveredAt)),
      h('td', { class: 'opt' }, d.opt ?? '—'),
      h('td', {}, d.optSource ?? '—'),
      h('td', {}, d.responseMod ?? '—'),
      h('td', {}, time(d.respondedAt)),
    ),
  );
  return table(['VEN', 'delivery', 'delivered at', 'opt', 'opt from', 'answered mod.', 'answered at'], rows, { id: 'deliveries' });
}

async function eventPage(gen, eventID) {
  const event = await api('GET', `/events/${encodeURIComponent(eventID)}`);
  if (gen !== generation) return;
  const spec = event.spec;
  const signal = spec.signals[0];
  const single = spec.signals.length === 1 && signal.intervals.length === 1;
  const perVen = h('div', { id: 'per-ven' }, deliveriesTable(event));
  const statusText = h('span', { class: `status status-${event.status}`, id: 'event-status' }, event.status);
  const modification = (e) => `${e.modificationNumber}${e.modificationReason ? ` (${e.modificationReason})` : ''}`;
  const modificationCell = h('td', { class: 'num', id: 'event-modification' }, modification(event));
  // Deliveries and opts change as VENs poll: refresh them (not the forms, which may be half-typed).
  const refresh = async () => {
    const now = await api('GET', `/events/${encodeURIComponent(eventID)}`);
    if (gen !== generation) return;
    perVen.replaceChildren(deliveriesTable(now));
    statusText.textContent = now.status;
    statusText.className = `status status-${now.status}`;
    modificationCell.textContent = modification(now);
    pollTimer = setTimeout(() => refresh().catch(fail), POLL_MS);
  };
  pollTimer = setTimeout(() => refresh().catch(fail), POLL_MS);
  const open = event.status !== 'cancelled' && event.status !== 'completed';
  const reason = h('input', { id: 'cancel-reason', placeholder: 'reason (optional)' });
  const cancelError = h('p', { class: 'form-error', role: 'alert' });
  const cancel = h(
    'form',
    { class: 'card', id: 'cancel-event' },
    h('h2', {}, 'Cancel the event'),
    reason,
    ' ',
    h('button', { type: 'submit' }, 'Cancel event'),
    cancelError,
  );
  cancel.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', `/events/${encodeURIComponent(eventID)}/cancel`, reason.value.trim() === '' ? {} : { reason: reason.value.trim() });
      render();
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      cancelError.textContent = failure.message;
    }
  });
  const initial = {
    marketContext: event.marketContext,
    dtstart: spec.activePeriod.dtstart,
    duration: spec.activePeriod.duration,
    rampUp: spec.activePeriod['x-eiRampUp'] ?? '',
    signalName: signal.signalName,
    signalType: signal.signalType,
    value: String(signal.intervals[0].signalPayload ?? ''),
    venIDs: (spec.target.venID ?? []).join(', '),
    groupIDs: (spec.target.groupID ?? []).join(', '),
  };
  const modify = single
    ? eventForm('modify', initial, async (values) => {
        await api('PUT', `/events/${encodeURIComponent(eventID)}?expectedModificationNumber=${event.modificationNumber}`, eventBody(values, spec));
        render();
      })
    : h('p', { class: 'muted' }, 'This event has several signals or intervals: modify it through the admin API (PUT /admin/v1/events/{eventID}).');
  main.replaceChildren(
    h('h1', {}, 'Event ', h('span', { class: 'mono' }, event.eventID)),
    table(
      ['status', 'modification', 'market context', 'start', 'duration', 'signals', 'created', 'modified'],
      [
        h(
          'tr',
          {},
          h('td', {}, statusText),
          modificationCell,
          h('td', { class: 'mono' }, event.marketContext),
          h('td', {}, time(spec.activePeriod.dtstart)),
          h('td', {}, spec.activePeriod.duration),
          h('td', {}, spec.signals.map((s) => `${s.signalName}/${s.signalType}: ${s.intervals.map((i) => i.signalPayload).join(', ')}`).join('; ')),
          h('td', {}, time(event.createdAt)),
          h('td', {}, time(event.modifiedAt)),
        ),
      ],
    ),
    h('h2', {}, 'Per VEN'),
    perVen,
    open ? modify : null,
    open ? cancel : null,
  );
}

// ---------- reports ----------

/** Every (time, value) of a data point across a VEN's uploads; a later upload of the same instant wins. */
function series(rows, rID) {
  const points = new Map();
  for (const row of rows) {
    for (const interval of row.report.intervals ?? []) {
      const payload = (interval.oadrReportPayload ?? []).find((p) => p.rID === rID);
      const value = payload?.payloadBase?.payloadFloat;
      const at = Date.parse(interval.dtstart ?? row.report.dtstart);
      if (typeof value === 'number' && !Number.isNaN(at)) points.set(at, value);
    }
  }
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  return [sorted.map(([at]) => at / 1000), sorted.map(([, value]) => value)];
}

function rIDsOf(rows) {
  const ids = new Set();
  for (const row of rows) for (const interval of row.report.intervals ?? []) for (const p of interval.oadrReportPayload ?? []) if (typeof p.payloadBase?.payloadFloat === 'number') ids.add(p.rID);
  return [...ids].sort();
}

async function reportsPage(gen) {
  const vens = await api('GET', '/vens');
  const data = await Promise.all(vens.map((v) => api('GET', `/report-data?venID=${encodeURIComponent(v.venID)}&limit=10000`)));
  if (gen !== generation) return;
  const byVen = vens.map((v, i) => ({ venID: v.venID, rows: data[i] })).filter((v) => v.rows.length > 0);
  const rows = byVen.map(({ venID, rows: uploads }) => {
    const latest = uploads.reduce((a, b) => (Date.parse(b.receivedAt) >= Date.parse(a.receivedAt) ? b : a));
    const last = (latest.report.intervals ?? []).at(-1);
    const values = (last?.oadrReportPayload ?? []).map((p) => `${p.rID} = ${typeof p.payloadBase?.payloadFloat === 'number' ? num(p.payloadBase.payloadFloat) : JSON.stringify(p.payloadBase)}`);
    return h(
      'tr',
      { 'data-ven': venID },
      h('td', { class: 'mono' }, venID),
      h('td', {}, latest.reportName ?? '—'),
      h('td', { class: 'mono' }, latest.reportSpecifierID),
      h('td', {}, time(latest.createdDateTime)),
      h('td', {}, time(latest.receivedAt)),
      h('td', { class: 'num' }, (latest.report.intervals ?? []).length),
      h('td', {}, values.join(', ') || '—'),
      h('td', { class: 'num' }, uploads.length),
    );
  });
  const venSelect = h('select', { id: 'report-ven' }, byVen.map((v) => h('option', { value: v.venID }, v.venID)));
  const rIDSelect = h('select', { id: 'report-rid' });
  const chartBox = h('div', { class: 'charts', id: 'report-chart' });
  const draw = () => {
    const ven = byVen.find((v) => v.venID === venSelect.value);
    if (ven === undefined) return;
    const [x, y] = series(ven.rows, rIDSelect.value);
    chart('report', chartBox, `${ven.venID}: ${rIDSelect.value}`, [line(rIDSelect.value, 0)], [x, y], { time: true, xLabel: 'time' });
  };
  const fillRIDs = () => {
    const ven = byVen.find((v) => v.venID === venSelect.value);
    rIDSelect.replaceChildren(...rIDsOf(ven?.rows ?? []).map((id) => h('option', { value: id }, id)));
    draw();
  };
  venSelect.addEventListener('change', fillRIDs);
  rIDSelect.addEventListener('change', draw);
  main.replaceChildren(
    h('h1', {}, 'Reports'),
    byVen.length === 0
      ? h('p', { class: 'muted' }, 'No VEN has uploaded report data yet.')
      : h(
          'div',
          {},
          h('h2', {}, 'Latest upload per VEN'),
          table(['VEN', 'report', 'specifier', 'created', 'received', 'intervals', 'last interval', 'uploads'], rows, { id: 'reports' }),
          h('h2', {}, 'A data point over time'),
          h('p', {}, h('label', { for: 'report-ven' }, 'VEN '), venSelect, ' ', h('label', { for: 'report-rid' }, 'data point '), rIDSelect),
          chartBox,
        ),
  );
  if (byVen.length > 0) fillRIDs();
}

// ---------- negotiations ----------

async function negotiationsPage(gen) {
  const sessions = await api('GET', '/negotiations');
  if (gen !== generation) return;
  const rows = sessions.map((s) =>
    h(
      'tr',
      { 'data-session': s.sessionID },
      h('td', {}, h('a', { href: `#/negotiations/${encodeURIComponent(s.sessionID)}`, class: 'mono' }, s.sessionID)),
      statusCell(s.status),
      h('td', { class: 'num' }, s.rounds),
      h('td', { class: 'num' }, s.members.length),
      h('td', {}, time(s.createdAt)),
      h('td', {}, time(s.updatedAt)),
      h('td', {}, s.reason ?? ''),
    ),
  );
  main.replaceChildren(
    h('h1', {}, 'Negotiations'),
    sessions.length === 0
      ? h('p', { class: 'muted' }, 'No negotiation yet: start one with POST /admin/v1/negotiations.')
      : table(['session', 'status', 'rounds', 'VENs', 'created', 'updated', 'reason'], rows, { id: 'negotiations' }),
  );
}

/** The newest profile each VEN sent: a silent VEN keeps its last one, as in the VTN. */
function latestProfiles(rounds) {
  const profiles = {};
  for (const round of rounds) Object.assign(profiles, round.profiles);
  return profiles;
}

function sumProfiles(profiles, slots) {
  const total = Array.from({ length: slots }, () => 0);
  for (const profile of Object.values(profiles)) profile.forEach((kw, t) => (total[t] += kw));
  return total;
}

async function negotiationPage(gen, sessionID) {
  const path = `/negotiations/${encodeURIComponent(sessionID)}`;
  const rounds = [];
  const status = h('span', { class: 'status', id: 'session-status' });
  const summary = h('p', { id: 'session-summary' });
  const residualBox = h('div', { class: 'charts' });
  const gridBox = h('div', { class: 'charts' });
  const scheduleBox = h('div', { class: 'charts' });
  const scheduleTable = h('div', { id: 'schedule' });
  const membersTable = h('div', { id: 'members' });
  main.replaceChildren(
    h('h1', {}, 'Negotiation ', h('span', { class: 'mono' }, sessionID), ' ', status),
    summary,
    h('h2', {}, 'Convergence'),
    residualBox,
    h('h2', {}, 'Prices and the community at the grid connection'),
    gridBox,
    h('h2', {}, 'Schedule per VEN'),
    scheduleBox,
    scheduleTable,
    h('h2', {}, 'Members'),
    membersTable,
  );

  const update = async () => {
    const session = await api('GET', path);
    for (;;) {
      const more = await api('GET', `${path}/rounds?from=${rounds.length}&limit=1000`);
      rounds.push(...more);
      if (more.length < 1000) break;
    }
    if (gen !== generation) return;
    const spec = session.spec;
    const slots = spec.slots;
    const slotTimes = Array.from({ length: slots }, (_, t) => spec.startMs / 1000 + t * spec.slotMinutes * 60);
    const outcome = session.outcome;
    const last = rounds.at(-1);
    status.textContent = session.status;
    status.className = `status status-${session.status}`;
    summary.textContent =
      `${session.rounds} rounds; tolerance ${spec.tolerance}` +
      (last ? `; relative residuals ${last.relativePrimal.toExponential(2)} (primal), ${last.relativeDual.toExponential(2)} (dual); rho ${num(last.rho, 4)}` : '') +
      (session.reason ? `; ${session.reason}` : '') +
      (outcome ? `; agreed in ${num(outcome.seconds, 1)} s, grid cost ${num(outcome.gridCost, 2)} ${spec.currency}` : '');

    // Residuals are positive and fall by orders of magnitude: a log axis (distr 3); zero cannot be drawn.
    const positive = (v) => (v > 0 ? v : null);
    chart(
      'residuals',
      residualBox,
      'Relative residuals per round',
      [line('primal', 0), line('dual', 1), line('tolerance', 2, { dash: [6, 4], width: 1 })],
      [rounds.map((r) => r.round), rounds.map((r) => positive(r.relativePrimal)), rounds.map((r) => positive(r.relativeDual)), rounds.map(() => spec.tolerance)],
      { y: { distr: 3, log: 10 }, xLabel: 'round' },
    );
    // How the prices settle, round by round: their spread over the slots.
    const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
    chart(
      'round-prices',
      residualBox,
      `Price per round (${spec.currency}/kWh, over the slots)`,
      [line('mean', 0), line('lowest', 2, { width: 1 }), line('highest', 1, { width: 1 })],
      [rounds.map((r) => r.round), rounds.map((r) => mean(r.prices)), rounds.map((r) => Math.min(...r.prices)), rounds.map((r) => Math.max(...r.prices))],
      { xLabel: 'round' },
    );
    const prices = outcome?.prices ?? last?.prices ?? [];
    const priceSeries = [line(outcome ? 'agreed price' : `price, round ${last?.round ?? '–'}`, 0)];
    const priceData = [slotTimes, slotTimes.map((_, t) => prices[t] ?? null)];
    if (outcome?.upstreamPrices) {
      priceSeries.push(line('price behind the transformer', 1));
      priceData.push(outcome.upstreamPrices);
    }
    chart('prices', gridBox, `Price per slot (${spec.currency}/kWh)`, priceSeries, priceData, { time: true, xLabel: 'slot' });

    const profiles = outcome?.profiles ?? latestProfiles(rounds);
    const community = outcome?.gridImportKw ?? sumProfiles(profiles, slots);
    const grid = spec.grid;
    const gridSeries = [line(outcome ? 'agreed import (−: export)' : 'import, latest projections', 0), line('import limit', 1, { dash: [6, 4], width: 1 }), line('export limit', 3, { dash: [6, 4], width: 1 })];
    const gridData = [slotTimes, community, slotTimes.map(() => grid.importLimitKw), slotTimes.map(() => -grid.exportLimitKw)];
    if (grid.transformerKw !== undefined) {
      gridSeries.push(line('transformer limit', 4, { dash: [2, 3], width: 1 }), line('transformer limit (export)', 4, { dash: [2, 3], width: 1 }));
      gridData.push(
        slotTimes.map(() => grid.transformerKw),
        slotTimes.map(() => -grid.transformerKw),
      );
    }
    chart('grid', gridBox, 'Community import / export (kW)', gridSeries, gridData, { time: true, xLabel: 'slot' });

    const venIDs = Object.keys(profiles).sort();
    chart(
      'schedule',
      scheduleBox,
      outcome ? 'Agreed schedule per VEN (kW)' : 'Latest projection per VEN (kW)',
      venIDs.map((id, i) => line(id, i)),
      [slotTimes, ...venIDs.map((id) => profiles[id])],
      { time: true, xLabel: 'slot' },
    );
    scheduleTable.replaceChildren(
      table(
        ['slot start', `price (${spec.currency}/kWh)`, 'community import (kW)', ...venIDs],
        slotTimes.map((at, t) => h('tr', {}, h('td', {}, time(at * 1000)), h('td', { class: 'num' }, num(prices[t], 4)), h('td', { class: 'num' }, num(community[t])), venIDs.map((id) => h('td', { class: 'num' }, num(profiles[id][t]))))),
        { id: outcome ? 'agreed-schedule' : 'projected-schedule' },
      ),
    );
    membersTable.replaceChildren(
      table(
        ['VEN', 'status', 'event', 'answered', 'missed', 'reason'],
        session.members.map((m) => h('tr', {}, h('td', { class: 'mono' }, m.venID), statusCell(m.status), h('td', {}, h('a', { href: `#/events/${encodeURIComponent(m.eventID)}`, class: 'mono' }, m.eventID)), h('td', { class: 'num' }, m.answered), h('td', { class: 'num' }, m.missed), h('td', {}, m.reason ?? ''))),
      ),
    );
    if (session.status === 'running') pollTimer = setTimeout(() => update().catch(fail), POLL_MS);
  };
  await update();
}

// ---------- routing ----------

function fail(error) {
  if (error instanceof LoggedOut) {
    toLogin(error.message);
    return;
  }
  main.replaceChildren(h('h1', {}, 'Something went wrong'), h('p', { class: 'form-error', role: 'alert' }, error.message));
}

function render() {
  generation += 1;
  clearTimeout(pollTimer);
  for (const c of charts.values()) c.plot.destroy();
  charts.clear();
  const gen = generation;
  const [, page = '', id] = location.hash.match(/^#\/([^/]*)\/?(.*)$/) ?? [];
  if (page === 'login') return loginPage();
  if (sessionStorage.getItem(TOKEN_KEY) === null) return toLogin('Log in with the VTN admin token.');
  nav.hidden = false;
  const key = id ? decodeURIComponent(id) : undefined;
  const pages = {
    vens: () => vensPage(gen),
    events: () => (key ? eventPage(gen, key) : eventsPage(gen)),
    reports: () => reportsPage(gen),
    negotiations: () => (key ? negotiationPage(gen, key) : negotiationsPage(gen)),
  };
  const show = pages[page];
  if (show === undefined) {
    location.hash = '#/vens';
    return;
  }
  main.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  show().catch(fail);
}

document.getElementById('logout').addEventListener('click', () => toLogin('Logged out.'));
window.addEventListener('hashchange', render);
render();
