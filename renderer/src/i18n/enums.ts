// Words for the domain's closed lists (namespace 'enums'), built from the shared rulebook (electron/shared/labels.ts)
// so the English interface shows English symptoms, categories, document types…: t('enums:symptom.发热').
import {
  ALERT_ACTION_LABELS,
  CADRE_STATUS_LABELS,
  CATEGORY_LABELS,
  CONTACT_METHOD_LABELS,
  DOC_TYPE_LABELS,
  EPISODE_KIND_LABELS,
  EPISODE_STATUS_LABELS,
  HEALTH_CODE_LABELS,
  labelsIn,
  NEED_LABELS,
  RESIDENT_STATUS_LABELS,
  ROLE_LABELS,
  SEX_LABELS,
  SLOT_LABELS,
  SUPPLY_CATEGORY_LABELS,
  SUPPLY_STATUS_LABELS,
  SYMPTOM_LABELS,
  TEST_RESULT_LABELS,
  TEST_TYPE_LABELS,
  URGENCY_LABELS,
  type LabelLang,
} from '../../../electron/shared/labels.ts';
import { DAY_WORDS } from '../../../electron/shared/days.ts';

function strings(lang: LabelLang) {
  return {
    role: labelsIn(ROLE_LABELS, lang),
    sex: labelsIn(SEX_LABELS, lang),
    docType: labelsIn(DOC_TYPE_LABELS, lang),
    category: labelsIn(CATEGORY_LABELS, lang),
    episodeKind: labelsIn(EPISODE_KIND_LABELS, lang),
    episodeStatus: labelsIn(EPISODE_STATUS_LABELS, lang),
    residentStatus: labelsIn(RESIDENT_STATUS_LABELS, lang),
    slot: labelsIn(SLOT_LABELS, lang),
    symptom: labelsIn(SYMPTOM_LABELS, lang),
    testType: labelsIn(TEST_TYPE_LABELS, lang),
    testResult: labelsIn(TEST_RESULT_LABELS, lang),
    healthCode: labelsIn(HEALTH_CODE_LABELS, lang),
    contactMethod: labelsIn(CONTACT_METHOD_LABELS, lang),
    alertAction: labelsIn(ALERT_ACTION_LABELS, lang),
    supplyCategory: labelsIn(SUPPLY_CATEGORY_LABELS, lang),
    urgency: labelsIn(URGENCY_LABELS, lang),
    supplyStatus: labelsIn(SUPPLY_STATUS_LABELS, lang),
    cadreStatus: labelsIn(CADRE_STATUS_LABELS, lang),
    need: labelsIn(NEED_LABELS, lang),
    // 第N天/共M天 and, past the last day, 超期 N 天（待解除）: codes.ts dayLabel picks one.
    day: DAY_WORDS[lang],
  };
}

const enums = { 'zh-CN': strings('zh'), en: strings('en') };
export default enums;
