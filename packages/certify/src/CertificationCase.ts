import type { ConformanceFinding } from '@oadr-kit/protocol';

/** Which side the device under test plays: a VTN (we play a VEN) or a VEN (we play a VTN). */
export type DeviceRole = 'vtn' | 'ven';
export type ExchangeModel = 'push' | 'pull';

/**
 * One test case, named as the Alliance's harness names it (`N1_0010_TH_VEN`: registration, pull,
 * number, the harness plays a VEN). A case states what it sends, what it expects and which rules it
 * checks; `run` throws a CaseFailure when the device under test does something else.
 */
export interface CertificationCase<Context> {
  readonly id: string;
  readonly title: string;
  readonly role: DeviceRole;
  readonly model: ExchangeModel;
  /** Conformance rules and checklist items the case checks, for the report. */
  readonly checks: readonly string[];
  /** Default per-case limit; the runner's option overrides it. */
  readonly timeoutMs?: number;
  /** Why the case cannot run against this context (the report shows it skipped with the reason). */
  unavailable?(context: Context): string | undefined;
  run(context: Context, signal: AbortSignal): Promise<void>;
}

/** The device under test did something the case does not accept. */
export class CaseFailure extends Error {
  readonly findings: readonly ConformanceFinding[];

  constructor(reason: string, findings: readonly ConformanceFinding[] = []) {
    super(reason);
    this.name = 'CaseFailure';
    this.findings = findings;
  }
}

/** The case could not go on for a reason that is nobody's fault (e.g. the operator chose to skip a step): reported skipped. */
export class CaseSkipped extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CaseSkipped';
  }
}

export type CaseOutcome = 'passed' | 'failed' | 'error' | 'timeout' | 'skipped';

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  readonly outcome: CaseOutcome;
  /** Why it did not pass: the first thing that went wrong, in one line. */
  readonly reason: string;
  readonly findings: readonly ConformanceFinding[];
  readonly durationMs: number;
}
