'use strict';
// ADMM engine: community-39 (S) against the cvxopt oracle's optimum and prices, the community at
// 1,000 and 2,000 houses against the oracle solving it in the same run, feeder-10k (M), and the
// memory floor (a plain Float64Array copy loop) measured in the same run. city-1M (L) runs only with
// AGG_BENCH_L=1 (it builds a million devices).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const A = require('@oadr-kit/aggregator');
const { feederNetwork, feederSpec, feederWeights } = require('./aggregator-instances.js');
const { median, fmt } = require('./lib/stats.js');

const ORACLE_DIR = process.env.AGG_ORACLE_DIR ?? '/work/shared/bench/oracle';
const FIXTURES = path.join(__dirname, '..', 'packages', 'aggregator', 'test', 'fixtures');
const PYTHON = process.env.AGG_PYTHON ?? '/usr/bin/python3';
const log = (text) => process.stderr.write(`${text}\n`);

let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

/** Achieved bytes per second of a plain copy loop (read + write counted), median of 5. */
function copyFloor() {
  const n = 8 * 1024 * 1024;
  const src = new Float64Array(n).fill(1.5);
  const dst = new Float64Array(n);
  const rates = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) dst[i] = src[i];
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r >= 2) rates.push((16 * n) / s);
  }
  return median(rates);
}

/**
 * Bytes one iteration must move at the least (ADMM.md section 6 model): p and z read and written
 * per terminal-slot, u, pbar and the sum per net-slot, and the inner solvers' state (x, z, w of 3T
 * each) read and written per device with internal state.
 */
function modeledBytes(network) {
  const T = network.horizon.slots;
  const lq = network.devices.filter((d) => d instanceof A.LqDevice).length;
  return network.terminalCount * T * 32 + network.netIds.length * T * 40 + lq * 9 * T * 16;
}

/** Steps an engine to `tolerances`, timing each iteration; calls `measure` at each tolerance met. */
function drive(engine, tolerances, maxIterations, measure, maxSeconds = Infinity) {
  const times = [];
  const hits = {};
  const start = process.hrtime.bigint();
  let report;
  for (let k = 0; k < maxIterations; k++) {
    const t0 = process.hrtime.bigint();
    report = engine.step();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    for (const tol of tolerances) {
      if (hits[tol] === undefined && engine.converged(report, tol)) hits[tol] = { iterations: report.iteration, seconds: elapsed, ...measure() };
    }
    if (k % 100 === 0) {
      sampleRss();
      log(`  iteration ${report.iteration}: rel. primal ${report.relativePrimal.toExponential(2)}, rel. dual ${report.relativeDual.toExponential(2)}, ${elapsed.toFixed(1)} s`);
    }
    if ((tolerances.length > 0 && tolerances.every((tol) => hits[tol] !== undefined)) || elapsed > maxSeconds) break;
  }
  return { hits, msPerIteration: median(times.slice(10)), iterations: report.iteration };
}

function priceError(prices, reference) {
  let worst = 0;
  reference.forEach((p, t) => (worst = Math.max(worst, Math.abs(prices[t] - p))));
  return worst;
}

/** Gap of the raw iterate, of the repaired schedule, price error and certified gap. */
function quality(engine, netId, optimum, prices) {
  const certificate = engine.certificate();
  return {
    rawGap: (engine.objective() - optimum) / optimum,
    repairedGap: (certificate.repairedObjective - optimum) / optimum,
    violation: certificate.maxViolation,
    certified: certificate.relativeGap,
    priceError: prices === undefined ? undefined : priceError(engine.prices(netId), prices),
  };
}

const pct = (x) => (x === undefined ? 'n/a' : `${(100 * x).toFixed(3)}%`);
const cell = (hit, f) => (hit === undefined ? 'not reached' : f(hit));

/** A grid connection facing N terminals takes weight 60/N (ADMM.md 5.3: fan-in; tuned at 200 and 1,000 houses). */
function gridWeight(network) {
  const n = network.netTerminalCount[network.netIndexOf('community')];
  return Math.min(1, 60 / n);
}

const THREADS = 2;

/** Median ms per iteration of the serial engine over a few iterations (for the thread speedup). */
function serialMsPerIteration(network, options, iterations) {
  const engine = new A.AdmmEngine(network, options);
  return drive(engine, [], iterations, () => ({})).msPerIteration;
}

async function main() {
  const loadBefore = os.loadavg()[0];
  const floor = copyFloor();
  log(`copy loop: ${(floor / 1e9).toFixed(2)} GB/s`);

  // ---- S: community-39 ----
  const s39 = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'community-39.instance.json'), 'utf8'));
  const s39Solution = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'community-39.solution.json'), 'utf8'));
  const sRuns = [];
  for (let r = 0; r < 5; r++) {
    log(`community-39 run ${r + 1}`);
    const { network, netId } = A.communityNetwork(s39);
    const engine = new A.AdmmEngine(network);
    const run = drive(engine, [1e-3, 1e-4], 5000, () => quality(engine, netId, s39Solution.cost_eur, s39Solution.price_eur_per_kwh));
    sRuns.push({ ...run, bytes: modeledBytes(network) });
  }
  const sRow = (tol) => {
    const hits = sRuns.map((r) => r.hits[tol]).filter((h) => h !== undefined);
    if (hits.length === 0) return `| ${tol} | not reached | | | | | |`;
    const m = (f) => median(hits.map(f));
    return `| ${tol} | ${m((h) => h.iterations)} | ${fmt(1000 * m((h) => h.seconds), 0)} ms | ${pct(m((h) => h.rawGap))} | ${pct(m((h) => h.repairedGap))} (violation ${m((h) => h.violation).toExponential(1)}) | ${pct(m((h) => h.certified))} | ${m((h) => h.priceError).toFixed(5)} |`;
  };
  const sMs = median(sRuns.map((r) => r.msPerIteration));
  const sBw = sRuns[0].bytes / (sMs / 1000);

  // ---- headline: community at 1,000 and 2,000 houses vs the oracle in the same run ----
  const headline = [];
  const oracleReady = spawnSync(PYTHON, ['-c', 'import numpy, cvxopt, scipy'], { encoding: 'utf8' }).status === 0 && fs.existsSync(ORACLE_DIR);
  if (oracleReady) {
    for (const H of [1000, 2000]) {
      log(`community-${H}: oracle`);
      const script = [
        'import json, sys, dataclasses',
        `sys.path.insert(0, ${JSON.stringify(ORACLE_DIR)})`,
        'import oracle_cvxopt, instance',
        `inst = instance.make_instance(${H}, 96, 0)`,
        'out, lmp = oracle_cvxopt.solve_single(' + H + ', 96, 0, False)',
        'd = {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in dataclasses.asdict(inst).items()}',
        'print(json.dumps({"instance": d, "oracle": out, "lmp": lmp.tolist()}))',
      ].join('\n');
      const run = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      if (run.status !== 0) {
        log(run.stderr);
        continue;
      }
      const { instance, oracle, lmp } = JSON.parse(run.stdout);
      log(`community-${H}: oracle ${oracle.solve_s} s, ${oracle.cost_eur} EUR; engine`);
      const spec = A.communityNetworkSpec(instance);
      const weight = gridWeight(A.networkFromSpec(spec));
      const engine = await A.ParallelAdmmEngine.create(spec, { threads: THREADS, weights: { grid: weight } });
      const result = drive(engine, [1e-3, 1e-4], 5000, () => quality(engine, 'community', oracle.cost_eur, lmp), 600);
      await engine.close();
      const serialMs = serialMsPerIteration(A.networkFromSpec(spec), { weights: { grid: weight } }, 30);
      headline.push({ H, oracle, weight, result, serialMs });
    }
  }

  // ---- M: feeder-10k ----
  log('feeder-10k: build');
  const buildStart = process.hrtime.bigint();
  const mData = feederSpec({ feeders: 32 });
  const mNetwork = A.networkFromSpec(mData.spec);
  const buildSeconds = Number(process.hrtime.bigint() - buildStart) / 1e9;
  const m = { counts: mData.counts, devices: mNetwork.devices.length, nets: mNetwork.netIds.length, terminals: mNetwork.terminalCount, network: mNetwork };
  const mWeights = feederWeights(mData.spec);
  const mEngine = await A.ParallelAdmmEngine.create(mData.spec, { threads: THREADS, weights: mWeights });
  log('feeder-10k: run');
  const mResult = drive(mEngine, [1e-3], 3000, () => {
    const c = mEngine.certificate();
    return { certified: c.relativeGap, violation: c.maxViolation, objective: c.repairedObjective };
  }, 300);
  await mEngine.close();
  sampleRss();
  const mSerialMs = serialMsPerIteration(mNetwork, { weights: mWeights }, 30);
  const mBw = modeledBytes(m.network) / (mResult.msPerIteration / 1000);

  // ---- L: city-1M (opt-in) ----
  let lLine = 'Not run (set `AGG_BENCH_L=1`; it builds about a million devices).';
  if (process.env.AGG_BENCH_L === '1') {
    log('city-1M: build');
    const lBuild = process.hrtime.bigint();
    const lData = feederNetwork({ feeders: 3200 });
    const lBuildSeconds = Number(process.hrtime.bigint() - lBuild) / 1e9;
    const lNetwork = lData.network;
    const l = { devices: lNetwork.devices.length, nets: lNetwork.netIds.length, terminals: lNetwork.terminalCount, network: lNetwork };
    // run.js starts every bench with --expose-gc: drop the build's garbage before measuring residency.
    globalThis.gc?.();
    const lEngine = new A.AdmmEngine(lNetwork, { weights: lData.weights });
    const lResult = drive(lEngine, [], 12, () => ({}));
    sampleRss();
    const lResident = process.memoryUsage().rss;
    const lBw = modeledBytes(l.network) / (lResult.msPerIteration / 1000);
    lLine = `${fmt(l.devices)} devices, ${fmt(l.nets)} nets, ${fmt(l.terminals)} terminals, built in ${fmt(lBuildSeconds, 0)} s, one thread: ${fmt(lResult.msPerIteration, 0)} ms per iteration (median of iterations 10-12), ${(lBw / 1e9).toFixed(2)} GB/s modeled = ${fmt(floor / lBw, 1)}x the copy-loop time; ${fmt(lResult.msPerIteration / mSerialMs, 0)}x M's one-thread time per iteration for 100x the houses. Resident memory while iterating: ${fmt(lResident / 1e9, 2)} GB.`;
  }

  const headlineRows = headline.map(({ H, oracle, weight, result, serialMs }) => {
    const h3 = result.hits[1e-3];
    const h4 = result.hits[1e-4];
    const fmtHit = (h) => `${h.iterations} it., ${fmt(h.seconds, 1)} s, raw ${pct(h.rawGap)}, repaired ${pct(h.repairedGap)} (violation ${h.violation.toExponential(1)} kW), price err. ${h.priceError.toFixed(4)}`;
    const ratio = h3 === undefined ? 'n/a' : `${fmt(oracle.solve_s / h3.seconds, 1)}x`;
    return `| ${fmt(H)} | ${fmt(oracle.solve_s, 1)} s (${oracle.iterations} IPM it.), ${oracle.cost_eur.toFixed(4)} EUR | ${weight.toFixed(4)} | ${cell(h3, fmtHit)} | ${ratio} | ${cell(h4, fmtHit)} | ${fmt(result.msPerIteration, 1)} (1 thread: ${fmt(serialMs, 1)}) |`;
  });

  console.log(`## Aggregator

Command: \`npm run bench -- aggregator\` (\`bench/aggregator.bench.js\`), ${new Date().toISOString().slice(0, 10)}; ${os.cpus().length} cores,
Node.js ${process.version}, float64, T = 96 slots of 15 min. Engine defaults: rho0 0.02, over-relaxation 1.6,
residual balancing every 25 iterations (ratio 3, factor 1.2) with dual rescaling, 5 warm-started inner iterations per
battery / EV / heat-pump prox (banded O(T) Riccati solve). Tolerances are the relative residuals of ADMM.md 1.4.
"Raw" gap = objective of the iterate, "repaired" = each device projected onto its constraints and each net's
imbalance moved to its grid connection or up its line (violation = what that leaves, e.g. a grid import cap);
"certified" = repaired objective minus the Lagrangian dual bound g(y), relative. Price error = max over slots of
|y - oracle dual| in EUR/kWh. Bandwidth = modeled bytes per iteration / time per iteration, against a plain
Float64Array copy loop in the same run: **${(floor / 1e9).toFixed(2)} GB/s**. Machine load average (1 min) at the start and
end: ${loadBefore.toFixed(1)} / ${os.loadavg()[0].toFixed(1)} (other work on the machine slows every figure alike). S runs on one thread; the headline and M
run \`ParallelAdmmEngine\` with ${THREADS} threads (identical iterates to the serial engine; the 1-thread time per
iteration is given beside). Peak RSS of this process: ${fmt(peakRss / 1e6)} MB.

### S: community-39 (39 houses, 79 devices, 1 net), median of ${sRuns.length} runs; oracle 31.7960 EUR

| tolerance | iterations | wall time | raw gap | repaired gap | certified gap | price error |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${sRow(1e-3)}
${sRow(1e-4)}

Time per iteration ${fmt(sMs, 3)} ms; modeled ${fmt(sRuns[0].bytes / 1e6, 2)} MB per iteration = ${(sBw / 1e9).toFixed(2)} GB/s
(${fmt(floor / sBw, 1)}x the copy-loop time: at this size the work is compute, not memory).

### Headline: community at 1,000 and 2,000 houses against \`oracle_cvxopt.py\` solved in this run

The grid connection faces 2H + 1 terminals, so it gets penalty weight 60/N (ADMM.md 5.3: fan-in), everything else 1.
${oracleReady ? '' : '\nNot run: python3 with numpy, scipy and cvxopt, or the oracle folder, is missing.\n'}
| houses | oracle (cvxopt, normal-equation KKT) | grid weight | engine to 1e-3 | oracle time / engine time | engine to 1e-4 | ms/iteration |
| ---: | --- | ---: | --- | ---: | --- | ---: |
${headlineRows.join('\n')}

### M: feeder-10k (32 feeders x 100 houses)

${fmt(m.devices)} devices (${m.counts.fixed} fixed+PV, ${m.counts.batteries} batteries, ${m.counts.evs} EVs, ${m.counts.heatPumps} heat pumps,
${m.counts.serviceLines} service lines, ${m.counts.transformers} transformers, 1 grid), ${fmt(m.nets)} nets, ${fmt(m.terminals)} terminals; built in
${fmt(buildSeconds, 1)} s. Weights: service lines 0.3, transformers and grid 0.01 (tuned: about 200 iterations at 8, 16 and 32 feeders). No centralized oracle here: the certified
gap bounds the distance to the optimum. Instance generator: \`bench/aggregator-instances.js\` (SplitMix64 per house and field).

| tolerance | iterations | wall time (${THREADS} threads) | certified gap | repaired violation | ms/iteration, ${THREADS} threads | 1 thread | modeled GB/s | x copy-loop time |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| 1e-3 | ${cell(mResult.hits[1e-3], (h) => `${h.iterations} | ${fmt(h.seconds, 1)} s | ${pct(h.certified)} | ${h.violation.toExponential(1)} kW`)} | ${fmt(mResult.msPerIteration, 1)} | ${fmt(mSerialMs, 1)} | ${(mBw / 1e9).toFixed(2)} | ${fmt(floor / mBw, 1)} |

### L: city-1M

${lLine}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
