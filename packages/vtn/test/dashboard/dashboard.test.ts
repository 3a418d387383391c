import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import type { NegotiationOutcome } from '../../src/index.js';
import { expectType, startHarness, type Harness } from '../helpers/harness.js';
import { ScriptedVen, SLOTS, START } from '../helpers/scriptedVen.js';

/** Debian's chromium (what .ci/run installs); OADR_CHROMIUM points the tests at another build. */
const CHROMIUM = process.env.OADR_CHROMIUM ?? '/usr/bin/chromium';
const TOKEN = 'test-token-0123456789';
const ARTIFACTS = join(__dirname, '..', '..', '..', '..', 'test-artifacts', 'dashboard');
const WAIT_MS = 5000;

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) process.stderr.write(`dashboard browser tests did not run: no chromium at ${CHROMIUM} (.ci/run installs it with apt-get install chromium)\n`);
const describeInBrowser = haveChromium ? describe : describe.skip;

/** Polls a condition of the test's own side (a scripted VEN, the API) with a bound. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits (bounded) until an element's text is, or matches, what the user should read there. */
async function seeText(locator: Locator, expected: string | RegExp): Promise<void> {
  let text: string | null = null;
  await until(`${locator.toString()} reads ${String(expected)}`, async () => {
    text = await locator.textContent();
    return typeof expected === 'string' ? text === expected : text !== null && expected.test(text);
  }).catch((error: Error) => {
    throw new Error(`${error.message}; it read ${JSON.stringify(text)}`);
  });
}

describe('the dashboard files', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  test('serves its files and uPlot without a token, and the API still wants one', async () => {
    const root = await fetch(`${h.vtn.adminUrl}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/dashboard/']);
    for (const [file, type] of [
      ['', 'text/html'],
      ['app.js', 'text/javascript'],
      ['vendor/uPlot.iife.min.js', 'text/javascript'],
      ['vendor/uPlot.min.css', 'text/css'],
    ] as const) {
      const response = await fetch(`${h.vtn.adminUrl}/dashboard/${file}`);
      expect([file, response.status, response.headers.get('content-type')?.split(';')[0]]).toEqual([file, 200, type]);
    }
    const page = await fetch(`${h.vtn.adminUrl}/dashboard/`);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self';/);
    const uplot = await fetch(`${h.vtn.adminUrl}/dashboard/vendor/uPlot.iife.min.js`);
    expect(Buffer.from(await uplot.arrayBuffer()).equals(readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js')))).toBe(true);
    expect((await fetch(`${h.vtn.adminUrl}/dashboard/../admin/v1/vens`)).status).toBe(401);
    expect((await fetch(`${h.vtn.adminUrl}/dashboard/vtn.db`)).status).toBe(404);
  });
});

describeInBrowser('the VTN dashboard in a browser', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let vens: ScriptedVen[];
  const pageErrors: string[] = [];
  let dashboard: string;

  const shoot = async (name: string): Promise<void> => {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHarness();
    await h.admin('POST', '/admin/v1/programs', { programID: 'community', name: 'Community', marketContext: 'http://market.example.com/community' });
    vens = [0, 1, 2].map((i) => new ScriptedVen(h, i));
    for (const ven of vens) await ven.register();
    for (const ven of vens) ven.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 15_000 });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(WAIT_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    dashboard = `${h.vtn.adminUrl}/dashboard/`;
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all((vens ?? []).map((ven) => ven.stop()));
    await h?.close();
  });

  test('a wrong token gets the login page with a message, and no data', async () => {
    await page.goto(dashboard);
    await page.locator('#login-form').waitFor();
    await page.evaluate(() => sessionStorage.setItem('oadr-kit-admin-token', 'a-wrong-token'));
    await page.goto(`${dashboard}#/vens`);
    await seeText(page.locator('#login-message'), /refused the admin token/);
    await page.fill('#token', 'another-wrong-token');
    await page.click('#login-form button[type=submit]');
    await seeText(page.locator('#token-error'), 'The VTN refused this token.');
    expect(await page.locator('#vens').count()).toBe(0);
    const text = (await page.textContent('body')) ?? '';
    for (const ven of vens) expect(text).not.toContain(ven.venID);
    expect(await page.evaluate(() => sessionStorage.getItem('oadr-kit-admin-token'))).toBeNull();
    await shoot('login');
  });

  test('logs in and lists the registered VENs with their opts and when each was last seen', async () => {
    // The opt is the only request at this second, so only its VEN can show it as last seen.
    const before = h.clock.now;
    h.clock.now = before + 1_000;
    const opt = await h.post('EiOpt', {
      type: 'oadrCreateOpt',
      body: {
        optID: 'maintenance',
        optType: 'optOut',
        optReason: 'notParticipating',
        marketContext: 'http://market.example.com/dr',
        venID: vens[1]!.venID,
        vavailability: [{ dtstart: '2026-11-28T08:00:00Z', duration: 'PT2H' }],
        createdDateTime: '2026-11-27T12:00:00Z',
        requestID: 'opt-maintenance',
        eiTarget: { resourceID: ['battery-1'] },
      },
    });
    h.clock.now = before;
    expect(expectType(opt.message, 'oadrCreatedOpt').eiResponse.responseCode).toBe('200');
    await page.fill('#token', TOKEN);
    await page.click('#login-form button[type=submit]');
    await page.locator('#vens').waitFor();
    for (const ven of vens) {
      const row = page.locator(`#vens tr[data-ven="${ven.venID}"]`);
      await seeText(row.locator('td').nth(1), 'registered');
      await seeText(row.locator('td').nth(4), 'pull');
      if (ven === vens[1]) await seeText(row.locator('td').nth(7), new Date(before + 1_000).toISOString().replace('.000Z', 'Z').replace('T', ' '));
      await seeText(row.locator('td').nth(8), ven === vens[1] ? 'optOut (schedule, notParticipating)' : '—');
    }
    await shoot('vens');
  });

  test('creates an event through the form, after refusing bad fields next to them, and a VEN gets it', async () => {
    await page.click('a[href="#/events"]');
    await page.locator('#create-event').waitFor();
    await page.fill('#create-marketContext', 'http://market.example.com/dr');
    await page.fill('#create-dtstart', '2026-11-27T13:00:00Z');
    await page.fill('#create-duration', 'two hours');
    await page.fill('#create-venIDs', vens[0]!.venID);
    await page.click('#create-event button[type=submit]');
    // Checked in the page: the message sits by the field and nothing reached the VTN.
    await seeText(page.locator('#create-duration-error'), /ISO 8601 duration/);
    await expect(page.getAttribute('#create-duration', 'aria-invalid')).resolves.toBe('true');
    expect((await h.admin('GET', '/admin/v1/events')).json).toEqual([]);

    // Checked by the VTN: its `details` name the field, and the page puts the message there.
    await page.fill('#create-duration', 'PT1H');
    await page.fill('#create-eventID', 'e'.repeat(300));
    await page.click('#create-event button[type=submit]');
    await seeText(page.locator('#create-eventID-error'), /^The VTN says: must NOT have more than 256 characters/);
    await seeText(page.locator('#create-duration-error'), '');
    expect((await h.admin('GET', '/admin/v1/events')).json).toEqual([]);

    await page.fill('#create-eventID', 'dashboard-event-1');
    await page.fill('#create-value', '2');
    await page.click('#create-event button[type=submit]');
    await page.waitForURL(/#\/events\/dashboard-event-1$/);
    await until('the VEN has the event', () => vens[0]!.events.has('dashboard-event-1'));
    expect(vens[0]!.events.get('dashboard-event-1')).toEqual({ modificationNumber: 0, status: 'far' });
    expect(vens[1]!.events.has('dashboard-event-1')).toBe(false);
    // The page refreshes the per-VEN table by itself as the VEN polls and answers.
    const row = page.locator(`#deliveries tr[data-ven="${vens[0]!.venID}"]`);
    await seeText(row.locator('td.delivery'), 'delivered (mod. 0)');
    await seeText(row.locator('td.opt'), 'optIn');
    await seeText(page.locator('#event-status'), 'far');
    await shoot('event');

    // Modify: the VEN sees the new modification with the new level.
    await page.fill('#modify-value', '3');
    await page.fill('#modify-modificationReason', 'deeper shed');
    await page.click('#modify-event button[type=submit]');
    await until('the VEN has modification 1', () => vens[0]!.events.get('dashboard-event-1')?.modificationNumber === 1);
    const modified = (await h.admin('GET', '/admin/v1/events/dashboard-event-1')).json as { modificationReason: string; spec: { signals: { intervals: { signalPayload: number }[] }[] } };
    expect(modified.modificationReason).toBe('deeper shed');
    expect(modified.spec.signals[0]!.intervals[0]!.signalPayload).toBe(3);
    await seeText(page.locator('#event-modification'), '1 (deeper shed)');

    // Cancel: the VEN sees the cancellation.
    await page.fill('#cancel-reason', 'not needed');
    await page.click('#cancel-event button[type=submit]');
    await seeText(page.locator('#event-status'), 'cancelled');
    await until('the VEN sees the cancellation', () => vens[0]!.events.get('dashboard-event-1')?.status === 'cancelled');

    await page.click('a[href="#/events"]');
    await seeText(page.locator('#events tr[data-event="dashboard-event-1"] td').nth(1), 'cancelled');
    await shoot('events');
  });

  test('watches a negotiation run and converge', async () => {
    for (const ven of vens) ven.paused = true;
    const created = await h.admin('POST', '/admin/v1/negotiations', {
      programID: 'community',
      start: START,
      slots: SLOTS,
      slotMinutes: 60,
      venIDs: vens.map((v) => v.venID),
      grid: { importPrice: 0.25, exportPrice: 0.05, quadraticCost: 0.01, importLimitKw: 12, exportLimitKw: 12, transformerKw: 4 },
      tolerance: 1e-3,
      roundDeadlineMs: 5000,
    });
    expect(created.status).toBe(201);
    const { sessionID } = created.json as { sessionID: string };

    await page.click('a[href="#/negotiations"]');
    await page.click(`#negotiations a[href="#/negotiations/${sessionID}"]`);
    await seeText(page.locator('#session-status'), 'running');
    // Running: the page polls every second and draws as the rounds come in.
    for (const ven of vens) ven.paused = false;
    await page.locator('#session-status:text-is("agreed")').waitFor({ timeout: 20_000 });
    await until('every VEN has the agreed schedule', () => vens.every((v) => v.agreed !== undefined));

    const session = (await h.admin('GET', `/admin/v1/negotiations/${sessionID}`)).json as { rounds: number; outcome: NegotiationOutcome };
    await seeText(page.locator('#session-summary'), new RegExp(`^${session.rounds} rounds`));
    for (const key of ['residuals', 'round-prices', 'prices', 'grid', 'schedule']) {
      expect(await page.locator(`[data-chart="${key}"] canvas`).count()).toBe(1);
    }
    // The residual chart has one point per round, on a log axis.
    const residuals = await page.evaluate(() => document.querySelector('[data-chart="residuals"] .u-title')?.textContent);
    expect(residuals).toBe('Relative residuals per round');
    const table = page.locator('#agreed-schedule');
    expect(await table.locator('tbody tr').count()).toBe(SLOTS);
    const headers = await table.locator('thead th').allTextContents();
    expect(headers.slice(3).sort()).toEqual(vens.map((v) => v.venID).sort());
    const firstRow = await table.locator('tbody tr').first().locator('td').allTextContents();
    expect(Number(firstRow[2])).toBeCloseTo(session.outcome.gridImportKw[0]!, 3);
    headers.slice(3).forEach((venID, i) => expect(Number(firstRow[3 + i])).toBeCloseTo(session.outcome.profiles[venID]![0]!, 3));
    // The transformer limit is drawn against the import.
    const series = await page.locator('[data-chart="grid"] .u-legend .u-label').allTextContents();
    expect(series).toEqual(expect.arrayContaining(['transformer limit', 'agreed import (−: export)']));
    await shoot('negotiation');
    await page.click('a[href="#/negotiations"]');
    await seeText(page.locator(`#negotiations tr[data-session="${sessionID}"] td`).nth(1), 'agreed');
    await shoot('negotiations');
  });

  test('shows the latest report per VEN and charts a data point over time', async () => {
    await page.click('a[href="#/reports"]');
    await page.locator('#reports').waitFor();
    for (const ven of vens) {
      await seeText(page.locator(`#reports tr[data-ven="${ven.venID}"] td`).nth(1), 'x-PROJECTED_USAGE');
    }
    await expect(page.locator('#report-rid').inputValue()).resolves.toBe('projection');
    expect(await page.locator('#report-chart canvas').count()).toBe(1);
    await page.selectOption('#report-ven', vens[2]!.venID);
    await seeText(page.locator('#report-chart .u-title'), `${vens[2]!.venID}: projection`);
    await shoot('reports');
    await page.click('#logout');
    await page.locator('#login-form').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
