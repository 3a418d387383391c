import { XMLValidator } from 'fast-xml-parser';
import { renderNegotiationReport, type NegotiationReportData } from '../src/report/negotiationReport.js';
import { lineChart, niceTicks } from '../src/report/svgChart.js';

const SLOTS = 96;
const START = Date.UTC(2026, 10, 26, 22, 0);

/** A day shaped like the demo's: a midday PV surplus, evening peak, batteries soaking up the surplus. */
function report(overrides: Partial<NegotiationReportData> = {}, houses = 39, rounds = 152): NegotiationReportData {
  const hourOf = (t: number) => (22 + t / 4) % 24;
  const solar = (t: number) => Math.max(0, Math.sin(((hourOf(t) - 6) / 12) * Math.PI));
  const batteries = Array.from({ length: houses }, (_, h) => ({
    name: `house-${h + 1}`,
    values: Array.from({ length: SLOTS }, (_, t) => (h % 3 === 0 ? 0 : Math.round((3 * solar(t) - (hourOf(t) > 18 ? 2 : 0)) * (1 + h / 40) * 100) / 100)),
  }));
  return {
    title: 'Woerden community, day-ahead',
    subtitle: '39 VENs over mutual TLS, converged in 152 rounds',
    generatedAt: '2026-11-26T21:00:00Z',
    figures: [
      { label: 'Converged', value: 'yes, 152 rounds', ok: true },
      { label: 'Import limit held', value: '38.9 of 39 kW', ok: true },
      { label: 'Rounds missed', value: '3', ok: false },
      { label: 'Cost', value: '41.20 EUR' },
    ],
    startMs: START,
    slotMinutes: 15,
    currency: 'EUR',
    prices: [
      { name: 'community price', values: Array.from({ length: SLOTS }, (_, t) => 0.25 - 0.15 * solar(t)) },
      { name: 'upstream price', values: Array.from({ length: SLOTS }, (_, t) => (hourOf(t) >= 7 && hourOf(t) < 23 ? 0.3 : 0.22)) },
    ],
    residuals: Array.from({ length: rounds }, (_, i) => ({ round: i + 1, primal: 0.5 * 0.95 ** i, dual: 0.2 * 0.96 ** i })),
    tolerance: 1e-4,
    gridKw: Array.from({ length: SLOTS }, (_, t) => 30 - 60 * solar(t)),
    importLimitKw: 39,
    exportLimitKw: 50,
    gridComparison: { name: 'every house alone', values: Array.from({ length: SLOTS }, (_, t) => 45 - 90 * solar(t)) },
    batteries,
    vens: {
      columns: ['VEN', 'Energy (kWh)', 'Peak (kW)', 'Rounds answered', 'Rounds missed'],
      rows: batteries.map((b, h) => [b.name, (10 + h).toFixed(1), '3.2', '152', '0']),
    },
    ...overrides,
  };
}

function svgBlocks(html: string): string[] {
  return html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
}

/** The sections by heading, each with its markup, so counts can be checked chart by chart. */
function sections(html: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of html.matchAll(/<section><h2>([^<]*)<\/h2>([\s\S]*?)<\/section>/g)) found.set(match[1]!, match[2]!);
  return found;
}

function count(text: string, pattern: RegExp): number {
  return (text.match(pattern) ?? []).length;
}

/** The x-axis labels of a chart in order: centred text under the plot, excluding the axis title. */
function xLabels(svg: string): string[] {
  return [...svg.matchAll(/<text [^>]*text-anchor="middle">(\d\d:\d\d)<\/text>/g)].map((m) => m[1]!);
}

describe('renderNegotiationReport', () => {
  const html = renderNegotiationReport(report());

  test('is a complete, well-formed document with every SVG chart well-formed XML', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8"/>');
    expect(html).toContain('<title>Woerden community, day-ahead</title>');
    expect(html.trimEnd().endsWith('</body>\n</html>')).toBe(true);
    expect(XMLValidator.validate(html)).toBe(true);
    const svgs = svgBlocks(html);
    expect(svgs).toHaveLength(4);
    for (const svg of svgs) expect(XMLValidator.validate(svg)).toBe(true);
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });

  test('has one chart per section with one line per series, plus the batteries sum', () => {
    const bySection = sections(html);
    expect([...bySection.keys()]).toEqual(['Key figures', 'Prices', 'Convergence', 'Grid exchange', 'Batteries and other devices', 'VENs']);
    const expected: Record<string, number> = { Prices: 2, Convergence: 2, 'Grid exchange': 2, 'Batteries and other devices': 40 };
    for (const [name, lines] of Object.entries(expected)) {
      const body = bySection.get(name)!;
      expect(count(body, /<svg /g)).toBe(1);
      expect(count(body, /<polyline /g)).toBe(lines);
    }
    // The tolerance and both grid limits are dashed reference lines, not series.
    expect(count(bySection.get('Convergence')!, /<line [^>]*stroke-dasharray[^>]*><title>/g)).toBe(1);
    expect(count(bySection.get('Grid exchange')!, /<line [^>]*stroke-dasharray[^>]*><title>/g)).toBe(2);
    expect(bySection.get('Grid exchange')).toContain('export limit 50.0 kW');
    expect(bySection.get('Batteries and other devices')).toContain('each device (39)');
  });

  test('needs nothing from the network and runs no scripts', () => {
    const withoutNamespace = html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '');
    expect(withoutNamespace).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|url\(|@import/i);
  });

  test('labels the time axis with UTC hours of day from startMs', () => {
    const labels = xLabels(svgBlocks(html)[0]!);
    expect(labels.slice(0, 3)).toEqual(['22:00', '00:00', '02:00']);
    expect(labels[labels.length - 1]).toBe('22:00');
    const halfPast = xLabels(svgBlocks(renderNegotiationReport(report({ startMs: START + 30 * 60_000 })))[0]!);
    expect(halfPast[0]).toBe('00:00');
    expect(html).toContain('Schedule 2026-11-26 22:00 UTC to 2026-11-27 22:00 UTC, 96 slots of 15 min.');
  });

  test('colours key figures by verdict and marks them for greyscale print', () => {
    expect(count(html, /<tr class="ok">/g)).toBe(2);
    expect(count(html, /<tr class="fail"><td class="status">\u2717<\/td>/g)).toBe(1);
    expect(html).toContain('<tr><td class="status"></td><th scope="row">Cost</th>');
  });

  test('escapes HTML in titles, names, figures and table cells', () => {
    const hostile = renderNegotiationReport(
      report({
        title: '<script>alert("x")</script> & co',
        subtitle: '<i>sub</i>',
        figures: [{ label: '<b>label</b>', value: "it's <1%" }],
        prices: [{ name: '<img src=x>', values: Array.from({ length: SLOTS }, () => 0.2) }],
        vens: { columns: ['<u>VEN</u>'], rows: [['<em>house</em>']] },
      }),
    );
    expect(hostile).not.toMatch(/<script|<i>|<b>|<img|<u>|<em>/);
    expect(hostile).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; co');
    expect(hostile).toContain('it&#39;s &#60;1%');
    for (const svg of svgBlocks(hostile)) expect(XMLValidator.validate(svg)).toBe(true);
  });

  test('clamps zero and negative residuals to the bottom of the log axis', () => {
    const residuals = [
      { round: 1, primal: 1, dual: 0.1 },
      { round: 2, primal: 0, dual: 1e-3 },
      { round: 3, primal: 1e-5, dual: -1e-9 },
    ];
    const out = renderNegotiationReport(report({ residuals }));
    const svg = svgBlocks(out)[1]!;
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(out).not.toMatch(/NaN|Infinity/);
    expect(out).toContain('Residuals of zero are drawn on the bottom of the axis.');
  });

  test('puts a note where there is nothing to chart', () => {
    const out = renderNegotiationReport(report({ residuals: [], batteries: [], vens: undefined, gridComparison: undefined }));
    expect(out).toContain('No residual history was recorded');
    expect(out).toContain('No device profiles were reported.');
    expect(svgBlocks(out)).toHaveLength(2);
    expect(count(sections(out).get('Grid exchange')!, /<polyline /g)).toBe(1);
    expect(sections(out).has('VENs')).toBe(false);
    const single = renderNegotiationReport(report({}, 1));
    expect(count(sections(single).get('Batteries and other devices')!, /<polyline /g)).toBe(1);
  });

  test.each<[string, Partial<NegotiationReportData>, RegExp]>([
    ['empty prices', { prices: [] }, /^prices must hold at least one series/],
    ['prices of no slots', { prices: [{ name: 'p', values: [] }] }, /^prices\[0\] must hold at least one slot/],
    ['a price series of the wrong length', { prices: [report().prices[0]!, { name: 'upstream', values: [0.2] }] }, /^prices\[1\] \("upstream"\)\.values has 1 values, expected 96/],
    ['gridKw of the wrong length', { gridKw: [1, 2, 3] }, /^gridKw has 3 values, expected 96/],
    ['a short comparison', { gridComparison: { name: 'alone', values: [1] } }, /^gridComparison \("alone"\)\.values has 1 values/],
    ['a non-finite price', { prices: [{ name: 'p', values: Array.from({ length: SLOTS }, (_, t) => (t === 7 ? NaN : 0.2)) }] }, /^prices\[0\] \("p"\)\.values\[7\] must be finite, got NaN/],
    ['a non-finite battery value', { batteries: [{ name: 'b', values: Array.from({ length: SLOTS }, (_, t) => (t === 5 ? Infinity : 0)) }] }, /^batteries\[0\] \("b"\)\.values\[5\] must be finite/],
    ['a non-finite grid value', { gridKw: Array.from({ length: SLOTS }, (_, t) => (t === 95 ? -Infinity : 0)) }, /^gridKw\[95\] must be finite/],
    ['a NaN residual', { residuals: [{ round: 1, primal: 1, dual: 1 }, { round: 2, primal: NaN, dual: 1 }] }, /^residuals\[1\]\.primal must be finite/],
    ['slotMinutes of zero', { slotMinutes: 0 }, /^slotMinutes must be positive, got 0/],
    ['negative slotMinutes', { slotMinutes: -15 }, /^slotMinutes must be positive, got -15/],
    ['NaN slotMinutes', { slotMinutes: NaN }, /^slotMinutes must be finite/],
    ['a non-finite startMs', { startMs: NaN }, /^startMs must be finite/],
    ['a zero tolerance', { tolerance: 0 }, /^tolerance must be positive/],
    ['a negative limit', { exportLimitKw: -5 }, /^exportLimitKw is a magnitude and must be >= 0/],
    ['a VEN row of the wrong width', { vens: { columns: ['a', 'b'], rows: [['1', '2'], ['3']] } }, /^vens\.rows\[1\] has 1 cells, expected 2/],
  ])('rejects %s with a RangeError naming the field', (_, overrides, message) => {
    expect(() => renderNegotiationReport(report(overrides))).toThrow(RangeError);
    expect(() => renderNegotiationReport(report(overrides))).toThrow(message);
  });

  test('rejects a batteries series of the wrong length, naming the series', () => {
    const data = report();
    const batteries = data.batteries.map((b, i) => (i === 3 ? { name: b.name, values: b.values.slice(1) } : b));
    expect(() => renderNegotiationReport({ ...data, batteries })).toThrow(/^batteries\[3\] \("house-4"\)\.values has 95 values, expected 96$/);
  });

  test('rejects a non-string title with a TypeError', () => {
    const data = { ...report(), title: 42 } as unknown as NegotiationReportData;
    expect(() => renderNegotiationReport(data)).toThrow(new TypeError('title must be a string, got number'));
  });

  test('keeps a full day of 39 batteries and 400 rounds small', () => {
    const big = renderNegotiationReport(report({}, 39, 400));
    expect(Buffer.byteLength(big, 'utf8')).toBeLessThan(1.5 * 1024 * 1024);
    for (const svg of svgBlocks(big)) expect(XMLValidator.validate(svg)).toBe(true);
  });
});

describe('lineChart', () => {
  const slots = { kind: 'slots', startMs: START, slotMinutes: 60 } as const;

  test('draws slot data as steps and merges runs of equal slots', () => {
    const svg = lineChart({ title: 't', x: slots, yLabel: 'kW', series: [{ name: 'flat then up', values: [1, 1, 1, 2] }] });
    const points = /points="([^"]*)"/.exec(svg)![1]!.split(' ');
    // Start of the run, end of the run at the old level, the rise, the end of the last slot.
    expect(points).toHaveLength(4);
    expect(points[1]!.split(',')[0]).toBe(points[2]!.split(',')[0]);
    expect(points[0]!.split(',')[1]).toBe(points[1]!.split(',')[1]);
  });

  test('puts nice ticks on linear axes', () => {
    expect(niceTicks(0, 37).ticks).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(-0.13, 0.31).ticks).toEqual([-0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.4]);
    const svg = lineChart({ title: 't', x: slots, yLabel: 'EUR/kWh', series: [{ name: 'p', values: [0.12, 0.31, 0.2] }] });
    expect(svg).toContain('>0.30</text>');
  });

  test('labels decades on log axes and clamps what has no logarithm', () => {
    const svg = lineChart({
      title: 'residuals',
      x: { kind: 'linear', values: [1, 2, 3], label: 'Round' },
      yScale: 'log',
      yLabel: 'residual',
      series: [{ name: 'r', values: [1, 1e-7, 0] }],
      references: [{ label: 'tolerance', value: 1e-4 }],
    });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('>10\u207B\u2077</text>');
    expect(svg).toContain('>0.01</text>');
    const [, second, third] = /points="([^"]*)"/.exec(svg)![1]!.match(/[\d.]+,[\d.]+/g)!.map((p) => p.split(',')[1]);
    expect(third).toBe(second);
  });

  test('shows each legend entry once and leaves out series marked legend: false', () => {
    const svg = lineChart({
      title: 't',
      x: slots,
      yLabel: 'kW',
      series: [
        { name: 'a', values: [1, 2], legend: 'each device (2)' },
        { name: 'b', values: [2, 1], legend: false },
      ],
      references: [{ label: 'limit', value: 3 }],
    });
    const legend = /<g class="legend">([\s\S]*?)<\/g>/.exec(svg)![1]!;
    expect([...legend.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(['each device (2)', 'limit']);
  });

  test('scales a right-hand axis by a round multiple so it shares gridlines and zero with the left', () => {
    const svg = lineChart({
      title: 't',
      x: slots,
      yLabel: 'each, kW',
      yLabelRight: 'sum, kW',
      series: [
        { name: 'each', values: [-2, 4] },
        { name: 'sum', values: [-60, 110], axis: 'right' },
      ],
    });
    const left = [...svg.matchAll(/<text [^>]*text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]);
    const right = [...svg.slice(svg.indexOf('</g>')).matchAll(/<text x="[\d.]+" y="[\d.]+">([^<]*)<\/text>/g)].map((m) => m[1]);
    // 110 / 4 rounds up to a factor of 50.
    expect(left).toEqual(['\u22122', '0', '2', '4']);
    expect(right).toEqual(['\u2212100', '0', '100', '200']);
    expect(svg).toContain('>sum, kW</text>');
    expect(() => lineChart({ title: 't', x: slots, yScale: 'log', yLabel: 'r', series: [{ name: 'r', values: [1], axis: 'right' }] })).toThrow(/right-hand axis/);
  });

  test('rejects series of unequal length and a non-positive slot length', () => {
    expect(() => lineChart({ title: 't', x: slots, yLabel: 'kW', series: [{ name: 'a', values: [1, 2] }, { name: 'b', values: [1] }] })).toThrow(
      /series\[1\] \("b"\)\.values has 1 values, expected 2/,
    );
    expect(() => lineChart({ title: 't', x: { ...slots, slotMinutes: 0 }, yLabel: 'kW', series: [{ name: 'a', values: [1] }] })).toThrow(RangeError);
    expect(() => lineChart({ title: 't', x: slots, yLabel: 'kW', series: [] })).toThrow(/at least one series/);
  });
});
