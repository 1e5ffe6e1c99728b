// The lean batch path for households (bulk imports): the same rules as ensureHousehold, but a few multi-row statements
// per thousand addresses; the places created are reported for one audit record per batch. Call inside one transaction.
import type { Ctx } from './context.ts';
import { auditMany, type AuditInput } from './audit.ts';
import { nowIso } from './clock.ts';
import { assertInScope } from './actor.ts';
import { invalid, issue } from '../shared/errors.ts';
import { buildingLabel, cleanPlaceName, roomLabel, unitLabel, type HouseholdRef, type PlaceCreated } from './places.ts';
import type { PlaceLevel } from '../db/schema.ts';
import { valueList } from '../db/value-list.ts';
import { chunks, insertEach } from './batch-insert.ts';
import { insertLoggedAfter } from '../db/fresh-rows.ts';

export interface HouseholdAddress {
  communityId: number;
  compound: string;
  building?: string | null;
  unit?: string | null;
  room?: string | null;
}

/** The address as ensureHousehold stores it (labels applied): equal keys = one household. */
export function normaliseAddress(a: HouseholdAddress) {
  const compound = cleanPlaceName(a.compound);
  const building = buildingLabel(a.building ?? '');
  const unit = unitLabel(a.unit ?? '');
  const room = roomLabel(a.room ?? '');
  return { communityId: a.communityId, compound, building, unit, room, key: `${a.communityId}|${compound}|${building}|${unit}|${room}` };
}

/** Places at one level by parent id, then name → id (nested maps: no "parent|name" string built per lookup). */
type Children = Map<number, Map<string, number>>;

function childId(m: Children, parentId: number, name: string): number | undefined {
  return m.get(parentId)?.get(name);
}

function setChild(m: Children, parentId: number, name: string, id: number): void {
  let c = m.get(parentId);
  if (!c) m.set(parentId, (c = new Map()));
  c.set(name, id);
}

/** Existing children of the given parents at one level, added to `map`; parents in `loaded` (asked for before) or `fresh` (just created) are not asked for. */
async function childrenOf(ctx: Pick<Ctx, 'db'>, level: PlaceLevel, parentIds: number[], map: Children = new Map(), loaded?: Set<number>, fresh?: Set<number>): Promise<Children> {
  const unique = [...new Set(parentIds)];
  const ask = unique.filter((id) => !loaded?.has(id) && !fresh?.has(id));
  for (const part of chunks(ask, 10_000)) {
    const rows = await ctx.db.selectFrom('places').select(['id', 'parentId', 'name']).where('level', '=', level).where('parentId', 'in', valueList(part, ctx.db)).execute();
    for (const r of rows) setChild(map, r.parentId!, r.name, r.id);
  }
  for (const id of unique) loaded?.add(id);
  return map;
}

/**
 * What ensureHouseholdsBatch has looked up and created, kept across its calls within ONE transaction (an import
 * writing its list a part at a time): places and households already known are not asked for again, so each call
 * costs as much as its own addresses, not as much as the whole list so far.
 */
export interface HouseholdCache {
  children: Map<PlaceLevel, { map: Children; loaded: Set<number> }>;
  /** Room id → its household; rooms in `roomsAsked` have been looked up (absent: no household yet). */
  households: Map<number, HouseholdRef & { isNew: boolean }>;
  roomsAsked: Set<number>;
}

export function householdCache(): HouseholdCache {
  return { children: new Map(), households: new Map(), roomsAsked: new Set() };
}

/** Finds or creates the children (parentId, name) at one level; compounds created are audited like ensureHousehold does. */
async function ensureChildren(ctx: Ctx, level: PlaceLevel, wanted: { parentId: number; name: string }[], created?: PlaceCreated[], cache?: HouseholdCache, fresh?: Set<number>): Promise<Children> {
  let known = cache?.children.get(level);
  if (cache && !known) cache.children.set(level, (known = { map: new Map(), loaded: new Set() }));
  const map = await childrenOf(ctx, level, wanted.map((w) => w.parentId), known?.map, known?.loaded, fresh);
  const toCreate: { parentId: number; name: string }[] = [];
  const planned: Children = new Map();
  for (const w of wanted) {
    if (childId(map, w.parentId, w.name) !== undefined || childId(planned, w.parentId, w.name) !== undefined) continue;
    setChild(planned, w.parentId, w.name, 0);
    toCreate.push(w);
  }
  const at = nowIso(ctx.clock);
  const audits: AuditInput[] = [];
  // The change feed's rows for the new places are written after them, in one statement (db/fresh-rows.ts).
  const newIds = await insertLoggedAfter(ctx.db, 'places', toCreate.length, () =>
    insertEach(ctx, 'places', toCreate.map((w) => ({ parentId: w.parentId, level, name: w.name, createdAt: at, updatedAt: at }))),
  );
  toCreate.forEach((r, i) => {
    const id = newIds[i];
    setChild(map, r.parentId, r.name, id);
    // A place created here has no children yet: they need not be looked up.
    fresh?.add(id);
    created?.push({ level, name: r.name, id });
    if (level === 'compound') audits.push({ action: 'place.create', entity: 'place', entityId: id, after: { level, name: r.name, parentId: r.parentId } });
  });
  if (audits.length) await auditMany(ctx, audits);
  return map;
}

/**
 * The households at many addresses, creating compounds, buildings, units, rooms and households that are new.
 * Returns the household of each address, in input order, with `isNew` for the ones created here.
 */
export async function ensureHouseholdsBatch(ctx: Ctx, addresses: HouseholdAddress[], created?: PlaceCreated[], cache?: HouseholdCache): Promise<(HouseholdRef & { isNew: boolean })[]> {
  // Each distinct address once (list), and for each input address its position in list.
  const position = new Map<string, number>();
  const list: ReturnType<typeof normaliseAddress>[] = [];
  const slot: number[] = addresses.map((a) => {
    const n = normaliseAddress(a);
    if (!n.compound) throw invalid('places.compoundNameEmpty', undefined, [issue('compound', 'rule.compoundRequired')]);
    let i = position.get(n.key);
    if (i === undefined) {
      position.set(n.key, (i = list.length));
      list.push(n);
    }
    return i;
  });
  const communityIds = [...new Set(list.map((a) => a.communityId))];
  for (const id of communityIds) assertInScope(ctx.actor, id);
  const known = await ctx.db.selectFrom('places').select('id').where('level', '=', 'community').where('id', 'in', communityIds.length ? communityIds : [-1]).execute();
  if (known.length !== communityIds.length) throw invalid('places.noSuchCommunity', undefined, [issue('communityId', 'places.communityMissing')]);

  // Level by level, each address carries its place ids down (no key rebuilding per level).
  const fresh = new Set<number>();
  const ids = list.map((a) => ({ a, compound: 0, building: 0, unit: 0, room: 0 }));
  const compounds = await ensureChildren(ctx, 'compound', list.map((a) => ({ parentId: a.communityId, name: a.compound })), created, cache, fresh);
  for (const x of ids) x.compound = childId(compounds, x.a.communityId, x.a.compound)!;
  const buildings = await ensureChildren(ctx, 'building', ids.map((x) => ({ parentId: x.compound, name: x.a.building })), created, cache, fresh);
  for (const x of ids) x.building = childId(buildings, x.compound, x.a.building)!;
  const units = await ensureChildren(ctx, 'unit', ids.map((x) => ({ parentId: x.building, name: x.a.unit })), created, cache, fresh);
  for (const x of ids) x.unit = childId(units, x.building, x.a.unit)!;
  const rooms = await ensureChildren(ctx, 'room', ids.map((x) => ({ parentId: x.unit, name: x.a.room })), created, cache, fresh);
  for (const x of ids) x.room = childId(rooms, x.unit, x.a.room)!;

  const byRoom = cache?.households ?? new Map<number, HouseholdRef & { isNew: boolean }>();
  // Rooms created just now have no household yet; rooms looked up by an earlier call are not asked for again.
  const roomIds = [...new Set(ids.map((x) => x.room))];
  const ask = roomIds.filter((r) => !fresh.has(r) && !cache?.roomsAsked.has(r));
  for (const part of chunks(ask, 10_000)) {
    const rows = await ctx.db.selectFrom('households').select(['id', 'communityId', 'compoundId', 'address', 'roomId']).where('roomId', 'in', valueList(part, ctx.db)).execute();
    for (const { roomId: r, ...h } of rows) byRoom.set(r, { ...h, isNew: false });
  }
  for (const r of roomIds) cache?.roomsAsked.add(r);
  const at = nowIso(ctx.clock);
  // One household per room: two addresses differing only in spelling land in the same room.
  const newRooms = new Map<number, (typeof ids)[number]>();
  for (const x of ids) if (!byRoom.has(x.room) && !newRooms.has(x.room)) newRooms.set(x.room, x);
  const newRows = [...newRooms.values()].map((x) => ({ communityId: x.a.communityId, compoundId: x.compound, roomId: x.room, address: x.a.compound + x.a.building + x.a.unit + x.a.room, createdAt: at, updatedAt: at }));
  const householdIds = await insertLoggedAfter(ctx.db, 'households', newRows.length, () => insertEach(ctx, 'households', newRows));
  newRows.forEach((h, i) => byRoom.set(h.roomId, { id: householdIds[i], communityId: h.communityId, compoundId: h.compoundId, address: h.address, isNew: true }));
  return slot.map((i) => byRoom.get(ids[i].room)!);
}
