import type { CertificationCase, ExchangeModel } from '../CertificationCase.js';
import type { VenUnderTest } from './VenUnderTest.js';

type VenCase = CertificationCase<VenUnderTest>;

/**
 * The harness's name of a case in the push model: the model digit 0 and, for 2.0b cases, the push
 * number block (N1_0020 → N0_5020, R1_3010 → R0_8010; ported cases keep their number: A_E1_0040 → A_E0_0040).
 */
export function pushCaseId(pullId: string): string {
  const parts = /^(A_)?([NEPRG])1_(\d{4})(_.+)$/.exec(pullId);
  if (parts === null) throw new Error(`${pullId} is not a pull case id`);
  const [, ported, area, number, suffix] = parts;
  return ported === undefined ? `${area!}0_${String(Number(number) + 5000).padStart(4, '0')}${suffix!}` : `A_${area!}0_${number!}${suffix!}`;
}

/** The case as it runs in `model`: its body written once, skipped when the harness VTN runs the other model. */
export function inModel(testCase: VenCase, model: ExchangeModel): VenCase {
  return {
    ...testCase,
    id: model === testCase.model ? testCase.id : pushCaseId(testCase.id),
    model,
    unavailable: (context) => (context.vtn.model !== model ? `a ${model} case; the harness VTN runs the ${context.vtn.model} model` : testCase.unavailable?.(context)),
  };
}
