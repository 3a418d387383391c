'use strict';
// Codec throughput: decode+validate and validate+encode per second, each against a bare
// fast-xml-parser parse of the same bytes in the same run (the floor any XML decoder pays).
const { XMLParser } = require('fast-xml-parser');
const { decodePayload, encodePayload, precompileValidators } = require('@oadr-kit/protocol');
const { EXAMPLES } = require('@oadr-kit/protocol/examples');
const { median, ratesPerSecond, fmt } = require('./lib/stats.js');

precompileValidators();
const bare = new XMLParser();

const cases = [
  ['oadrPoll', { type: 'oadrPoll', body: EXAMPLES.oadrPoll }],
  ['oadrDistributeEvent (3 signals × 96 intervals + baseline)', { type: 'oadrDistributeEvent', body: EXAMPLES.oadrDistributeEvent }],
  ['oadrUpdateReport (96 intervals × 2 points + status)', { type: 'oadrUpdateReport', body: EXAMPLES.oadrUpdateReport }],
];

const RUNS = 7;
const rows = [];
for (const [name, message] of cases) {
  const xml = encodePayload(message);
  process.stderr.write(`${name}: ${xml.length} bytes\n`);
  // Interleave the measurements so drift in machine load hits all of them alike.
  const parse = [];
  const decode = [];
  const encode = [];
  for (let r = 0; r < RUNS; r++) {
    parse.push(...ratesPerSecond(() => bare.parse(xml), { runs: 1 }));
    decode.push(...ratesPerSecond(() => decodePayload(xml), { runs: 1 }));
    encode.push(...ratesPerSecond(() => encodePayload(message), { runs: 1 }));
  }
  const p = median(parse);
  const d = median(decode);
  const e = median(encode);
  rows.push(`| ${name} | ${fmt(xml.length)} | ${fmt(p)} | ${fmt(d)} | ${fmt(p / d, 2)}× | ${fmt(e)} | ${fmt(p / e, 2)}× |`);
}

console.log(`## Protocol codec

Command: \`npm run bench -- protocol\` (\`bench/protocol.bench.js\`), ${new Date().toISOString().slice(0, 10)}.
Median of ${RUNS} runs of 400 ms each, one core, after a warm-up. "Cost" is how many bare parses one
operation costs: bare parse rate / operation rate, both measured in the same run (fast-xml-parser
with default options on the same bytes). Decode = size check, DTD refusal, well-formedness check,
parse, namespace resolution, typing, ajv validation. Encode = ajv validation, then XML.

Targets: decode+validate costs at most 2.5× a bare parse; a 96-interval oadrDistributeEvent decodes
and validates at 3,000/s or more on one core.

| message | bytes | bare parse /s | decode+validate /s | decode cost | validate+encode /s | encode cost |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}`);
