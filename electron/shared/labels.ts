// Words for the values of enums.ts, in Chinese (the domain's and the exports' words) and English (the English
// interface). The renderer's i18n resources for these enums are built from here (renderer/src/i18n/enums.ts),
// the domain's messages and the Excel reports read the zh side.
import type {
  AlertAction,
  AlertStatus,
  CadrePost,
  CadreStatus,
  Category,
  ContactMethod,
  DocType,
  EpisodeKind,
  EpisodeStatus,
  HealthCode,
  Need,
  ResidentStatusFilter,
  Role,
  Sex,
  Slot,
  SupplyCategory,
  SupplyStatus,
  Symptom,
  TestResult,
  TestType,
  Urgency,
  VisitResult,
} from './enums.ts';

export interface Label {
  zh: string;
  en: string;
}
export type Labels<K extends string> = Record<K, Label>;
export type LabelLang = keyof Label;

export const ROLE_LABELS: Labels<Role> = {
  admin: { zh: '系统管理员', en: 'Administrator' },
  clerk: { zh: '街道工作人员', en: 'Subdistrict clerk' },
  committee: { zh: '社区工作人员', en: 'Committee member' },
  official: { zh: '领导', en: 'Official' },
  cadre: { zh: '下沉干部', en: 'Cadre' },
};

export const SEX_LABELS: Labels<Sex> = { M: { zh: '男', en: 'Male' }, F: { zh: '女', en: 'Female' } };

export const DOC_TYPE_LABELS: Labels<DocType> = {
  居民身份证: { zh: '居民身份证', en: 'Resident ID card' },
  港澳居民来往内地通行证: { zh: '港澳居民来往内地通行证', en: 'Mainland travel permit (Hong Kong/Macao)' },
  台湾居民来往大陆通行证: { zh: '台湾居民来往大陆通行证', en: 'Mainland travel permit (Taiwan)' },
  护照: { zh: '护照', en: 'Passport' },
  外国人永久居留身份证: { zh: '外国人永久居留身份证', en: 'Foreign permanent resident ID card' },
  无证件: { zh: '无证件', en: 'No document' },
};

export const CATEGORY_LABELS: Labels<Category> = {
  密接: { zh: '密接', en: 'Close contact' },
  次密接: { zh: '次密接', en: 'Secondary contact' },
  入境: { zh: '入境', en: 'Inbound traveller' },
  中高风险地区来返: { zh: '中高风险地区来返', en: 'From a medium/high-risk area' },
  其他: { zh: '其他', en: 'Other' },
};

export const EPISODE_KIND_LABELS: Labels<EpisodeKind> = {
  home_isolation: { zh: '居家隔离', en: 'Home isolation' },
  health_monitoring: { zh: '居家健康监测', en: 'Health monitoring' },
};

export const EPISODE_STATUS_LABELS: Labels<EpisodeStatus> = {
  // 进行中, not 隔离中: a running health-monitoring period is not an isolation.
  active: { zh: '进行中', en: 'Running' },
  released: { zh: '已解除', en: 'Released' },
  transferred: { zh: '已转运', en: 'Transferred' },
  ended_other: { zh: '其他结束', en: 'Ended (other)' },
};

/** The residents list's statuses and filters. */
export const RESIDENT_STATUS_LABELS: Labels<ResidentStatusFilter> = {
  all: { zh: '全部人员', en: 'Everyone' },
  active: { zh: '在管（隔离中和监测中）', en: 'Under control (isolating + monitoring)' },
  due: { zh: '待解除', en: 'Due for release' },
  isolating: { zh: '隔离中', en: 'Isolating' },
  monitoring: { zh: '健康监测中', en: 'Health monitoring' },
  released: { zh: '已解除', en: 'Released' },
  transferred: { zh: '已转运', en: 'Transferred' },
  ended_other: { zh: '其他结束', en: 'Ended (other)' },
  none: { zh: '未开始隔离', en: 'Not started' },
};

export const SLOT_LABELS: Labels<Slot> = { am: { zh: '上午', en: 'Morning' }, pm: { zh: '下午', en: 'Evening' } };

export const SYMPTOM_LABELS: Labels<Symptom> = {
  发热: { zh: '发热', en: 'Fever' },
  咳嗽: { zh: '咳嗽', en: 'Cough' },
  咽痛: { zh: '咽痛', en: 'Sore throat' },
  乏力: { zh: '乏力', en: 'Fatigue' },
  嗅味觉减退: { zh: '嗅味觉减退', en: 'Loss of smell/taste' },
  腹泻: { zh: '腹泻', en: 'Diarrhoea' },
  其他: { zh: '其他', en: 'Other' },
};

export const TEST_TYPE_LABELS: Labels<TestType> = { 核酸: { zh: '核酸', en: 'PCR' }, 抗原: { zh: '抗原', en: 'Antigen' } };

export const TEST_RESULT_LABELS: Labels<TestResult> = {
  阴性: { zh: '阴性', en: 'Negative' },
  阳性: { zh: '阳性', en: 'Positive' },
  待出结果: { zh: '待出结果', en: 'Pending' },
};

export const HEALTH_CODE_LABELS: Labels<HealthCode> = { 绿: { zh: '绿码', en: 'Green code' }, 黄: { zh: '黄码', en: 'Yellow code' }, 红: { zh: '红码', en: 'Red code' } };

export const CONTACT_METHOD_LABELS: Labels<ContactMethod> = {
  电话: { zh: '电话', en: 'Phone' },
  微信: { zh: '微信', en: 'WeChat' },
  上门: { zh: '上门', en: 'Visit' },
};

export const ALERT_STATUS_LABELS: Labels<AlertStatus> = { open: { zh: '待处理', en: 'Open' }, closed: { zh: '已处理', en: 'Closed' } };

export const ALERT_ACTION_LABELS: Labels<AlertAction> = {
  上报: { zh: '上报', en: 'Reported' },
  送医: { zh: '送医', en: 'To hospital' },
  复测正常: { zh: '复测正常', en: 'Re-test normal' },
  转运: { zh: '转运', en: 'Transferred' },
  其他: { zh: '其他', en: 'Other' },
};

export const SUPPLY_CATEGORY_LABELS: Labels<SupplyCategory> = {
  蔬菜: { zh: '蔬菜', en: 'Vegetables' },
  粮油: { zh: '粮油', en: 'Grain and oil' },
  肉蛋奶: { zh: '肉蛋奶', en: 'Meat, eggs, milk' },
  药品: { zh: '药品', en: 'Medicine' },
  母婴用品: { zh: '母婴用品', en: 'Mother and baby' },
  生活用品: { zh: '生活用品', en: 'Household goods' },
  就医: { zh: '就医', en: 'Medical visit' },
  垃圾清运: { zh: '垃圾清运', en: 'Rubbish collection' },
  其他: { zh: '其他', en: 'Other' },
};

export const URGENCY_LABELS: Labels<Urgency> = { normal: { zh: '普通', en: 'Normal' }, urgent: { zh: '紧急', en: 'Urgent' } };

export const SUPPLY_STATUS_LABELS: Labels<SupplyStatus> = {
  new: { zh: '待处理', en: 'New' },
  assigned: { zh: '已分派', en: 'Assigned' },
  delivering: { zh: '配送中', en: 'Delivering' },
  delivered: { zh: '已送达', en: 'Delivered' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
};

export const CADRE_STATUS_LABELS: Labels<CadreStatus> = {
  on_duty: { zh: '在岗', en: 'On duty' },
  resting: { zh: '轮休', en: 'Resting' },
  withdrawn: { zh: '撤回', en: 'Withdrawn' },
};

export const NEED_LABELS: Labels<Need> = {
  独居老人: { zh: '独居老人', en: 'Elderly living alone' },
  行动不便: { zh: '行动不便', en: 'Limited mobility' },
  孕产妇: { zh: '孕产妇', en: 'Pregnant or postpartum' },
  婴幼儿: { zh: '婴幼儿', en: 'Infant or toddler' },
  慢性病长期用药: { zh: '慢性病长期用药', en: 'Chronic illness, long-term medication' },
  定期就医: { zh: '定期就医（透析/化疗）', en: 'Regular treatment (dialysis/chemotherapy)' },
  残疾: { zh: '残疾', en: 'Disability' },
  其他: { zh: '其他', en: 'Other' },
};

export const CADRE_POST_LABELS: Labels<CadrePost> = {
  test_site_order: { zh: '核酸点秩序维护', en: 'Order at the test site' },
  registration: { zh: '信息登记', en: 'Registration' },
  temperature: { zh: '测温', en: 'Temperature checks' },
  gate: { zh: '门岗值守', en: 'Gate duty' },
  door_visit: { zh: '入户走访', en: 'Door visits' },
  delivery: { zh: '配送', en: 'Deliveries' },
};

export const VISIT_RESULT_LABELS: Labels<VisitResult> = {
  home_ok: { zh: '在家正常', en: 'At home, all well' },
  no_answer: { zh: '无人应答', en: 'No answer' },
  abnormal: { zh: '发现异常', en: 'Something wrong' },
  other: { zh: '其他', en: 'Other' },
};

/** One language's side of a label table: { value: word } (an i18n resource, or the domain's Chinese words). */
export function labelsIn<K extends string>(labels: Labels<K>, lang: LabelLang): Record<K, string> {
  return Object.fromEntries(Object.entries<Label>(labels).map(([k, l]) => [k, l[lang]])) as Record<K, string>;
}

/** The Chinese word of a value (the domain's messages, the Excel reports). */
export function zh<K extends string>(labels: Labels<K>, value: K): string {
  return labels[value].zh;
}
