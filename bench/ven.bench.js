'use strict';
// VEN footprint: a fresh VEN process per run registers with a scripted VTN on loopback over mutual
// TLS. Measured in the VEN process: time from start() to `registered`, resident memory once it has
// idled registered (polling) for a while, and CPU time per poll at a fast poll rate.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const { median, fmt } = require('./lib/stats.js');

const RUNS = 5;
// Node flags an embedded vendor would run with, next to Node's defaults: no V8 worker threads, a
// smaller young generation and no optimizing compiler (the VEN is I/O-bound). --lite-mode would save
// more but disables WebAssembly, which undici's HTTP parser needs.
const EMBEDDED_FLAGS = ['--single-threaded', '--max-semi-space-size=1', '--no-opt'];
const CONFIGS = [
  ['Node defaults', []],
  [EMBEDDED_FLAGS.join(' '), EMBEDDED_FLAGS],
];
const IDLE_MS = 5000;
const IDLE_POLL_MS = 1000;
const CPU_POLLS = 300;

if (process.argv[2] === 'child') {
  runVen(process.argv[3]).catch((error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
}

/** The VEN side: what a vendor's process does, plus the measurements. */
async function runVen(dir) {
  globalThis.gc?.();
  const rssBare = process.memoryUsage().rss;
  const { VenClient } = require('@oadr-kit/ven');
  globalThis.gc?.();
  const rssLoaded = process.memoryUsage().rss;
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const tls = { certFile: path.join(dir, 'ven.crt'), keyFile: path.join(dir, 'ven.key'), caFile: path.join(dir, 'ca.crt') };
  const ven = new VenClient({ vtnUrl: config.vtnUrl, venName: 'bench-ven', tls, pollIntervalMs: IDLE_POLL_MS, storagePath: path.join(dir, 'state.json') });
  const started = process.hrtime.bigint();
  const registered = ven.next('registered');
  await ven.start();
  await registered;
  const registerMs = Number(process.hrtime.bigint() - started) / 1e6;
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  globalThis.gc?.();
  const rssIdle = process.memoryUsage().rss;
  await ven.stop();

  // CPU per poll: a second client polling as fast as the loop allows (1 ms interval). Its registration,
  // in a process whose payload validators are already compiled, shows what the VEN itself costs.
  const fast = new VenClient({ vtnUrl: config.vtnUrl, venName: 'bench-ven', tls, pollIntervalMs: 1 });
  let polls = 0;
  let cpuBefore;
  const done = new Promise((resolve) => {
    fast.on('pollCompleted', () => {
      polls++;
      if (polls === 20) cpuBefore = process.cpuUsage();
      if (polls === 20 + CPU_POLLS) resolve(process.cpuUsage(cpuBefore));
    });
  });
  const warmStarted = process.hrtime.bigint();
  const warmRegistered = fast.next('registered');
  await fast.start();
  await warmRegistered;
  const warmRegisterMs = Number(process.hrtime.bigint() - warmStarted) / 1e6;
  const cpu = await done;
  await fast.stop();
  process.stdout.write(`${JSON.stringify({ registerMs, warmRegisterMs, rssBare, rssLoaded, rssIdle, cpuPerPollUs: (cpu.user + cpu.system) / CPU_POLLS })}\n`);
}

/** The bench side: a dev PKI, a scripted 2.0b VTN on 127.0.0.1, and RUNS fresh VEN processes. */
async function main() {
  const { createDevCa, issueCertificate, createTlsServerOptions } = require('@oadr-kit/security');
  const { decodePayload, encodePayload } = require('@oadr-kit/protocol');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oadr-ven-bench-'));
  const ca = createDevCa('ec-p256');
  const issue = (profile) => {
    const pair = issueCertificate({ profile, keyAlgorithm: 'ec-p256', commonName: `${profile}.bench`, issuer: ca.intermediate, ipAddresses: ['127.0.0.1'] });
    return { keyPem: pair.keyPem, certificatePem: pair.certificatePem + ca.intermediate.certificatePem };
  };
  const caPem = ca.root.certificatePem + ca.intermediate.certificatePem;
  const vtnPair = issue('vtn');
  const venPair = issue('ven');
  fs.writeFileSync(path.join(dir, 'ven.crt'), venPair.certificatePem);
  fs.writeFileSync(path.join(dir, 'ven.key'), venPair.keyPem);
  fs.writeFileSync(path.join(dir, 'ca.crt'), caPem);

  const ok = (requestID) => ({ responseCode: '200', requestID });
  const registration = { registrationID: 'reg-bench', vtnID: 'vtn-bench', oadrProfiles: [{ oadrProfileName: '2.0b', oadrTransports: ['simpleHttp'] }] };
  const answer = (message) => {
    switch (message.type) {
      case 'oadrQueryRegistration':
        return { type: 'oadrCreatedPartyRegistration', body: { eiResponse: ok(message.body.requestID), vtnID: 'vtn-bench', oadrProfiles: registration.oadrProfiles } };
      case 'oadrCreatePartyRegistration':
        return { type: 'oadrCreatedPartyRegistration', body: { eiResponse: ok(message.body.requestID), venID: 'ven-bench', ...registration } };
      case 'oadrRegisterReport':
        return { type: 'oadrRegisteredReport', body: { eiResponse: ok(message.body.requestID) } };
      case 'oadrRequestEvent':
        return { type: 'oadrDistributeEvent', body: { eiResponse: ok(message.body.eiRequestEvent.requestID), requestID: 'dist-bench', vtnID: 'vtn-bench' } };
      default:
        return { type: 'oadrResponse', body: { eiResponse: ok('') } };
    }
  };
  // Answers are encoded once per type: the VTN's cost is not what this bench measures.
  const pollAnswer = encodePayload({ type: 'oadrResponse', body: { eiResponse: ok(''), venID: 'ven-bench' } });
  const server = https.createServer(createTlsServerOptions({ credentials: [vtnPair], ca: caPem }), (req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const { message } = decodePayload(Buffer.concat(chunks));
      const body = message.type === 'oadrPoll' ? pollAnswer : encodePayload(answer(message));
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ vtnUrl: `https://127.0.0.1:${server.address().port}` }));

  const load = os.loadavg()[0];
  const rows = [];
  for (const [label, flags] of CONFIGS) {
    const results = [];
    for (let run = 0; run < RUNS; run++) {
      fs.rmSync(path.join(dir, 'state.json'), { force: true });
      results.push(await child(dir, flags));
      process.stderr.write(`${label}, run ${run + 1}: ${JSON.stringify(results[run])}\n`);
    }
    const row = (name, values, unit, decimals) =>
      `| ${label} | ${name} | ${fmt(median(values), decimals)} ${unit} | ${fmt(Math.min(...values), decimals)} ${unit} | ${fmt(Math.max(...values), decimals)} ${unit} |`;
    rows.push(
      row('start → registered (fresh process)', results.map((r) => r.registerMs), 'ms', 0),
      row('start → registered (validators compiled)', results.map((r) => r.warmRegisterMs), 'ms', 0),
      row('resident memory, bare Node', results.map((r) => r.rssBare / 1e6), 'MB', 1),
      row('resident memory, @oadr-kit/ven loaded', results.map((r) => r.rssLoaded / 1e6), 'MB', 1),
      row('resident memory, idle registered', results.map((r) => r.rssIdle / 1e6), 'MB', 1),
      row('CPU per poll', results.map((r) => r.cpuPerPollUs), 'µs', 0),
    );
  }
  await new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  });
  fs.rmSync(dir, { recursive: true, force: true });

  console.log(`## VEN footprint

Command: \`npm run bench -- ven\` (\`bench/ven.bench.js\`), ${new Date().toISOString().slice(0, 10)}.
${RUNS} fresh VEN processes per Node configuration (one \`VenClient\` each, state file on disk), each
registering with a scripted 2.0b VTN in the bench process on 127.0.0.1 over mutual TLS (ECC P-256,
TLS 1.2, ECDHE-ECDSA-AES128-SHA256). "Registered" is the full start-up sequence: reading the
certificate files, oadrQueryRegistration, oadrCreatePartyRegistration, oadrRegisterReport with the
two telemetry metadata reports, oadrRequestEvent. In a fresh process it includes the first-use
compilation of the payload validators of \`@oadr-kit/protocol\` (ajv); the second VEN of each process
registers with them compiled. Resident memory is read in the VEN process (after a GC each time) at
start, once \`@oadr-kit/ven\` is loaded (with protocol, security and undici), and after
${IDLE_MS / 1000} s idle and registered (polling every ${IDLE_POLL_MS / 1000} s). CPU per poll (user + system, VEN
process only) is measured over ${CPU_POLLS} polls on a kept-alive connection, each an oadrPoll answered
by an empty oadrResponse. The one-minute load average was ${load.toFixed(1)} on ${os.cpus().length} cores
when this run started.

Target: under 60 MB resident, registered in under 1 s.

| Node flags | measure | median | min | max |
| --- | --- | ---: | ---: | ---: |
${rows.join('\n')}`);
}

function child(dir, flags) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', ...flags, process.argv[1], 'child', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.on('error', reject);
    proc.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`VEN process exited with ${code}`))));
  });
}
