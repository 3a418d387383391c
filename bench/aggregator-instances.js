'use strict';
// Generators of the benchmark instances of ADMM.md section 6 for the aggregator: M "feeder-10k" and
// L "city-1M" (houses on service lines, feeders behind transformers, one substation grid connection).
// Every random number is SplitMix64 of (seed, house, field), so an instance does not depend on the
// order in which it is built.
const A = require('@oadr-kit/aggregator');
const MASK = (1n << 64n) - 1n;

function splitmix(x) {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

/** Uniform in [0, 1) from (seed, house, field). */
function uniform(seed, house, field) {
  const key = splitmix(splitmix(splitmix(BigInt(seed)) ^ BigInt(house)) ^ BigInt(field));
  return Number(key >> 11n) / 2 ** 53;
}

function between(seed, house, field, lo, hi) {
  return lo + (hi - lo) * uniform(seed, house, field);
}

/** Houses ranked by a seeded permutation; the first `share` of the ranking get the device. */
function pick(seed, salt, count, share) {
  const keys = Array.from({ length: count }, (_, h) => [uniform(seed, h, salt), h]);
  keys.sort((a, b) => a[0] - b[0]);
  const chosen = new Uint8Array(count);
  for (let i = 0; i < Math.round(share * count); i++) chosen[keys[i][1]] = 1;
  return chosen;
}

const T = 96;
const DT = 0.25;
const hours = Array.from({ length: T }, (_, t) => (t + 0.5) * DT);

function touPrice() {
  return hours.map((h) => (h < 7 ? 0.2 : h >= 17 && h < 21 ? 0.4 : h >= 23 ? 0.2 : 0.3));
}

function netLoad(seed, h) {
  const base = between(seed, h, 1, 0.2, 0.5);
  const morning = between(seed, h, 2, 0.3, 1.0);
  const evening = between(seed, h, 3, 1.0, 2.5);
  const kwp = uniform(seed, h, 4) < 0.6 ? between(seed, h, 5, 2, 6) : 0;
  return hours.map((x, t) => {
    const noise = 0.05 * (uniform(seed, h, 100 + t) + uniform(seed, h, 200 + t) + uniform(seed, h, 300 + t) - 1.5) * 2;
    const load = Math.max(0.05, base + morning * Math.exp(-0.5 * ((x - 7.5) / 1) ** 2) + evening * Math.exp(-0.5 * ((x - 19) / 1.5) ** 2) + noise);
    const sun = x >= 6 && x <= 20 ? Math.max(0, Math.sin((Math.PI * (x - 6)) / 14)) : 0;
    return load - 0.75 * kwp * sun;
  });
}

/**
 * Generates the nets and devices of `feeders` x `housesPerFeeder` houses into `sink` (net(id,
 * parent) and device(kind, id, parameters, nets)); returns the device counts.
 */
function generateFeeders({ feeders, housesPerFeeder = 100, seed = 1 }, sink) {
  const H = feeders * housesPerFeeder;
  const battery = pick(seed, 11, H, 0.5);
  const ev = pick(seed, 12, H, 0.3);
  const heatPump = pick(seed, 13, H, 0.3);
  const outdoor = hours.map((x) => 6 + 4 * Math.sin((Math.PI * (x - 9)) / 12));
  sink.net('substation');
  const add = (kind, id, parameters, at) => sink.device(kind, id, parameters, at);
  const counts = { houses: H, fixed: 0, batteries: 0, evs: 0, heatPumps: 0, serviceLines: 0, transformers: 0, grid: 1 };
  let importCap = 0;
  for (let f = 0; f < feeders; f++) {
    const feeder = `feeder-${f}`;
    sink.net(feeder, 'substation');
    add('transformer', `transformer-${f}`, { capacityKw: 150 }, ['substation', feeder]);
    counts.transformers++;
    const aggregate = new Float64Array(T);
    for (let k = 0; k < housesPerFeeder; k++) {
      const h = f * housesPerFeeder + k;
      const house = `house-${h}`;
      sink.net(house, feeder);
      add('line', `service-${h}`, { capacityKw: 10 }, [feeder, house]);
      const load = netLoad(seed, h);
      load.forEach((x, t) => (aggregate[t] += x));
      add('fixed-load', `load-${h}`, { powerKw: load }, [house]);
      counts.serviceLines++;
      counts.fixed++;
      if (battery[h]) {
        const smax = between(seed, h, 20, 5, 13.5);
        const rate = Math.min(5, smax / 2);
        add('battery', `battery-${h}`, { capacityKwh: smax, maxChargeKw: rate, maxDischargeKw: rate, chargeEfficiency: 0.95, dischargeEfficiency: 0.95, initialSocKwh: smax / 2, wearCostPerKwh: 0.01 }, [house]);
        counts.batteries++;
      }
      if (ev[h]) {
        add('electric-vehicle', `ev-${h}`, { capacityKwh: 60, initialSocKwh: 10, requiredSocKwh: 10 + between(seed, h, 30, 5, 20), arrivalSlot: 72, departureSlot: 96, maxChargeKw: 7.4 }, [house]);
        counts.evs++;
      }
      if (heatPump[h]) {
        add(
          'heat-pump',
          `heat-pump-${h}`,
          { maxPowerKw: 3, cop: 3, thermalCapacityKwhPerK: 3, heatLossKwPerK: 0.15, initialTempC: 20, minTempC: 19, maxTempC: 22, outdoorTempC: outdoor },
          [house],
        );
        counts.heatPumps++;
      }
    }
    importCap += 0.8 * Math.max(...aggregate);
  }
  add('grid-connection', 'grid', { importPrice: touPrice(), exportPrice: 0.05, quadraticCost: 0.05 / H, importLimitKw: importCap, exportLimitKw: 2 * H }, ['substation']);
  return counts;
}

const HORIZON = { slots: T, slotHours: DT };

/** The instance as plain data (a NetworkSpec, so worker threads can rebuild their blocks), with the device counts. */
function feederSpec(options) {
  const nets = [];
  const devices = [];
  const counts = generateFeeders(options, {
    net: (id, parent) => nets.push(parent === undefined ? { id } : { id, parent }),
    device: (kind, id, parameters, at) => devices.push({ kind, id, parameters, nets: at }),
  });
  return { spec: { horizon: HORIZON, nets, devices }, counts };
}

/**
 * The instance built straight into a network, device by device, so a million devices never exist
 * twice (as plain data and as objects) at the same time; with its penalty weights.
 */
function feederNetwork(options) {
  const builder = new A.NetworkBuilder(HORIZON);
  const weights = {};
  const counts = generateFeeders(options, {
    net: (id, parent) => builder.addNet(id, parent === undefined ? {} : { parent }),
    device: (kind, id, parameters, at) => {
      builder.addDevice(A.createDevice(kind, id, parameters, HORIZON), at);
      const w = weightOf(kind);
      if (w !== undefined) weights[id] = w;
    },
  });
  return { network: builder.build(), weights, counts };
}

/** Penalty weights of feeder instances: a net's balancing terminal absorbs more of its imbalance. */
function feederWeights(spec) {
  const weights = {};
  for (const d of spec.devices) {
    const w = weightOf(d.kind);
    if (w !== undefined) weights[d.id] = w;
  }
  return weights;
}

function weightOf(kind) {
  if (kind === 'line') return 0.3;
  if (kind === 'transformer' || kind === 'grid-connection') return 0.01;
  return undefined;
}

module.exports = { feederSpec, feederNetwork, feederWeights };
