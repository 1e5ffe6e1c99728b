// i18next setup: zh-CN (default) and en. The shell's strings are the default namespace ('translation');
// a page area may keep its own strings in i18n/<area>.ts ({ 'zh-CN': {...}, en: {...} }) and add ONE line to AREAS,
// then use useTranslation('<area>').
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn.js';
import zhCN from './zh-CN.ts';
import en from './en.ts';
import residents from './residents.ts';
import checkins from './checkins.ts';
import supplies from './supplies.ts';
import cadres from './cadres.ts';
import admin from './admin.ts';
import excel from './excel.ts';
import enums from './enums.ts';
import codes from './codes.ts';
import connect from './connect.ts';
import office from './office.ts';
import sync from './sync.ts';
import drill from './drill.ts';
import places from './places.ts';
import rounds from './rounds.ts';
import notices from './notices.ts';
import print from './print.ts';
import needs from './needs.ts';
import fieldwork from './fieldwork.ts';

export type Lang = 'zh-CN' | 'en';
export const LANGS: { value: Lang; label: string }[] = [
  { value: 'zh-CN', label: '中文' },
  { value: 'en', label: 'English' },
];

type AreaStrings = { 'zh-CN': Record<string, unknown>; en: Record<string, unknown> };

// One line per page area (namespace name → strings).
const AREAS: Record<string, AreaStrings> = {
  translation: { 'zh-CN': zhCN, en },
  residents,
  checkins,
  supplies,
  cadres,
  admin,
  excel,
  enums,
  codes,
  connect,
  office,
  sync,
  drill,
  places,
  rounds,
  notices,
  print,
  needs,
  fieldwork,
};

const STORAGE_KEY = 'isolation-desk.lang';

function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

const resources: Record<Lang, Record<string, Record<string, unknown>>> = { 'zh-CN': {}, en: {} };
for (const [ns, s] of Object.entries(AREAS)) {
  resources['zh-CN'][ns] = s['zh-CN'];
  resources.en[ns] = s.en;
}

const lang = initialLang();
void i18n.use(initReactI18next).init({
  resources,
  lng: lang,
  fallbackLng: 'zh-CN',
  ns: Object.keys(AREAS),
  defaultNS: 'translation',
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
  returnEmptyString: true, // en has no unit word after numbers ('239', not '239 人')
});
dayjs.locale(lang === 'zh-CN' ? 'zh-cn' : 'en');
document.documentElement.lang = lang;

export function setLang(next: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // private mode: the choice lasts for this session only
  }
  dayjs.locale(next === 'zh-CN' ? 'zh-cn' : 'en');
  document.documentElement.lang = next;
  void i18n.changeLanguage(next);
}

export function currentLang(): Lang {
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}

export default i18n;
