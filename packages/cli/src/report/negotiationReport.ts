import { escapeHtml, extent, lineChart, PALETTE, type ChartSeries } from './svgChart.js';
import { requireFinite, requireFiniteValues, requireString, seriesField } from './validate.js';

/**
 * A negotiation outcome as one HTML file: inline SVG charts and an inline stylesheet, no scripts
 * and no URLs, so it can be mailed, archived and printed and still opens offline.
 */

export interface ReportSeries {
  readonly name: string;
  readonly values: readonly number[];
}

export interface NegotiationReportData {
  readonly title: string;
  /** E.g. "39 VENs over mutual TLS, converged in 152 rounds". */
  readonly subtitle?: string;
  /** ISO date-time, printed as given. */
  readonly generatedAt: string;
  /** Key figures, in order; ok true/false colours the row (limit held, converged...). */
  readonly figures: readonly { readonly label: string; readonly value: string; readonly ok?: boolean }[];
  /** First slot, epoch ms. */
  readonly startMs: number;
  readonly slotMinutes: number;
  /** E.g. EUR. */
  readonly currency: string;
  /** Net prices per slot, currency/kWh: one or more series (e.g. community price; upstream price). */
  readonly prices: readonly ReportSeries[];
  /** Residual history per round (log-scale chart); tolerance drawn as a dashed line. */
  readonly residuals: readonly { readonly round: number; readonly primal: number; readonly dual: number }[];
  readonly tolerance: number;
  /** Community exchange with the grid per slot, kW: + import, - export; limits as dashed lines. */
  readonly gridKw: readonly number[];
  /** Largest import, kW (>= 0). */
  readonly importLimitKw?: number;
  /** Largest export as a magnitude, kW (>= 0), as GridConnection states it; drawn below zero. */
  readonly exportLimitKw?: number;
  /** Optional comparison series on the grid chart, e.g. "every house alone". */
  readonly gridComparison?: ReportSeries;
  /** Battery (and other device) profiles per slot, kW (+ charging): thin lines plus their sum. */
  readonly batteries: readonly ReportSeries[];
  /** Per-VEN table: free-form columns, one string per column in each row. */
  readonly vens?: { readonly columns: readonly string[]; readonly rows: readonly (readonly string[])[] };
}

const MINUTE_MS = 60_000;

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;background:#fff;max-width:820px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #ccc;padding-bottom:3px}
.subtitle{font-size:15px;color:#444;margin:0 0 4px}.meta,.caption,.note{color:#555;font-size:12px;margin:4px 0}
.note{font-style:italic}
svg{display:block;width:100%;height:auto}
table{border-collapse:collapse;font-size:13px;margin:4px 0}
th,td{padding:3px 10px;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}
thead th{border-bottom:1px solid #888}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.ok td{background:#e8f5e9}tr.fail td{background:#fdecea}
td.status{width:1.5em;text-align:center;font-weight:bold}tr.ok td.status{color:#1b5e20}tr.fail td.status{color:#b71c1c}
footer{margin-top:32px;color:#777;font-size:11px}
@media print{body{margin:0;max-width:none;font-size:12px}section{break-inside:avoid}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
`;

function checkSeries(field: string, series: readonly ReportSeries[], length: number): void {
  series.forEach((s, i) => {
    requireString(`${field}[${i}].name`, s.name);
    requireFiniteValues(seriesField(field, i, s.name), s.values, length);
  });
}

/** Everything wrong that the charts would otherwise draw silently, reported by field name. */
function validate(data: NegotiationReportData): number {
  requireString('title', data.title);
  if (data.subtitle !== undefined) requireString('subtitle', data.subtitle);
  requireString('generatedAt', data.generatedAt);
  requireString('currency', data.currency);
  data.figures.forEach((f, i) => {
    requireString(`figures[${i}].label`, f.label);
    requireString(`figures[${i}].value`, f.value);
  });
  requireFinite('startMs', data.startMs);
  requireFinite('slotMinutes', data.slotMinutes);
  if (data.slotMinutes <= 0) throw new RangeError(`slotMinutes must be positive, got ${data.slotMinutes}`);
  if (data.prices.length === 0) throw new RangeError('prices must hold at least one series');
  const slots = data.prices[0]!.values.length;
  if (slots === 0) throw new RangeError('prices[0] must hold at least one slot');
  checkSeries('prices', data.prices, slots);
  requireFiniteValues('gridKw', data.gridKw, slots);
  if (data.gridComparison !== undefined) {
    const { name, values } = data.gridComparison;
    requireString('gridComparison.name', name);
    requireFiniteValues(`gridComparison (${JSON.stringify(name)}).values`, values, slots);
  }
  checkSeries('batteries', data.batteries, slots);
  for (const field of ['importLimitKw', 'exportLimitKw'] as const) {
    const limit = data[field];
    if (limit === undefined) continue;
    requireFinite(field, limit);
    if (limit < 0) throw new RangeError(`${field} is a magnitude and must be >= 0, got ${limit}`);
  }
  requireFinite('tolerance', data.tolerance);
  if (data.tolerance <= 0) throw new RangeError(`tolerance must be positive, got ${data.tolerance}`);
  data.residuals.forEach((r, i) => {
    requireFinite(`residuals[${i}].round`, r.round);
    requireFinite(`residuals[${i}].primal`, r.primal);
    requireFinite(`residuals[${i}].dual`, r.dual);
  });
  if (data.vens !== undefined) {
    const { columns, rows } = data.vens;
    columns.forEach((c, i) => requireString(`vens.columns[${i}]`, c));
    rows.forEach((row, i) => {
      if (row.length !== columns.length) throw new RangeError(`vens.rows[${i}] has ${row.length} cells, expected ${columns.length} (one per column)`);
      row.forEach((cell, j) => requireString(`vens.rows[${i}][${j}]`, cell));
    });
  }
  return slots;
}

function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function fixed(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return Number(text) === 0 ? (0).toFixed(decimals) : text;
}

function section(title: string, body: string): string {
  return `<section><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

function caption(text: string): string {
  return `<p class="caption">${escapeHtml(text)}</p>`;
}

function figuresTable(figures: NegotiationReportData['figures']): string {
  const rows = figures.map((f) => {
    const cls = f.ok === undefined ? '' : f.ok ? ' class="ok"' : ' class="fail"';
    // A mark as well as the colour: the verdict must survive greyscale printing.
    const mark = f.ok === undefined ? '' : f.ok ? '\u2713' : '\u2717';
    return `<tr${cls}><td class="status">${mark}</td><th scope="row">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`;
  });
  return `<table class="figures"><tbody>${rows.join('')}</tbody></table>`;
}

function pricesSection(data: NegotiationReportData): string {
  const unit = `${data.currency}/kWh`;
  const chart = lineChart({
    title: `Net prices per slot, ${unit}`,
    x: { kind: 'slots', startMs: data.startMs, slotMinutes: data.slotMinutes },
    yLabel: unit,
    series: data.prices.map((p, i) => ({ name: p.name, values: p.values, strokeWidth: i === 0 ? 2 : 1.4 })),
  });
  const ranges = data.prices.map((p) => {
    const { min, max } = extent(p.values);
    return `${p.name}: ${fixed(min, 4)} to ${fixed(max, 4)} ${unit}`;
  });
  return section('Prices', chart + caption(ranges.join('; ')));
}

function residualsSection(data: NegotiationReportData): string {
  const { residuals, tolerance } = data;
  const last = residuals[residuals.length - 1];
  if (last === undefined) return section('Convergence', '<p class="note">No residual history was recorded for this negotiation.</p>');
  const rounds = residuals.map((r) => r.round);
  const chart = lineChart({
    title: 'Primal and dual residuals per round (log scale)',
    x: { kind: 'linear', values: rounds, label: 'Round' },
    yScale: 'log',
    yLabel: 'Relative residual',
    series: [
      { name: 'primal residual', values: residuals.map((r) => r.primal), color: PALETTE[0] },
      { name: 'dual residual', values: residuals.map((r) => r.dual), color: PALETTE[1] },
    ],
    references: [{ label: `tolerance ${tolerance.toExponential(1)}`, value: tolerance }],
  });
  const clamped = residuals.some((r) => r.primal <= 0 || r.dual <= 0) ? ' Residuals of zero are drawn on the bottom of the axis.' : '';
  return section(
    'Convergence',
    chart +
      caption(`${residuals.length} rounds recorded; last round ${last.round}: primal ${last.primal.toExponential(2)}, dual ${last.dual.toExponential(2)}, tolerance ${tolerance.toExponential(1)}.${clamped}`),
  );
}

function peak(values: readonly number[], sign: 1 | -1): { readonly kw: number; readonly slot: number } {
  let slot = 0;
  values.forEach((v, i) => {
    if (sign * v > sign * values[slot]!) slot = i;
  });
  return { kw: Math.max(0, sign * values[slot]!), slot };
}

function gridSection(data: NegotiationReportData): string {
  const slotMs = data.slotMinutes * MINUTE_MS;
  const hours = data.slotMinutes / 60;
  const series: ChartSeries[] = [{ name: 'negotiated exchange', values: data.gridKw, color: PALETTE[0], strokeWidth: 2 }];
  if (data.gridComparison !== undefined) {
    series.push({ name: data.gridComparison.name, values: data.gridComparison.values, color: '#777777', strokeWidth: 1.4, dashed: true });
  }
  const references = [];
  if (data.importLimitKw !== undefined) references.push({ label: `import limit ${fixed(data.importLimitKw, 1)} kW`, value: data.importLimitKw, color: '#B00020' });
  if (data.exportLimitKw !== undefined) references.push({ label: `export limit ${fixed(data.exportLimitKw, 1)} kW`, value: -data.exportLimitKw, color: '#6A1B9A' });
  const chart = lineChart({
    title: 'Community exchange with the grid per slot, kW (+ import, \u2212 export)',
    x: { kind: 'slots', startMs: data.startMs, slotMinutes: data.slotMinutes },
    yLabel: 'kW (+ import, \u2212 export)',
    series,
    references,
    includeZero: true,
  });
  const imp = peak(data.gridKw, 1);
  const exp = peak(data.gridKw, -1);
  const importedKwh = data.gridKw.reduce((sum, v) => sum + Math.max(0, v), 0) * hours;
  const exportedKwh = data.gridKw.reduce((sum, v) => sum + Math.max(0, -v), 0) * hours;
  const at = (slot: number) => utc(data.startMs + slot * slotMs).slice(11);
  return section(
    'Grid exchange',
    chart +
      caption(
        `Peak import ${fixed(imp.kw, 1)} kW at ${at(imp.slot)}, peak export ${fixed(exp.kw, 1)} kW at ${at(exp.slot)}; ` +
          `${fixed(importedKwh, 1)} kWh imported, ${fixed(exportedKwh, 1)} kWh exported.`,
      ),
  );
}

function batteriesSection(data: NegotiationReportData, slots: number): string {
  const { batteries } = data;
  const title = 'Batteries and other devices';
  if (batteries.length === 0) return section(title, '<p class="note">No device profiles were reported.</p>');
  const x = { kind: 'slots', startMs: data.startMs, slotMinutes: data.slotMinutes } as const;
  const yLabel = 'kW (+ charging)';
  if (batteries.length === 1) {
    const only = batteries[0]!;
    return section(title, lineChart({ title: `${only.name}, kW (+ charging)`, x, yLabel, series: [{ name: only.name, values: only.values }], includeZero: true }));
  }
  const sum = Array.from({ length: slots }, (_, t) => batteries.reduce((total, b) => total + b.values[t]!, 0));
  // One chart of faint lines under a bold sum on its own scale: 39 small multiples would bury the
  // community's pattern, and on one scale the sum would flatten the devices.
  const series: ChartSeries[] = [
    ...batteries.map((b, i) => ({
      name: b.name,
      values: b.values,
      color: PALETTE[5],
      strokeWidth: 0.8,
      opacity: 0.55,
      legend: i === 0 ? `each device (${batteries.length})` : (false as const),
    })),
    { name: 'sum of all devices', legend: 'sum of all devices (right axis)', values: sum, color: PALETTE[1], strokeWidth: 2.2, axis: 'right' },
  ];
  const chart = lineChart({
    title: `${batteries.length} device profiles and their sum, kW (+ charging)`,
    x,
    yLabel: 'each device, kW (+ charging)',
    yLabelRight: 'sum, kW (+ charging)',
    series,
    includeZero: true,
  });
  const charge = peak(sum, 1);
  const discharge = peak(sum, -1);
  return section(title, chart + caption(`${batteries.length} profiles; their sum peaks at ${fixed(charge.kw, 1)} kW charging and ${fixed(discharge.kw, 1)} kW discharging.`));
}

/** Right-aligns cells that are plain numbers so columns of figures line up. */
const NUMERIC_CELL = /^[-+\u2212]?\d[\d,.]*\s*%?$/;

function vensSection(vens: NonNullable<NegotiationReportData['vens']>): string {
  const head = vens.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const rows = vens.rows.map((row) => `<tr>${row.map((cell) => `<td${NUMERIC_CELL.test(cell) ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`);
  return section('VENs', `<table class="vens"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`);
}

/** Renders the report; throws a RangeError or TypeError naming the first offending field. */
export function renderNegotiationReport(data: NegotiationReportData): string {
  const slots = validate(data);
  const endMs = data.startMs + slots * data.slotMinutes * MINUTE_MS;
  const header =
    `<header><h1>${escapeHtml(data.title)}</h1>` +
    (data.subtitle === undefined ? '' : `<p class="subtitle">${escapeHtml(data.subtitle)}</p>`) +
    `<p class="meta">Schedule ${escapeHtml(utc(data.startMs))} to ${escapeHtml(utc(endMs))}, ${slots} slots of ${escapeHtml(String(data.slotMinutes))} min. ` +
    `Generated ${escapeHtml(data.generatedAt)}.</p></header>`;
  const body = [
    header,
    section('Key figures', data.figures.length === 0 ? '<p class="note">No key figures were given.</p>' : figuresTable(data.figures)),
    pricesSection(data),
    residualsSection(data),
    gridSection(data),
    batteriesSection(data, slots),
    data.vens === undefined ? '' : vensSection(data.vens),
    '<footer>oadr-kit negotiation report. Times are UTC; slot values hold for the whole slot.</footer>',
  ].join('\n');
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>\n<meta name="viewport" content="width=device-width, initial-scale=1"/>\n' +
    `<title>${escapeHtml(data.title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n${body}\n</body>\n</html>\n`
  );
}
