import {
  decodePayload,
  encodePayload,
  OadrError,
  OadrInvalidArgumentError,
  OadrProtocolError,
  ResponseCode,
  type OadrMessage,
} from '../src/index.js';
import { EXAMPLES } from '../src/examples.js';

const poll = encodePayload({ type: 'oadrPoll', body: { venID: 'ven-1' } });
const event = encodePayload({ type: 'oadrDistributeEvent', body: EXAMPLES.oadrDistributeEvent });
const report = encodePayload({ type: 'oadrUpdateReport', body: EXAMPLES.oadrUpdateReport });

function decodeError(xml: string, maxBytes?: number): OadrProtocolError {
  try {
    decodePayload(xml, maxBytes === undefined ? {} : { maxBytes });
  } catch (error) {
    if (error instanceof OadrProtocolError) return error;
    throw error;
  }
  throw new Error('expected the payload to be rejected');
}

describe('bad input gets a typed error naming the element and the answer to send', () => {
  test('good input decodes', () => {
    expect(decodePayload(poll).message.type).toBe('oadrPoll');
    expect(decodePayload(event).message.type).toBe('oadrDistributeEvent');
  });

  test('malformed XML', () => {
    const error = decodeError(poll.replace('</ei:venID>', '</ei:vtnID>'));
    expect(error.code).toBe('OADR_ERR_XML_MALFORMED');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toMatch(/line 1, column \d+/);
  });

  test('truncated body', () => {
    expect(decodeError(poll.slice(0, poll.length - 20)).code).toBe('OADR_ERR_XML_MALFORMED');
  });

  test('empty body', () => {
    expect(decodeError('').code).toBe('OADR_ERR_XML_MALFORMED');
  });

  test('XXE: a DOCTYPE with an external entity is refused before parsing', () => {
    const xxe = poll.replace(
      '<oadr:oadrPayload',
      '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><oadr:oadrPayload',
    ).replace('ven-1', '&xxe;');
    const error = decodeError(xxe);
    expect(error.code).toBe('OADR_ERR_XML_DTD_FORBIDDEN');
    expect(error.responseCode).toBe(ResponseCode.INVALID_DATA);
    expect(error.message).not.toContain('root:');
  });

  test('billion laughs: nested entity declarations are refused at once', () => {
    const lol = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const bomb = poll.replace('<oadr:oadrPayload', `<!DOCTYPE lolz [<!ENTITY lol0 "lol">${lol}]><oadr:oadrPayload`).replace('ven-1', '&lol9;');
    const started = process.hrtime.bigint();
    expect(decodeError(bomb).code).toBe('OADR_ERR_XML_DTD_FORBIDDEN');
    // Bounded work, not a timing assertion: the refusal happens before any expansion.
    expect(Number(process.hrtime.bigint() - started)).toBeLessThan(5e9);
  });

  test('a lone entity declaration without DOCTYPE is refused too', () => {
    expect(decodeError(poll.replace('<oadr:oadrPayload', '<!ENTITY a "b"><oadr:oadrPayload')).code).toBe('OADR_ERR_XML_DTD_FORBIDDEN');
  });

  test('a body over the configured size is refused before parsing', () => {
    expect(decodePayload(report, { maxBytes: Buffer.byteLength(report) }).message.type).toBe('oadrUpdateReport');
    const error = decodeError(report, Buffer.byteLength(report) - 1);
    expect(error.code).toBe('OADR_ERR_XML_TOO_LARGE');
    expect(error.httpStatus).toBe(413);
  });

  test('the size limit counts bytes, not characters', () => {
    const wide = encodePayload({ type: 'oadrPoll', body: { venID: '€'.repeat(100) } });
    expect(() => decodePayload(wide, { maxBytes: wide.length })).toThrow(OadrProtocolError);
    expect(decodePayload(Buffer.from(wide), { maxBytes: Buffer.byteLength(wide) }).message.body).toEqual({ venID: '€'.repeat(100) });
  });

  test('unknown root element', () => {
    const error = decodeError('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"/>');
    expect(error.code).toBe('OADR_ERR_XML_UNKNOWN_ROOT');
    expect(error.element).toBe('soap:Envelope');
    expect(error.responseCode).toBe(ResponseCode.NOT_RECOGNIZED);
  });

  test('oadrPayload in the wrong namespace (a 2.0a document)', () => {
    const error = decodeError(poll.replace('http://openadr.org/oadr-2.0b/2012/07', 'http://openadr.org/oadr-2.0a/2012/07'));
    expect(error.code).toBe('OADR_ERR_XML_WRONG_NAMESPACE');
    expect(error.message).toContain('oadr-2.0a');
  });

  test('a child element in the wrong namespace is unexpected and named', () => {
    const wrong = poll.replace('<ei:venID>ven-1</ei:venID>', '<x:venID xmlns:x="urn:other">ven-1</x:venID>');
    const error = decodeError(wrong);
    expect(error.code).toBe('OADR_ERR_ELEMENT_UNEXPECTED');
    expect(error.element).toBe('oadr:oadrPoll/x:venID');
    expect(error.message).toContain('urn:other');
  });

  test('an undeclared prefix', () => {
    expect(decodeError(poll.replace('<ei:venID>ven-1</ei:venID>', '<zz:venID>ven-1</zz:venID>')).code).toBe('OADR_ERR_XML_MALFORMED');
  });

  test('unknown message inside oadrSignedObject', () => {
    const error = decodeError(poll.replace(/oadr:oadrPoll/g, 'oadr:oadrPing'));
    expect(error.code).toBe('OADR_ERR_MESSAGE_UNKNOWN');
    expect(error.element).toBe('oadr:oadrPing');
  });

  test('missing oadrSignedObject', () => {
    const error = decodeError(poll.replace(/<oadr:oadrSignedObject>.*<\/oadr:oadrSignedObject>/, ''));
    expect(error.code).toBe('OADR_ERR_ELEMENT_MISSING');
    expect(error.element).toBe('oadr:oadrPayload/oadr:oadrSignedObject');
  });

  test('missing required element', () => {
    const error = decodeError(poll.replace('<ei:venID>ven-1</ei:venID>', ''));
    expect(error.code).toBe('OADR_ERR_ELEMENT_MISSING');
    expect(error.element).toBe('oadr:oadrPoll/ei:venID');
    expect(error.responseCode).toBe(ResponseCode.INVALID_DATA);
  });

  test('missing required element deep in an event names its full path', () => {
    const error = decodeError(event.replace(/<ei:eventStatus>far<\/ei:eventStatus>/, ''));
    expect(error.code).toBe('OADR_ERR_ELEMENT_MISSING');
    expect(error.element).toBe('oadr:oadrDistributeEvent/oadr:oadrEvent[0]/ei:eiEvent/ei:eventDescriptor/ei:eventStatus');
  });

  test('wrong enumeration value', () => {
    const error = decodeError(event.replace('<ei:eventStatus>far</ei:eventStatus>', '<ei:eventStatus>ACTIVE</ei:eventStatus>'));
    expect(error.code).toBe('OADR_ERR_VALUE_INVALID');
    expect(error.element).toBe('oadr:oadrDistributeEvent/oadr:oadrEvent[0]/ei:eiEvent/ei:eventDescriptor/ei:eventStatus');
    expect(error.message).toContain('"ACTIVE" is not one of none, far, near, active, completed, cancelled');
  });

  test('unknown signal name that is not an x- extension', () => {
    const error = decodeError(event.replace('<ei:signalName>SIMPLE</ei:signalName>', '<ei:signalName>CUSTOM</ei:signalName>'));
    expect(error.code).toBe('OADR_ERR_VALUE_INVALID');
    expect(error.element).toMatch(/ei:eiEventSignal\[2\]\/ei:signalName$/);
    expect(decodePayload(event.replace('<ei:signalName>SIMPLE</ei:signalName>', '<ei:signalName>x-CUSTOM_SIGNAL</ei:signalName>')).message.type).toBe(
      'oadrDistributeEvent',
    );
  });

  test('a duration that does not parse', () => {
    const error = decodeError(event.replace('<xcal:duration>P1D</xcal:duration>', '<xcal:duration>1 day</xcal:duration>'));
    expect(error.code).toBe('OADR_ERR_DURATION_INVALID');
    expect(error.element).toBe('oadr:oadrDistributeEvent/oadr:oadrEvent[0]/ei:eiEvent/ei:eiActivePeriod/xcal:properties/xcal:duration/xcal:duration');
  });

  test('a date-time that does not parse', () => {
    const error = decodeError(event.replace(/<ei:createdDateTime>[^<]+</, '<ei:createdDateTime>2026-02-30T10:00:00Z<'));
    expect(error.code).toBe('OADR_ERR_DATETIME_INVALID');
    expect(error.element).toMatch(/ei:eventDescriptor\/ei:createdDateTime$/);
  });

  test('a date-time with a UTC offset is accepted on input', () => {
    const withOffset = event.replace(/<ei:createdDateTime>[^<]+</, '<ei:createdDateTime>2026-11-26T23:00:00+01:00<');
    expect(decodePayload(withOffset).message.type).toBe('oadrDistributeEvent');
  });

  test('a number that is not one', () => {
    const error = decodeError(event.replace('<ei:modificationNumber>3</ei:modificationNumber>', '<ei:modificationNumber>three</ei:modificationNumber>'));
    expect(error.code).toBe('OADR_ERR_VALUE_INVALID');
    expect(error.element).toMatch(/ei:modificationNumber$/);
  });

  test('a negative modification number (xs:unsignedInt)', () => {
    expect(decodeError(event.replace('<ei:modificationNumber>3</ei:modificationNumber>', '<ei:modificationNumber>-1</ei:modificationNumber>')).code).toBe(
      'OADR_ERR_VALUE_INVALID',
    );
  });

  test('an element given twice where the schema allows one', () => {
    const error = decodeError(poll.replace('<ei:venID>ven-1</ei:venID>', '<ei:venID>a</ei:venID><ei:venID>b</ei:venID>'));
    expect(error.code).toBe('OADR_ERR_ELEMENT_UNEXPECTED');
  });

  test('a schemaVersion other than 2.0b', () => {
    expect(decodeError(poll.replace('ei:schemaVersion="2.0b"', 'ei:schemaVersion="2.0a"')).code).toBe('OADR_ERR_SCHEMA_VERSION_UNSUPPORTED');
  });

  test('every protocol error is an OadrError with a stable code', () => {
    const error = decodeError('<<<');
    expect(error).toBeInstanceOf(OadrError);
    expect(error.code).toMatch(/^OADR_ERR_/);
    expect(error.name).toBe('OadrProtocolError');
  });

  test('the instanceof brand survives a copy of the class from another module registry', () => {
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('oadr-kit.OadrError'), { value: true });
    expect(foreign instanceof OadrError).toBe(true);
    expect(new Error('plain') instanceof OadrError).toBe(false);
  });
});

describe('encoding refuses an invalid body with a typed error', () => {
  test('missing required field', () => {
    const bad = { type: 'oadrPoll', body: {} } as unknown as OadrMessage;
    expect(() => encodePayload(bad)).toThrow(OadrInvalidArgumentError);
    try {
      encodePayload(bad);
    } catch (error) {
      expect((error as OadrInvalidArgumentError).code).toBe('OADR_ERR_ELEMENT_MISSING');
      expect((error as OadrInvalidArgumentError).element).toBe('oadr:oadrPoll/ei:venID');
    }
  });

  test('a date-time with an offset is not sent (the official schema allows UTC only)', () => {
    const body = structuredClone(EXAMPLES.oadrCreateOpt);
    body.createdDateTime = '2026-11-26T10:00:00+01:00';
    expect(() => encodePayload({ type: 'oadrCreateOpt', body })).toThrow(/oadrCreateOpt\/ei:createdDateTime/);
  });

  test('an unknown field', () => {
    const bad = { type: 'oadrPoll', body: { venID: 'v', vtnID: 'x' } } as unknown as OadrMessage;
    expect(() => encodePayload(bad)).toThrow(/unknown field "vtnID"/);
  });

  test('a non-finite number', () => {
    const body = structuredClone(EXAMPLES.oadrDistributeEvent);
    body.oadrEvent![0]!.eiEvent.eiEventSignals.eiEventSignal[0]!.intervals[0]!.signalPayload = Number.NaN;
    expect(() => encodePayload({ type: 'oadrDistributeEvent', body })).toThrow(OadrInvalidArgumentError);
  });

  test('two members of a choice at once', () => {
    const body = structuredClone(EXAMPLES.oadrUpdateReport);
    (body.oadrReport![0]!.intervals![0]!.oadrReportPayload[0]!.payloadBase as Record<string, unknown>)['oadrPayloadResourceStatus'] = {
      oadrOnline: true,
      oadrManualOverride: false,
    };
    expect(() => encodePayload({ type: 'oadrUpdateReport', body })).toThrow(/only one of its elements/);
  });
});
