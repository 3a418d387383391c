/**
 * A realistic day-ahead oadrDistributeEvent for signing tests and benchmarks: one event with three
 * signals (price, dispatch setpoint, SIMPLE level) of 96 fifteen-minute intervals each, in the
 * 2.0b namespaces with their conventional prefixes. bench/security.bench.js builds the same document.
 */
export function distributeEvent96(options: { withId?: boolean } = {}): string {
  const signals: Array<[string, string, string]> = [
    [
      'ELECTRICITY_PRICE',
      'price',
      '<oadr:currencyPerKWh><oadr:itemDescription>currencyPerKWh</oadr:itemDescription><oadr:itemUnits>EUR</oadr:itemUnits><scale:siScaleCode>none</scale:siScaleCode></oadr:currencyPerKWh>',
    ],
    [
      'LOAD_DISPATCH',
      'setpoint',
      '<power:powerReal><power:itemDescription>RealPower</power:itemDescription><power:itemUnits>W</power:itemUnits><scale:siScaleCode>k</scale:siScaleCode><power:powerAttributes><power:hertz>50</power:hertz><power:voltage>230</power:voltage><power:ac>true</power:ac></power:powerAttributes></power:powerReal>',
    ],
    ['SIMPLE', 'level', ''],
  ];
  const eventSignals = signals.map(([name, type, itemBase], s) => {
    const intervals: string[] = [];
    for (let i = 0; i < 96; i++) {
      const value = name === 'SIMPLE' ? String(i % 4) : ((Math.sin(i / 8 + s) + 1.5) * 0.1234).toFixed(4);
      intervals.push(
        `<ei:interval><xcal:duration><xcal:duration>PT15M</xcal:duration></xcal:duration><xcal:uid><xcal:text>${i}</xcal:text></xcal:uid><ei:signalPayload><ei:payloadFloat><ei:value>${value}</ei:value></ei:payloadFloat></ei:signalPayload></ei:interval>`,
      );
    }
    return `<ei:eiEventSignal><strm:intervals>${intervals.join('')}</strm:intervals><ei:signalName>${name}</ei:signalName><ei:signalType>${type}</ei:signalType><ei:signalID>signal-${s}</ei:signalID>${itemBase}<ei:currentValue><ei:payloadFloat><ei:value>0</ei:value></ei:payloadFloat></ei:currentValue></ei:eiEventSignal>`;
  });
  const id = options.withId === true ? ' oadr:Id="oadrSignedObject"' : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<oadr:oadrPayload xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07" xmlns:pyld="http://docs.oasis-open.org/ns/energyinterop/201110/payloads" xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110" xmlns:emix="http://docs.oasis-open.org/ns/emix/2011/06" xmlns:power="http://docs.oasis-open.org/ns/emix/2011/06/power" xmlns:scale="http://docs.oasis-open.org/ns/emix/2011/06/siscale" xmlns:strm="urn:ietf:params:xml:ns:icalendar-2.0:stream" xmlns:xcal="urn:ietf:params:xml:ns:icalendar-2.0">
  <oadr:oadrSignedObject${id}>
    <oadr:oadrDistributeEvent ei:schemaVersion="2.0b"><ei:eiResponse><ei:responseCode>200</ei:responseCode><ei:responseDescription>OK</ei:responseDescription><pyld:requestID>poll-1</pyld:requestID></ei:eiResponse><pyld:requestID>dist-1</pyld:requestID><ei:vtnID>vtn-1</ei:vtnID><oadr:oadrEvent><ei:eiEvent><ei:eventDescriptor><ei:eventID>day-ahead-2026-11-27</ei:eventID><ei:modificationNumber>0</ei:modificationNumber><ei:priority>1</ei:priority><ei:eiMarketContext><emix:marketContext>http://example.com/programs/day-ahead</emix:marketContext></ei:eiMarketContext><ei:createdDateTime>2026-11-26T12:00:00Z</ei:createdDateTime><ei:eventStatus>far</ei:eventStatus><ei:testEvent>false</ei:testEvent></ei:eventDescriptor><ei:eiActivePeriod><xcal:properties><xcal:dtstart><xcal:date-time>2026-11-27T00:00:00Z</xcal:date-time></xcal:dtstart><xcal:duration><xcal:duration>PT24H</xcal:duration></xcal:duration><ei:x-eiNotification><xcal:duration>PT12H</xcal:duration></ei:x-eiNotification></xcal:properties><xcal:components/></ei:eiActivePeriod><ei:eiEventSignals>${eventSignals.join('')}</ei:eiEventSignals><ei:eiTarget><ei:venID>ven-1</ei:venID></ei:eiTarget></ei:eiEvent><oadr:oadrResponseRequired>always</oadr:oadrResponseRequired></oadr:oadrEvent></oadr:oadrDistributeEvent>
  </oadr:oadrSignedObject>
</oadr:oadrPayload>
`;
}
