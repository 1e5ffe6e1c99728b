// The rules of one check-in (domain.md, 每日健康监测), one copy for the domain (which decides and raises alerts), the
// contract (which refuses a bad temperature) and the renderer's entry table (which marks a row before it is saved).
import type { HealthCode, TestResult, TestType } from './enums.ts';
import { TEMPERATURE_MAX, TEMPERATURE_MIN, TEMPERATURE_RECHECK_BELOW } from './limits.ts';
import type { Message } from './messages/index.ts';

export interface Measured {
  temperature: number | null;
  symptoms: readonly string[];
  symptomOther?: string | null;
  testType?: TestType | null;
  testResult?: TestResult | null;
  healthCode?: HealthCode | null;
}

/** Compared in tenths of a degree: 37.3 typed by a person must equal the 37.3 threshold despite binary floats. */
const tenths = (t: number) => Math.round(t * 10);

/** At or above the fever threshold. */
export function isFever(temperature: number | null | undefined, feverThreshold: number): boolean {
  return typeof temperature === 'number' && tenths(temperature) >= tenths(feverThreshold);
}

/**
 * What is wrong with a typed temperature, as a catalog message for the clerk; null when it can be saved. Outside 34–43 ℃ it is a
 * typing slip (check it); from 34 up to 35 ℃ it is a wrong measurement, and the entry is refused (not saved as a
 * normal day, not raised as an alert) so that the resident measures again and the real reading is recorded: the slot
 * stays open (未报) until then, which is what the clerk on the phone can act on at once.
 */
export function temperatureProblem(temperature: number): Message | null {
  if (!Number.isFinite(temperature) || temperature < TEMPERATURE_MIN || temperature > TEMPERATURE_MAX) {
    return { key: 'checkins.temperatureRange', params: { value: temperature, min: TEMPERATURE_MIN, max: TEMPERATURE_MAX } };
  }
  if (tenths(temperature) < tenths(TEMPERATURE_RECHECK_BELOW)) {
    return { key: 'checkins.temperatureRecheck', params: { value: temperature, below: TEMPERATURE_RECHECK_BELOW } };
  }
  return null;
}

/**
 * What makes a check-in abnormal (domain.md): temperature at or above the threshold, any symptom, a positive test,
 * a red or yellow code. Returns the reasons in Chinese; empty means normal.
 */
export function abnormalReasons(m: Measured, feverThreshold: number): string[] {
  const out: string[] = [];
  if (isFever(m.temperature, feverThreshold)) out.push(`体温${m.temperature}℃（≥${feverThreshold}℃）`);
  if (m.symptoms.length) {
    out.push(`症状：${m.symptoms.map((s) => (s === '其他' && m.symptomOther ? `其他（${m.symptomOther}）` : s)).join('、')}`);
  }
  if (m.testResult === '阳性') out.push(`${m.testType ?? ''}检测阳性`);
  if (m.healthCode === '红' || m.healthCode === '黄') out.push(`健康码${m.healthCode}码`);
  return out;
}

export function isAbnormal(m: Measured, feverThreshold: number): boolean {
  return abnormalReasons(m, feverThreshold).length > 0;
}
