// Channels for supply requests (物资需求), cadres (下沉干部) and the household finder of the new-request form.
import { z } from 'zod';
import { zodKey as k } from '../../shared/messages/index.ts';
import { channel } from '../define.ts';
import { id, isoDate, paging, reason, text, version } from './common.ts';
import type { HouseholdHit, RunSheet, SupplyBoard, SupplyDetail, SupplyPage } from '../../domain/supplyViews.ts';
import type { CadreRow, CadreSaveResult } from '../../domain/cadres.ts';

const supplyCategory = z.enum(['蔬菜', '粮油', '肉蛋奶', '药品', '母婴用品', '生活用品', '就医', '垃圾清运', '其他']);
const urgency = z.enum(['normal', 'urgent']);
const statusFilter = z.enum(['new', 'assigned', 'delivering', 'delivered', 'cancelled', 'open', 'all']);
const cadreStatus = z.enum(['on_duty', 'resting', 'withdrawn']);
const amountCents = z.number().int(k('rule.cents')).min(0, k('rule.notNegative')).max(100_000_000);
const note = text(500).nullish();

const item = z.object({ name: text(60), quantity: text(30).nullish() }).strict();

const cadreFields = {
  name: text(30).min(1, k('rule.nameRequired')),
  homeUnit: text(60).min(1, k('rule.homeUnitRequired')),
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
        items: z.array(item).min(1, k('rule.itemsRequired')).max(30, k('rule.itemsMax')),
        requestedBy: text(50).nullish(),
        notes: text(500).nullish(),
        amountCents: amountCents.nullish(),
      })
      .strict(),
    'supplies.write',
  ),
  'supplies.assign': channel<SupplyDetail>()(z.object({ id, version, cadreId: id, note }).strict(), 'supplies.write'),
  'supplies.startDelivery': channel<SupplyDetail>()(z.object({ id, version, note }).strict(), 'supplies.write'),
  'supplies.deliver': channel<SupplyDetail>()(z.object({ id, version, note }).strict(), 'supplies.write'),
  'supplies.cancel': channel<SupplyDetail>()(z.object({ id, version, reason }).strict(), 'supplies.write'),
  'supplies.setPayment': channel<SupplyDetail>()(z.object({ id, version, amountCents: amountCents.nullable(), paid: z.boolean() }).strict(), 'supplies.write'),

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
  'cadres.create': channel<CadreSaveResult>()(z.object(cadreFields).strict(), 'cadres.write'),
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
  ),

  /** A cadre's full phone, audited (cadres.reveal; a committee member: cadres of their community only). */
  'cadres.reveal': channel<{ value: string | null }>()(z.object({ id }).strict(), 'cadres.reveal'),

  // --- the household finder of the new-request form
  'households.search': channel<HouseholdHit[]>()(
    z.object({ search: text(60), communityId: id.optional(), limit: z.number().int().min(1).max(50).optional() }).strict(),
    'residents.read',
  ),
};
