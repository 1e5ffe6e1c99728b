// Who a printable notice is for and what it says about them: one person (the resident drawer) or every household of a
// compound or building that the kind concerns, with the dates of each person's current or last episode (day 1 = the
// start date; a released episode's release date is the day it really ended). The notice carries full names and
// addresses, so it needs reports.export and residents.reveal (clerks, committee members, the admin; not officials).
import { sql } from 'kysely';
import type { Ctx } from './context.ts';
import { assertInScope, can } from './actor.ts';
import { today } from './clock.ts';
import { addDays, diffDays } from './dates.ts';
import { forbidden, invalid, notFound } from '../shared/errors.ts';
import { msg } from '../shared/messages/index.ts';
import { NOTICE_TITLES, type NoticeKind } from '../shared/notices.ts';
import { getSettings } from './settings.ts';
import { getOrgRoot } from './places.ts';

export interface NoticePerson {
  residentId: number;
  name: string;
  startDate: string;
  lastDay: string;
  releaseDate: string;
  days: number;
  monitoringDays: number;
}

export interface NoticeHousehold {
  householdId: number;
  communityId: number;
  community: string;
  /** 社区 + the household's address (金桥小区12号楼3单元501). */
  address: string;
  people: NoticePerson[];
}

export type NoticeTarget = { residentId: number } | { placeId: number };

export interface NoticeSelection {
  /** What the document is for (its file name): 西大街社区金桥小区(12号楼), or one person's address. */
  label: string;
  placeId: number | null;
  households: NoticeHousehold[];
}

/** A released person's notice stays printable for this many days after the release (解除通知书 delivered late). */
export const RELEASE_WINDOW_DAYS = 7;

const EPISODE_KIND = { isolation: 'home_isolation', release: 'home_isolation', monitoring: 'health_monitoring' } as const;

/** Full names and addresses leave the app on paper: only for roles that may see them and export. */
export function requireNoticeAccess(ctx: Pick<Ctx, 'actor'>): void {
  if (!can(ctx.actor, 'reports.export') || !can(ctx.actor, 'residents.reveal')) throw forbidden('notices.needsReveal');
}

interface Row {
  residentId: number;
  name: string;
  householdId: number;
  communityId: number;
  community: string;
  address: string;
  startDate: string;
  lastDay: string;
  releaseDate: string;
  status: string;
  endedOn: string | null;
  monitoringDays: number;
}

function person(r: Row): NoticePerson {
  const releaseDate = r.status === 'released' && r.endedOn ? r.endedOn : r.releaseDate;
  return { residentId: r.residentId, name: r.name, startDate: r.startDate, lastDay: r.lastDay, releaseDate, days: diffDays(r.startDate, r.lastDay) + 1, monitoringDays: Number(r.monitoringDays) };
}

/** Rows in address order grouped into households (each person once: their newest episode). */
function group(rows: Row[]): NoticeHousehold[] {
  const byHousehold = new Map<number, NoticeHousehold>();
  const seen = new Set<number>();
  for (const r of rows) {
    if (seen.has(r.residentId)) continue;
    seen.add(r.residentId);
    let h = byHousehold.get(r.householdId);
    if (!h) byHousehold.set(r.householdId, (h = { householdId: r.householdId, communityId: r.communityId, community: r.community, address: `${r.community}${r.address}`, people: [] }));
    h.people.push(person(r));
  }
  return [...byHousehold.values()];
}

function baseQuery(ctx: Pick<Ctx, 'db'>) {
  return ctx.db
    .selectFrom('residents as r')
    .innerJoin('episodes as e', 'e.residentId', 'r.id')
    .innerJoin('households as h', 'h.id', 'r.householdId')
    .innerJoin('places as c', 'c.id', 'h.communityId')
    .select(['r.id as residentId', 'r.name', 'h.id as householdId', 'h.communityId', 'c.name as community', 'h.address', 'e.startDate', 'e.lastDay', 'e.releaseDate', 'e.status', 'e.endedOn', 'e.monitoringDays']);
}

/** The households (with their people) a notice of this kind is printed for. Refuses what the actor may not see. */
export async function noticeSelection(ctx: Ctx, kind: NoticeKind, target: NoticeTarget): Promise<NoticeSelection> {
  requireNoticeAccess(ctx);
  const episodeKind = EPISODE_KIND[kind];
  if ('residentId' in target) {
    const r = await ctx.db.selectFrom('residents').select(['id', 'name', 'communityId']).where('id', '=', target.residentId).executeTakeFirst();
    if (!r) throw notFound('thing.resident');
    assertInScope(ctx.actor, r.communityId);
    const rows = await baseQuery(ctx).where('r.id', '=', r.id).where('e.kind', '=', episodeKind).orderBy('e.startDate', 'desc').orderBy('e.id', 'desc').limit(1).execute();
    if (!rows.length) throw invalid('notices.noEpisode', { what: msg(kind === 'monitoring' ? 'notices.whatMonitoring' : 'notices.whatIsolation'), title: NOTICE_TITLES[kind] });
    if (kind === 'release' && rows[0].status !== 'active' && rows[0].status !== 'released') throw invalid('notices.notReleased');
    const households = group(rows);
    // Named by the address, not the person: the file name is kept in the audit log of its download, where a purge
    // would not find a name inside it.
    return { label: households[0].address, placeId: null, households };
  }
  const place = await ctx.db
    .selectFrom('places as p')
    .innerJoin('places as up', 'up.id', 'p.parentId')
    .select(['p.id', 'p.level', 'p.name', 'p.parentId', 'up.name as parentName', 'up.parentId as grandId'])
    .where('p.id', '=', target.placeId)
    .executeTakeFirst();
  if (!place) throw notFound('thing.place');
  if (place.level !== 'compound' && place.level !== 'building') throw invalid('notices.placeWrong');
  const communityId = place.level === 'compound' ? place.parentId! : place.grandId!;
  assertInScope(ctx.actor, communityId);
  const community = await ctx.db.selectFrom('places').select('name').where('id', '=', communityId).executeTakeFirstOrThrow();
  const label = place.level === 'compound' ? `${community.name}${place.name}` : `${community.name}${place.parentName}${place.name}`;
  const date = today(ctx.clock);
  let q = baseQuery(ctx).where('e.kind', '=', episodeKind);
  if (place.level === 'compound') q = q.where('h.compoundId', '=', place.id);
  else q = q.innerJoin('places as rm', 'rm.id', 'h.roomId').innerJoin('places as u', 'u.id', 'rm.parentId').where('u.parentId', '=', place.id);
  if (kind === 'release') {
    const since = addDays(date, -(RELEASE_WINDOW_DAYS - 1));
    q = q.where((eb) => eb.or([eb('e.status', '=', 'active'), eb.and([eb('e.status', '=', 'released'), eb('e.endedOn', '>=', since), eb('e.endedOn', '<=', date)])]));
  } else q = q.where('e.status', '=', 'active');
  const rows = await q
    .orderBy(sql`length(${sql.ref('h.address')})`)
    .orderBy('h.address')
    .orderBy('h.id')
    .orderBy('r.id')
    .orderBy('e.startDate', 'desc')
    .execute();
  const households = group(rows);
  if (!households.length) {
    const rule = kind === 'isolation' ? 'notices.ruleIsolation' : kind === 'release' ? 'notices.ruleRelease' : 'notices.ruleMonitoring';
    throw invalid('notices.nobody', { place: label, title: NOTICE_TITLES[kind], rule: msg(rule) });
  }
  return { label, placeId: place.id, households };
}

/** 2022-01-14 → 2022年1月14日 */
export function cnDate(d: string): string {
  const [y, m, day] = d.split('-').map(Number);
  return `${y}年${m}月${day}日`;
}

/** What a kind's {policy} says (an office with other wording replaces {policy} in its template with its own text). */
export function policyText(kind: NoticeKind, h: NoticeHousehold): string {
  const monitoring = Math.max(...h.people.map((p) => p.monitoringDays));
  if (kind === 'isolation') {
    return '居家隔离期间，请您做到：足不出户，不外出、不串门、不接受探访；每日早晚各测量一次体温并如实报告社区；按要求配合核酸检测；生活垃圾装袋封口，由工作人员统一收运；生活物资可通过社区代购配送。如出现发热、干咳、乏力、咽痛、嗅（味）觉减退、腹泻等症状，请立即报告社区，不要自行就医。拒不配合的，将依法追究相关责任。';
  }
  if (kind === 'release') {
    return monitoring > 0
      ? `解除隔离后请继续居家健康监测${monitoring}天，每日测量体温，非必要不外出、不聚集；外出时全程规范佩戴口罩。如出现发热、咳嗽等症状，请及时报告社区并就医。`
      : '解除隔离后请继续做好个人防护，每日关注自身健康状况，非必要不聚集；外出时全程规范佩戴口罩。如出现发热、咳嗽等症状，请及时报告社区并就医。';
  }
  return '健康监测期间，请您每日早晚各测量一次体温并如实报告社区，非必要不外出、不聚集，确需外出时全程规范佩戴口罩，不乘坐公共交通工具，不前往人员密集场所；按要求配合核酸检测。如出现发热、咳嗽等症状，请立即报告社区。';
}

/** The values of the template's placeholders: the document's (office, date) and each household's page. */
export async function noticeValues(ctx: Ctx, kind: NoticeKind, households: NoticeHousehold[]) {
  const settings = await getSettings(ctx);
  const org = await getOrgRoot(ctx);
  const common = {
    district: org.district,
    subdistrict: org.subdistrict,
    officeName: settings.noticeOfficeName.trim() || `${org.district}${org.subdistrict}`,
    // No phone set: a line to write it in by hand.
    officePhone: settings.noticePhone.trim() || '__________',
    date: cnDate(today(ctx.clock)),
  };
  const pages = households.map((h) => {
    const max = (f: (p: NoticePerson) => string) => h.people.map(f).sort().at(-1)!;
    const min = (f: (p: NoticePerson) => string) => h.people.map(f).sort()[0];
    const startDate = min((p) => p.startDate);
    const lastDay = max((p) => p.lastDay);
    return {
      name: h.people.map((p) => p.name).join('、'),
      address: h.address,
      community: h.community,
      startDate: cnDate(startDate),
      lastDay: cnDate(lastDay),
      releaseDate: cnDate(max((p) => p.releaseDate)),
      days: diffDays(startDate, lastDay) + 1,
      monitoringDays: Math.max(...h.people.map((p) => p.monitoringDays)),
      policy: policyText(kind, h),
      people: h.people.map((p) => ({ name: p.name, startDate: cnDate(p.startDate), lastDay: cnDate(p.lastDay), releaseDate: cnDate(p.releaseDate), days: p.days })),
    };
  });
  return { common, pages };
}
