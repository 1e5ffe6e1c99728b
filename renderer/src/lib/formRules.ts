// Form rules shared by several forms; limits and the temperature rule come from the shared rulebook (electron/shared).
import type { FormRule } from 'antd';
import { temperatureProblem } from '../../../electron/shared/checkins.ts';
import { TEXT_MAX } from '../../../electron/shared/limits.ts';
import { messageText } from '../api.ts';

/** "Repeat the password": the value must equal the field `other` (empty is left to the required rule). */
export function sameAs(other: string, message: string): FormRule {
  return ({ getFieldValue }) => ({
    validator: (_, value) => (!value || getFieldValue(other) === value ? Promise.resolve() : Promise.reject(new Error(message))),
  });
}

/** The check-in temperature: the server's own rule (a slip outside 34–43 ℃, a re-measurement below 35 ℃). */
export function temperatureRule(): FormRule {
  return {
    validator: (_, value) => {
      const problem = typeof value === 'number' ? temperatureProblem(value) : null;
      return problem ? Promise.reject(new Error(messageText(problem))) : Promise.resolve();
    },
  };
}

/** At most the shared limit of characters for this kind of text (shared/limits.ts). */
export function maxText(kind: keyof typeof TEXT_MAX, message: (n: number) => string): FormRule {
  return { max: TEXT_MAX[kind], message: message(TEXT_MAX[kind]) };
}
