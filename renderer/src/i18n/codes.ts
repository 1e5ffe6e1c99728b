// Words for the codes the core stores as they are (symptoms, tests, health codes, contact methods, categories, document
// types, alert actions), namespace 'codes'; also the punctuation that differs by language and a few words every page uses.
// The code labels are a stand-in until electron/shared carries them (issue 12 part 3): then codeLabel() reads them
// from there and those sections go (keyed by the stored value).
import type { TFunction } from 'i18next';

const zhCN = {
  symptom: { 发热: '发热', 咳嗽: '咳嗽', 咽痛: '咽痛', 乏力: '乏力', 嗅味觉减退: '嗅味觉减退', 腹泻: '腹泻', 其他: '其他' },
  testType: { 核酸: '核酸', 抗原: '抗原' },
  testResult: { 阴性: '阴性', 阳性: '阳性', 待出结果: '待出结果' },
  healthCode: { 绿: '绿码', 黄: '黄码', 红: '红码' },
  healthCodeShort: { 绿: '绿', 黄: '黄', 红: '红' },
  contact: { 电话: '电话', 微信: '微信', 上门: '上门' },
  supplyCategory: { 蔬菜: '蔬菜', 粮油: '粮油', 肉蛋奶: '肉蛋奶', 药品: '药品', 母婴用品: '母婴用品', 生活用品: '生活用品', 就医: '就医', 垃圾清运: '垃圾清运', 其他: '其他' },
  category: { 密接: '密接', 次密接: '次密接', 入境: '入境', 中高风险地区来返: '中高风险地区来返', 其他: '其他' },
  docType: { 居民身份证: '居民身份证', 港澳居民来往内地通行证: '港澳居民来往内地通行证', 台湾居民来往大陆通行证: '台湾居民来往大陆通行证', 护照: '护照', 外国人永久居留身份证: '外国人永久居留身份证', 无证件: '无证件' },
  alertAction: { 上报: '上报', 送医: '送医', 复测正常: '复测正常', 转运: '转运', 其他: '其他' },
  // Punctuation between words, which differs by language: lists, label: value pairs, a note in brackets.
  punct: { list: '、', items: '；', comma: '，', pair: '{{label}}：{{value}}', paren: '{{text}}（{{note}}）', space: '　' },
  /** The language itself, for the few widths that differ (English words run longer than Chinese). */
  lang: 'zh-CN',
  words: {
    maxChars: '不能超过 {{n}} 个字',
    removeRow: '删除此行',
    dateLong: 'YYYY年M月D日 dddd',
    pageError: '此页面出错了',
    pageErrorText: '页面显示时发生错误，数据未受影响。请重试；若反复出现，请联系管理员。',
    retry: '重试',
  },
};

const en: typeof zhCN = {
  symptom: { 发热: 'Fever', 咳嗽: 'Cough', 咽痛: 'Sore throat', 乏力: 'Fatigue', 嗅味觉减退: 'Loss of smell/taste', 腹泻: 'Diarrhoea', 其他: 'Other' },
  testType: { 核酸: 'PCR', 抗原: 'Antigen' },
  testResult: { 阴性: 'Negative', 阳性: 'Positive', 待出结果: 'Pending' },
  healthCode: { 绿: 'Green code', 黄: 'Yellow code', 红: 'Red code' },
  healthCodeShort: { 绿: 'Green', 黄: 'Yellow', 红: 'Red' },
  contact: { 电话: 'Phone', 微信: 'WeChat', 上门: 'Visit' },
  supplyCategory: { 蔬菜: 'Vegetables', 粮油: 'Grain & oil', 肉蛋奶: 'Meat & dairy', 药品: 'Medicine', 母婴用品: 'Baby care', 生活用品: 'Daily goods', 就医: 'Medical visit', 垃圾清运: 'Rubbish', 其他: 'Other' },
  category: { 密接: 'Close contact', 次密接: 'Secondary contact', 入境: 'Inbound traveller', 中高风险地区来返: 'From a risk area', 其他: 'Other' },
  docType: {
    居民身份证: 'Resident ID card',
    港澳居民来往内地通行证: 'HK/Macao permit',
    台湾居民来往大陆通行证: 'Taiwan permit',
    护照: 'Passport',
    外国人永久居留身份证: 'Foreign permanent residence ID',
    无证件: 'No document',
  },
  alertAction: { 上报: 'Reported', 送医: 'To hospital', 复测正常: 'Re-test normal', 转运: 'Transferred', 其他: 'Other' },
  punct: { list: ', ', items: '; ', comma: ', ', pair: '{{label}}: {{value}}', paren: '{{text}} ({{note}})', space: '  ' },
  lang: 'en',
  words: {
    maxChars: 'At most {{n}} characters',
    removeRow: 'Remove this line',
    dateLong: 'ddd D MMM YYYY',
    pageError: 'This page ran into an error',
    pageErrorText: 'Something went wrong while showing the page; no data was affected. Retry; if it keeps happening, tell the administrator.',
    retry: 'Retry',
  },
};

export type CodeKind = keyof typeof zhCN;

/** The word for a stored code in the interface language; an unknown code is shown as it is. */
export function codeLabel(t: TFunction, kind: CodeKind, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '';
  return t(`codes:${kind}.${code}`, { defaultValue: code });
}

/** Punctuation of the interface language: punct(t, 'list') → '、' or ', '. */
export function punct(t: TFunction, which: 'list' | 'items' | 'comma' | 'space'): string {
  return t(`codes:punct.${which}`);
}

/** A width (px) by interface language: English labels run longer than Chinese ones. */
export function byLang(t: TFunction, zh: number, en: number): number {
  return t('codes:lang') === 'en' ? en : zh;
}

/** 'label：value' or 'label: value'. */
export function pair(t: TFunction, label: string, value: string | number): string {
  return t('codes:punct.pair', { label, value });
}

/** 'text（note）' or 'text (note)'. */
export function paren(t: TFunction, text: string | number, note: string | number): string {
  return t('codes:punct.paren', { text, note });
}

export default { 'zh-CN': zhCN, en };
