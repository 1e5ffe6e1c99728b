// Reads a resident list into people to write and problems to show: header row → column mapping → per-row
// normalisation and checks (the issue's rules 1–6). Pure: the database is consulted later, by plan.ts.
import { normaliseOtherDocument } from '../../shared/idcard.ts';
import { cleanPlaceName } from '../../domain/places.ts';
import { normaliseResident } from '../../domain/residents.ts';
import { addDays } from '../../domain/dates.ts';
import { isBlank, type Table } from '../read.ts';
import type { CellValue } from '../cell.ts';
import { columnLetter, mapColumns, requireColumns, RESIDENT_FIELD_LABELS, RESIDENT_SYNONYMS, synonymIndex, type ColumnMapping, type ResidentField } from './columns.ts';
import { communityFromTitle, findHeaderRow, otherSubdistrictInTitle } from './header.ts';
import { parseAddress } from './address.ts';
import { cellText, parseCategory, parseDate, parseDocType, parseIdCell, parseSex } from './normalise.ts';
import { IssueList } from './issues.ts';
import { nearestNames, unknownCommunityReason, type NewCommunity } from './confirm.ts';
import { guardiansInList } from './guardians.ts';
import { parseNeedsCell } from './needs-column.ts';

export interface ResidentImportOptions {
  sheet?: string;
  /** field → header text or 1-based column number (null: do not read that field). */
  mapping?: Partial<Record<ResidentField, string | number | null>>;
  /** The community for rows that name none (no 社区 column, or an empty cell). */
  community?: string;
  /** The start date for rows without one (YYYY-MM-DD). */
  startDate?: string;
}

import type { MappingView, PlannedResident, ResidentAnalysis } from './resident-types.ts';
export type { ListAnalysis, MappingView, PlannedResident, ResidentAnalysis } from './resident-types.ts';

/** The communities that exist, and those the clerk agreed to create: rows naming any other are rejected. */
export interface CommunityCheck {
  known: Set<string>;
  create: { has: (name: string) => boolean };
}

const OLD_START_DAYS = 30;
const RESIDENT_INDEX = synonymIndex(RESIDENT_SYNONYMS);

export function mappingView<F extends string>(m: ColumnMapping<F>, labels: Record<F, string>): MappingView[] {
  return m.columns.map((c) => ({ column: columnLetter(c.column), header: c.header, field: c.field, label: c.field ? labels[c.field] : null }));
}

export function analyseResidents(
  table: Table,
  opts: ResidentImportOptions,
  ctx: {
    today: string;
    orgNames: string[];
    /** A committee member's own community: rows naming another are rejected. */
    onlyCommunity?: string;
    /** Without it every community named is taken as it is (the caller checks them: commitResidents refuses unknown ones). */
    communities?: CommunityCheck;
  },
): ResidentAnalysis {
  const header = findHeaderRow(table.rows, RESIDENT_INDEX, '姓名、身份证号、联系电话');
  const headerCells = table.rows[header.index];
  const m = mapColumns(headerCells, RESIDENT_INDEX, opts.mapping ?? {});
  const f = m.fields;
  requireColumns([f.name === undefined && '姓名', f.docNumber === undefined && '身份证号', f.compound === undefined && f.address === undefined && '小区（或住址）']);
  const titleCommunity = communityFromTitle(header.title, ctx.orgNames);
  const issues = new IssueList(headerCells);
  const otherOffice = otherSubdistrictInTitle(header.title, ctx.orgNames[1]);
  if (otherOffice) issues.warn(null, undefined, null, 'title-other-subdistrict', `名单标题写的是“${otherOffice}”，本街道是“${ctx.orgNames[1]}”。请确认没有拿错名单`);
  for (const c of m.ignored) issues.warn(null, c.column, null, 'column-ignored', `“${c.header}”列不是可识别的列，未导入`);
  if (f.community === undefined && !opts.community) {
    if (titleCommunity) issues.warn(null, undefined, null, 'community-from-title', `名单没有“社区”列，按标题中的“${titleCommunity}”导入所有人员`);
  }
  const fallbackCommunity = cleanPlaceName(opts.community) || titleCommunity || '';
  const oldestStart = addDays(ctx.today, -OLD_START_DAYS);
  const people: PlannedResident[] = [];
  const newCommunities = new Map<string, NewCommunity>();
  const seen = new Map<string, number>();
  const rejected: number[] = [];
  let blankRows = 0;
  let dataRows = 0;

  for (let i = header.index + 1; i < table.rows.length; i++) {
    const cells = table.rows[i];
    const row = i + 1;
    if (cells.every((c, col) => col === f.seq || isBlank(c))) {
      blankRows++;
      continue;
    }
    const get = (field: ResidentField): CellValue | undefined => (f[field] === undefined ? undefined : cells[f[field]!]);
    const nameRaw = get('name');
    const docRaw = get('docNumber');
    if (isBlank(nameRaw) && isBlank(docRaw)) {
      // A footer (填表人、合计…) or a stray note: no person is there.
      const text = cells.filter((c) => !isBlank(c)).map(cellText).join(' ');
      issues.warn(row, undefined, text, 'row-without-person', `第${row}行没有姓名和身份证号，已跳过（内容：${text.slice(0, 40)}）`);
      blankRows++;
      continue;
    }
    dataRows++;
    const errorsBefore = issues.errors.length;
    const name = cellText(nameRaw);
    if (!name) issues.error(row, f.name, nameRaw, 'name-missing', '缺少姓名');

    let docType = parseDocType(get('docType'));
    const guardianText = cellText(get('guardian'));
    const birthRaw = get('birthDate');
    // No document and no 证件类型 given, but a guardian or a birth date: a person without any document (an infant).
    if (docType === '居民身份证' && isBlank(get('docType')) && isBlank(docRaw) && (guardianText || !isBlank(birthRaw))) docType = '无证件';
    let birthDate: string | null = null;
    if (!isBlank(birthRaw)) {
      const d = parseDate(birthRaw, ctx.today, table.date1904);
      if (!d) issues.error(row, f.birthDate, birthRaw, 'birth-date-unreadable', '出生日期无法识别，请写成 2021-06-01 或 2021年6月1日');
      else if (d > ctx.today) issues.error(row, f.birthDate, birthRaw, 'birth-date-future', `出生日期 ${d} 晚于今天`);
      else birthDate = d;
    }
    if (docType === '无证件') {
      if (isBlank(birthRaw)) issues.error(row, f.birthDate, birthRaw, 'birth-date-missing', '没有证件的人员（如婴幼儿）须填写出生日期。请在“出生日期”列填写');
      if (!guardianText) issues.error(row, f.guardian, get('guardian'), 'guardian-missing', '没有证件的人员（如婴幼儿）须填写监护人：同户监护人的姓名或证件号码。请在“监护人”列填写');
    }
    let docNumber: string | null = null;
    if (!docType) issues.error(row, f.docType, get('docType'), 'doc-type-unknown', '证件类型无法识别，应为 居民身份证、护照、港澳居民来往内地通行证、台湾居民来往大陆通行证、外国人永久居留身份证 之一');
    else if (docType === '居民身份证') {
      const id = parseIdCell(docRaw, ctx.today);
      if (id.ok) {
        docNumber = id.number;
        // parseIdCell already upgraded it, so normaliseResident below no longer sees a 15-digit number: say it here.
        if (id.upgraded) issues.warn(row, f.docNumber, docRaw, 'id-upgraded', `15位旧身份证号已升级为18位：${id.number}`);
      } else issues.error(row, f.docNumber, docRaw, id.code, id.reason);
    } else if (docType !== '无证件') {
      docNumber = normaliseOtherDocument(cellText(docRaw)) || null;
      if (!docNumber) issues.error(row, f.docNumber, docRaw, 'id-missing', '缺少证件号码');
    }
    if (docNumber && docType) {
      const key = `${docType}|${docNumber}`;
      const first = seen.get(key);
      if (first !== undefined) issues.error(row, f.docNumber, docRaw, 'id-duplicate-in-file', `证件号码与第${first}行重复，同一人只能出现一次。请删除重复的一行`);
      else seen.set(key, row);
    }

    const sex = parseSex(get('sex'));
    if (sex === undefined) issues.warn(row, f.sex, get('sex'), 'sex-unreadable', '性别应为“男”或“女”，已按身份证号确定');
    let category = parseCategory(get('category'));
    if (category === undefined) {
      issues.warn(row, f.category, get('category'), 'category-unknown', '人员类别无法识别（应为 密接、次密接、入境、中高风险地区来返、其他），已记为“其他”');
      category = null;
    }

    const needsCell = parseNeedsCell(get('needs'));
    if (!needsCell.ok) issues.error(row, f.needs, get('needs'), needsCell.code, needsCell.reason);

    let startDate = '';
    const startRaw = get('startDate');
    if (isBlank(startRaw)) {
      if (opts.startDate) startDate = opts.startDate;
      else issues.error(row, f.startDate, startRaw, 'start-date-missing', '缺少隔离开始日期。请在名单中填写，或在导入时选择统一的开始日期');
    } else {
      const d = parseDate(startRaw, ctx.today, table.date1904);
      if (!d) issues.error(row, f.startDate, startRaw, 'start-date-unreadable', '隔离开始日期无法识别，请写成 2022-01-12 或 2022年1月12日');
      else if (d > ctx.today) issues.error(row, f.startDate, startRaw, 'start-date-future', `隔离开始日期 ${d} 晚于今天`);
      else {
        startDate = d;
        if (d < oldestStart) issues.warn(row, f.startDate, startRaw, 'start-date-old', `隔离开始日期 ${d} 已是 ${OLD_START_DAYS} 天以前，请核实`);
      }
    }

    let address = { compound: '', building: '', unit: '', room: '' };
    let addressCommunity: string | null = null;
    if (f.compound !== undefined) {
      address = { compound: cellText(get('compound')), building: cellText(get('building')), unit: cellText(get('unit')), room: cellText(get('room')) };
      if (!address.compound) issues.error(row, f.compound, get('compound'), 'compound-missing', '缺少小区名称');
    } else {
      const parsed = parseAddress(cellText(get('address')), ctx.orgNames);
      if (parsed) {
        addressCommunity = parsed.community;
        address = { compound: parsed.compound, building: parsed.building, unit: parsed.unit, room: parsed.room };
      } else {
        issues.error(row, f.address, get('address'), 'address-unparsed', '无法从住址中识别小区、楼号、单元、房号。请写成“金桥小区3号楼2单元501”或“金桥小区5-1-302”，或把地址拆成 小区、楼号、单元、房号 四列');
      }
    }
    const community = cleanPlaceName(cellText(get('community'))) || addressCommunity || fallbackCommunity;
    if (!community) issues.error(row, f.community, get('community'), 'community-missing', '缺少社区。请在名单中填写“社区”列，或在导入时选择社区');
    else if (ctx.onlyCommunity && community !== ctx.onlyCommunity) {
      issues.error(row, f.community, get('community'), 'community-out-of-scope', `此人属于“${community}”，您只能导入本社区（${ctx.onlyCommunity}）的人员。其他社区的人员请交街道工作人员导入`);
    } else if (ctx.communities && !ctx.communities.known.has(community)) {
      let n = newCommunities.get(community);
      if (!n) newCommunities.set(community, (n = { name: community, rows: 0, nearest: nearestNames(community, ctx.communities.known), confirmed: ctx.communities.create.has(community) }));
      n.rows++;
      if (!n.confirmed) issues.error(row, f.community, community, 'community-unknown', unknownCommunityReason(community, n.nearest));
    }

    if (issues.errors.length === errorsBefore && docType) {
      const n = normaliseResident(
        { name, docType, docNumber, sex: sex ?? null, birthDate, phone: cellText(get('phone')), category: category ?? '其他', notes: cellText(get('notes')) || null },
        ctx.today,
        // The guardian is linked by guardians.ts (in the list) and at writing (its id): checked there, not here.
        { guardianLater: true },
      );
      for (const e of n.errors) issues.error(row, undefined, null, 'invalid', e.message);
      for (const w of n.warnings) {
        if (w.field === 'phone') {
          const raw = get('phone');
          issues.warn(row, f.phone, raw, isBlank(raw) ? 'phone-missing' : 'phone-not-mobile', w.message);
        } else if (w.field === 'sex') issues.warn(row, f.sex, get('sex'), 'sex-mismatch', w.message);
        else if (w.field === 'docNumber') issues.warn(row, f.docNumber, docRaw, 'id-upgraded', w.message);
        else issues.warn(row, undefined, null, 'warning', w.message);
      }
      if (n.value) people.push({ row, value: n.value, community, address, startDate, categoryGiven: category !== null, needs: needsCell.ok ? needsCell.needs : [], ...(guardianText ? { guardian: { text: guardianText } } : {}) });
    }
    if (issues.errors.length > errorsBefore) rejected.push(row);
  }
  // 监护人 naming a person of the list: found, checked (same household), and the guardian put before the ward.
  const ordered = guardiansInList(people, issues, f.guardian, rejected);
  return {
    sheetName: table.sheetName,
    sheetNames: table.sheetNames,
    headerRow: header.index + 1,
    title: header.title,
    titleCommunity,
    otherSubdistrict: otherOffice ? { named: otherOffice, own: ctx.orgNames[1] } : null,
    newCommunities: [...newCommunities.values()],
    mapping: mappingView(m, RESIDENT_FIELD_LABELS),
    dataRows,
    blankRows,
    people: ordered,
    errors: issues.errors,
    warnings: issues.warnings,
    rejectedRows: rejected,
  };
}
