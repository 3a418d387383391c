import { requireFinite, requireFiniteValues, seriesField } from './validate.js';

/**
 * A line chart as a self-contained SVG string: no scripts, no external fonts or images, so a
 * report embedding it opens offline and prints as it shows on screen.
 */

export type XAxis =
  /** Slot data: a value holds for its whole slot, so lines are drawn as steps; ticks are UTC times of day. */
  | { readonly kind: 'slots'; readonly startMs: number; readonly slotMinutes: number }
  /** Point data at the given x positions (e.g. negotiation rounds). */
  | { readonly kind: 'linear'; readonly values: readonly number[]; readonly label: string };

export interface ChartSeries {
  readonly name: string;
  readonly values: readonly number[];
  readonly color?: string;
  readonly strokeWidth?: number;
  readonly opacity?: number;
  readonly dashed?: boolean;
  /** The legend label; false leaves the series out, so many alike lines can share one entry. */
  readonly legend?: string | false;
  /**
   * Plots against a right-hand axis, for a total beside its parts. Its scale is a round multiple
   * of the left one, so both share gridlines and zero.
   */
  readonly axis?: 'right';
}

export interface ReferenceLine {
  readonly label: string;
  readonly value: number;
  readonly color?: string;
}

export interface LineChartOptions {
  /** Read by screen readers and shown as a tooltip; the visible heading belongs to the page. */
  readonly title: string;
  readonly x: XAxis;
  readonly yScale?: 'linear' | 'log';
  /** Axis title with its unit, e.g. "kW". */
  readonly yLabel: string;
  readonly yLabelRight?: string;
  readonly series: readonly ChartSeries[];
  readonly references?: readonly ReferenceLine[];
  /** Keeps zero on a linear axis so signed data (import/export) reads against it. */
  readonly includeZero?: boolean;
  readonly width?: number;
  readonly plotHeight?: number;
}

/** Colour-blind-safe and distinct in greyscale print (Okabe-Ito). */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'] as const;

const REFERENCE_COLOR = '#555555';
const FONT_SIZE = 11;
/** Average glyph width at FONT_SIZE in a sans-serif face: SVG text cannot be measured without a renderer. */
const CHAR_WIDTH = 6.2;
const MARGIN = { left: 64, right: 18, rightWithAxis: 64, bottom: 40, top: 10 } as const;
const LEGEND_ROW = 18;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One decimal of a pixel is finer than any screen or printer shows and keeps large charts small. */
function px(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** The 1-2-5 step nearest above span/count, so ticks land on numbers people read at a glance. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const mantissa = raw / magnitude;
  const nice = mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10;
  return nice * magnitude;
}

export function niceTicks(min: number, max: number, count = 5): { readonly lo: number; readonly hi: number; readonly ticks: readonly number[] } {
  const step = niceStep(max - min, count);
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  // toPrecision drops the float noise of lo + i * step, so zero is exactly 0 and labels stay short.
  for (let i = 0; lo + i * step <= hi + step * 1e-9; i++) ticks.push(Number((lo + i * step).toPrecision(12)));
  return { lo, hi, ticks };
}

function decimalsFor(step: number): number {
  return Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
}

function formatLinear(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text.replace('-', '\u2212');
}

const SUPERSCRIPT: Readonly<Record<string, string>> = {
  '-': '\u207B', '0': '\u2070', '1': '\u00B9', '2': '\u00B2', '3': '\u00B3', '4': '\u2074',
  '5': '\u2075', '6': '\u2076', '7': '\u2077', '8': '\u2078', '9': '\u2079',
};

/** Decades near 1 read better as plain numbers; far ones as powers of ten. */
function formatDecade(exponent: number): string {
  if (exponent >= -2 && exponent <= 3) return formatLinear(10 ** exponent, Math.max(0, -exponent));
  return `10${[...String(exponent)].map((c) => SUPERSCRIPT[c] ?? c).join('')}`;
}

/** A loop rather than Math.min(...values): spreading long histories would overflow the call stack. */
export function extent(values: readonly number[]): { readonly min: number; readonly max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

interface Axis {
  readonly toPx: (value: number) => number;
  readonly ticks: readonly { readonly value: number; readonly label: string }[];
}

function linearYAxis(values: readonly number[], includeZero: boolean, top: number, bottom: number): Axis {
  let { min, max } = extent(values);
  if (includeZero) {
    min = Math.min(min, 0);
    max = Math.max(max, 0);
  }
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const { lo, hi, ticks } = niceTicks(min, max);
  const decimals = decimalsFor(ticks.length > 1 ? ticks[1]! - ticks[0]! : 1);
  return {
    toPx: (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - top),
    ticks: ticks.map((value) => ({ value, label: formatLinear(value, decimals) })),
  };
}

function logYAxis(values: readonly number[], top: number, bottom: number): Axis {
  const positive = extent(values.filter((v) => v > 0));
  let loExp = positive.min === Infinity ? 0 : Math.floor(Math.log10(positive.min));
  let hiExp = positive.max === -Infinity ? 1 : Math.ceil(Math.log10(positive.max));
  if (hiExp === loExp) hiExp += 1;
  const decadesPerTick = Math.max(1, Math.ceil((hiExp - loExp) / 8));
  loExp = Math.floor(loExp / decadesPerTick) * decadesPerTick;
  hiExp = Math.ceil(hiExp / decadesPerTick) * decadesPerTick;
  // Zero and negative residuals (an exact iterate) have no logarithm: they sit on the axis floor.
  const floor = 10 ** loExp;
  const ticks = [];
  for (let e = loExp; e <= hiExp; e += decadesPerTick) ticks.push({ value: 10 ** e, label: formatDecade(e) });
  return {
    toPx: (v) => bottom - ((Math.log10(Math.max(v, floor)) - loExp) / (hiExp - loExp)) * (bottom - top),
    ticks,
  };
}

const MINUTE_MS = 60_000;
const TIME_STEPS_MINUTES = [5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10080];

function hhmm(ms: number): string {
  const date = new Date(ms);
  return `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
}

/** Ticks on whole UTC hours (or minutes) from startMs, aligned to the clock rather than to the first slot. */
function timeXAxis(startMs: number, slotMinutes: number, slots: number, left: number, right: number): Axis {
  const spanMs = slots * slotMinutes * MINUTE_MS;
  const maxTicks = Math.max(2, Math.floor((right - left) / 52));
  const stepMinutes = TIME_STEPS_MINUTES.find((m) => spanMs / (m * MINUTE_MS) <= maxTicks) ?? TIME_STEPS_MINUTES[TIME_STEPS_MINUTES.length - 1]!;
  const stepMs = stepMinutes * MINUTE_MS;
  const ticks = [];
  for (let t = Math.ceil(startMs / stepMs) * stepMs; t <= startMs + spanMs; t += stepMs) ticks.push({ value: t, label: hhmm(t) });
  return { toPx: (t) => left + ((t - startMs) / spanMs) * (right - left), ticks };
}

function linearXAxis(values: readonly number[], left: number, right: number): Axis {
  let { min, max } = extent(values);
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const { ticks } = niceTicks(min, max, Math.max(2, Math.floor((right - left) / 70)));
  const inside = ticks.filter((t) => t >= min && t <= max);
  const decimals = decimalsFor(ticks.length > 1 ? ticks[1]! - ticks[0]! : 1);
  return {
    toPx: (v) => left + ((v - min) / (max - min)) * (right - left),
    ticks: inside.map((value) => ({ value, label: formatLinear(value, decimals) })),
  };
}

/** The 1-2-5 multiple that brings the right-hand values into the left-hand range. */
function rightAxisScale(leftValues: readonly number[], rightValues: readonly number[]): number {
  const leftRange = extent(leftValues.map(Math.abs)).max;
  const rightRange = extent(rightValues.map(Math.abs)).max;
  if (!(rightRange > 0)) return 1;
  return leftRange > 0 ? niceStep(rightRange / leftRange, 1) : niceStep(rightRange, 1);
}

function stepPoints(values: readonly number[], x: (slot: number) => number, y: (v: number) => number): string {
  const points: string[] = [];
  let previous = '';
  values.forEach((value, i) => {
    const level = px(y(value));
    // A run of equal slots is one horizontal segment: idle devices then cost two points, not one per slot.
    if (level === previous) return;
    if (i > 0) points.push(`${px(x(i))},${previous}`);
    points.push(`${px(x(i))},${level}`);
    previous = level;
  });
  points.push(`${px(x(values.length))},${previous}`);
  return points.join(' ');
}

interface LegendEntry {
  readonly label: string;
  readonly color: string;
  readonly width: number;
  readonly dashed: boolean;
}

function layoutLegend(entries: readonly LegendEntry[], left: number, right: number): { readonly svg: string; readonly rows: number } {
  let x = left;
  let row = 0;
  const parts: string[] = [];
  for (const entry of entries) {
    const width = 26 + entry.label.length * CHAR_WIDTH + 18;
    if (x > left && x + width > right) {
      x = left;
      row++;
    }
    const y = MARGIN.top + row * LEGEND_ROW + LEGEND_ROW / 2;
    const dash = entry.dashed ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + 20)}" y2="${px(y)}" stroke="${escapeHtml(entry.color)}" stroke-width="${Math.max(2, entry.width)}"${dash}/>` +
        `<text x="${px(x + 26)}" y="${px(y + 4)}">${escapeHtml(entry.label)}</text>`,
    );
    x += width;
  }
  return { svg: `<g class="legend">${parts.join('')}</g>`, rows: entries.length === 0 ? 0 : row + 1 };
}

/** Renders the chart; throws a RangeError naming the series whose values are missing or not finite. */
export function lineChart(options: LineChartOptions): string {
  const { x, series } = options;
  const references = options.references ?? [];
  const log = options.yScale === 'log';
  const width = options.width ?? 760;
  const plotHeight = options.plotHeight ?? 220;
  if (series.length === 0) throw new RangeError('lineChart series: at least one series is required');
  const length = x.kind === 'linear' ? x.values.length : series[0]!.values.length;
  if (length === 0) throw new RangeError('lineChart series: at least one value is required');
  if (x.kind === 'linear') requireFiniteValues('lineChart x.values', x.values);
  else {
    requireFinite('lineChart x.startMs', x.startMs);
    requireFinite('lineChart x.slotMinutes', x.slotMinutes);
    if (x.slotMinutes <= 0) throw new RangeError(`lineChart x.slotMinutes must be positive, got ${x.slotMinutes}`);
  }
  series.forEach((s, i) => requireFiniteValues(seriesField('lineChart series', i, s.name), s.values, length));
  references.forEach((r, i) => requireFinite(`lineChart references[${i}].value`, r.value));

  const hasRight = series.some((s) => s.axis === 'right');
  if (hasRight && log) throw new RangeError('lineChart: a right-hand axis needs a linear y scale');
  const left = MARGIN.left;
  const right = width - (hasRight ? MARGIN.rightWithAxis : MARGIN.right);
  const colorOf = (s: ChartSeries, i: number) => s.color ?? PALETTE[i % PALETTE.length]!;
  const legend = layoutLegend(
    [
      ...series.flatMap((s, i) =>
        s.legend === false ? [] : [{ label: s.legend ?? s.name, color: colorOf(s, i), width: s.strokeWidth ?? 1.6, dashed: s.dashed === true }],
      ),
      ...references.map((r) => ({ label: r.label, color: r.color ?? REFERENCE_COLOR, width: 1.2, dashed: true })),
    ],
    left,
    right,
  );
  const top = MARGIN.top + legend.rows * LEGEND_ROW + (legend.rows > 0 ? 8 : 0);
  const bottom = top + plotHeight;
  const height = bottom + MARGIN.bottom;

  const leftY = [...series.flatMap((s) => (s.axis === 'right' ? [] : s.values)), ...references.map((r) => r.value)];
  const rightScale = hasRight ? rightAxisScale(leftY, series.flatMap((s) => (s.axis === 'right' ? s.values : []))) : 1;
  const plotted = series.map((s) => (s.axis === 'right' ? s.values.map((v) => v / rightScale) : s.values));
  const allY = [...leftY, ...plotted.flat()];
  const yAxis = log ? logYAxis(allY, top, bottom) : linearYAxis(allY, options.includeZero === true, top, bottom);
  const xAxis = x.kind === 'slots' ? timeXAxis(x.startMs, x.slotMinutes, length, left, right) : linearXAxis(x.values, left, right);
  const polylinePoints =
    x.kind === 'slots'
      ? (values: readonly number[]) => stepPoints(values, (slot) => xAxis.toPx(x.startMs + slot * x.slotMinutes * MINUTE_MS), yAxis.toPx)
      : (values: readonly number[]) => values.map((v, j) => `${px(xAxis.toPx(x.values[j]!))},${px(yAxis.toPx(v))}`).join(' ');

  const parts: string[] = [];
  const rightDecimals = decimalsFor(yAxis.ticks.length > 1 ? (yAxis.ticks[1]!.value - yAxis.ticks[0]!.value) * rightScale : rightScale);
  for (const tick of yAxis.ticks) {
    const y = px(yAxis.toPx(tick.value));
    if (hasRight) {
      parts.push(`<text x="${px(right + 6)}" y="${px(yAxis.toPx(tick.value) + 4)}">${escapeHtml(formatLinear(tick.value * rightScale, rightDecimals))}</text>`);
    }
    // Zero is drawn darker: on signed charts it divides import from export, charging from discharging.
    const stroke = !log && tick.value === 0 ? '#888888' : '#e3e3e3';
    parts.push(`<line x1="${left}" y1="${y}" x2="${px(right)}" y2="${y}" stroke="${stroke}"/>`);
    parts.push(`<text x="${left - 6}" y="${px(yAxis.toPx(tick.value) + 4)}" text-anchor="end">${escapeHtml(tick.label)}</text>`);
  }
  for (const tick of xAxis.ticks) {
    const xp = px(xAxis.toPx(tick.value));
    parts.push(`<line x1="${xp}" y1="${px(top)}" x2="${xp}" y2="${px(bottom)}" stroke="#f0f0f0"/>`);
    parts.push(`<line x1="${xp}" y1="${px(bottom)}" x2="${xp}" y2="${px(bottom + 4)}" stroke="#333333"/>`);
    parts.push(`<text x="${xp}" y="${px(bottom + 16)}" text-anchor="middle">${escapeHtml(tick.label)}</text>`);
  }
  parts.push(`<rect x="${left}" y="${px(top)}" width="${px(right - left)}" height="${plotHeight}" fill="none" stroke="#333333"/>`);
  const xTitle = x.kind === 'slots' ? 'Time of day (UTC)' : x.label;
  parts.push(`<text x="${px((left + right) / 2)}" y="${px(bottom + 34)}" text-anchor="middle">${escapeHtml(xTitle)}</text>`);
  const yMid = px((top + bottom) / 2);
  parts.push(`<text x="14" y="${yMid}" text-anchor="middle" transform="rotate(-90 14 ${yMid})">${escapeHtml(options.yLabel)}</text>`);
  if (hasRight && options.yLabelRight !== undefined) {
    const xr = width - 14;
    parts.push(`<text x="${xr}" y="${yMid}" text-anchor="middle" transform="rotate(90 ${xr} ${yMid})">${escapeHtml(options.yLabelRight)}</text>`);
  }

  series.forEach((s, i) => {
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : '';
    const opacity = s.opacity === undefined ? '' : ` stroke-opacity="${s.opacity}"`;
    parts.push(
      `<polyline fill="none" stroke="${escapeHtml(colorOf(s, i))}" stroke-width="${s.strokeWidth ?? 1.6}"${opacity}${dash} stroke-linejoin="round" points="${polylinePoints(plotted[i]!)}"><title>${escapeHtml(s.name)}</title></polyline>`,
    );
  });
  for (const r of references) {
    const y = px(yAxis.toPx(r.value));
    parts.push(
      `<line x1="${left}" y1="${y}" x2="${px(right)}" y2="${y}" stroke="${escapeHtml(r.color ?? REFERENCE_COLOR)}" stroke-width="1.2" stroke-dasharray="6 4"><title>${escapeHtml(r.label)}</title></line>`,
    );
  }

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${px(height)}" width="${width}" height="${px(height)}" role="img" aria-label="${escapeHtml(options.title)}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT_SIZE}" fill="#222222">` +
    `<title>${escapeHtml(options.title)}</title>${legend.svg}${parts.join('')}</svg>`
  );
}
