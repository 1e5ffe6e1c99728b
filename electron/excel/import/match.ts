// Who a row of a test-result list is: by document number of any type (居民身份证, 护照, 港澳/台湾通行证, 永久居留证 —
// the number alone, as the residents_document index is led by it), else by mobile number and name together. A number
// two people share across document types, or a phone and name two people share, matches nobody (listed as such).
import type { Db } from '../../db/open.ts';

/** What a row says of its person (tests.ts PlannedTest). */
export interface RowWho {
  row: number;
  name: string;
  docNumber: string | null;
  phone: string | null;
}

export interface MatchedResident {
  id: number;
  name: string;
  communityId: number;
  status: string;
}

export type RowMatch = { resident: MatchedResident } | { code: 'not-found' | 'ambiguous'; by: 'document' | 'phone' };

const CHUNK = 900;

export async function matchResidents(db: Db, people: RowWho[]): Promise<Map<number, RowMatch>> {
  const byDoc = new Map<string, MatchedResident[]>();
  const byPhone = new Map<string, MatchedResident[]>();
  const numbers = [...new Set(people.map((p) => p.docNumber).filter((n): n is string => !!n))];
  for (let i = 0; i < numbers.length; i += CHUNK) {
    const rows = await db.selectFrom('residents').select(['id', 'name', 'communityId', 'status', 'docNumber']).where('docNumber', 'in', numbers.slice(i, i + CHUNK)).execute();
    for (const r of rows) byDoc.set(r.docNumber!, [...(byDoc.get(r.docNumber!) ?? []), r]);
  }
  const phones = [...new Set(people.filter((p) => !p.docNumber && p.phone).map((p) => p.phone!))];
  for (let i = 0; i < phones.length; i += CHUNK) {
    const rows = await db.selectFrom('residents').select(['id', 'name', 'communityId', 'status', 'phone']).where('phone', 'in', phones.slice(i, i + CHUNK)).execute();
    for (const r of rows) byPhone.set(`${r.phone}|${r.name}`, [...(byPhone.get(`${r.phone}|${r.name}`) ?? []), r]);
  }
  const out = new Map<number, RowMatch>();
  for (const p of people) {
    const by = p.docNumber ? 'document' : 'phone';
    const found = p.docNumber ? byDoc.get(p.docNumber) : byPhone.get(`${p.phone}|${p.name}`);
    if (!found?.length) out.set(p.row, { code: 'not-found', by });
    else if (found.length > 1) out.set(p.row, { code: 'ambiguous', by });
    else out.set(p.row, { resident: found[0] });
  }
  return out;
}

/** Why a row matched nobody, in words. */
export function noMatchReason(p: RowWho, m: Exclude<RowMatch, { resident: MatchedResident }>): string {
  const who = p.name || '此人';
  if (m.code === 'ambiguous') return m.by === 'document' ? `${who} 的证件号码在系统中对应多人，无法确定是谁，未登记此结果` : `${who} 的姓名和联系电话在系统中对应多人，无法确定是谁，未登记此结果`;
  return m.by === 'document' ? `${who} 的证件号码不在系统的居民中，未登记此结果` : `${who} 的姓名和联系电话不在系统的居民中，未登记此结果`;
}
