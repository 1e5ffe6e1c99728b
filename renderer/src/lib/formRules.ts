// Form rules shared by several forms.
import type { FormRule } from 'antd';

/** "Repeat the password": the value must equal the field `other` (empty is left to the required rule). */
export function sameAs(other: string, message: string): FormRule {
  return ({ getFieldValue }) => ({
    validator: (_, value) => (!value || getFieldValue(other) === value ? Promise.resolve() : Promise.reject(new Error(message))),
  });
}
