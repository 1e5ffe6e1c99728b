// Channels for supply requests (物资需求), cadres (下沉干部) and the household finder of the new-request form.
import { z } from 'zod';
import { channel } from '../define.ts';
import { id, isoDate, paging, reason, text, version } from './common.ts';
import type { HouseholdHit, RunSheet, SupplyBoard, SupplyDetail, SupplyPage } from '../../domain/supplyViews.ts';
import type { CadreRow, CadreSaveResult } from '../../domain/cadres.ts';

/** What a request's move changes: every view of requests, the cadres' open counts, the dashboard, the household's detail. */
const SUPPLY_DEPENDENTS = ['supplies.list', 'supplies.board', 'supplies.get', 'supplies.runSheet', 'dashboard.get', 'cadres.list', 'residents.get'] as const;
/** A cadre's name, posting or duty: the roster, the dashboard's on-duty count, the requests that show the cadre. */
const CADRE_DEPENDENTS = ['cadres.list', 'dashboard.get', 'supplies.list', 'supplies.get', 'supplies.board', 'supplies.runSheet'] as const;

const supplyCategory = z.enum(['蔬菜', '粮油', '肉蛋奶', '药品', '母婴用品', '生活用品', '就医', '垃圾清运', '其他']);
const urgency = z.enum(['normal', 'urgent']);
const statusFilter = z.enum(['new', 'assigned', 'delivering', 'delivered', 'cancelled', 'open', 'all']);
const cadreStatus = z.enum(['on_duty', 'resting', 'withdrawn']);
const amountCents = z.number().int('金额应精确到分').min(0, '金额不能为负').max(100_000_000);
const note = text(500).nullish();

const item = z.object({ name: text(60), quantity: text(30).nullish() }).strict();

const cadreFields = {
  name: text(30).min(1, '请填写姓名'),
  homeUnit: text(60).min(1, '请填写派出单位'),
  title: text(30).nullish(),
  phone: text(30).nullish(),
  communityId: id.nullish(),
  compoundIds: z.array(id).max(200).optional(),
  status: cadreStatus.optional(),
  dutyFrom: isoDate.nullish(),
  dutyTo: isoDate.nullish(),
  notes: text(500).nullish(),
};

export const suppliesContract = {
  // --- supply requests: writes
  'supplies.create': channel<SupplyDetail>()(
    z
      .object({
        householdId: id,
        category: supplyCategory,
        urgency: urgency.nullish(),
        items: z.array(item).min(1, '请至少填写一项物品或事项').max(30, '一条需求最多30行，请分成几条登记'),
        requestedBy: text(50).nullish(),
        notes: text(500).nullish(),
        amountCents: amountCents.nullish(),
      })
      .strict(),
    'supplies.write',
    { invalidates: SUPPLY_DEPENDENTS },
  ),
  'supplies.assign': channel<SupplyDetail>()(z.object({ id, version, cadreId: id, note }).strict(), 'supplies.write', { invalidates: SUPPLY_DEPENDENTS }),
  'supplies.startDelivery': channel<SupplyDetail>()(z.object({ id, version, note }).strict(), 'supplies.write', { invalidates: SUPPLY_DEPENDENTS }),
  'supplies.deliver': channel<SupplyDetail>()(z.object({ id, version, note }).strict(), 'supplies.write', { invalidates: SUPPLY_DEPENDENTS }),
  'supplies.cancel': channel<SupplyDetail>()(z.object({ id, version, reason }).strict(), 'supplies.write', { invalidates: SUPPLY_DEPENDENTS }),
  'supplies.setPayment': channel<SupplyDetail>()(z.object({ id, version, amountCents: amountCents.nullable(), paid: z.boolean() }).strict(), 'supplies.write', { invalidates: SUPPLY_DEPENDENTS }),

  // --- supply requests: reads
  'supplies.list': channel<SupplyPage>()(
    z
      .object({
        status: statusFilter.optional(),
        communityId: id.optional(),
        compoundId: id.optional(),
        householdId: id.optional(),
        cadreId: id.optional(),
        category: supplyCategory.optional(),
        urgency: urgency.optional(),
        overdue: z.boolean().optional(),
        date: isoDate.optional(),
        search: text(60).optional(),
        sortDir: z.enum(['asc', 'desc']).optional(),
        ...paging,
      })
      .strict(),
    'supplies.read',
  ),
  'supplies.get': channel<SupplyDetail>()(z.object({ id }).strict(), 'supplies.read'),
  'supplies.board': channel<SupplyBoard>()(z.object({ communityId: id.optional() }).strict(), 'supplies.read'),
  'supplies.runSheet': channel<RunSheet>()(
    z.object({ date: isoDate.optional(), status: statusFilter.optional(), compoundId: id.optional(), communityId: id.optional() }).strict(),
    'supplies.read',
  ),

  // --- cadres
  'cadres.list': channel<CadreRow[]>()(
    z.object({ communityId: id.optional(), status: cadreStatus.optional(), search: text(60).optional(), date: isoDate.optional() }).strict(),
    'cadres.read',
  ),
  'cadres.create': channel<CadreSaveResult>()(z.object(cadreFields).strict(), 'cadres.write', { invalidates: CADRE_DEPENDENTS }),
  'cadres.update': channel<CadreSaveResult>()(
    z
      .object({
        id,
        version,
        ...cadreFields,
        name: cadreFields.name.optional(),
        homeUnit: cadreFields.homeUnit.optional(),
      })
      .strict(),
    'cadres.write',
    { invalidates: CADRE_DEPENDENTS },
  ),

  /** A cadre's full phone, audited (cadres.reveal; a committee member: cadres of their community only). */
  'cadres.reveal': channel<{ value: string | null }>()(z.object({ id }).strict(), 'cadres.reveal'),

  // --- the household finder of the new-request form
  'households.search': channel<HouseholdHit[]>()(
    z.object({ search: text(60), communityId: id.optional(), limit: z.number().int().min(1).max(50).optional() }).strict(),
    'residents.read',
  ),
};
