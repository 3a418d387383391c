'use strict';
// Codec throughput: decode+validate and validate+encode per second, each against a bare
// fast-xml-parser parse of the same bytes in the same run (the floor any XML decoder pays).
const { XMLParser } = require('fast-xml-parser');
const { decodePayload, encodePayload, precompileValidators } = require('@oadr-kit/protocol');
const { EXAMPLES } = require('@oadr-kit/protocol/examples');
const os = require('node:os');
const { median, ratesPerCpuSecond, fmt } = require('./lib/stats.js');

precompileValidators();
const bare = new XMLParser();

// The target's event: three signals of 96 intervals, without the example's 96-interval baseline.
const threeSignals = structuredClone(EXAMPLES.oadrDistributeEvent);
delete threeSignals.oadrEvent[0].eiEvent.eiEventSignals.eiEventBaseline;

const cases = [
  ['oadrPoll', { type: 'oadrPoll', body: EXAMPLES.oadrPoll }],
  ['oadrDistributeEvent (3 signals × 96 intervals)', { type: 'oadrDistributeEvent', body: threeSignals }],
  ['oadrDistributeEvent (3 signals × 96 intervals + baseline)', { type: 'oadrDistributeEvent', body: EXAMPLES.oadrDistributeEvent }],
  ['oadrUpdateReport (96 intervals × 2 points + status)', { type: 'oadrUpdateReport', body: EXAMPLES.oadrUpdateReport }],
];

const RUNS = 7;
const load = os.loadavg()[0];
const rows = [];
for (const [name, message] of cases) {
  const xml = encodePayload(message);
  process.stderr.write(`${name}: ${xml.length} bytes\n`);
  // Interleave the measurements so drift in machine load hits all of them alike.
  const parse = [];
  const decode = [];
  const encode = [];
  for (let r = 0; r < RUNS; r++) {
    parse.push(...ratesPerCpuSecond(() => bare.parse(xml), { runs: 1 }));
    decode.push(...ratesPerCpuSecond(() => decodePayload(xml), { runs: 1 }));
    encode.push(...ratesPerCpuSecond(() => encodePayload(message), { runs: 1 }));
  }
  const p = median(parse);
  const d = median(decode);
  const e = median(encode);
  rows.push(`| ${name} | ${fmt(xml.length)} | ${fmt(p)} | ${fmt(d)} | ${fmt(p / d, 2)}× | ${fmt(e)} | ${fmt(p / e, 2)}× |`);
}

console.log(`## Protocol codec

Command: \`npm run bench -- protocol\` (\`bench/protocol.bench.js\`), ${new Date().toISOString().slice(0, 10)}.
Median of ${RUNS} interleaved runs of 400 ms each, one core, after a warm-up; rates per second of
CPU time (what a core does when not shared; the one-minute load average was ${load.toFixed(1)} on
${os.cpus().length} cores when this run started). "Cost" is how many bare parses one operation
costs: bare parse rate / operation rate, both measured in the same run (fast-xml-parser with
default options on the same bytes). Decode = size check, DTD refusal, well-formedness check,
parse, namespace resolution, typing, ajv validation. Encode = ajv validation, then XML.

Targets: decode+validate costs at most 2.5× a bare parse; a 96-interval oadrDistributeEvent decodes
and validates at 3,000/s or more on one core.

| message | bytes | bare parse /CPU-s | decode+validate /CPU-s | decode cost | validate+encode /CPU-s | encode cost |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}`);
