/**
 * The same cases against a VTN in push mode (model digit 0: `N0_5010_TH_VEN` ...). The harness VEN
 * registers its mutual-TLS listener as oadrTransportAddress; each case body runs unchanged, taking
 * what the VTN pushes where a pull VEN polls and answering a push in its HTTP response. Cases about
 * polling itself (G1_4011, G1_4015) have no push variant.
 */
import type { CertificationCase } from '../CertificationCase.js';
import { VTN_PULL_CASES } from './pullCases.js';
import type { VtnUnderTest } from './VtnUnderTest.js';

type VtnCase = CertificationCase<VtnUnderTest>;

/** An empty poll and deliveries in successive polls: nothing to push. */
const ABOUT_POLLING = new Set(['G1_4011_TH_VEN', 'G1_4015_TH_VEN']);

/** The push case's name: 2.0b numbers are the pull ones plus 5000 (N1_0020 → N0_5020), ported 2.0a A_E3 cases become A_E2. */
export function pushCaseID(pullID: string): string {
  const ported = /^A_E3_(.+)$/.exec(pullID);
  if (ported !== null) return `A_E2_${ported[1]!}`;
  const numbered = /^([NEPRG])1_(\d{4})(_.+)$/.exec(pullID);
  if (numbered === null) throw new Error(`${pullID} is no pull case name`);
  return `${numbered[1]!}0_${Number(numbered[2]) + 5000}${numbered[3]!}`;
}

function pushVariant(pull: VtnCase): VtnCase {
  return {
    ...pull,
    id: pushCaseID(pull.id),
    model: 'push',
    unavailable: (context) => (context.ven.pushed === undefined ? 'needs a push VEN (HarnessVen option push)' : pull.unavailable?.(context)),
  };
}

/** The VTN push suite, in the pull suite's order. */
export const VTN_PUSH_CASES: readonly VtnCase[] = VTN_PULL_CASES.filter((c) => !ABOUT_POLLING.has(c.id)).map(pushVariant);
