// Shared zod pieces of the contract.
import { z } from 'zod';
import { zodKey as k } from '../../shared/messages/index.ts';

export const id = z.number().int().positive();
export const version = z.number().int().positive();
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, k('rule.isoDate'));
export const text = (max = 200) => z.string().trim().max(max);
export const reason = z.string().trim().min(1, k('rule.reasonRequired')).max(500);
export const paging = {
  offset: z.number().int().min(0).max(10_000_000).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  withTotal: z.boolean().optional(),
};
export const empty = z.object({}).strict();
export const role = z.enum(['admin', 'clerk', 'committee', 'official']);
export const docType = z.enum(['居民身份证', '港澳居民来往内地通行证', '台湾居民来往大陆通行证', '护照', '外国人永久居留身份证', '无证件']);
export const category = z.enum(['密接', '次密接', '入境', '中高风险地区来返', '其他']);
export const sex = z.enum(['M', 'F']);
