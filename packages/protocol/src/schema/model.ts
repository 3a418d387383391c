/**
 * The OpenADR 2.0b payloads, described once (see dsl.ts). Keys are the spec's element names; where
 * the schema wraps a single value in elements that carry nothing else (`xcal:dtstart/xcal:date-time`,
 * `ei:signalPayload/ei:payloadFloat/ei:value`), the key is the outer name and the value is flat.
 * Field order is the XSD sequence order, which the encoder follows.
 */
import {
  bool,
  bounded,
  choice,
  dateTime,
  decimal,
  duration,
  emptyElement,
  float,
  inline,
  inlineOpt,
  list,
  many,
  obj,
  one,
  opt,
  pattern,
  str,
  token,
  tokenExt,
  uint,
  uri,
  type Infer,
  type ObjectNode,
} from './dsl.js';

// ---- enumerations (values from the official schema) ----

export const EVENT_STATUSES = ['none', 'far', 'near', 'active', 'completed', 'cancelled'] as const;
export const SIGNAL_NAMES = [
  'SIMPLE',
  'simple',
  'ELECTRICITY_PRICE',
  'ENERGY_PRICE',
  'DEMAND_CHARGE',
  'BID_PRICE',
  'BID_LOAD',
  'BID_ENERGY',
  'CHARGE_STATE',
  'LOAD_DISPATCH',
  'LOAD_CONTROL',
] as const;
export const SIGNAL_TYPES = [
  'delta',
  'level',
  'multiplier',
  'price',
  'priceMultiplier',
  'priceRelative',
  'setpoint',
  'x-loadControlCapacity',
  'x-loadControlLevelOffset',
  'x-loadControlPercentOffset',
  'x-loadControlSetpoint',
] as const;
export const OPT_TYPES = ['optIn', 'optOut'] as const;
export const OPT_REASONS = [
  'economic',
  'emergency',
  'mustRun',
  'notParticipating',
  'outageRunStatus',
  'overrideStatus',
  'participating',
  'x-schedule',
] as const;
export const REPORT_NAMES = [
  'METADATA_HISTORY_USAGE',
  'HISTORY_USAGE',
  'METADATA_HISTORY_GREENBUTTON',
  'HISTORY_GREENBUTTON',
  'METADATA_TELEMETRY_USAGE',
  'TELEMETRY_USAGE',
  'METADATA_TELEMETRY_STATUS',
  'TELEMETRY_STATUS',
] as const;
export const REPORT_TYPES = [
  'reading',
  'usage',
  'demand',
  'setPoint',
  'deltaUsage',
  'deltaSetPoint',
  'deltaDemand',
  'baseline',
  'deviation',
  'avgUsage',
  'avgDemand',
  'operatingState',
  'upRegulationCapacityAvailable',
  'downRegulationCapacityAvailable',
  'regulationSetpoint',
  'storedEnergy',
  'targetEnergyStorage',
  'availableEnergyStorage',
  'price',
  'level',
  'powerFactor',
  'percentUsage',
  'percentDemand',
  'x-resourceStatus',
] as const;
export const READING_TYPES = [
  'Direct Read',
  'Net',
  'Allocated',
  'Estimated',
  'Summed',
  'Derived',
  'Mean',
  'Peak',
  'Hybrid',
  'Contract',
  'Projected',
  'x-RMS',
  'x-notApplicable',
] as const;
export const DATA_QUALITIES = [
  'No Quality - No Value',
  'No New Value - Previous Value Used',
  'Quality Bad - Non Specific',
  'Quality Bad - Configuration Error',
  'Quality Bad - Not Connected',
  'Quality Bad - Device Failure',
  'Quality Bad - Sensor Failure',
  'Quality Bad - Last Known Value',
  'Quality Bad - Comm Failure',
  'Quality Bad - Out of Service',
  'Quality Uncertain - Non Specific',
  'Quality Uncertain - Last Usable Value',
  'Quality Uncertain - Sensor Not Accurate',
  'Quality Uncertain - EU Units Exceeded',
  'Quality Uncertain - Sub Normal',
  'Quality Good - Non Specific',
  'Quality Good - Local Override',
  'Quality Limit - Field/Not',
  'Quality Limit - Field/Low',
  'Quality Limit - Field/High',
  'Quality Limit - Field/Constant',
] as const;
/** ISO 4217 alphabetic currency codes, as the 2.0b schema's code list (2010-04-07) enumerates them. */
export const CURRENCY_CODES = [
  'AED', 'AFN', 'ALL', 'AMD', 'ANG', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BGN', 'BHD',
  'BIF', 'BMD', 'BND', 'BOB', 'BOV', 'BRL', 'BSD', 'BTN', 'BWP', 'BYR', 'BZD', 'CAD', 'CDF', 'CHE', 'CHF',
  'CHW', 'CLF', 'CLP', 'CNY', 'COP', 'COU', 'CRC', 'CUC', 'CUP', 'CVE', 'CZK', 'DJF', 'DKK', 'DOP', 'DZD',
  'EEK', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GHS', 'GIP', 'GMD', 'GNF', 'GTQ', 'GWP',
  'GYD', 'HKD', 'HNL', 'HRK', 'HTG', 'HUF', 'IDR', 'ILS', 'INR', 'IQD', 'IRR', 'ISK', 'JMD', 'JOD', 'JPY',
  'KES', 'KGS', 'KHR', 'KMF', 'KPW', 'KRW', 'KWD', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'LTL',
  'LVL', 'LYD', 'MAD', 'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRO', 'MUR', 'MVR', 'MWK', 'MXN', 'MXV',
  'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'OMR', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR', 'PLN',
  'PYG', 'QAR', 'RON', 'RSD', 'RUB', 'RWF', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP', 'SLL', 'SOS',
  'SRD', 'STD', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TND', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH',
  'UGX', 'USD', 'USN', 'USS', 'UYI', 'UYU', 'UZS', 'VEF', 'VND', 'VUV', 'WST', 'XAF', 'XAG', 'XAU', 'XBA',
  'XBB', 'XBC', 'XBD', 'XCD', 'XDR', 'XFU', 'XOF', 'XPD', 'XPF', 'XPT', 'XTS', 'XXX', 'YER', 'ZAR', 'ZMK',
  'ZWL',
] as const;
export const SI_SCALE_CODES = ['p', 'n', 'micro', 'm', 'c', 'd', 'k', 'M', 'G', 'T', 'none'] as const;
export const PROFILE_NAMES = ['2.0a', '2.0b'] as const;
export const TRANSPORT_NAMES = ['simpleHttp', 'xmpp'] as const;
export const SERVICE_NAMES = ['EiEvent', 'EiOpt', 'EiReport', 'EiRegisterParty', 'OadrPoll'] as const;
export const RESPONSE_REQUIRED = ['always', 'never'] as const;

// ---- shared pieces ----

const responseCode = pattern('^[0-9]{3}$');

const eiResponse = obj(
  one('responseCode', 'ei:responseCode', responseCode),
  opt('responseDescription', 'ei:responseDescription', str),
  one('requestID', 'pyld:requestID', str),
);

const qualifiedEventID = obj(one('eventID', 'ei:eventID', str), one('modificationNumber', 'ei:modificationNumber', uint));

const transportInterface = obj(
  one('pointOfReceipt', 'power:pointOfReceipt', str),
  one('pointOfDelivery', 'power:pointOfDelivery', str),
);

/** eiTarget: every criterion is a list; several criteria are OR-ed (rule 22). */
const eiTarget = obj(
  many('aggregatedPnode', 'power:aggregatedPnode*/power:node', str),
  many('endDeviceAsset', 'power:endDeviceAsset*/power:mrid', str),
  many('meterAsset', 'power:meterAsset*/power:mrid', str),
  many('pnode', 'power:pnode*/power:node', str),
  many('serviceDeliveryPoint', 'power:serviceDeliveryPoint*/power:node', str),
  many('transportInterface', 'power:transportInterface*', transportInterface),
  many('groupID', 'ei:groupID*', str),
  many('groupName', 'ei:groupName*', str),
  many('resourceID', 'ei:resourceID*', str),
  many('venID', 'ei:venID*', str),
  many('partyID', 'ei:partyID*', str),
);

const siScaleCode = token(SI_SCALE_CODES);
const powerAttributes = obj(
  one('hertz', 'power:hertz', decimal),
  one('voltage', 'power:voltage', decimal),
  one('ac', 'power:ac', bool),
);

/** A unit whose description and units the schema fixes (e.g. RealPower in W). */
function unit<const D extends readonly string[], const U extends readonly string[]>(prefix: 'oadr' | 'power', description: D, units: U) {
  return obj(
    one('itemDescription', `${prefix}:itemDescription`, token(description)),
    one('itemUnits', `${prefix}:itemUnits`, token(units)),
    one('siScaleCode', 'scale:siScaleCode', siScaleCode),
  );
}

function powerUnit<const D extends readonly string[], const U extends readonly string[]>(description: D, units: U) {
  return obj(
    one('itemDescription', 'power:itemDescription', token(description)),
    one('itemUnits', 'power:itemUnits', token(units)),
    one('siScaleCode', 'scale:siScaleCode', siScaleCode),
    one('powerAttributes', 'power:powerAttributes', powerAttributes),
  );
}

const customUnit = obj(
  one('itemDescription', 'oadr:itemDescription', str),
  one('itemUnits', 'oadr:itemUnits', str),
  one('siScaleCode', 'scale:siScaleCode', siScaleCode),
);
const currency = obj(
  one('itemDescription', 'oadr:itemDescription', token(['currency', 'currencyPerKW', 'currencyPerKWh'])),
  one('itemUnits', 'oadr:itemUnits', token(CURRENCY_CODES)),
  one('siScaleCode', 'scale:siScaleCode', siScaleCode),
);
const pulseCount = obj(
  one('itemDescription', 'oadr:itemDescription', token(['pulse count'])),
  one('itemUnits', 'oadr:itemUnits', token(['count'])),
  one('pulseFactor', 'oadr:pulseFactor', float),
);

/** emix:itemBase: the unit of a signal or report value; exactly one member of the substitution group. */
const itemBase = choice(
  opt('customUnit', 'oadr:customUnit', customUnit),
  opt('current', 'oadr:current', unit('oadr', ['Current'], ['A'])),
  opt('currency', 'oadr:currency', currency),
  opt('currencyPerKWh', 'oadr:currencyPerKWh', currency),
  opt('currencyPerKW', 'oadr:currencyPerKW', currency),
  opt('currencyPerThm', 'oadr:currencyPerThm', currency),
  opt('frequency', 'oadr:frequency', unit('oadr', ['Frequency'], ['Hz'])),
  opt('Therm', 'oadr:Therm', unit('oadr', ['Therm'], ['thm'])),
  opt('temperature', 'oadr:temperature', unit('oadr', ['temperature'], ['celsius', 'fahrenheit'])),
  opt('pulseCount', 'oadr:pulseCount', pulseCount),
  opt('voltage', 'power:voltage', unit('power', ['Voltage'], ['V'])),
  opt('energyApparent', 'power:energyApparent', unit('power', ['ApparentEnergy'], ['VAh'])),
  opt('energyReactive', 'power:energyReactive', unit('power', ['ReactiveEnergy'], ['VARh'])),
  opt('energyReal', 'power:energyReal', unit('power', ['RealEnergy'], ['Wh'])),
  opt('powerApparent', 'power:powerApparent', powerUnit(['ApparentPower'], ['VA'])),
  opt('powerReactive', 'power:powerReactive', powerUnit(['ReactivePower'], ['VAR'])),
  opt('powerReal', 'power:powerReal', powerUnit(['RealPower'], ['W', 'J/s'])),
);

/** xcal:properties of an active period, a report interval or an opt availability window. */
const properties = obj(
  one('dtstart', 'xcal:dtstart/xcal:date-time', dateTime),
  one('duration', 'xcal:duration/xcal:duration', duration),
  opt('tolerance', 'xcal:tolerance/xcal:tolerate', obj(opt('startafter', 'xcal:startafter', duration))),
  opt('x-eiNotification', 'ei:x-eiNotification/xcal:duration', duration),
  opt('x-eiRampUp', 'ei:x-eiRampUp/xcal:duration', duration),
  opt('x-eiRecovery', 'ei:x-eiRecovery/xcal:duration', duration),
);

// ---- events ----

const eventDescriptor = obj(
  one('eventID', 'ei:eventID', str),
  one('modificationNumber', 'ei:modificationNumber', uint),
  opt('modificationDateTime', 'ei:modificationDateTime', dateTime),
  opt('modificationReason', 'ei:modificationReason', str),
  opt('priority', 'ei:priority', uint),
  one('marketContext', 'ei:eiMarketContext/emix:marketContext', uri),
  one('createdDateTime', 'ei:createdDateTime', dateTime),
  one('eventStatus', 'ei:eventStatus', token(EVENT_STATUSES)),
  opt('testEvent', 'ei:testEvent', str),
  opt('vtnComment', 'ei:vtnComment', str),
);

const eiActivePeriod = obj(one('properties', 'xcal:properties', properties), emptyElement('xcal:components'));

/** An interval of an event signal or baseline: one float payload each (TH check). */
const signalInterval = obj(
  opt('dtstart', 'xcal:dtstart/xcal:date-time', dateTime),
  opt('duration', 'xcal:duration/xcal:duration', duration),
  opt('uid', 'xcal:uid/xcal:text', str),
  one('signalPayload', 'ei:signalPayload/ei:payloadFloat/ei:value', float),
);

const eiEventSignal = obj(
  list('intervals', 'strm:intervals/ei:interval*', signalInterval),
  opt('eiTarget', 'ei:eiTarget', eiTarget),
  one('signalName', 'ei:signalName', tokenExt(SIGNAL_NAMES)),
  one('signalType', 'ei:signalType', token(SIGNAL_TYPES)),
  one('signalID', 'ei:signalID', str),
  inlineOpt('itemBase', itemBase),
  opt('currentValue', 'ei:currentValue/ei:payloadFloat/ei:value', float),
);

const eiEventBaseline = obj(
  one('dtstart', 'xcal:dtstart/xcal:date-time', dateTime),
  one('duration', 'xcal:duration/xcal:duration', duration),
  list('intervals', 'strm:intervals/ei:interval*', signalInterval),
  one('baselineID', 'ei:baselineID', str),
  many('resourceID', 'ei:resourceID*', str),
  one('baselineName', 'ei:baselineName', str),
  inlineOpt('itemBase', itemBase),
);

const eiEvent = obj(
  one('eventDescriptor', 'ei:eventDescriptor', eventDescriptor),
  one('eiActivePeriod', 'ei:eiActivePeriod', eiActivePeriod),
  one(
    'eiEventSignals',
    'ei:eiEventSignals',
    obj(list('eiEventSignal', 'ei:eiEventSignal*', eiEventSignal), opt('eiEventBaseline', 'ei:eiEventBaseline', eiEventBaseline)),
  ),
  one('eiTarget', 'ei:eiTarget', eiTarget),
);

const oadrEvent = obj(one('eiEvent', 'ei:eiEvent', eiEvent), one('oadrResponseRequired', 'oadr:oadrResponseRequired', token(RESPONSE_REQUIRED)));

const eventResponse = obj(
  one('responseCode', 'ei:responseCode', responseCode),
  opt('responseDescription', 'ei:responseDescription', str),
  one('requestID', 'pyld:requestID', str),
  one('qualifiedEventID', 'ei:qualifiedEventID', qualifiedEventID),
  one('optType', 'ei:optType', token(OPT_TYPES)),
);

// ---- reports ----

const samplingRate = obj(
  one('oadrMinPeriod', 'oadr:oadrMinPeriod', duration),
  one('oadrMaxPeriod', 'oadr:oadrMaxPeriod', duration),
  one('oadrOnChange', 'oadr:oadrOnChange', bool),
);

const reportDescription = obj(
  one('rID', 'ei:rID', str),
  opt('reportSubject', 'ei:reportSubject', eiTarget),
  opt('reportDataSource', 'ei:reportDataSource', eiTarget),
  one('reportType', 'ei:reportType', tokenExt(REPORT_TYPES)),
  inlineOpt('itemBase', itemBase),
  one('readingType', 'ei:readingType', tokenExt(READING_TYPES)),
  opt('marketContext', 'emix:marketContext', uri),
  opt('oadrSamplingRate', 'oadr:oadrSamplingRate', samplingRate),
);

const loadControlValue = obj(
  opt('oadrMin', 'oadr:oadrMin', float),
  opt('oadrMax', 'oadr:oadrMax', float),
  one('oadrCurrent', 'oadr:oadrCurrent', float),
  opt('oadrNormal', 'oadr:oadrNormal', float),
);

const resourceStatus = obj(
  one('oadrOnline', 'oadr:oadrOnline', bool),
  one('oadrManualOverride', 'oadr:oadrManualOverride', bool),
  opt(
    'oadrLoadControlState',
    'oadr:oadrLoadControlState',
    obj(
      opt('oadrCapacity', 'oadr:oadrCapacity', loadControlValue),
      opt('oadrLevelOffset', 'oadr:oadrLevelOffset', loadControlValue),
      opt('oadrPercentOffset', 'oadr:oadrPercentOffset', loadControlValue),
      opt('oadrSetPoint', 'oadr:oadrSetPoint', loadControlValue),
    ),
  ),
);

const reportPayload = obj(
  one('rID', 'ei:rID', str),
  opt('confidence', 'ei:confidence', bounded(0, 100)),
  opt('accuracy', 'ei:accuracy', float),
  inline(
    'payloadBase',
    choice(
      opt('payloadFloat', 'ei:payloadFloat/ei:value', float),
      opt('oadrPayloadResourceStatus', 'oadr:oadrPayloadResourceStatus', resourceStatus),
    ),
  ),
  opt('oadrDataQuality', 'oadr:oadrDataQuality', tokenExt(DATA_QUALITIES)),
);

const reportInterval = obj(
  opt('dtstart', 'xcal:dtstart/xcal:date-time', dateTime),
  opt('duration', 'xcal:duration/xcal:duration', duration),
  opt('uid', 'xcal:uid/xcal:text', str),
  list('oadrReportPayload', 'oadr:oadrReportPayload*', reportPayload),
);

const oadrReport = obj(
  opt('dtstart', 'xcal:dtstart/xcal:date-time', dateTime),
  opt('duration', 'xcal:duration/xcal:duration', duration),
  many('intervals', 'strm:intervals/ei:interval*', reportInterval, 1),
  opt('eiReportID', 'ei:eiReportID', str),
  many('oadrReportDescription', 'oadr:oadrReportDescription*', reportDescription),
  one('reportRequestID', 'ei:reportRequestID', str),
  one('reportSpecifierID', 'ei:reportSpecifierID', str),
  opt('reportName', 'ei:reportName', tokenExt(REPORT_NAMES)),
  one('createdDateTime', 'ei:createdDateTime', dateTime),
);

const specifierPayload = obj(
  one('rID', 'ei:rID', str),
  inlineOpt('itemBase', itemBase),
  one('readingType', 'ei:readingType', tokenExt(READING_TYPES)),
);

const reportSpecifier = obj(
  one('reportSpecifierID', 'ei:reportSpecifierID', str),
  one('granularity', 'xcal:granularity/xcal:duration', duration),
  one('reportBackDuration', 'ei:reportBackDuration/xcal:duration', duration),
  opt('reportInterval', 'ei:reportInterval/xcal:properties', properties),
  list('specifierPayload', 'ei:specifierPayload*', specifierPayload),
);

const oadrReportRequest = obj(one('reportRequestID', 'ei:reportRequestID', str), one('reportSpecifier', 'ei:reportSpecifier', reportSpecifier));

const oadrCancelReport = obj(
  one('requestID', 'pyld:requestID', str),
  list('reportRequestID', 'ei:reportRequestID*', str),
  one('reportToFollow', 'pyld:reportToFollow', bool),
  opt('venID', 'ei:venID', str),
);

// ---- registration ----

const oadrInfo = obj(one('oadrKey', 'oadr:oadrKey', str), one('oadrValue', 'oadr:oadrValue', str));

const oadrProfile = obj(
  one('oadrProfileName', 'oadr:oadrProfileName', token(PROFILE_NAMES)),
  list('oadrTransports', 'oadr:oadrTransports/oadr:oadrTransport*/oadr:oadrTransportName', token(TRANSPORT_NAMES)),
);

// ---- the 23 messages of oadrSignedObject, in the schema's order ----

export const MESSAGE_NODES = {
  oadrDistributeEvent: obj(
    opt('eiResponse', 'ei:eiResponse', eiResponse),
    one('requestID', 'pyld:requestID', str),
    one('vtnID', 'ei:vtnID', str),
    many('oadrEvent', 'oadr:oadrEvent*', oadrEvent),
  ),
  oadrCreatedEvent: obj(
    one(
      'eiCreatedEvent',
      'pyld:eiCreatedEvent',
      obj(
        one('eiResponse', 'ei:eiResponse', eiResponse),
        many('eventResponses', 'ei:eventResponses/ei:eventResponse*', eventResponse),
        one('venID', 'ei:venID', str),
      ),
    ),
  ),
  oadrRequestEvent: obj(
    one(
      'eiRequestEvent',
      'pyld:eiRequestEvent',
      obj(one('requestID', 'pyld:requestID', str), one('venID', 'ei:venID', str), opt('replyLimit', 'pyld:replyLimit', uint)),
    ),
  ),
  oadrResponse: obj(one('eiResponse', 'ei:eiResponse', eiResponse), opt('venID', 'ei:venID', str)),
  oadrCancelOpt: obj(one('requestID', 'pyld:requestID', str), one('optID', 'ei:optID', str), one('venID', 'ei:venID', str)),
  oadrCanceledOpt: obj(one('eiResponse', 'ei:eiResponse', eiResponse), opt('optID', 'ei:optID', str)),
  oadrCreateOpt: obj(
    one('optID', 'ei:optID', str),
    one('optType', 'ei:optType', token(OPT_TYPES)),
    one('optReason', 'ei:optReason', tokenExt(OPT_REASONS)),
    opt('marketContext', 'emix:marketContext', uri),
    one('venID', 'ei:venID', str),
    many('vavailability', 'xcal:vavailability/xcal:components/xcal:available*/xcal:properties', properties),
    one('createdDateTime', 'ei:createdDateTime', dateTime),
    one('requestID', 'pyld:requestID', str),
    opt('qualifiedEventID', 'ei:qualifiedEventID', qualifiedEventID),
    one('eiTarget', 'ei:eiTarget', eiTarget),
    opt('oadrDeviceClass', 'oadr:oadrDeviceClass', eiTarget),
  ),
  oadrCreatedOpt: obj(one('eiResponse', 'ei:eiResponse', eiResponse), one('optID', 'ei:optID', str)),
  oadrCancelReport,
  oadrCanceledReport: obj(
    one('eiResponse', 'ei:eiResponse', eiResponse),
    list('oadrPendingReports', 'oadr:oadrPendingReports/ei:reportRequestID*', str, 0),
    opt('venID', 'ei:venID', str),
  ),
  oadrCreateReport: obj(
    one('requestID', 'pyld:requestID', str),
    list('oadrReportRequest', 'oadr:oadrReportRequest*', oadrReportRequest),
    opt('venID', 'ei:venID', str),
  ),
  oadrCreatedReport: obj(
    one('eiResponse', 'ei:eiResponse', eiResponse),
    list('oadrPendingReports', 'oadr:oadrPendingReports/ei:reportRequestID*', str, 0),
    opt('venID', 'ei:venID', str),
  ),
  oadrRegisterReport: obj(
    one('requestID', 'pyld:requestID', str),
    many('oadrReport', 'oadr:oadrReport*', oadrReport),
    opt('venID', 'ei:venID', str),
    opt('reportRequestID', 'ei:reportRequestID', str),
  ),
  oadrRegisteredReport: obj(
    one('eiResponse', 'ei:eiResponse', eiResponse),
    many('oadrReportRequest', 'oadr:oadrReportRequest*', oadrReportRequest),
    opt('venID', 'ei:venID', str),
  ),
  oadrUpdateReport: obj(
    one('requestID', 'pyld:requestID', str),
    many('oadrReport', 'oadr:oadrReport*', oadrReport),
    opt('venID', 'ei:venID', str),
  ),
  oadrUpdatedReport: obj(
    one('eiResponse', 'ei:eiResponse', eiResponse),
    opt('oadrCancelReport', 'oadr:oadrCancelReport', oadrCancelReport),
    opt('venID', 'ei:venID', str),
  ),
  oadrCancelPartyRegistration: obj(
    one('requestID', 'pyld:requestID', str),
    one('registrationID', 'ei:registrationID', str),
    opt('venID', 'ei:venID', str),
  ),
  oadrCanceledPartyRegistration: obj(
    one('eiResponse', 'ei:eiResponse', eiResponse),
    opt('registrationID', 'ei:registrationID', str),
    opt('venID', 'ei:venID', str),
  ),
  oadrCreatePartyRegistration: obj(
    one('requestID', 'pyld:requestID', str),
    opt('registrationID', 'ei:registrationID', str),
    opt('venID', 'ei:venID', str),
    one('oadrProfileName', 'oadr:oadrProfileName', token(PROFILE_NAMES)),
    one('oadrTransportName', 'oadr:oadrTransportName', token(TRANSPORT_NAMES)),
    opt('oadrTransportAddress', 'oadr:oadrTransportAddress', str),
    one('oadrReportOnly', 'oadr:oadrReportOnly', bool),
    one('oadrXmlSignature', 'oadr:oadrXmlSignature', bool),
    opt('oadrVenName', 'oadr:oadrVenName', str),
    opt('oadrHttpPullModel', 'oadr:oadrHttpPullModel', bool),
  ),
  oadrCreatedPartyRegistration: obj(
    one('eiResponse', 'ei:eiResponse', eiResponse),
    opt('registrationID', 'ei:registrationID', str),
    opt('venID', 'ei:venID', str),
    one('vtnID', 'ei:vtnID', str),
    list('oadrProfiles', 'oadr:oadrProfiles/oadr:oadrProfile*', oadrProfile),
    opt('oadrRequestedOadrPollFreq', 'oadr:oadrRequestedOadrPollFreq/xcal:duration', duration),
    many(
      'oadrServiceSpecificInfo',
      'oadr:oadrServiceSpecificInfo/oadr:oadrService*',
      obj(one('oadrServiceName', 'oadr:oadrServiceName', token(SERVICE_NAMES)), list('oadrInfo', 'oadr:oadrInfo*', oadrInfo)),
    ),
    many(
      'oadrExtensions',
      'oadr:oadrExtensions/oadr:oadrExtension*',
      obj(one('oadrExtensionName', 'oadr:oadrExtensionName', str), many('oadrInfo', 'oadr:oadrInfo*', oadrInfo)),
    ),
  ),
  oadrRequestReregistration: obj(one('venID', 'ei:venID', str)),
  oadrQueryRegistration: obj(one('requestID', 'pyld:requestID', str)),
  oadrPoll: obj(one('venID', 'ei:venID', str)),
} as const satisfies Record<string, ObjectNode>;

export type MessageType = keyof typeof MESSAGE_NODES;
export const MESSAGE_TYPES = Object.keys(MESSAGE_NODES) as MessageType[];

// ---- the public types, one per structure ----

export type EiResponse = Infer<typeof eiResponse>;
export type QualifiedEventID = Infer<typeof qualifiedEventID>;
export type EiTarget = Infer<typeof eiTarget>;
export type ItemBase = Infer<typeof itemBase>;
export type Properties = Infer<typeof properties>;
export type EventDescriptor = Infer<typeof eventDescriptor>;
export type EiActivePeriod = Infer<typeof eiActivePeriod>;
export type SignalInterval = Infer<typeof signalInterval>;
export type EiEventSignal = Infer<typeof eiEventSignal>;
export type EiEventBaseline = Infer<typeof eiEventBaseline>;
export type EiEvent = Infer<typeof eiEvent>;
export type OadrEvent = Infer<typeof oadrEvent>;
export type EventResponse = Infer<typeof eventResponse>;
export type ReportDescription = Infer<typeof reportDescription>;
export type ResourceStatus = Infer<typeof resourceStatus>;
export type ReportPayload = Infer<typeof reportPayload>;
export type ReportInterval = Infer<typeof reportInterval>;
export type OadrReport = Infer<typeof oadrReport>;
export type SpecifierPayload = Infer<typeof specifierPayload>;
export type ReportSpecifier = Infer<typeof reportSpecifier>;
export type OadrReportRequest = Infer<typeof oadrReportRequest>;
export type OadrProfile = Infer<typeof oadrProfile>;

export type EventStatus = (typeof EVENT_STATUSES)[number];
export type OptType = (typeof OPT_TYPES)[number];

type Bodies = { [K in MessageType]: Infer<(typeof MESSAGE_NODES)[K]> };

export type OadrDistributeEvent = Bodies['oadrDistributeEvent'];
export type OadrCreatedEvent = Bodies['oadrCreatedEvent'];
export type OadrRequestEvent = Bodies['oadrRequestEvent'];
export type OadrResponse = Bodies['oadrResponse'];
export type OadrCancelOpt = Bodies['oadrCancelOpt'];
export type OadrCanceledOpt = Bodies['oadrCanceledOpt'];
export type OadrCreateOpt = Bodies['oadrCreateOpt'];
export type OadrCreatedOpt = Bodies['oadrCreatedOpt'];
export type OadrCancelReport = Bodies['oadrCancelReport'];
export type OadrCanceledReport = Bodies['oadrCanceledReport'];
export type OadrCreateReport = Bodies['oadrCreateReport'];
export type OadrCreatedReport = Bodies['oadrCreatedReport'];
export type OadrRegisterReport = Bodies['oadrRegisterReport'];
export type OadrRegisteredReport = Bodies['oadrRegisteredReport'];
export type OadrUpdateReport = Bodies['oadrUpdateReport'];
export type OadrUpdatedReport = Bodies['oadrUpdatedReport'];
export type OadrCancelPartyRegistration = Bodies['oadrCancelPartyRegistration'];
export type OadrCanceledPartyRegistration = Bodies['oadrCanceledPartyRegistration'];
export type OadrCreatePartyRegistration = Bodies['oadrCreatePartyRegistration'];
export type OadrCreatedPartyRegistration = Bodies['oadrCreatedPartyRegistration'];
export type OadrRequestReregistration = Bodies['oadrRequestReregistration'];
export type OadrQueryRegistration = Bodies['oadrQueryRegistration'];
export type OadrPoll = Bodies['oadrPoll'];

/** The body of a message of the given type. */
export type MessageBody<K extends MessageType> = Bodies[K];

/** One message of oadrSignedObject: its spec name and its body. */
export type OadrMessage = { [K in MessageType]: { type: K; body: Bodies[K] } }[MessageType];
