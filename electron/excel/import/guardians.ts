// 监护人 in a resident list: a person without any document (an infant, 无证件) is imported with a birth date and a
// guardian of the same household, named by name or document number — another person of the list, or a resident
// already in the database. Three steps: guardiansInList (pure, part of the analysis: finds list guardians, checks the
// household, puts each guardian before their ward), guardiansInDatabase (run.ts: looks up the others; a guardian
// found nowhere rejects the row), guardianLinks (each written part's plan: the guardian's id, or their index in the
// same batch when both are new).
import type { Ctx } from '../../domain/context.ts';
import { normaliseAddress } from '../../domain/households-batch.ts';
import { toHalfWidth } from '../../shared/idcard.ts';
import { valueList } from '../../db/value-list.ts';
import type { RowIssue } from './issues.ts';
import type { IssueList } from './issues.ts';
import type { ExistingPerson, MappingView, PlannedResident, ResidentAnalysis } from './resident-types.ts';

/** A document number as typed in a 监护人 cell: half-width, no spaces, upper case. */
function docText(s: string): string {
  return toHalfWidth(s).replace(/\s+/g, '').toUpperCase();
}

export function docKey(p: Pick<PlannedResident, 'value'>): string {
  return `${p.value.docType}|${p.value.docNumber}`;
}

/** The household address below the community, as households.address stores it. */
function addressOf(p: PlannedResident): string {
  const a = normaliseAddress({ communityId: 0, ...p.address });
  return a.compound + a.building + a.unit + a.room;
}

const homeOf = (p: PlannedResident) => `${p.community}|${addressOf(p)}`;

type Reject = (p: PlannedResident, code: string, reason: string) => void;

/**
 * Rows whose guardian row was rejected are rejected too (repeatedly: a chain), and the rest ordered so that each
 * guardian of the list comes before their ward (the batch writes in order); a circle of guardians is rejected.
 */
function settle(people: PlannedResident[], rejected: Set<number>, reject: Reject): PlannedResident[] {
  let left = people.filter((p) => !rejected.has(p.row));
  const out: PlannedResident[] = [];
  const placed = new Set<number>();
  for (;;) {
    let progress = false;
    const next: PlannedResident[] = [];
    for (const p of left) {
      const g = p.guardian?.row;
      if (g !== undefined && rejected.has(g)) {
        reject(p, 'guardian-rejected', `监护人（第${g}行）有错误未能导入，此人也未导入。请先改正第${g}行`);
        progress = true;
      } else if (g === undefined || placed.has(g)) {
        out.push(p);
        placed.add(p.row);
        progress = true;
      } else next.push(p);
    }
    left = next;
    if (!left.length) return out;
    if (!progress) {
      for (const p of left) reject(p, 'guardian-cycle', `监护人（第${p.guardian!.row}行）又以此人或其被监护人为监护人，无法确定谁是监护人。请改正“监护人”列`);
      return out;
    }
  }
}

/** Resolves 监护人 cells that name a person of the same list; the others are left for guardiansInDatabase. */
export function guardiansInList(people: PlannedResident[], issues: IssueList, column: number | undefined, rejectedRows: number[]): PlannedResident[] {
  if (!people.some((p) => p.guardian)) return people;
  const byDoc = new Map<string, PlannedResident>();
  const byName = new Map<string, PlannedResident[]>();
  for (const p of people) {
    if (p.value.docNumber) byDoc.set(docText(p.value.docNumber), p);
    const same = byName.get(p.value.name);
    if (same) same.push(p);
    else byName.set(p.value.name, [p]);
  }
  const rejected = new Set<number>();
  const reject: Reject = (p, code, reason) => {
    issues.error(p.row, column, p.guardian?.text ?? '', code, reason);
    rejected.add(p.row);
    rejectedRows.push(p.row);
  };
  for (const p of people) {
    if (!p.guardian) continue;
    const text = p.guardian.text;
    let g = byDoc.get(docText(text));
    if (!g) {
      const named = (byName.get(text.trim()) ?? []).filter((x) => x !== p);
      const same = named.filter((x) => homeOf(x) === homeOf(p));
      if (same.length > 1) {
        reject(p, 'guardian-ambiguous', `同户有 ${same.length} 人名为“${text}”（第${same.map((x) => x.row).join('、')}行），请在“监护人”列填写监护人的证件号码`);
        continue;
      }
      // Only someone of that name at another address: the list's guardian, written under the wrong address.
      g = same[0] ?? (named.length === 1 ? named[0] : undefined);
    }
    if (!g) continue;
    if (g === p) reject(p, 'guardian-self', '监护人不能是本人。请填写同户另一位成员的姓名或证件号码');
    else if (homeOf(g) !== homeOf(p)) reject(p, 'guardian-other-household', `监护人“${text}”（第${g.row}行）的住址是“${g.community}${addressOf(g)}”，与此人不同；监护人须是同户成员`);
    else if (!g.value.docNumber) reject(p, 'guardian-no-document', `监护人“${text}”（第${g.row}行）也没有证件；监护人须是有证件的同户成员`);
    else p.guardian = { text, row: g.row, key: docKey(g) };
  }
  const out = settle(people, rejected, reject);
  rejectedRows.sort((a, b) => a - b);
  return out;
}

function guardianIssue(mapping: MappingView[], row: number, value: string, code: string, reason: string): RowIssue {
  const m = mapping.find((c) => c.field === 'guardian');
  return { row, column: m?.header ?? '监护人', cell: m ? `${m.column}${row}` : '', value, reason, code };
}

/**
 * Looks up in the database the guardians the list does not hold: by document number (any type), else by name in the
 * same household. Sets value.guardianId; a guardian not found, ambiguous, elsewhere or without a document rejects the
 * row (and its own wards in the list). Changes the analysis in place; reads only.
 */
export async function guardiansInDatabase(ctx: Pick<Ctx, 'db'>, a: ResidentAnalysis): Promise<void> {
  const open = a.people.filter((p) => p.guardian && p.guardian.row === undefined && p.value.guardianId === null);
  if (!open.length) return;
  const rejected = new Set<number>();
  const reject: Reject = (p, code, reason) => {
    a.errors.push(guardianIssue(a.mapping, p.row, p.guardian?.text ?? '', code, reason));
    rejected.add(p.row);
    a.rejectedRows.push(p.row);
  };
  const numbers = [...new Set(open.map((p) => docText(p.guardian!.text)))];
  const names = [...new Set(open.map((p) => p.guardian!.text.trim()))];
  const rows = async (by: 'docNumber' | 'name', values: string[]) => {
    const out: { id: number; name: string; docNumber: string | null; community: string; address: string }[] = [];
    for (let i = 0; i < values.length; i += 900) {
      out.push(
        ...(await ctx.db
          .selectFrom('residents as r')
          .innerJoin('households as h', 'h.id', 'r.householdId')
          .innerJoin('places as c', 'c.id', 'h.communityId')
          .select(['r.id', 'r.name', 'r.docNumber', 'c.name as community', 'h.address'])
          .where(`r.${by}`, 'in', valueList(values.slice(i, i + 900)))
          .execute()),
      );
    }
    return out;
  };
  const byDoc = await rows('docNumber', numbers);
  const byName = await rows('name', names);
  for (const p of open) {
    const text = p.guardian!.text;
    const home = homeOf(p);
    const doc = byDoc.filter((r) => r.docNumber === docText(text));
    const named = byName.filter((r) => r.name === text.trim() && `${r.community}|${r.address}` === home);
    const found = doc.length ? doc : named;
    if (!found.length) {
      reject(p, 'guardian-not-found', `找不到监护人“${text}”：名单和系统中都没有这个姓名或证件号码的同户人员。请填写同户监护人的姓名或证件号码（监护人须在名单中或已登记）`);
    } else if (found.length > 1) {
      reject(p, 'guardian-ambiguous', `同户有 ${found.length} 人名为“${text}”，请在“监护人”列填写监护人的证件号码`);
    } else if (`${found[0].community}|${found[0].address}` !== home) {
      reject(p, 'guardian-other-household', `监护人“${text}”在系统中的住址是“${found[0].community}${found[0].address}”，与此人不同；监护人须是同户成员`);
    } else if (!found[0].docNumber) {
      reject(p, 'guardian-no-document', `监护人“${text}”也没有证件；监护人须是有证件的同户成员`);
    } else p.value.guardianId = found[0].id;
  }
  a.people = settle(a.people, rejected, reject);
  a.rejectedRows.sort((x, y) => x - y);
}

/**
 * For one written part: each new ward's guardian — the index of a guardian created in the same batch (the batch
 * gives the id), else the id of a guardian already in the database (an earlier part, or known before).
 */
export async function guardianLinks(ctx: Pick<Ctx, 'db'>, create: PlannedResident[], known: Map<string, { id: number }>): Promise<Map<number, number>> {
  const index = new Map<number, number>();
  const wards = create.filter((p) => p.guardian?.key && p.value.guardianId === null);
  if (!wards.length) return index;
  const inBatch = new Map<string, number>();
  create.forEach((p, i) => p.value.docNumber && inBatch.set(docKey(p), i));
  const ask = [...new Set(wards.map((p) => p.guardian!.key!).filter((k) => !inBatch.has(k) && !known.has(k)))];
  const written = new Map<string, number>();
  for (let i = 0; i < ask.length; i += 900) {
    const numbers = ask.slice(i, i + 900).map((k) => k.slice(k.indexOf('|') + 1));
    const rows = await ctx.db.selectFrom('residents').select(['id', 'docType', 'docNumber']).where('docNumber', 'in', valueList(numbers)).execute();
    for (const r of rows) written.set(`${r.docType}|${r.docNumber}`, r.id);
  }
  for (const p of wards) {
    const key = p.guardian!.key!;
    const i = inBatch.get(key);
    if (i !== undefined) index.set(p.row, i);
    else {
      const id = known.get(key)?.id ?? written.get(key);
      if (id !== undefined) p.value.guardianId = id;
    }
  }
  return index;
}

/**
 * People without a document that the database already holds: same name, birth date and guardian (a list imported
 * again). Keyed by row; the plan treats them as known people, as it does documented ones found by their number.
 */
export async function knownWards(ctx: Pick<Ctx, 'db'>, people: PlannedResident[], existing: Map<string, ExistingPerson>): Promise<Map<number, ExistingPerson>> {
  const out = new Map<number, ExistingPerson>();
  const wards = people.filter((p) => p.value.docType === '无证件' && p.value.birthDate && (p.value.guardianId !== null || p.guardian?.key));
  if (!wards.length) return out;
  const ask = [...new Set(wards.map((p) => p.guardian?.key).filter((k): k is string => !!k && !existing.has(k)))];
  const written = new Map<string, number>();
  for (let i = 0; i < ask.length; i += 900) {
    const numbers = ask.slice(i, i + 900).map((k) => k.slice(k.indexOf('|') + 1));
    for (const r of await ctx.db.selectFrom('residents').select(['id', 'docType', 'docNumber']).where('docNumber', 'in', valueList(numbers)).execute()) written.set(`${r.docType}|${r.docNumber}`, r.id);
  }
  const guardianOf = (p: PlannedResident) => p.value.guardianId ?? (p.guardian?.key ? (existing.get(p.guardian.key)?.id ?? written.get(p.guardian.key)) : undefined);
  const gids = [...new Set(wards.map(guardianOf).filter((id): id is number => id !== undefined))];
  const found: (ExistingPerson & { birthDate: string | null; guardianId: number | null })[] = [];
  for (let i = 0; i < gids.length; i += 900) {
    found.push(
      ...(await ctx.db
        .selectFrom('residents')
        .select(['id', 'version', 'name', 'docType', 'docNumber', 'phone', 'householdId', 'communityId', 'category', 'notes', 'status', 'birthDate', 'guardianId'])
        .where('docType', '=', '无证件')
        .where('guardianId', 'in', gids.slice(i, i + 900))
        .execute()),
    );
  }
  for (const p of wards) {
    const g = guardianOf(p);
    const e = found.find((r) => r.guardianId === g && r.name === p.value.name && r.birthDate === p.value.birthDate);
    if (e) out.set(p.row, e);
  }
  return out;
}
