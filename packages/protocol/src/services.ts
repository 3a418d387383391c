import type { ServiceName } from './namespaces.js';
import type { MessageType } from './schema/model.js';

/**
 * The simple-HTTP service each 2.0b payload is posted to, whichever party sends it: a VEN's request
 * goes to the VTN's endpoint of that name, a VTN's push to the VEN's (CHECKLIST 2.1).
 */
const MESSAGE_SERVICE: { readonly [K in Exclude<MessageType, 'oadrResponse'>]: ServiceName } = {
  oadrQueryRegistration: 'EiRegisterParty',
  oadrCreatePartyRegistration: 'EiRegisterParty',
  oadrCreatedPartyRegistration: 'EiRegisterParty',
  oadrCancelPartyRegistration: 'EiRegisterParty',
  oadrCanceledPartyRegistration: 'EiRegisterParty',
  oadrRequestReregistration: 'EiRegisterParty',
  oadrRequestEvent: 'EiEvent',
  oadrDistributeEvent: 'EiEvent',
  oadrCreatedEvent: 'EiEvent',
  oadrRegisterReport: 'EiReport',
  oadrRegisteredReport: 'EiReport',
  oadrCreateReport: 'EiReport',
  oadrCreatedReport: 'EiReport',
  oadrUpdateReport: 'EiReport',
  oadrUpdatedReport: 'EiReport',
  oadrCancelReport: 'EiReport',
  oadrCanceledReport: 'EiReport',
  oadrCreateOpt: 'EiOpt',
  oadrCreatedOpt: 'EiOpt',
  oadrCancelOpt: 'EiOpt',
  oadrCanceledOpt: 'EiOpt',
  oadrPoll: 'OadrPoll',
};

/**
 * The service a payload of this type is posted to. oadrResponse has none of its own: it answers in
 * whichever service asked (an oadrRequestReregistration is acknowledged on EiRegisterParty, say).
 *
 * @example serviceOf('oadrDistributeEvent') // 'EiEvent'
 */
export function serviceOf(type: Exclude<MessageType, 'oadrResponse'>): ServiceName;
export function serviceOf(type: MessageType): ServiceName | undefined;
export function serviceOf(type: MessageType): ServiceName | undefined {
  return type === 'oadrResponse' ? undefined : MESSAGE_SERVICE[type];
}

/** What a VTN sends a VEN unasked: pushed to a push VEN, handed out on oadrPoll to a pull VEN. */
const VTN_INITIATED: ReadonlySet<MessageType> = new Set<MessageType>([
  'oadrDistributeEvent',
  'oadrRegisterReport',
  'oadrCreateReport',
  'oadrUpdateReport',
  'oadrCancelReport',
  'oadrCancelPartyRegistration',
  'oadrRequestReregistration',
]);

/**
 * The service of a push VEN that a VTN posts this message to; undefined for a message a VTN never
 * pushes (a reply, or one only a VEN sends).
 *
 * @example pushServiceOf('oadrCreateReport') // 'EiReport'; pushServiceOf('oadrCreatedReport') // undefined
 */
export function pushServiceOf(type: MessageType): ServiceName | undefined {
  return VTN_INITIATED.has(type) ? serviceOf(type) : undefined;
}
