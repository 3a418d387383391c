import type { EiEvent, EventStatus } from '../schema/model.js';
import { durationToMs, parseDateTime } from '../time.js';

/**
 * The status an event has at an instant, by the rules the certification harness applies (CHECKLIST
 * 3.4): cancelled stays cancelled; before dtstart it is near inside the x-eiRampUp window and far
 * otherwise; active from dtstart until dtstart + duration (a duration of zero never ends); completed
 * after. Start randomization (startafter) is each VEN's own and is not part of it.
 */
export function eventStatusAt(event: EiEvent, atMs: number): EventStatus {
  if (event.eventDescriptor.eventStatus === 'cancelled') return 'cancelled';
  const { dtstart, duration } = event.eiActivePeriod.properties;
  const start = parseDateTime(dtstart);
  const length = durationToMs(duration);
  if (atMs < start) {
    const rampUp = event.eiActivePeriod.properties['x-eiRampUp'];
    return rampUp !== undefined && atMs >= start - Math.abs(durationToMs(rampUp)) ? 'near' : 'far';
  }
  if (length === 0 || atMs < start + length) return 'active';
  return 'completed';
}
