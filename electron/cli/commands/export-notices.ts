// `export notices` (告知书, .docx) and `export door-sheet` (入户排查登记表, .xlsx): part of the export command
// (export.ts hands these two over), through 'notices.export' / 'notices.doorSheet' and their jobs, as the cli user
// (audited). The compound is named as the office writes it; --community settles a name two communities share.
import path from 'node:path';
import { optionalString, requireString, type CommandArgs } from '../args.ts';
import { ok, usageError, type CommandResult } from '../output.ts';
import { invalid } from '../../shared/errors.ts';
import { NOTICE_KINDS, NOTICE_TITLES, isNoticeKind } from '../../shared/notices.ts';
import type { DoorSheetResult, NoticeResult } from '../../api/contract/notices.ts';
import type { CliApi } from '../context.ts';

const placeName = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');

export const NOTICE_USAGE = [
  '告知书（Word 文档，每户一页，含完整姓名和住址）：',
  '  isolation-desk export notices --db <文件> --kind isolation|release|monitoring --compound <小区> [--building <楼栋>] [--community <社区>] --out <文件.docx>',
  '入户排查登记表（按楼栋）：',
  '  isolation-desk export door-sheet --db <文件> --compound <小区> --building <楼栋> [--community <社区>] --out <文件.xlsx> [--unmasked]',
];

async function findPlace(api: CliApi, args: CommandArgs, needBuilding: boolean): Promise<{ compoundId: number; buildingId: number | null }> {
  const compoundName = requireString(args, 'compound', '小区名称');
  const communityName = optionalString(args, 'community');
  const buildingName = needBuilding ? requireString(args, 'building', '楼栋（如 12号楼）') : optionalString(args, 'building');
  const communities = await api.call('places.communities', {});
  const scoped = communityName === undefined ? communities : communities.filter((c) => placeName(c.name) === placeName(communityName));
  if (communityName !== undefined && !scoped.length) throw invalid('export.noCommunityNamed', { name: communityName, names: communities.map((c) => c.name).join('、') || '（无）' });
  const matches = scoped.flatMap((c) => c.compounds.filter((p) => placeName(p.name) === placeName(compoundName)).map((p) => ({ ...p, community: c.name })));
  if (!matches.length) throw invalid('notices.noCompoundNamed', { name: compoundName, names: scoped.flatMap((c) => c.compounds.map((p) => p.name)).join('、') || '（无）' });
  if (matches.length > 1) throw invalid('notices.compoundAmbiguous', { name: compoundName, names: matches.map((m) => m.community).join('、') });
  const compoundId = matches[0].id;
  if (buildingName === undefined) return { compoundId, buildingId: null };
  const buildings = await api.call('notices.buildings', { compoundId });
  // 12 and 12号楼 name the same building.
  const wanted = placeName(buildingName).replace(/号?楼$/, '');
  const b = buildings.find((x) => placeName(x.name).replace(/号?楼$/, '') === wanted);
  if (!b) throw usageError(`${matches[0].community}${matches[0].name}没有楼栋“${buildingName}”。已登记的楼栋：${buildings.map((x) => x.name).join('、') || '（无）'}`);
  return { compoundId, buildingId: b.id };
}

export async function runNotices(file: string, args: CommandArgs): Promise<CommandResult> {
  const kind = requireString(args, 'kind', `告知书种类（${NOTICE_KINDS.join('|')}）`);
  if (!isNoticeKind(kind)) throw usageError(`未知的告知书种类：${kind}。可选：${NOTICE_KINDS.map((k) => `${k}（${NOTICE_TITLES[k]}）`).join('、')}`);
  const out = requireString(args, 'out', '导出文件（.docx）');
  if (!/\.docx$/i.test(out)) throw usageError(`告知书应导出为 .docx 文件：${out}`);
  requireString(args, 'compound', '小区名称');
  const { withApi } = await import('../context.ts');
  return withApi(file, {}, async (api) => {
    const place = await findPlace(api, args, false);
    const { jobId } = await api.call('notices.export', { kind, placeId: place.buildingId ?? place.compoundId, outFile: path.resolve(out) });
    const r = await api.waitForJob<NoticeResult>(jobId);
    return ok({ file: r.path, kind: r.kind, title: r.title, households: r.households, people: r.people }, `已生成${r.title}：${r.households} 户（每户一页），${r.people} 人 → ${r.path}（含完整姓名和住址，请妥善保管）`);
  });
}

export async function runDoorSheet(file: string, args: CommandArgs): Promise<CommandResult> {
  const out = requireString(args, 'out', '导出文件（.xlsx）');
  if (!/\.xlsx$/i.test(out)) throw usageError(`导出文件应以 .xlsx 结尾：${out}`);
  requireString(args, 'compound', '小区名称');
  requireString(args, 'building', '楼栋（如 12号楼）');
  const { withApi } = await import('../context.ts');
  return withApi(file, {}, async (api) => {
    const place = await findPlace(api, args, true);
    const { jobId } = await api.call('notices.doorSheet', { buildingId: place.buildingId!, unmasked: args.values.unmasked === true, outFile: path.resolve(out) });
    const r = await api.waitForJob<DoorSheetResult>(jobId);
    return ok({ file: r.path, rows: r.rows, masked: r.masked, title: r.title }, `已导出${r.title}：${r.rows} 户 → ${r.path}（${r.masked ? '姓名、电话已脱敏' : '含完整姓名和电话，请妥善保管'}）`);
  });
}
