import { durationToMs } from '@oadr-kit/protocol';
import type { VenClient } from '@oadr-kit/ven';
import type { VenOperatorPrompt } from '../src/index.js';

/** The operator of our VEN under test: what a case asks for, done through VenClient's API as a device application would. */
export function venOperatorOf(ven: VenClient): (prompt: VenOperatorPrompt) => Promise<void> {
  return async ({ action }) => {
    switch (action.kind) {
      case 'requestEvents':
        return ven.requestEvents();
      case 'optEvent':
        await ven.optEvent(action.eventID, action.optType);
        return;
      case 'createOptSchedule':
        await ven.createOptSchedule({
          optType: action.optType,
          availability: action.availability.map((w) => ({ startMs: Date.parse(w.dtstart), durationMs: durationToMs(w.duration) })),
          ...(action.optID === undefined ? {} : { optID: action.optID }),
          ...(action.resourceIDs === undefined ? {} : { resourceIDs: action.resourceIDs }),
        });
        return;
      case 'cancelOpt':
        return ven.cancelOpt(action.optID);
      case 'cancelRegistration':
        return ven.cancelRegistration();
      case 'restart':
        await ven.stop();
        return ven.start();
    }
  };
}
