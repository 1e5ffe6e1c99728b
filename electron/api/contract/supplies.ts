// Channels for supply requests (物资需求), cadres (下沉干部) and the household finder of the new-request form.
import { z } from 'zod';
import { zodKey as k } from '../../shared/messages/index.ts';
import { channel } from '../define.ts';
import { id, isoDate, paging, reason, text, version } from './common.ts';
import { CADRE_STATUSES, SUPPLY_CATEGORIES, SUPPLY_STATUSES, URGENCIES } from '../../shared/enums.ts';
import { TEXT_MAX } from '../../shared/limits.ts';
import type { SupplyDetail, SupplyPage } from '../../domain/supplyViews.ts';
import type { RunSheet, SupplyBoard } from '../../domain/supplyBoard.ts';
import type { HouseholdHit } from '../../domain/supplyHouseholds.ts';
import type { CadreRow, CadreSaveResult } from '../../domain/cadres.ts';

/** What a request's move changes: every view of requests, the cadres' open counts, the dashboard, the household's detail. */
const SUPPLY_DEPENDENTS = ['supplies.list', 'supplies.board', 'supplies.get', 'supplies.runSheet', 'dashboard.get', 'dashboard.places', 'cadres.list', 'residents.get'] as const;
/** A cadre's name, posting or duty: the roster, the dashboard's on-duty count, the requests that show the cadre. */
const CADRE_DEPENDENTS = ['cadres.list', 'dashboard.get', 'dashboard.places', 'supplies.list', 'supplies.get', 'supplies.board', 'supplies.runSheet'] as const;

const supplyCategory = z.enum(SUPPLY_CATEGORIES);
const urgency = z.enum(URGENCIES);
const statusFilter = z.enum([...SUPPLY_STATUSES, 'open', 'all']);
const cadreStatus = z.enum(CADRE_STATUSES);
const amountCents = z.number().int(k('rule.cents')).min(0, k('rule.notNegative')).max(100_000_000);
const note = text(TEXT_MAX.notes).nullish();

const item = z.object({ name: text(TEXT_MAX.itemName), quantity: text(TEXT_MAX.itemQuantity).nullish() }).strict();

const cadreFields = {
  name: text(TEXT_MAX.shortName).min(1, k('rule.nameRequired')),
  homeUnit: text(TEXT_MAX.placeName).min(1, k('rule.homeUnitRequired')),
  title: text(TEXT_MAX.shortName).nullish(),
  phone: text(TEXT_MAX.phone).nullish(),
  communityId: id.nullish(),
  compoundIds: z.array(id).max(200).optional(),
  status: cadreStatus.optional(),
  dutyFrom: isoDate.nullish(),
  dutyTo: isoDate.nullish(),
  notes: text(TEXT_MAX.notes).nullish(),
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
        requestedBy: text(TEXT_MAX.requestedBy).nullish(),
        notes: text(TEXT_MAX.notes).nullish(),
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
        buildingId: id.optional(),
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
  'supplies.board': channel<SupplyBoard>()(z.object({ communityId: id.optional(), compoundId: id.optional(), buildingId: id.optional() }).strict(), 'supplies.read'),
  'supplies.runSheet': channel<RunSheet>()(
    z.object({ date: isoDate.optional(), status: statusFilter.optional(), compoundId: id.optional(), buildingId: id.optional(), communityId: id.optional() }).strict(),
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
    z.object({ search: text(60), communityId: id.optional(), compoundId: id.optional(), buildingId: id.optional(), limit: z.number().int().min(1).max(50).optional() }).strict(),
    'residents.read',
  ),
};
