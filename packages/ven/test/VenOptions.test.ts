import { systemClock } from '../src/Clock.js';
import { STANDARD_SIGNALS } from '../src/EventEngine.js';
import { FileStateStore, MemoryStateStore } from '../src/StateStore.js';
import { DEFAULT_REPORT_CAPABILITIES, DEFAULT_VEN_OPTIONS, NEGOTIATION_REPORT_CAPABILITY, resolveVenOptions, type VenClientOptions } from '../src/VenOptions.js';

const tls = { certPem: 'CERT', keyPem: 'KEY', caPem: 'CA' };
const good: VenClientOptions = { vtnUrl: 'https://vtn.example.com:8443', venName: 'ven', tls };

function fieldOf(options: unknown): string | undefined {
  try {
    resolveVenOptions(options as VenClientOptions);
  } catch (error) {
    expect(error).toMatchObject({ code: 'OADR_ERR_VEN_OPTIONS_INVALID' });
    return (error as { field?: string }).field ?? 'none';
  }
  return undefined;
}

describe('resolveVenOptions', () => {
  it('fills in the frozen defaults', () => {
    const resolved = resolveVenOptions(good);
    expect(resolved).toMatchObject({
      pollIntervalMs: 10_000,
      requestTimeoutMs: 10_000,
      handlerTimeoutMs: 5_000,
      defaultOpt: 'optOut',
      backoff: { initialMs: 1_000, maxMs: 300_000, multiplier: 2, jitter: 0.5 },
      maxPayloadBytes: 1024 * 1024,
      maxClockSkewMs: 300_000,
      reports: DEFAULT_REPORT_CAPABILITIES,
      clock: systemClock,
    });
    expect([...resolved.supportedSignals]).toEqual(STANDARD_SIGNALS);
    expect(resolved.store).toBeInstanceOf(MemoryStateStore);
    expect(resolveVenOptions({ ...good, storagePath: '/tmp/x.json' }).store).toBeInstanceOf(FileStateStore);
    expect(Object.isFrozen(DEFAULT_VEN_OPTIONS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_VEN_OPTIONS.backoff)).toBe(true);
    expect(Object.isFrozen(DEFAULT_REPORT_CAPABILITIES)).toBe(true);
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('accepts http for development and a dispatcher in place of tls', () => {
    expect(fieldOf({ vtnUrl: 'http://127.0.0.1:8080', venName: 'ven' })).toBeUndefined();
    expect(fieldOf({ vtnUrl: 'https://vtn.example.com', venName: 'ven', dispatcher: {} })).toBeUndefined();
  });

  it.each([
    ['a missing vtnUrl', { ...good, vtnUrl: undefined }, 'vtnUrl'],
    ['a vtnUrl that is no URL', { ...good, vtnUrl: 'vtn' }, 'vtnUrl'],
    ['an ftp vtnUrl', { ...good, vtnUrl: 'ftp://vtn.example.com' }, 'vtnUrl'],
    ['an empty venName', { ...good, venName: ' ' }, 'venName'],
    ['https without tls', { ...good, tls: undefined }, 'tls'],
    ['tls without a key', { ...good, tls: { certPem: 'C', caPem: 'A' } }, 'tls.keyFile'],
    ['a zero poll interval', { ...good, pollIntervalMs: 0 }, 'pollIntervalMs'],
    ['a fractional timeout', { ...good, requestTimeoutMs: 1.5 }, 'requestTimeoutMs'],
    ['a string handler timeout', { ...good, handlerTimeoutMs: '5s' }, 'handlerTimeoutMs'],
    ['an unknown defaultOpt', { ...good, defaultOpt: 'maybe' }, 'defaultOpt'],
    ['a backoff ceiling below its start', { ...good, backoff: { initialMs: 1000, maxMs: 10 } }, 'backoff.maxMs'],
    ['a backoff multiplier below 1', { ...good, backoff: { multiplier: 0.5 } }, 'backoff.multiplier'],
    ['a jitter above 1', { ...good, backoff: { jitter: 2 } }, 'backoff.jitter'],
    ['a tiny payload limit', { ...good, maxPayloadBytes: 10 }, 'maxPayloadBytes'],
    ['supportedSignals that is not an array', { ...good, supportedSignals: 'SIMPLE' }, 'supportedSignals'],
    ['a repeated rID', { ...good, reports: [...DEFAULT_REPORT_CAPABILITIES, DEFAULT_REPORT_CAPABILITIES[0]] }, 'reports[2].rID'],
    ['a report whose max period is below its min', { ...good, reports: [{ ...DEFAULT_REPORT_CAPABILITIES[0], maxPeriodMs: 1 }, DEFAULT_REPORT_CAPABILITIES[1]] }, 'reports[0].maxPeriodMs'],
    ['an empty reportSpecifierID', { ...good, reports: [...DEFAULT_REPORT_CAPABILITIES, { ...DEFAULT_REPORT_CAPABILITIES[1], rID: 'p2', reportSpecifierID: '' }] }, 'reports[2].reportSpecifierID'],
    ['one specifier under two report names', { ...good, reports: [...DEFAULT_REPORT_CAPABILITIES, { ...DEFAULT_REPORT_CAPABILITIES[1], rID: 'p2', reportName: 'HISTORY_USAGE', reportSpecifierID: 'TELEMETRY_USAGE' }] }, 'reports[2].reportName'],
    ['negotiation without respond', { ...good, negotiation: {} }, 'negotiation.respond'],
    ['a negotiation agreed that is not a function', { ...good, negotiation: { respond: () => [], agreed: true } }, 'negotiation.agreed'],
    ['negotiation without LOAD_DISPATCH', { ...good, negotiation: { respond: () => [] }, supportedSignals: ['ELECTRICITY_PRICE'] }, 'supportedSignals'],
    ['negotiation with no reports', { ...good, negotiation: { respond: () => [] }, reports: [] }, 'reports'],
    ['negotiation with a report of rID projection', { ...good, negotiation: { respond: () => [] }, reports: [...DEFAULT_REPORT_CAPABILITIES, { ...DEFAULT_REPORT_CAPABILITIES[1], rID: 'projection' }] }, 'reports[2].rID'],
    ['push without a port', { ...good, push: {} }, 'push.port'],
    ['push with a bad transport address', { ...good, push: { port: 0, transportAddress: 'ven' } }, 'push.transportAddress'],
    ['push with an empty VTN common name', { ...good, push: { port: 0, vtnCommonNames: [''] } }, 'push.vtnCommonNames'],
    ['an xmlSignature without verify', { ...good, xmlSignature: { sign: (xml: string) => xml } }, 'xmlSignature'],
    ['a handler that is not a function', { ...good, handlers: { decideOpt: 'optIn' } }, 'handlers.decideOpt'],
    ['a logger without error()', { ...good, logger: { debug() {}, info() {}, warn() {} } }, 'logger'],
    ['an empty storagePath', { ...good, storagePath: '' }, 'storagePath'],
    ['targets that are not string lists', { ...good, targets: { groupID: 'feeder-3' } }, 'targets.groupID'],
    ['an unknown option', { ...good, colour: 'blue' }, 'colour'],
  ])('refuses %s', (_name, options, field) => {
    expect(fieldOf(options)).toBe(field);
  });

  it('adds the projection report and the penalty signal for negotiation, and nothing without it', () => {
    const respond = (): number[] => [];
    const resolved = resolveVenOptions({ ...good, negotiation: { respond } });
    expect(resolved.reports).toEqual([...DEFAULT_REPORT_CAPABILITIES, NEGOTIATION_REPORT_CAPABILITY]);
    expect([...resolved.supportedSignals]).toEqual([...STANDARD_SIGNALS, 'x-ADMM_PENALTY']);
    expect(resolved.negotiation?.respond).toBe(respond);
    expect(resolveVenOptions(good).supportedSignals.has('x-ADMM_PENALTY')).toBe(false);
  });

  it('hints at the right name for options named as elsewhere', () => {
    expect(() => resolveVenOptions({ ...good, ...({ timeout: 5 } as object) })).toThrow('options.timeout is not an option of VenClient; use requestTimeoutMs');
  });

  it('refuses options that are not an object', () => {
    expect(fieldOf(null)).toBe('none');
  });
});
