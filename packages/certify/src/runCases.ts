import { CaseFailure, CaseSkipped, type CaseResult, type CertificationCase } from './CertificationCase.js';

export interface RunCasesOptions {
  /** Case ids or patterns with `*` (e.g. `N1_*`, `E1_1020_TH_VEN`); all cases when empty. */
  readonly select?: readonly string[];
  /** Limit per case in ms, unless the case sets its own (default 30 s). */
  readonly timeoutMs?: number;
  /** Called after each case, e.g. to print progress. */
  readonly onResult?: (result: CaseResult) => void;
  readonly clock?: () => number;
}

/** Whether a case id matches a selector: an exact id or a pattern where `*` stands for anything. */
export function matchesSelector(id: string, selector: string): boolean {
  const pattern = new RegExp(`^${selector.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return pattern.test(id);
}

/**
 * Runs the selected cases one after the other (they share one device under test) and never throws:
 * a case that fails, throws or overruns its limit is recorded and the next one runs.
 */
export async function runCases<Context>(
  cases: readonly CertificationCase<Context>[],
  context: Context,
  options: RunCasesOptions = {},
): Promise<CaseResult[]> {
  const selectors = options.select ?? [];
  const now = options.clock ?? (() => performance.now());
  const results: CaseResult[] = [];
  for (const testCase of cases) {
    const selected = selectors.length === 0 || selectors.some((s) => matchesSelector(testCase.id, s));
    const unavailable = selected ? testCase.unavailable?.(context) : 'not selected';
    const result =
      unavailable === undefined
        ? await runOne(testCase, context, testCase.timeoutMs ?? options.timeoutMs ?? 30_000, now)
        : { id: testCase.id, title: testCase.title, outcome: 'skipped' as const, reason: unavailable, findings: [], durationMs: 0 };
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

async function runOne<Context>(testCase: CertificationCase<Context>, context: Context, timeoutMs: number, now: () => number): Promise<CaseResult> {
  const started = now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const base = { id: testCase.id, title: testCase.title };
  try {
    const running = testCase.run(context, controller.signal).then(() => 'done' as const);
    // A case that overran is abandoned; whatever it throws once aborted must not go unhandled.
    running.catch(() => undefined);
    const finished = await Promise.race([running, timeout]);
    if (finished === 'timeout') {
      controller.abort();
      return { ...base, outcome: 'timeout', reason: `no result within ${timeoutMs} ms`, findings: [], durationMs: now() - started };
    }
    return { ...base, outcome: 'passed', reason: '', findings: [], durationMs: now() - started };
  } catch (error) {
    const durationMs = now() - started;
    if (error instanceof CaseFailure) return { ...base, outcome: 'failed', reason: error.message, findings: error.findings, durationMs };
    if (error instanceof CaseSkipped) return { ...base, outcome: 'skipped', reason: error.message, findings: [], durationMs };
    const reason = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
    return { ...base, outcome: 'error', reason, findings: [], durationMs };
  } finally {
    clearTimeout(timer);
  }
}

/** Totals per outcome, and whether the run as a whole passed (nothing failed, errored or timed out). */
export function summarize(results: readonly CaseResult[]): Record<CaseResult['outcome'], number> & { passed: number; ok: boolean } {
  const counts = { passed: 0, failed: 0, error: 0, timeout: 0, skipped: 0 };
  for (const r of results) counts[r.outcome]++;
  return { ...counts, ok: counts.failed + counts.error + counts.timeout === 0 };
}
