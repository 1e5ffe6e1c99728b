// Every action the code writes to the audit log, grouped by area, with its words in Chinese and English. The domain's
// audit() accepts only these names (AuditAction), the audit list and its Excel export show the zh label, and the
// renderer's audit viewer builds its filter and its i18n strings from here. test/unit/audit-actions.test.ts checks
// that every action string in electron/ has a label here and that every label here is written somewhere.
import type { Label, LabelLang } from './labels.ts';

export const AUDIT_AREA_LABELS = {
  auth: { zh: '登录', en: 'Sign-in' },
  user: { zh: '账号', en: 'Accounts' },
  settings: { zh: '设置', en: 'Settings' },
  org: { zh: '单位', en: 'Office' },
  place: { zh: '地点', en: 'Places' },
  resident: { zh: '人员', en: 'People' },
  episode: { zh: '隔离期', en: 'Isolation' },
  checkin: { zh: '健康监测', en: 'Check-ins' },
  test: { zh: '检测结果', en: 'Tests' },
  alert: { zh: '告警', en: 'Alerts' },
  supply: { zh: '物资需求', en: 'Supplies' },
  cadre: { zh: '下沉干部', en: 'Cadres' },
  import: { zh: '导入', en: 'Import' },
  report: { zh: '报表', en: 'Reports' },
  demo: { zh: '演示数据', en: 'Demo data' },
  audit: { zh: '日志', en: 'Log' },
  backup: { zh: '备份', en: 'Backups' },
  purge: { zh: '数据清理', en: 'Purge' },
  device: { zh: '设备', en: 'Devices' },
  server: { zh: '共享服务', en: 'Office server' },
  round: { zh: '核酸轮次', en: 'Test rounds' },
  need: { zh: '特殊需求', en: 'Special needs' },
} as const satisfies Record<string, Label>;
export type AuditArea = keyof typeof AUDIT_AREA_LABELS;

export const AUDIT_ACTION_LABELS = {
  'auth.login': { zh: '登录', en: 'Sign in' },
  'auth.login_failed': { zh: '登录失败', en: 'Failed sign-in' },
  'auth.logout': { zh: '退出登录', en: 'Sign out' },
  'user.create': { zh: '新建账号', en: 'Create account' },
  'user.update': { zh: '修改账号', en: 'Edit account' },
  'user.reset_password': { zh: '重置密码', en: 'Reset password' },
  'user.change_password': { zh: '修改本人密码', en: 'Change own password' },
  'settings.update': { zh: '修改设置', en: 'Change settings' },
  'settings.template_upload': { zh: '上传文书模板', en: 'Upload notice template' },
  'settings.template_reset': { zh: '恢复默认文书模板', en: 'Reset notice template' },
  'settings.template_download': { zh: '下载文书模板', en: 'Download notice template' },
  'org.create': { zh: '设置单位', en: 'Set office' },
  'org.rename': { zh: '修改单位名称', en: 'Rename office' },
  'place.create': { zh: '新建地点', en: 'Create place' },
  'place.rename': { zh: '地点改名', en: 'Rename place' },
  'resident.create': { zh: '登记人员', en: 'Register person' },
  'resident.update': { zh: '修改人员信息', en: 'Edit person' },
  'resident.view': { zh: '查看人员详情', en: 'View person' },
  'resident.reveal_phone': { zh: '查看完整电话', en: 'Reveal phone' },
  'resident.reveal_document': { zh: '查看完整证件号和出生日期', en: 'Reveal ID number and birth date' },
  'episode.start': { zh: '开始隔离/监测', en: 'Start isolation' },
  'episode.extend': { zh: '延长隔离', en: 'Extend isolation' },
  'episode.release': { zh: '解除隔离', en: 'Release' },
  'episode.transfer': { zh: '转运', en: 'Transfer' },
  'episode.end': { zh: '结束隔离（其他）', en: 'End (other)' },
  'episode.apply_policy': { zh: '按新政策调整', en: 'Apply new policy' },
  'checkin.record': { zh: '登记健康监测', en: 'Record check-in' },
  'checkin.correct': { zh: '更正健康监测', en: 'Correct check-in' },
  'checkin.batch': { zh: '整栋登记正常', en: 'Whole-building entry' },
  'checkin.batch_undo': { zh: '撤销整栋登记', en: 'Undo whole-building entry' },
  'test.record': { zh: '登记检测结果', en: 'Record test' },
  'alert.open': { zh: '产生异常告警', en: 'Alert raised' },
  'alert.close': { zh: '处置异常告警', en: 'Alert handled' },
  'supply.create': { zh: '登记物资需求', en: 'Log supply request' },
  'supply.assign': { zh: '分派物资需求', en: 'Assign supply request' },
  'supply.reassign': { zh: '改派物资需求', en: 'Reassign supply request' },
  'supply.start_delivery': { zh: '开始配送', en: 'Start delivery' },
  'supply.deliver': { zh: '已送达', en: 'Delivered' },
  'supply.cancel': { zh: '取消物资需求', en: 'Cancel supply request' },
  'supply.payment': { zh: '登记代购金额', en: 'Record purchase amount' },
  'cadre.create': { zh: '新增下沉干部', en: 'Add cadre' },
  'cadre.update': { zh: '修改下沉干部', en: 'Edit cadre' },
  'cadre.reveal_phone': { zh: '查看干部完整电话', en: 'Reveal cadre phone' },
  'cadre.group_create': { zh: '新建包联组', en: 'Create liaison group' },
  'cadre.group_update': { zh: '修改包联组', en: 'Edit liaison group' },
  'cadre.shift_create': { zh: '排班', en: 'Schedule shifts' },
  'cadre.shift_delete': { zh: '删除班次', en: 'Delete shift' },
  'cadre.visit_plan': { zh: '安排入户走访', en: 'Plan door visits' },
  'cadre.visit_record': { zh: '登记走访结果', en: 'Record door visit' },
  'cadre.visit_follow_up': { zh: '走访跟进', en: 'Door visit follow-up' },
  'import.residents': { zh: '导入人员名单', en: 'Import residents' },
  'import.tests': { zh: '导入检测结果', en: 'Import test results' },
  'import.undo': { zh: '撤销导入', en: 'Undo import' },
  'report.export': { zh: '导出报表', en: 'Export report' },
  'report.download': { zh: '下载报表', en: 'Download report' },
  'report.notices': { zh: '打印告知书', en: 'Print notices' },
  'demo.seed': { zh: '生成演示数据', en: 'Generate demo data' },
  'audit.export': { zh: '导出操作日志', en: 'Export audit log' },
  'audit.reanchor': { zh: '审计链重新锚定（清理后）', en: 'Audit chain re-anchored (after a purge)' },
  'audit.verify': { zh: '校验审计链', en: 'Audit chain check' },
  'backup.create': { zh: '备份', en: 'Backup' },
  'backup.verify_failed': { zh: '备份校验失败', en: 'Backup verification failed' },
  'backup.failed': { zh: '备份失败', en: 'Backup failed' },
  'backup.restore': { zh: '从备份恢复', en: 'Restore' },
  'backup.undo_restore': { zh: '撤销恢复', en: 'Undo restore' },
  'backup.migrate_to_pg': { zh: '从 SQLite 数据文件迁入 PostgreSQL', en: 'Migrated in from a SQLite file' },
  'purge.run': { zh: '清理到期人员信息', en: 'Purge' },
  'purge.export': { zh: '清理前导出', en: 'Export before purge' },
  'purge.delete_exports': { zh: '删除过期导出文件', en: 'Delete expired exports' },
  'device.pair_codes': { zh: '生成配对码', en: 'Pairing codes made' },
  'device.paired': { zh: '设备配对', en: 'Device paired' },
  'device.pair_refused': { zh: '配对被拒绝', en: 'Pairing refused' },
  'device.refused': { zh: '拒绝未配对设备', en: 'Unpaired device refused' },
  'device.revoke': { zh: '撤销设备', en: 'Device revoked' },
  'server.start': { zh: '启动共享服务', en: 'Office server started' },
  'server.stop': { zh: '停止共享服务', en: 'Office server stopped' },
  'server.database': { zh: '选择服务器的数据库', en: 'Server database chosen' },
  'round.create': { zh: '新建核酸轮次', en: 'Create test round' },
  'round.close': { zh: '结束核酸轮次', en: 'Close test round' },
  'round.exempt': { zh: '登记免检', en: 'Exempt from round' },
  'round.unexempt': { zh: '取消免检', en: 'Remove exemption' },
  'round.export_untested': { zh: '导出未检名单', en: 'Export untested list' },
  'need.set': { zh: '设置特殊需求', en: 'Set special needs' },
  'need.schedule_create': { zh: '新增定期需求', en: 'Add recurring need' },
  'need.schedule_update': { zh: '修改定期需求', en: 'Edit recurring need' },
  'need.schedule_run': { zh: '定期需求生成物资需求', en: 'Recurring needs created requests' },
} as const satisfies Record<`${AuditArea}.${string}`, Label>;

export type AuditAction = keyof typeof AUDIT_ACTION_LABELS;
export const AUDIT_ACTIONS = Object.keys(AUDIT_ACTION_LABELS) as AuditAction[];

export function isAuditAction(v: unknown): v is AuditAction {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(AUDIT_ACTION_LABELS, v);
}

/** An action's words; an unknown name (an older file's action) is shown as it is. */
export function auditActionLabel(action: string, lang: LabelLang = 'zh'): string {
  return isAuditAction(action) ? AUDIT_ACTION_LABELS[action][lang] : action;
}

/** Areas (prefix ending in '.') and the actions under each, in the order above: the audit viewer's action filter. */
export const AUDIT_ACTION_GROUPS: [`${AuditArea}.`, AuditAction[]][] = (Object.keys(AUDIT_AREA_LABELS) as AuditArea[]).map((area) => [
  `${area}.`,
  AUDIT_ACTIONS.filter((a) => a.startsWith(`${area}.`)),
]);
