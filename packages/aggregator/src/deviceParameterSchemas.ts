/**
 * JSON Schemas (draft 2020-12) of each device kind's parameters, keyed by kind. The root
 * `schemas/devices/` folder is generated from this export. Run-time checks live in the devices
 * themselves (this package has no validator dependency) and agree with these schemas.
 */
const DIALECT = 'https://json-schema.org/draft/2020-12/schema';
const BASE = 'https://oadr-kit.dev/schemas/devices/';

const profile = (description: string, minimum?: number): object => {
  const item = minimum === undefined ? { type: 'number' } : { type: 'number', minimum };
  return { description: `${description} (one number for every slot, or one per slot)`, oneOf: [item, { type: 'array', items: item, minItems: 1 }] };
};
const num = (description: string, extra: object = {}): object => ({ type: 'number', description, ...extra });
const slot = (description: string): object => ({ type: 'integer', minimum: 0, description });

function schema(kind: string, title: string, properties: Record<string, object>, required: readonly string[]): object {
  return { $schema: DIALECT, $id: `${BASE}${kind}.schema.json`, title, type: 'object', additionalProperties: false, required: [...required], properties };
}

export const deviceParameterSchemas: Readonly<Record<string, object>> = Object.freeze({
  'fixed-load': schema('fixed-load', 'Fixed load (or net load with PV subtracted)', { powerKw: profile('Power per slot, kW; negative for net generation') }, ['powerKw']),
  'curtailable-generation': schema(
    'curtailable-generation',
    'Curtailable generation (PV, wind)',
    { availableKw: profile('Available power per slot, kW', 0) },
    ['availableKw'],
  ),
  'curtailable-load': schema(
    'curtailable-load',
    'Curtailable load',
    { demandKw: profile('Wanted power per slot, kW', 0), curtailmentCostPerKwh: num('Cost per kWh not served, EUR/kWh', { minimum: 0 }) },
    ['demandKw', 'curtailmentCostPerKwh'],
  ),
  'deferrable-load': schema(
    'deferrable-load',
    'Deferrable load',
    {
      energyKwh: num('Energy to deliver within the window, kWh', { minimum: 0 }),
      maxPowerKw: num('Largest power, kW', { minimum: 0 }),
      startSlot: slot('First slot of the window (default 0)'),
      deadlineSlot: slot('Slot by which the energy is delivered, exclusive (default: the horizon length)'),
    },
    ['energyKwh', 'maxPowerKw'],
  ),
  'electric-vehicle': schema(
    'electric-vehicle',
    'Electric vehicle',
    {
      capacityKwh: num('Battery capacity, kWh', { minimum: 0 }),
      initialSocKwh: num('State of charge on arrival, kWh (default 0)', { minimum: 0 }),
      requiredSocKwh: num('State of charge needed at departure, kWh', { minimum: 0 }),
      arrivalSlot: slot('First slot plugged in'),
      departureSlot: slot('Slot the car leaves, exclusive'),
      maxChargeKw: num('Largest charging power, kW', { minimum: 0 }),
      maxDischargeKw: num('Largest vehicle-to-grid power, kW (default 0)', { minimum: 0 }),
      chargeEfficiency: num('Charging efficiency (default 1)', { exclusiveMinimum: 0, maximum: 1 }),
      dischargeEfficiency: num('Discharging efficiency (default 1)', { exclusiveMinimum: 0, maximum: 1 }),
      wearCostPerKwh: num('Wear cost per kWh of throughput, EUR/kWh (default 0)', { minimum: 0 }),
    },
    ['capacityKwh', 'requiredSocKwh', 'arrivalSlot', 'departureSlot', 'maxChargeKw'],
  ),
  battery: schema(
    'battery',
    'Battery',
    {
      capacityKwh: num('Usable capacity, kWh', { minimum: 0 }),
      minSocKwh: num('Lowest state of charge, kWh (default 0)', { minimum: 0 }),
      maxChargeKw: num('Largest charging power, kW', { minimum: 0 }),
      maxDischargeKw: num('Largest discharging power, kW', { minimum: 0 }),
      chargeEfficiency: num('Charging efficiency (default 1)', { exclusiveMinimum: 0, maximum: 1 }),
      dischargeEfficiency: num('Discharging efficiency (default 1)', { exclusiveMinimum: 0, maximum: 1 }),
      initialSocKwh: num('State of charge at the start, kWh', { minimum: 0 }),
      finalSocKwh: num('State of charge required at the end, kWh (default: the initial one)', { minimum: 0 }),
      wearCostPerKwh: num('Wear cost per kWh of throughput, EUR/kWh (default 0)', { minimum: 0 }),
    },
    ['capacityKwh', 'maxChargeKw', 'maxDischargeKw', 'initialSocKwh'],
  ),
  'heat-pump': schema(
    'heat-pump',
    'Heat pump with a first-order thermal model',
    {
      maxPowerKw: num('Largest electric power, kW', { minimum: 0 }),
      cop: num('Coefficient of performance', { exclusiveMinimum: 0 }),
      thermalCapacityKwhPerK: num('Thermal capacity, kWh/K', { exclusiveMinimum: 0 }),
      heatLossKwPerK: num('Heat loss, kW/K', { minimum: 0 }),
      initialTempC: num('Indoor temperature at the start, deg C'),
      minTempC: profile('Lower comfort bound, deg C'),
      maxTempC: profile('Upper comfort bound, deg C'),
      outdoorTempC: profile('Outdoor temperature, deg C'),
    },
    ['maxPowerKw', 'cop', 'thermalCapacityKwhPerK', 'heatLossKwPerK', 'initialTempC', 'minTempC', 'maxTempC', 'outdoorTempC'],
  ),
  generator: schema(
    'generator',
    'Generator with quadratic cost and ramp limits',
    {
      minKw: num('Lowest output, kW'),
      maxKw: num('Highest output, kW'),
      quadraticCost: num('alpha in dt (alpha g^2 + beta g), EUR/(kW^2 h) (default 0)', { minimum: 0 }),
      linearCost: num('beta, EUR/kWh (default 0)'),
      rampUpKw: num('Largest output increase per slot, kW', { minimum: 0 }),
      rampDownKw: num('Largest output decrease per slot, kW', { minimum: 0 }),
      initialOutputKw: num('Output before the horizon, kW'),
    },
    ['minKw', 'maxKw'],
  ),
  'grid-connection': schema(
    'grid-connection',
    'Grid connection',
    {
      importPrice: profile('Import price, EUR/kWh'),
      exportPrice: profile('Export price, EUR/kWh, at most the import price'),
      quadraticCost: num('a in dt (a/2)(import^2 + export^2), EUR/(kW^2 h) (default 0)', { minimum: 0 }),
      importLimitKw: num('Largest import, kW', { minimum: 0 }),
      exportLimitKw: num('Largest export, kW', { minimum: 0 }),
    },
    ['importPrice', 'exportPrice', 'importLimitKw', 'exportLimitKw'],
  ),
  line: schema('line', 'Line or service connection (lossless, two terminals)', { capacityKw: num('Largest power either way, kW', { minimum: 0 }) }, ['capacityKw']),
  transformer: schema('transformer', 'Transformer (lossless, two terminals)', { capacityKw: num('Largest power either way, kW', { minimum: 0 }) }, ['capacityKw']),
  'target-follower': schema(
    'target-follower',
    'Target-following device (tracks a profile, e.g. a renewable surplus)',
    {
      targetKw: profile('Profile to track, kW'),
      weight: num('w in dt (w/2)(p - target)^2, EUR/(kW^2 h)', { exclusiveMinimum: 0 }),
      minKw: profile('Lower power bound, kW'),
      maxKw: profile('Upper power bound, kW'),
    },
    ['targetKw', 'weight'],
  ),
});
