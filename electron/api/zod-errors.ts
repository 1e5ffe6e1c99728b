// zod's issues as catalog messages: each issue becomes a field problem with a key and its parameters (max, min, the
// allowed values), so the window shows it in the interface language and zod's own English never reaches a person.
// A contract message that is a catalog key (zodKey('…')) is used as is.
import type { z } from 'zod';
import { AppError, asMessage, issue, type FieldIssue } from '../shared/errors.ts';
import { isMessageKey, msg, renderMessage, type Params } from '../shared/messages/index.ts';

type Issue = z.core.$ZodIssue;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function limitParams(i: Issue): Params {
  const p: Params = {};
  if ('maximum' in i) p.max = Number(i.maximum);
  if ('minimum' in i) p.min = Number(i.minimum);
  return p;
}

/** The field problem of one zod issue. */
export function zodIssue(i: Issue, rawInput: unknown): FieldIssue {
  const field = i.path.map(String).join('.');
  if (isMessageKey(i.message)) {
    // A custom rule's own parameters (superRefine's addIssue({ params })) or the limits of a built-in check.
    const params = i.code === 'custom' && i.params ? (i.params as Params) : limitParams(i);
    const p = Object.keys(params).length ? params : undefined;
    return { field, key: i.message, ...(p ? { params: p } : {}), message: renderMessage('zh', i.message, p) };
  }
  switch (i.code) {
    case 'invalid_type':
      if (valueAt(rawInput, i.path) === undefined) return issue(field, 'zod.required');
      if (i.expected === 'int') return issue(field, 'zod.integer');
      if (i.expected === 'number') return issue(field, 'zod.number');
      return issue(field, 'zod.invalidType');
    case 'too_big': {
      const max = Number(i.maximum);
      if (i.origin === 'string') return issue(field, 'zod.tooLong', { max });
      if (i.origin === 'array' || i.origin === 'set') return issue(field, 'zod.tooMany', { max });
      return issue(field, 'zod.tooBig', { max });
    }
    case 'too_small': {
      const min = Number(i.minimum);
      if (i.origin === 'string') return min <= 1 ? issue(field, 'zod.required') : issue(field, 'zod.tooShort', { min });
      if (i.origin === 'array' || i.origin === 'set') return issue(field, 'zod.tooFew', { min });
      return issue(field, 'zod.tooSmall', { min });
    }
    case 'invalid_format':
      return issue(field, 'zod.format');
    case 'invalid_value':
      return i.values.length === 1 && i.values[0] === true ? issue(field, 'zod.mustConfirm') : issue(field, 'zod.oneOf', { values: i.values.map(shown).join('、') });
    case 'unrecognized_keys':
      return issue(field, 'zod.unknownKeys', { keys: i.keys.join('、') });
    case 'not_multiple_of':
      return issue(field, 'zod.integer');
    default:
      return issue(field, 'zod.invalid');
  }
}

/** A VALIDATION error whose fields are the issues; its message lists them ("输入不正确：password 不能超过 200 个字"). */
export function zodToAppError(err: z.ZodError, rawInput: unknown): AppError {
  const fields = err.issues.map((i) => zodIssue(i, rawInput));
  const problems = fields.map((f) => (f.field ? msg('zod.fieldProblem', { field: f.field, problem: asMessage(f) }) : asMessage(f)));
  return new AppError('VALIDATION', msg('zod.input', { problems }), { fields });
}
