// Shared zod pieces of the contract.
import { z } from 'zod';
import { zodKey as k } from '../../shared/messages/index.ts';
import { CATEGORIES, DOC_TYPES, ROLES, SEXES } from '../../shared/enums.ts';
import { TEXT_MAX } from '../../shared/limits.ts';

export const id = z.number().int().positive();
export const version = z.number().int().positive();
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, k('rule.isoDate'));
export const text = (max = 200) => z.string().trim().max(max);
export const reason = z.string().trim().min(1, k('rule.reasonRequired')).max(TEXT_MAX.reason);
export const paging = {
  offset: z.number().int().min(0).max(10_000_000).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  withTotal: z.boolean().optional(),
};
export const empty = z.object({}).strict();
export const role = z.enum(ROLES);
export const docType = z.enum(DOC_TYPES);
export const category = z.enum(CATEGORIES);
export const sex = z.enum(SEXES);
