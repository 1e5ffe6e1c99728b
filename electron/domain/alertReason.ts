// An alert's reason is stored as Chinese text (the words of reports and exports, written by checkins.ts, tests.ts and
// rounds-results.ts);
// screens get it also as parts they can put in any language: what was abnormal (temperature over the threshold,
// symptoms, a positive test, a red or yellow code), in which slot, and whether a correction raised it.
// test/unit/alert-reason.test.ts records every kind through the domain and reads it back.
import type { HealthCode, Slot, TestType } from '../db/schema.ts';

export type AlertFinding =
  | { code: 'temperature'; value: number; threshold: number }
  | { code: 'symptoms'; symptoms: string[]; other: string | null }
  | { code: 'testPositive'; testType: TestType | null; sampleDate: string | null }
  | { code: 'healthCode'; color: Extract<HealthCode, '红' | '黄'> }
  // A 全员核酸 round's results (rounds-results.ts): a positive pooled tube (each person on it re-tested alone) and a
  // person's own single-tube positive (isolation proposed).
  | { code: 'pooledPositive'; tubeNo: string; sampleDate: string }
  | { code: 'roundPositive'; testType: TestType; sampleDate: string };

export interface AlertReasonParts {
  /** The check-in's slot; null for a positive test result (imported or recorded on its own). */
  slot: Slot | null;
  /** Raised when a check-in was corrected. */
  corrected: boolean;
  findings: AlertFinding[];
}

const num = '(\\d+(?:\\.\\d+)?)';
const TEMP = new RegExp(`^体温${num}℃（≥${num}℃）`);
const TEST_TAIL = /(?:^|；)(核酸|抗原)?检测阳性$/;
const CODE_TAIL = /(?:^|；)健康码(红|黄)码$/;
const TEST_ALONE = /^(核酸|抗原)检测阳性（采样日期 (\d{4}-\d{2}-\d{2})）$/;
const POOLED = /^混管阳性（试管号 (.+)，采样日期 (\d{4}-\d{2}-\d{2})），请尽快单管复核$/;
const ROUND_SINGLE = /^(核酸|抗原)检测阳性（单管，采样日期 (\d{4}-\d{2}-\d{2})），建议启动居家隔离$/;
const KNOWN_SYMPTOMS = ['发热', '咳嗽', '咽痛', '乏力', '嗅味觉减退', '腹泻'];

function parseSymptoms(list: string): AlertFinding | null {
  const symptoms: string[] = [];
  let other: string | null = null;
  let rest = list;
  while (rest) {
    const known = KNOWN_SYMPTOMS.find((s) => rest === s || rest.startsWith(`${s}、`));
    if (known) {
      symptoms.push(known);
      rest = rest.slice(known.length + 1);
      continue;
    }
    // 其他 comes last: everything inside its brackets is the typed text, whatever it holds.
    if (rest === '其他') symptoms.push('其他');
    else if (rest.startsWith('其他（') && rest.endsWith('）')) {
      symptoms.push('其他');
      other = rest.slice(3, -1);
    } else return null;
    break;
  }
  return symptoms.length ? { code: 'symptoms', symptoms, other } : null;
}

/** Reads a stored reason back into its parts; null for text this app did not write (shown as it is). */
export function parseAlertReason(reason: string): AlertReasonParts | null {
  const alone = TEST_ALONE.exec(reason);
  if (alone) return { slot: null, corrected: false, findings: [{ code: 'testPositive', testType: alone[1] as TestType, sampleDate: alone[2] }] };
  const pooled = POOLED.exec(reason);
  if (pooled) return { slot: null, corrected: false, findings: [{ code: 'pooledPositive', tubeNo: pooled[1], sampleDate: pooled[2] }] };
  const single = ROUND_SINGLE.exec(reason);
  if (single) return { slot: null, corrected: false, findings: [{ code: 'roundPositive', testType: single[1] as TestType, sampleDate: single[2] }] };
  const head = /^(上午|下午)监测异常(（更正后）)?：/.exec(reason);
  if (!head) return null;
  const slot: Slot = head[1] === '上午' ? 'am' : 'pm';
  let rest = reason.slice(head[0].length);
  const findings: AlertFinding[] = [];
  const temp = TEMP.exec(rest);
  if (temp) {
    findings.push({ code: 'temperature', value: Number(temp[1]), threshold: Number(temp[2]) });
    rest = rest.slice(temp[0].length).replace(/^；/, '');
  }
  const tail: AlertFinding[] = [];
  const code = CODE_TAIL.exec(rest);
  if (code) {
    tail.unshift({ code: 'healthCode', color: code[1] as '红' | '黄' });
    rest = rest.slice(0, code.index);
  }
  const test = TEST_TAIL.exec(rest);
  if (test) {
    tail.unshift({ code: 'testPositive', testType: (test[1] as TestType | undefined) ?? null, sampleDate: null });
    rest = rest.slice(0, test.index);
  }
  if (rest) {
    if (!rest.startsWith('症状：')) return null;
    const s = parseSymptoms(rest.slice(3));
    if (!s) return null;
    findings.push(s);
  }
  findings.push(...tail);
  return findings.length ? { slot, corrected: !!head[2], findings } : null;
}
