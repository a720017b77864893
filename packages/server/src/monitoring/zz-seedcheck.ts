import { normalizeReading, scoreNews2 } from '@salus/core';
import { Simulator, type SimulatedReading } from './simulator.js';
const START = Date.parse('2026-03-09T14:00:00.000Z'); const MINUTE = 60000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
let fails = 0;
for (let seed = 1; seed <= 40; seed++) {
  const sim = new Simulator({ seed, patients: 4, deteriorating: 2, startMs: START, deteriorationMinutes: 20, readingsPerSecondPerPatient: 1.25, implausibleFraction: 0 });
  const rs: SimulatedReading[] = [];
  for (let t = START; t <= START + 24 * MINUTE; t += 5000) rs.push(...sim.until(t));
  const can = rs.map((r) => { const n = normalizeReading(r.reading, 'r', 0, new Date(START + 60 * MINUTE)); if (!('reading' in n)) throw new Error('x'); return { p: r.patient, kind: n.reading.kind, value: n.reading.value, time: Date.parse(n.reading.time) }; });
  for (const patient of [0, 1, 2, 3]) {
    const totals: string[] = [];
    for (let m = 0; m <= 20; m++) {
      const t = START + m * MINUTE + 20000;
      const mine = can.filter((c) => c.p === patient && c.time <= t);
      const latest = (k: string) => mine.filter((c) => c.kind === k).at(-1)!.value;
      const recent = (k: string) => median(mine.filter((c) => c.kind === k && c.time > t - 30000).map((c) => c.value));
      const r = scoreNews2({ respiratoryRate: latest('respiratory-rate'), oxygenSaturation: recent('oxygen-saturation'), onOxygen: false, systolic: latest('blood-pressure'), heartRate: recent('heart-rate'), consciousness: 'A', temperature: latest('body-temperature'), scale2: sim.patients[patient]!.conditions.includes('copd') });
      totals.push(`${r.total}${r.band[0]}`);
    }
    const det = patient < 2;
    const ok = det ? totals[0]!.endsWith('l') && totals[20]!.endsWith('h') && totals.some((x) => x.endsWith('m')) : [0,5,10,15,20].every((m) => totals[m]!.endsWith('l'));
    if (!ok) fails++; if (seed < 4 && det) console.log(seed, patient, totals.join(" "));
  }
}
console.log('fails', fails);
