import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isFhirError } from '../outcome.js';
import { NEWS2_SNOMED, news2FromObservation, news2Observation, scoreNews2, type Acvpu, type News2Input, type News2Parameter } from './news2.js';

/** Every parameter in the chart's 0 row. */
const NORMAL: News2Input = {
  respiratoryRate: 16,
  oxygenSaturation: 97,
  onOxygen: false,
  systolic: 120,
  heartRate: 70,
  consciousness: 'A',
  temperature: 37,
};

const scoreOf = (result: ReturnType<typeof scoreNews2>, parameter: News2Parameter): number =>
  result.parameters.find((p) => p.parameter === parameter)!.score;

/** [value, score]: the first and last value of each chart row, so each edge is tested from both sides. */
type Edges = [number, number][];

function edges(parameter: News2Parameter, field: keyof News2Input, rows: Edges, base: Partial<News2Input> = {}): void {
  for (const [value, score] of rows) {
    test(`${field} ${value} scores ${score}`, () => {
      const result = scoreNews2({ ...NORMAL, ...base, [field]: value });
      assert.equal(scoreOf(result, parameter), score);
      const others = result.parameters.filter((p) => p.parameter !== parameter).reduce((n, p) => n + p.score, 0);
      assert.equal(result.total, score + others);
    });
  }
}

describe('respiration rate', () => {
  edges('respiratoryRate', 'respiratoryRate', [[0, 3], [8, 3], [9, 1], [11, 1], [12, 0], [20, 0], [21, 2], [24, 2], [25, 3], [60, 3]]);
});

describe('SpO2 scale 1', () => {
  edges('oxygenSaturation', 'oxygenSaturation', [[70, 3], [91, 3], [92, 2], [93, 2], [94, 1], [95, 1], [96, 0], [100, 0]]);
  test('is the same on oxygen; oxygen scores on its own line', () => {
    const result = scoreNews2({ ...NORMAL, onOxygen: true, oxygenSaturation: 100 });
    assert.equal(scoreOf(result, 'oxygenSaturation'), 0);
    assert.equal(scoreOf(result, 'airOrOxygen'), 2);
    assert.equal(result.scale, 1);
  });
});

describe('SpO2 scale 2 on air', () => {
  edges('oxygenSaturation', 'oxygenSaturation', [[70, 3], [83, 3], [84, 2], [85, 2], [86, 1], [87, 1], [88, 0], [92, 0], [93, 0], [97, 0], [100, 0]], { scale2: true });
});

describe('SpO2 scale 2 on oxygen', () => {
  edges('oxygenSaturation', 'oxygenSaturation', [[83, 3], [84, 2], [85, 2], [86, 1], [87, 1], [88, 0], [92, 0], [93, 1], [94, 1], [95, 2], [96, 2], [97, 3], [100, 3]], {
    scale2: true,
    onOxygen: true,
  });
  test('reports scale 2', () => assert.equal(scoreNews2({ ...NORMAL, scale2: true }).scale, 2));
});

describe('air or oxygen', () => {
  test('air scores 0, oxygen 2', () => {
    assert.equal(scoreOf(scoreNews2({ ...NORMAL, onOxygen: false }), 'airOrOxygen'), 0);
    assert.equal(scoreOf(scoreNews2({ ...NORMAL, onOxygen: true }), 'airOrOxygen'), 2);
  });
});

describe('systolic blood pressure', () => {
  edges('systolic', 'systolic', [[60, 3], [90, 3], [91, 2], [100, 2], [101, 1], [110, 1], [111, 0], [219, 0], [220, 3], [260, 3]]);
});

describe('pulse', () => {
  edges('heartRate', 'heartRate', [[30, 3], [40, 3], [41, 1], [50, 1], [51, 0], [90, 0], [91, 1], [110, 1], [111, 2], [130, 2], [131, 3], [180, 3]]);
});

describe('consciousness', () => {
  for (const [level, score] of [['A', 0], ['C', 3], ['V', 3], ['P', 3], ['U', 3]] as [Acvpu, number][]) {
    test(`${level} scores ${score}`, () => assert.equal(scoreOf(scoreNews2({ ...NORMAL, consciousness: level }), 'consciousness'), score));
  }
});

describe('temperature', () => {
  edges('temperature', 'temperature', [[33, 3], [35, 3], [35.1, 1], [36, 1], [36.1, 0], [38, 0], [38.1, 1], [39, 1], [39.1, 2], [41, 2]]);
});

describe('values between the chart rows', () => {
  const cases: [keyof News2Input, News2Parameter, number, number][] = [
    ['respiratoryRate', 'respiratoryRate', 11.5, 0],
    ['respiratoryRate', 'respiratoryRate', 11.49, 1],
    ['respiratoryRate', 'respiratoryRate', 8.5, 1],
    ['respiratoryRate', 'respiratoryRate', 20.5, 2],
    ['oxygenSaturation', 'oxygenSaturation', 95.5, 0],
    ['oxygenSaturation', 'oxygenSaturation', 95.4, 1],
    ['oxygenSaturation', 'oxygenSaturation', 91.5, 2],
    ['systolic', 'systolic', 90.5, 2],
    ['systolic', 'systolic', 90.4, 3],
    ['systolic', 'systolic', 219.5, 3],
    ['heartRate', 'heartRate', 40.5, 1],
    ['heartRate', 'heartRate', 130.5, 3],
    ['heartRate', 'heartRate', 130.4, 2],
    ['temperature', 'temperature', 36.05, 0],
    ['temperature', 'temperature', 36.04, 1],
    ['temperature', 'temperature', 35.05, 1],
    ['temperature', 'temperature', 35.04, 3],
    ['temperature', 'temperature', 38.05, 1],
    ['temperature', 'temperature', 39.05, 2],
    ['temperature', 'temperature', 39.04, 1],
  ];
  for (const [field, parameter, value, score] of cases) {
    test(`${field} ${value} rounds half up and scores ${score}`, () => assert.equal(scoreOf(scoreNews2({ ...NORMAL, [field]: value }), parameter), score));
  }

  test('every temperature halfway between tenths, 30.05–44.95 °C, scores as the tenth above it', () => {
    for (let tenths = 300; tenths < 450; tenths++) {
      const halfway = Number(((tenths + 0.5) / 10).toFixed(2));
      const above = (tenths + 1) / 10;
      assert.equal(scoreOf(scoreNews2({ ...NORMAL, temperature: halfway }), 'temperature'), scoreOf(scoreNews2({ ...NORMAL, temperature: above }), 'temperature'), `${halfway}`);
    }
  });

  test('scale 2 rounds too: 92.5 on oxygen is 93 and scores 1, 87.5 is 88 and scores 0', () => {
    assert.equal(scoreOf(scoreNews2({ ...NORMAL, scale2: true, onOxygen: true, oxygenSaturation: 92.5 }), 'oxygenSaturation'), 1);
    assert.equal(scoreOf(scoreNews2({ ...NORMAL, scale2: true, onOxygen: true, oxygenSaturation: 87.5 }), 'oxygenSaturation'), 0);
  });

  test('the parameters keep the values as given', () => {
    const result = scoreNews2({ ...NORMAL, respiratoryRate: 11.5, temperature: 36.05 });
    assert.equal(result.parameters.find((p) => p.parameter === 'respiratoryRate')!.value, 11.5);
    assert.equal(result.parameters.find((p) => p.parameter === 'temperature')!.value, 36.05);
  });
});

describe('aggregate bands', () => {
  test('all normal: total 0, low', () => {
    const result = scoreNews2(NORMAL);
    assert.equal(result.total, 0);
    assert.equal(result.band, 'low');
    assert.equal(result.singleParameterThree, false);
    assert.deepEqual(
      result.parameters.map((p) => [p.parameter, p.value, p.score]),
      [
        ['respiratoryRate', 16, 0],
        ['oxygenSaturation', 97, 0],
        ['airOrOxygen', false, 0],
        ['systolic', 120, 0],
        ['heartRate', 70, 0],
        ['consciousness', 'A', 0],
        ['temperature', 37, 0],
      ],
    );
  });

  // Ones: RR 10, SpO2 95, systolic 105, pulse 45, temperature 38.5; a two: oxygen.
  const ones = { respiratoryRate: 10, oxygenSaturation: 95, systolic: 105, heartRate: 45 };

  test('a total of 4 made of ones is low', () => {
    const result = scoreNews2({ ...NORMAL, ...ones });
    assert.equal(result.total, 4);
    assert.equal(result.band, 'low');
    assert.equal(result.singleParameterThree, false);
  });

  test('a total of 3 made of one single 3 is low-medium', () => {
    const result = scoreNews2({ ...NORMAL, respiratoryRate: 8 });
    assert.equal(result.total, 3);
    assert.equal(result.band, 'low-medium');
    assert.equal(result.singleParameterThree, true);
  });

  test('a total of 4 with a single 3 is low-medium', () => {
    const result = scoreNews2({ ...NORMAL, consciousness: 'C', heartRate: 45 });
    assert.equal(result.total, 4);
    assert.equal(result.band, 'low-medium');
  });

  test('a total of 5 is medium, with or without a single 3', () => {
    const result = scoreNews2({ ...NORMAL, ...ones, temperature: 38.5 });
    assert.equal(result.total, 5);
    assert.equal(result.band, 'medium');
    const withThree = scoreNews2({ ...NORMAL, systolic: 90, onOxygen: true });
    assert.equal(withThree.total, 5);
    assert.equal(withThree.band, 'medium');
    assert.equal(withThree.singleParameterThree, true);
  });

  test('a total of 6 is medium, 7 is high', () => {
    const six = scoreNews2({ ...NORMAL, ...ones, onOxygen: true });
    assert.equal(six.total, 6);
    assert.equal(six.band, 'medium');
    const seven = scoreNews2({ ...NORMAL, ...ones, onOxygen: true, temperature: 38.5 });
    assert.equal(seven.total, 7);
    assert.equal(seven.band, 'high');
  });

  test('every parameter at its worst: total 20, high', () => {
    const result = scoreNews2({ respiratoryRate: 30, oxygenSaturation: 85, onOxygen: true, systolic: 80, heartRate: 140, consciousness: 'U', temperature: 35 });
    assert.equal(result.total, 20);
    assert.equal(result.band, 'high');
  });

  test('each band has its own clinical response', () => {
    const responses = [NORMAL, { ...NORMAL, respiratoryRate: 8 }, { ...NORMAL, ...ones, temperature: 38.5 }, { ...NORMAL, respiratoryRate: 30, heartRate: 140, onOxygen: true }].map(
      (input) => scoreNews2(input),
    );
    assert.deepEqual(
      responses.map((r) => r.band),
      ['low', 'low-medium', 'medium', 'high'],
    );
    assert.equal(new Set(responses.map((r) => r.response)).size, 4);
    assert.match(responses[0]!.response, /registered nurse/);
    assert.match(responses[1]!.response, /urgently/);
    assert.match(responses[2]!.response, /urgent response/);
    assert.match(responses[3]!.response, /Emergency response/);
  });
});

describe('input validation', () => {
  const rejects = (input: unknown, field: string): void => {
    assert.throws(
      () => scoreNews2(input as News2Input),
      (e: unknown) => isFhirError(e) && e.status === 400 && e.outcome.issue?.[0]?.expression?.[0] === field,
    );
  };

  for (const field of ['respiratoryRate', 'oxygenSaturation', 'systolic', 'heartRate', 'temperature'] as const) {
    test(`${field} must be a finite number from 0`, () => {
      for (const bad of [Number.NaN, Infinity, -Infinity, -1, '16', undefined, null]) rejects({ ...NORMAL, [field]: bad }, field);
    });
  }

  test('SpO2 above 100 % is impossible', () => {
    rejects({ ...NORMAL, oxygenSaturation: 100.5 }, 'oxygenSaturation');
    assert.equal(scoreNews2({ ...NORMAL, oxygenSaturation: 100 }).total, 0);
  });

  test('consciousness must be an ACVPU letter and onOxygen a boolean', () => {
    rejects({ ...NORMAL, consciousness: 'X' }, 'consciousness');
    rejects({ ...NORMAL, consciousness: 'a' }, 'consciousness');
    rejects({ ...NORMAL, onOxygen: 'yes' }, 'onOxygen');
    rejects({ ...NORMAL, onOxygen: undefined }, 'onOxygen');
  });
});

describe('news2Observation', () => {
  const ctx = { patientId: 'p1', time: '2025-03-01T08:00:00.000Z', derivedFrom: ['Observation/rr', 'Observation/spo2'] };
  const result = scoreNews2({ ...NORMAL, respiratoryRate: 22, oxygenSaturation: 95.5, onOxygen: true, consciousness: 'V', temperature: 38.4 });

  test('is an R4 survey Observation coded with SNOMED CT, its value the total and its interpretation the band', () => {
    const obs = news2Observation(result, ctx);
    assert.equal(obs.resourceType, 'Observation');
    assert.equal(obs.status, 'final');
    assert.equal(obs.category![0]!.coding![0]!.code, 'survey');
    assert.deepEqual(obs.code.coding, [{ system: 'http://snomed.info/sct', code: '1104051000000101', display: NEWS2_SNOMED.display }]);
    assert.deepEqual(obs.subject, { reference: 'Patient/p1' });
    assert.equal(obs.effectiveDateTime, ctx.time);
    assert.equal(obs.valueInteger, 8);
    assert.equal(obs.interpretation![0]!.coding![0]!.code, 'high');
    assert.deepEqual(obs.derivedFrom, [{ reference: 'Observation/rr' }, { reference: 'Observation/spo2' }]);
  });

  test('has one component per parameter, coded with LOINC, valued with its score', () => {
    const obs = news2Observation(result, ctx);
    assert.deepEqual(
      obs.component!.map((c) => [c.code.coding![0]!.system, c.code.coding![0]!.code, c.valueInteger]),
      [
        ['http://loinc.org', '9279-1', 2],
        ['http://loinc.org', '59408-5', 0],
        ['http://loinc.org', '3151-8', 2],
        ['http://loinc.org', '8480-6', 0],
        ['http://loinc.org', '8867-4', 0],
        ['http://loinc.org', '67775-7', 3],
        ['http://loinc.org', '8310-5', 1],
      ],
    );
  });

  test('leaves derivedFrom out when there is nothing to point to', () => {
    assert.equal('derivedFrom' in news2Observation(result, { ...ctx, derivedFrom: [] }), false);
  });

  test('reads back what it wrote, on either scale and in every band', () => {
    const inputs: News2Input[] = [
      NORMAL,
      { ...NORMAL, respiratoryRate: 8 },
      { ...NORMAL, scale2: true, onOxygen: true, oxygenSaturation: 97, systolic: 100.4 },
      { ...NORMAL, respiratoryRate: 22, oxygenSaturation: 95.5, onOxygen: true, consciousness: 'V', temperature: 38.4 },
    ];
    for (const input of inputs) {
      const scored = scoreNews2(input);
      assert.deepEqual(news2FromObservation(news2Observation(scored, ctx)), { ...scored, time: ctx.time });
    }
  });

  test('a JSON round trip keeps it readable', () => {
    const obs = JSON.parse(JSON.stringify(news2Observation(result, ctx)));
    assert.deepEqual(news2FromObservation(obs), { ...result, time: ctx.time });
  });

  test('is undefined for other Observations and for a NEWS2 Observation without total or time', () => {
    const obs = news2Observation(result, ctx);
    assert.equal(news2FromObservation({ ...obs, code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] } }), undefined);
    assert.equal(news2FromObservation({ ...obs, valueInteger: undefined }), undefined);
    assert.equal(news2FromObservation({ ...obs, effectiveDateTime: undefined }), undefined);
  });

  test('works the band out from the total when the interpretation is missing', () => {
    const lowMedium = scoreNews2({ ...NORMAL, respiratoryRate: 8 });
    const { interpretation: _, ...obs } = news2Observation(lowMedium, ctx);
    assert.equal(news2FromObservation(obs)!.band, 'low-medium');
  });
});
