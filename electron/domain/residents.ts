// Residents (居民): create, update, find by document. Lists and counts: residents-list.ts; the detail drawer and reveal: residents-detail.ts.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit, changedFields } from './audit.ts';
import { nowIso, today } from './clock.ts';
import { assertInScope } from './actor.ts';
import { asMessage, invalid, issue, notFound, type FieldIssue } from '../shared/errors.ts';
import { checkIdNumber, checkPhone, normaliseOtherDocument, toHalfWidth } from '../shared/idcard.ts';
import { namePinyin } from './pinyin.ts';
import { ensureHousehold, type AddressInput, type PlaceCreated } from './places.ts';
import { isIsoDate } from './dates.ts';
import { CATEGORIES, isOneOf } from '../shared/enums.ts';
import type { Category, DocType, Sex } from '../db/schema.ts';
import { updateVersioned } from './versioned.ts';

export interface ResidentInput {
  name: string;
  docType: DocType;
  docNumber?: string | null;
  sex?: Sex | null;
  birthDate?: string | null;
  phone?: string | null;
  category: Category;
  notes?: string | null;
  guardianId?: number | null;
  /** Either an existing household or an address to find or create one. */
  householdId?: number | null;
  address?: AddressInput | null;
}

export interface NormalisedResident {
  name: string;
  docType: DocType;
  docNumber: string | null;
  sex: Sex | null;
  birthDate: string | null;
  phone: string | null;
  category: Category;
  notes: string | null;
  guardianId: number | null;
}

/**
 * Applies domain.md's rules to one person's fields. Errors block saving; warnings (unusual phone,
 * sex contradicting the ID number) are reported and the person is saved anyway.
 */
/** The warning for a phone number checkPhone did not accept: none given, or not a usual mobile number. */
export function phoneWarning(phone: string | null): FieldIssue {
  return phone === null ? issue('phone', 'phone.missing') : issue('phone', 'phone.unusual', { phone });
}

/**
 * `guardianLater`: the caller links the guardian itself once it has an id (an import naming the guardian by name or
 * document, perhaps a person of the same list); a 无证件 person then needs no guardianId here.
 */
export function normaliseResident(input: ResidentInput, todayDate: string, opts: { guardianLater?: boolean } = {}): { value?: NormalisedResident; errors: FieldIssue[]; warnings: FieldIssue[] } {
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  const name = toHalfWidth(input.name ?? '').replace(/\s+/g, ' ').trim();
  if (!name) errors.push(issue('name', 'rule.nameRequired'));
  let docNumber: string | null = null;
  let sex = input.sex ?? null;
  let birthDate = input.birthDate ?? null;
  if (birthDate && (!isIsoDate(birthDate) || birthDate > todayDate)) errors.push(issue('birthDate', 'residents.birthDateBad'));
  if (input.docType === '居民身份证') {
    const r = checkIdNumber(input.docNumber ?? '', todayDate);
    if (!r.ok) errors.push(issue('docNumber', 'residents.idProblem', { reason: r.problem }));
    else {
      docNumber = r.number;
      if (sex && sex !== r.sex) warnings.push(issue('sex', r.sex === 'M' ? 'residents.sexFromIdMale' : 'residents.sexFromIdFemale'));
      sex = r.sex;
      birthDate = r.birthDate;
      if (r.upgraded) warnings.push(issue('docNumber', 'residents.idUpgraded', { number: r.number }));
    }
  } else if (input.docType === '无证件') {
    if (!birthDate) errors.push(issue('birthDate', 'residents.noDocNeedsBirthDate'));
    if (!input.guardianId && !opts.guardianLater) errors.push(issue('guardianId', 'residents.noDocNeedsGuardian'));
  } else {
    docNumber = normaliseOtherDocument(input.docNumber ?? '');
    if (!docNumber) errors.push(issue('docNumber', 'residents.docNumberRequired'));
  }
  const phone = checkPhone(input.phone);
  if (phone.warning && input.docType !== '无证件') warnings.push(phoneWarning(phone.phone));
  // The API's schema checks it too; a caller of the domain (the CLI, a job, a script) gets the same rule.
  if (!isCategory(input.category)) errors.push(issue('category', 'residents.categoryBad', { category: String(input.category ?? ''), choices: CATEGORIES.join('、') }));
  if (errors.length) return { errors, warnings };
  return {
    value: {
      name,
      docType: input.docType,
      docNumber,
      sex,
      birthDate,
      phone: phone.phone,
      category: input.category,
      notes: input.notes?.trim() || null,
      guardianId: input.docType === '无证件' ? input.guardianId ?? null : input.guardianId ?? null,
    },
    errors,
    warnings,
  };
}

export function isCategory(c: unknown): c is Category {
  return isOneOf(CATEGORIES, c);
}

export async function findByDocument(ctx: Pick<Ctx, 'db'>, docType: DocType, docNumber: string) {
  return ctx.db.selectFrom('residents').selectAll().where('docType', '=', docType).where('docNumber', '=', docNumber).executeTakeFirst();
}

export interface SaveResult {
  id: number;
  warnings: FieldIssue[];
}

export async function createResident(ctx: Ctx, input: ResidentInput, opts: { importBatchId?: number; createdPlaces?: PlaceCreated[] } = {}): Promise<SaveResult> {
  const n = normaliseResident(input, today(ctx.clock));
  if (!n.value) throw invalid('common.cannotSave', { problems: n.errors.map(asMessage) }, n.errors);
  const v = n.value;
  return inTx(ctx, async (ctx) => {
    const household = input.householdId
      ? await ctx.db.selectFrom('households').select(['id', 'communityId']).where('id', '=', input.householdId).executeTakeFirst()
      : input.address
        ? await ensureHousehold(ctx, input.address, opts.createdPlaces)
        : null;
    if (!household) throw invalid('residents.householdRequired', undefined, [issue('address', 'residents.addressRequired')]);
    assertInScope(ctx.actor, household.communityId);
    if (v.docNumber) {
      const dup = await findByDocument(ctx, v.docType, v.docNumber);
      if (dup) throw invalid('residents.docTaken', { name: dup.name }, [issue('docNumber', 'residents.docExists')]);
    }
    if (v.guardianId) await assertGuardian(ctx, v.guardianId, household.id);
    const at = nowIso(ctx.clock);
    const py = namePinyin(v.name);
    const row = await ctx.db
      .insertInto('residents')
      .values({
        ...v,
        householdId: household.id,
        communityId: household.communityId,
        namePinyin: py.full,
        nameInitials: py.initials,
        currentEpisodeId: null,
        startDate: null,
        lastDay: null,
        releaseDate: null,
        latestTemperature: null,
        importBatchId: opts.importBatchId ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(ctx, { action: 'resident.create', entity: 'resident', entityId: row.id, residentId: row.id, after: { ...v, householdId: household.id } });
    return { id: row.id, warnings: n.warnings };
  });
}

async function assertGuardian(ctx: Ctx, guardianId: number, householdId: number) {
  const g = await ctx.db.selectFrom('residents').select(['householdId']).where('id', '=', guardianId).executeTakeFirst();
  if (!g || g.householdId !== householdId) throw invalid('residents.guardianSameHousehold', undefined, [issue('guardianId', 'residents.guardianElsewhere')]);
}

export interface ResidentPatch extends Partial<Omit<ResidentInput, 'address'>> {
  id: number;
  version: number;
  address?: AddressInput | null;
}

export async function updateResident(ctx: Ctx, patch: ResidentPatch): Promise<SaveResult> {
  return inTx(ctx, async (ctx) => {
    const before = await ctx.db.selectFrom('residents').selectAll().where('id', '=', patch.id).executeTakeFirst();
    if (!before) throw notFound('thing.resident');
    assertInScope(ctx.actor, before.communityId);
    const merged: ResidentInput = {
      name: patch.name ?? before.name,
      docType: patch.docType ?? before.docType,
      docNumber: patch.docNumber !== undefined ? patch.docNumber : before.docNumber,
      sex: patch.sex !== undefined ? patch.sex : before.sex,
      birthDate: patch.birthDate !== undefined ? patch.birthDate : before.birthDate,
      phone: patch.phone !== undefined ? patch.phone : before.phone,
      category: patch.category ?? before.category,
      notes: patch.notes !== undefined ? patch.notes : before.notes,
      guardianId: patch.guardianId !== undefined ? patch.guardianId : before.guardianId,
    };
    const n = normaliseResident(merged, today(ctx.clock));
    if (!n.value) throw invalid('common.cannotSave', { problems: n.errors.map(asMessage) }, n.errors);
    const v = n.value;
    let householdId = patch.householdId ?? before.householdId;
    let communityId = before.communityId;
    if (patch.address) {
      const h = await ensureHousehold(ctx, patch.address);
      householdId = h.id;
      communityId = h.communityId;
    } else if (patch.householdId && patch.householdId !== before.householdId) {
      const h = await ctx.db.selectFrom('households').select(['id', 'communityId']).where('id', '=', patch.householdId).executeTakeFirst();
      if (!h) throw notFound('thing.household');
      assertInScope(ctx.actor, h.communityId);
      communityId = h.communityId;
    }
    if (v.docNumber && (v.docNumber !== before.docNumber || v.docType !== before.docType)) {
      const dup = await findByDocument(ctx, v.docType, v.docNumber);
      if (dup && dup.id !== before.id) throw invalid('residents.docTakenShort', { name: dup.name }, [issue('docNumber', 'residents.docExists')]);
    }
    if (v.guardianId) await assertGuardian(ctx, v.guardianId, householdId);
    const py = namePinyin(v.name);
    const next = { ...v, householdId, communityId, namePinyin: py.full, nameInitials: py.initials };
    await updateVersioned(ctx, 'residents', patch.id, patch.version, next, 'thing.residentInfo');
    if (communityId !== before.communityId) {
      await ctx.db.updateTable('checkins').set({ communityId }).where('residentId', '=', before.id).execute();
      await ctx.db.updateTable('alerts').set({ communityId }).where('residentId', '=', before.id).execute();
    }
    const diff = changedFields(before as unknown as Record<string, unknown>, next);
    delete diff.before.namePinyin;
    delete diff.after.namePinyin;
    delete diff.before.nameInitials;
    delete diff.after.nameInitials;
    await audit(ctx, { action: 'resident.update', entity: 'resident', entityId: before.id, residentId: before.id, ...diff });
    return { id: before.id, warnings: n.warnings };
  });
}
