import { AdmmEngine, AggregatorError, createDevice, deviceParameterSchemas, localResponse, NetworkBuilder, RemoteTerminal, communityNetwork } from '../src/index.js';

const horizon = { slots: 96, slotHours: 0.25 };

function failure(make: () => unknown): AggregatorError {
  try {
    make();
  } catch (error) {
    if (error instanceof AggregatorError) return error;
    throw error;
  }
  throw new Error('expected an AggregatorError');
}

describe('bad input gives a typed error naming the device, never NaN', () => {
  const cases: [string, string, unknown, string, string][] = [
    ['negative capacity', 'battery', { capacityKwh: -5, maxChargeKw: 2, maxDischargeKw: 2, initialSocKwh: 0 }, 'OADR_ERR_AGG_INVALID_PARAMETER', 'capacityKwh'],
    ['NaN rate', 'battery', { capacityKwh: 5, maxChargeKw: Number.NaN, maxDischargeKw: 2, initialSocKwh: 1 }, 'OADR_ERR_AGG_INVALID_PARAMETER', 'maxChargeKw'],
    ['unreachable final state', 'battery', { capacityKwh: 10, maxChargeKw: 0.01, maxDischargeKw: 2, initialSocKwh: 0, finalSocKwh: 10 }, 'OADR_ERR_AGG_INFEASIBLE', 'finalSocKwh'],
    ['misspelt field', 'battery', { capacityKwh: 5, maxChargKw: 2, maxChargeKw: 2, maxDischargeKw: 2, initialSocKwh: 1 }, 'OADR_ERR_AGG_INVALID_PARAMETER', 'maxChargKw'],
    ['EV deadline before the window', 'electric-vehicle', { capacityKwh: 40, requiredSocKwh: 10, arrivalSlot: 60, departureSlot: 30, maxChargeKw: 7 }, 'OADR_ERR_AGG_INVALID_PARAMETER', 'departureSlot'],
    ['EV energy beyond the rate', 'electric-vehicle', { capacityKwh: 60, requiredSocKwh: 50, arrivalSlot: 70, departureSlot: 80, maxChargeKw: 7 }, 'OADR_ERR_AGG_INFEASIBLE', 'requiredSocKwh'],
    ['deferrable deadline before the window', 'deferrable-load', { energyKwh: 2, maxPowerKw: 2, startSlot: 40, deadlineSlot: 10 }, 'OADR_ERR_AGG_INVALID_PARAMETER', 'deadlineSlot'],
    ['deferrable energy beyond the rate', 'deferrable-load', { energyKwh: 20, maxPowerKw: 2, startSlot: 0, deadlineSlot: 8 }, 'OADR_ERR_AGG_INFEASIBLE', 'energyKwh'],
    ['profile of the wrong length', 'fixed-load', { powerKw: [1, 2, 3] }, 'OADR_ERR_AGG_INVALID_PARAMETER', 'powerKw'],
    ['non-convex grid prices', 'grid-connection', { importPrice: 0.1, exportPrice: 0.2, importLimitKw: 10, exportLimitKw: 10 }, 'OADR_ERR_AGG_INVALID_PARAMETER', 'exportPrice[0]'],
    ['negative line capacity', 'line', { capacityKw: -1 }, 'OADR_ERR_AGG_INVALID_PARAMETER', 'capacityKw'],
    [
      'comfort band out of reach',
      'heat-pump',
      { maxPowerKw: 0.1, cop: 3, thermalCapacityKwhPerK: 2, heatLossKwPerK: 0.3, initialTempC: 20, minTempC: 19, maxTempC: 22, outdoorTempC: -10 },
      'OADR_ERR_AGG_INFEASIBLE',
      'minTempC',
    ],
    ['generator min above max', 'generator', { minKw: 5, maxKw: 2 }, 'OADR_ERR_AGG_INVALID_PARAMETER', 'maxKw'],
    ['target follower without weight', 'target-follower', { targetKw: 1, weight: 0 }, 'OADR_ERR_AGG_INVALID_PARAMETER', 'weight'],
  ];

  test.each(cases)('%s', (_name, kind, params, code, field) => {
    const error = failure(() => createDevice(kind, 'dev-7', params, horizon));
    expect(error.code).toBe(code);
    expect(error.deviceId).toBe('dev-7');
    expect(error.field).toBe(field);
    expect(error.message).toContain('dev-7');
  });

  test('every kind has a schema with an $id and createDevice knows it', () => {
    for (const [kind, schema] of Object.entries(deviceParameterSchemas)) {
      expect((schema as { $id: string }).$id).toBe(`https://oadr-kit.dev/schemas/devices/${kind}.schema.json`);
      expect(failure(() => createDevice(kind, 'x', null, horizon)).code).toBe('OADR_ERR_AGG_INVALID_PARAMETER');
    }
    expect(failure(() => createDevice('toaster', 'x', {}, horizon)).code).toBe('OADR_ERR_AGG_UNKNOWN_DEVICE_KIND');
  });

  test('network mistakes', () => {
    const load = createDevice('fixed-load', 'load', { powerKw: 1 }, horizon);
    expect(failure(() => new NetworkBuilder(horizon).addNet('a').addDevice(load, ['b']).build()).deviceId).toBe('load');
    expect(failure(() => new NetworkBuilder(horizon).addNet('a').addNet('a')).code).toBe('OADR_ERR_AGG_INVALID_NETWORK');
    expect(failure(() => new NetworkBuilder(horizon).addNet('a').addNet('empty').addDevice(load, ['a']).build()).deviceId).toBe('empty');
    expect(failure(() => new NetworkBuilder(horizon).addNet('a').addDevice(load, ['a', 'a'])).deviceId).toBe('load');
    expect(failure(() => new NetworkBuilder({ slots: 0, slotHours: 1 })).code).toBe('OADR_ERR_AGG_INVALID_PARAMETER');
    expect(failure(() => communityNetwork({ H: 2, T: 96 })).code).toBe('OADR_ERR_AGG_INVALID_INSTANCE');
  });

  test('engine options and remote profiles', () => {
    const remote = new RemoteTerminal('ven-1', horizon);
    const load = createDevice('fixed-load', 'load', { powerKw: 1 }, horizon);
    const network = new NetworkBuilder(horizon).addNet('n').addDevice(remote, ['n']).addDevice(load, ['n']).build();
    expect(failure(() => new AdmmEngine(network, { rho: -1 })).code).toBe('OADR_ERR_AGG_INVALID_OPTION');
    expect(failure(() => new AdmmEngine(network, { relaxation: 2 })).code).toBe('OADR_ERR_AGG_INVALID_OPTION');
    const engine = new AdmmEngine(network);
    const bad = new Array<number>(96).fill(0);
    bad[5] = Number.NaN;
    const error = failure(() => engine.submitProfile('ven-1', bad));
    expect(error.code).toBe('OADR_ERR_AGG_INVALID_PROFILE');
    expect(error.deviceId).toBe('ven-1');
    expect(failure(() => engine.submitProfile('load', new Array<number>(96).fill(0))).deviceId).toBe('load');
    expect(failure(() => engine.prices('nowhere')).code).toBe('OADR_ERR_AGG_UNKNOWN_ID');
    expect(failure(() => localResponse([load], { rho: 0, setpoint: new Array<number>(96).fill(0) })).code).toBe('OADR_ERR_AGG_INVALID_OPTION');
  });
});
