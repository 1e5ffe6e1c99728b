// The closed lists of the domain (domain.md), one copy each: the database types, the contract's zod enums, the
// domain's checks and the renderer's pickers all read these. Their words for people are in labels.ts.

export const ROLES = ['admin', 'clerk', 'committee', 'official', 'cadre'] as const;
export type Role = (typeof ROLES)[number];

export const SEXES = ['M', 'F'] as const;
export type Sex = (typeof SEXES)[number];

/** Identity documents; only 居民身份证 is checked digit by digit (idcard.ts). */
export const DOC_TYPES = ['居民身份证', '港澳居民来往内地通行证', '台湾居民来往大陆通行证', '护照', '外国人永久居留身份证', '无证件'] as const;
export type DocType = (typeof DOC_TYPES)[number];

/** 人员类别: each may carry its own policy (settings.categoryPolicies). */
export const CATEGORIES = ['密接', '次密接', '入境', '中高风险地区来返', '其他'] as const;
export type Category = (typeof CATEGORIES)[number];

export const EPISODE_KINDS = ['home_isolation', 'health_monitoring'] as const;
export type EpisodeKind = (typeof EPISODE_KINDS)[number];

export const EPISODE_STATUSES = ['active', 'released', 'transferred', 'ended_other'] as const;
export type EpisodeStatus = (typeof EPISODE_STATUSES)[number];

/** Ways an episode ends other than release (episodes.end). */
export const EPISODE_OUTCOMES = ['transferred', 'ended_other'] as const satisfies readonly EpisodeStatus[];
export type EpisodeOutcome = (typeof EPISODE_OUTCOMES)[number];

/** A resident's status as the list shows it (from the newest episode). */
export const RESIDENT_STATUSES = ['none', 'isolating', 'monitoring', 'released', 'transferred', 'ended_other'] as const;
export type ResidentStatus = (typeof RESIDENT_STATUSES)[number];

/** The residents list's status filter: a status, or 'active' (isolating + monitoring), 'due' (待解除), 'all'. */
export const RESIDENT_STATUS_FILTERS = [...RESIDENT_STATUSES, 'active', 'due', 'all'] as const;
export type ResidentStatusFilter = (typeof RESIDENT_STATUS_FILTERS)[number];

/** Check-in slots: morning and evening. */
export const SLOTS = ['am', 'pm'] as const;
export type Slot = (typeof SLOTS)[number];

/** In the order the entry table and the reports show them. */
export const SYMPTOMS = ['发热', '咳嗽', '咽痛', '乏力', '嗅味觉减退', '腹泻', '其他'] as const;
export type Symptom = (typeof SYMPTOMS)[number];

export const TEST_TYPES = ['核酸', '抗原'] as const;
export type TestType = (typeof TEST_TYPES)[number];

export const TEST_RESULTS = ['阴性', '阳性', '待出结果'] as const;
export type TestResult = (typeof TEST_RESULTS)[number];

export const HEALTH_CODES = ['绿', '黄', '红'] as const;
export type HealthCode = (typeof HEALTH_CODES)[number];

export const CONTACT_METHODS = ['电话', '微信', '上门'] as const;
export type ContactMethod = (typeof CONTACT_METHODS)[number];

export const ALERT_STATUSES = ['open', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** What was done about an alert (处理告警). */
export const ALERT_ACTIONS = ['上报', '送医', '复测正常', '转运', '其他'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

export const SUPPLY_CATEGORIES = ['蔬菜', '粮油', '肉蛋奶', '药品', '母婴用品', '生活用品', '就医', '垃圾清运', '其他'] as const;
export type SupplyCategory = (typeof SUPPLY_CATEGORIES)[number];

export const URGENCIES = ['normal', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const SUPPLY_STATUSES = ['new', 'assigned', 'delivering', 'delivered', 'cancelled'] as const;
export type SupplyStatus = (typeof SUPPLY_STATUSES)[number];

export const CADRE_STATUSES = ['on_duty', 'resting', 'withdrawn'] as const;
export type CadreStatus = (typeof CADRE_STATUSES)[number];

/** Why a person is exempt from a test round (全员核酸): away, sampled at home while bedridden, an infant, other (with a note). */
export const ROUND_EXEMPT_REASONS = ['外出', '卧床上门采样', '婴幼儿', '其他'] as const;
export type RoundExemptReason = (typeof ROUND_EXEMPT_REASONS)[number];
/** 特殊需求 (issue 14 §3): flags a person may carry, in the order the drawer and the reports show them. 其他 carries a note. */
export const NEEDS = ['独居老人', '行动不便', '孕产妇', '婴幼儿', '慢性病长期用药', '定期就医', '残疾', '其他'] as const;
export type Need = (typeof NEEDS)[number];

/** Supply categories a recurring-need schedule (定期需求) can create. */
export const NEED_SCHEDULE_KINDS = ['药品', '就医', '母婴用品', '生活用品', '其他'] as const satisfies readonly SupplyCategory[];
export type NeedScheduleKind = (typeof NEED_SCHEDULE_KINDS)[number];
/** A cadre's posts in a shift (岗位): 核酸点秩序维护, 信息登记, 测温, 门岗值守, 入户走访, 配送. */
export const CADRE_POSTS = ['test_site_order', 'registration', 'temperature', 'gate', 'door_visit', 'delivery'] as const;
export type CadrePost = (typeof CADRE_POSTS)[number];

/** What a door visit found (入户走访结果): 在家正常, 无人应答, 发现异常, 其他. */
export const VISIT_RESULTS = ['home_ok', 'no_answer', 'abnormal', 'other'] as const;
export type VisitResult = (typeof VISIT_RESULTS)[number];

/** Narrows an unknown value to a member of one of the lists above. */
export function isOneOf<T extends string>(list: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && (list as readonly string[]).includes(v);
}
