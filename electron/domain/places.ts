// The place tree: district → subdistrict → community → compound → building → unit → room, and households (one per room).
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { assertInScope } from './actor.ts';
import { invalid, issue, notFound } from '../shared/errors.ts';
import { toHalfWidth } from '../shared/idcard.ts';
import type { PlaceLevel } from '../db/schema.ts';
import { updateVersioned } from './versioned.ts';
import { connectionKind } from '../db/engine.ts';
import { sql } from 'kysely';

export interface OrgRoot {
  districtId: number;
  subdistrictId: number;
  district: string;
  subdistrict: string;
  /**
   * A district reader's server (区级只读): the root is the district itself — every subdistrict's communities under it;
   * subdistrictId is then the district's id and subdistrict its name.
   */
  level?: 'district';
}

export async function getOrgRoot(ctx: Pick<Ctx, 'db'>): Promise<OrgRoot> {
  const kind = await connectionKind(ctx.db);
  if (kind.kind === 'reader') {
    const d = await ctx.db.selectFrom('places').select(['id', 'name']).where('level', '=', 'district').orderBy('id').executeTakeFirst();
    if (!d) throw notFound('thing.subdistrict');
    return { districtId: d.id, subdistrictId: d.id, district: d.name, subdistrict: d.name, level: 'district' };
  }
  // A server bound to one subdistrict of a district's database: its own (the database shows it no other).
  const bound = kind.subdistrictId;
  const sub = await ctx.db
    .selectFrom('places as s')
    .innerJoin('places as d', 'd.id', 's.parentId')
    .select(['s.id as subdistrictId', 's.name as subdistrict', 'd.id as districtId', 'd.name as district'])
    .where('s.level', '=', 'subdistrict')
    .$if(bound !== null, (q) => q.where('s.id', '=', bound!))
    .orderBy('s.id')
    .executeTakeFirst();
  if (!sub) throw notFound('thing.subdistrict');
  return sub;
}

/** Creates the district and subdistrict on init; renames them when they exist. */
export async function setOrgIdentity(ctx: Ctx, district: string, subdistrict: string): Promise<OrgRoot> {
  return inTx(ctx, async (ctx) => {
    const at = nowIso(ctx.clock);
    const existing = await getOrgRoot(ctx).catch(() => null);
    if (!existing) {
      const d = await ctx.db.insertInto('places').values({ parentId: null, level: 'district', name: district, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow();
      const s = await ctx.db.insertInto('places').values({ parentId: d.id, level: 'subdistrict', name: subdistrict, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow();
      await audit(ctx, { action: 'org.create', entity: 'place', entityId: s.id, after: { district, subdistrict } });
    } else if (existing.district !== district || existing.subdistrict !== subdistrict) {
      await ctx.db.updateTable('places').set((eb) => ({ name: district, updatedAt: at, version: eb('version', '+', 1) })).where('id', '=', existing.districtId).execute();
      await ctx.db.updateTable('places').set((eb) => ({ name: subdistrict, updatedAt: at, version: eb('version', '+', 1) })).where('id', '=', existing.subdistrictId).execute();
      await audit(ctx, {
        action: 'org.rename',
        entity: 'place',
        entityId: existing.subdistrictId,
        before: { district: existing.district, subdistrict: existing.subdistrict },
        after: { district, subdistrict },
      });
    }
    return getOrgRoot(ctx);
  });
}

/** Normalises a place name: trimmed, half-width, inner runs of spaces removed. */
export function cleanPlaceName(s: string | null | undefined): string {
  return toHalfWidth(String(s ?? '')).replace(/\s+/g, '').trim();
}

/**
 * A label function that remembers its last few thousand answers: a list of 50,000 people repeats the same building,
 * unit and room numbers over and over, and an import labels every address twice (planning, then writing).
 */
function remembered(label: (s: string) => string, max = 4096): (s: string) => string {
  const seen = new Map<string, string>();
  return (s) => {
    let out = seen.get(s);
    if (out === undefined) {
      if (seen.size >= max) seen.clear();
      seen.set(s, (out = label(s)));
    }
    return out;
  };
}

/**
 * How lists write the number of a building, unit or room (upper-cased first), and the words that may follow it. One
 * definition for the labels below and the address parser (excel/import/address.ts), so both give the same names.
 */
export const PLACE_FORMS = {
  building: { number: String.raw`[A-Z]?\d+[A-Z]?`, suffix: '号楼|号|栋|幢|座|楼' },
  unit: { number: String.raw`\d+`, suffix: '单元|门' },
  room: { number: String.raw`[A-Z]?\d+[A-Z]?`, suffix: '室|号|户' },
} as const;

const BUILDING_LABEL = new RegExp(`^(${PLACE_FORMS.building.number})(?:${PLACE_FORMS.building.suffix}|#楼|#)?$`);
const UNIT_LABEL = new RegExp(`^(${PLACE_FORMS.unit.number})(?:${PLACE_FORMS.unit.suffix})?$`);
const ROOM_LABEL = new RegExp(`^(${PLACE_FORMS.room.number})(?:${PLACE_FORMS.room.suffix})$`);

/**
 * One name per building however the list writes it, the same as the address parser reads it: "3", "3号", "3栋",
 * "3幢", "3座", "3#", "3号楼" → "3号楼" (also with a letter: "12A栋" → "12A号楼"); other forms ("A座", "综合楼") kept.
 */
export const buildingLabel = remembered((s: string): string => {
  const m = BUILDING_LABEL.exec(cleanPlaceName(s).toUpperCase());
  return m ? `${m[1]}号楼` : cleanPlaceName(s);
});

/** "2", "2单元", "2门" → "2单元"; others kept. */
export const unitLabel = remembered((s: string): string => {
  const c = cleanPlaceName(s);
  const m = UNIT_LABEL.exec(c);
  return m ? `${m[1]}单元` : c;
});

/** "501", "501室", "501号", "501户" → "501" (as the address parser reads them); others kept. */
export const roomLabel = remembered((s: string): string => {
  const c = cleanPlaceName(s);
  const m = ROOM_LABEL.exec(c.toUpperCase());
  return m ? m[1] : c;
});

export function formatAddress(parts: { compound: string; building?: string; unit?: string; room?: string }): string {
  return [cleanPlaceName(parts.compound), buildingLabel(parts.building ?? ''), unitLabel(parts.unit ?? ''), roomLabel(parts.room ?? '')].join('');
}

async function findOrCreateChild(ctx: Ctx, parentId: number, level: PlaceLevel, name: string, created?: PlaceCreated[]): Promise<number> {
  const found = await ctx.db
    .selectFrom('places')
    .select('id')
    .where('parentId', '=', parentId)
    .where('level', '=', level)
    .where('name', '=', name)
    .executeTakeFirst();
  if (found) return found.id;
  const at = nowIso(ctx.clock);
  const row = await ctx.db.insertInto('places').values({ parentId, level, name, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow();
  created?.push({ level, name, id: row.id });
  if (level === 'community' || level === 'compound') {
    await audit(ctx, { action: 'place.create', entity: 'place', entityId: row.id, after: { level, name, parentId } });
  }
  return row.id;
}

export interface PlaceCreated {
  level: PlaceLevel;
  name: string;
  id: number;
}

export async function findCommunityByName(ctx: Pick<Ctx, 'db'>, name: string): Promise<number | null> {
  const r = await ctx.db.selectFrom('places').select('id').where('level', '=', 'community').where('name', '=', cleanPlaceName(name)).executeTakeFirst();
  return r?.id ?? null;
}

export async function ensureCommunity(ctx: Ctx, name: string, created?: PlaceCreated[]): Promise<number> {
  const clean = cleanPlaceName(name);
  if (!clean) throw invalid('places.communityNameEmpty');
  const root = await getOrgRoot(ctx);
  return findOrCreateChild(ctx, root.subdistrictId, 'community', clean, created);
}

export interface AddressInput {
  communityId: number;
  compound: string;
  building?: string | null;
  unit?: string | null;
  room?: string | null;
}

export interface HouseholdRef {
  id: number;
  communityId: number;
  compoundId: number;
  address: string;
}

/** The household at an address, creating the places down to the room when they are new. */
export async function ensureHousehold(ctx: Ctx, a: AddressInput, created?: PlaceCreated[]): Promise<HouseholdRef> {
  const compound = cleanPlaceName(a.compound);
  if (!compound) throw invalid('places.compoundNameEmpty', undefined, [issue('compound', 'rule.compoundRequired')]);
  assertInScope(ctx.actor, a.communityId);
  const community = await ctx.db.selectFrom('places').select('id').where('id', '=', a.communityId).where('level', '=', 'community').executeTakeFirst();
  if (!community) throw invalid('places.noSuchCommunity', undefined, [issue('communityId', 'places.communityMissing')]);
  const building = buildingLabel(a.building ?? '');
  const unit = unitLabel(a.unit ?? '');
  const room = roomLabel(a.room ?? '');
  const compoundId = await findOrCreateChild(ctx, a.communityId, 'compound', compound, created);
  const buildingId = await findOrCreateChild(ctx, compoundId, 'building', building, created);
  const unitId = await findOrCreateChild(ctx, buildingId, 'unit', unit, created);
  const roomId = await findOrCreateChild(ctx, unitId, 'room', room, created);
  const existing = await ctx.db.selectFrom('households').select(['id', 'communityId', 'compoundId', 'address']).where('roomId', '=', roomId).executeTakeFirst();
  if (existing) return existing;
  const at = nowIso(ctx.clock);
  const address = compound + building + unit + room;
  const row = await ctx.db
    .insertInto('households')
    .values({ communityId: a.communityId, compoundId, roomId, address, createdAt: at, updatedAt: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, communityId: a.communityId, compoundId, address };
}

export interface CommunityNode {
  id: number;
  name: string;
  compounds: { id: number; name: string }[];
}

/**
 * On a district reader's server (区级只读) a community's name as the place selectors and the dashboard show it: with its
 * subdistrict in front (两个街道 may each have a 一社区); null elsewhere (names as they are).
 */
export async function districtCommunityNames(db: Ctx['db']): Promise<Map<number, string> | null> {
  if ((await connectionKind(db)).kind !== 'reader') return null;
  const rows = (
    await sql<{ id: number; name: string }>`SELECT c.id, s.name || ' · ' || c.name AS name FROM places c JOIN places s ON s.id = c.subdistrict_id
      WHERE c.level = 'community'`.execute(db)
  ).rows;
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

/** Communities named as a district reader's server shows them (districtCommunityNames); as they are elsewhere. */
export async function withDistrictNames<C extends { id: number; name: string }>(db: Ctx['db'], communities: C[]): Promise<C[]> {
  const labels = await districtCommunityNames(db);
  return labels ? communities.map((c) => ({ ...c, name: labels.get(c.id) ?? c.name })) : communities;
}

/** Communities with their compounds, limited to the actor's scope. */
export async function listCommunities(ctx: Ctx): Promise<CommunityNode[]> {
  let q = ctx.db.selectFrom('places').select(['id', 'name']).where('level', '=', 'community');
  if (ctx.actor.role === 'committee') q = q.where('id', '=', ctx.actor.communityId ?? -1);
  const rows = await q.orderBy('name').execute();
  const communities = await withDistrictNames(ctx.db, rows);
  // Named with their subdistrict in front: sorted again by that name.
  if (communities !== rows) communities.sort((x, y) => x.name.localeCompare(y.name, 'zh-CN'));
  const compounds = await ctx.db
    .selectFrom('places')
    .select(['id', 'name', 'parentId'])
    .where('level', '=', 'compound')
    .where('parentId', 'in', communities.length ? communities.map((c) => c.id) : [-1])
    .orderBy('name')
    .execute();
  return communities.map((c) => ({ ...c, compounds: compounds.filter((p) => p.parentId === c.id).map(({ id, name }) => ({ id, name })) }));
}

export async function renamePlace(ctx: Ctx, id: number, version: number, name: string): Promise<void> {
  const clean = cleanPlaceName(name);
  if (!clean) throw invalid('places.nameEmpty');
  await inTx(ctx, async (ctx) => {
    const p = await ctx.db.selectFrom('places').selectAll().where('id', '=', id).executeTakeFirst();
    if (!p) throw notFound('thing.place');
    await updateVersioned(ctx, 'places', id, version, { name: clean }, 'thing.place');
    await audit(ctx, { action: 'place.rename', entity: 'place', entityId: id, before: { name: p.name }, after: { name: clean } });
  });
}
