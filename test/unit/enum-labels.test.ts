// The shared labels cover each closed list exactly, with Chinese words and English ones, and the renderer's
// 'enums' i18n namespace (and the older per-page keys built from them) hands the English interface English words.
import { describe, expect, it } from 'vitest';
import * as E from '../../electron/shared/enums.ts';
import * as L from '../../electron/shared/labels.ts';
import enums from '../../renderer/src/i18n/enums.ts';
import checkins from '../../renderer/src/i18n/checkins.ts';
import residents from '../../renderer/src/i18n/residents.ts';

const PAIRS: [string, readonly string[], L.Labels<string>][] = [
  ['role', E.ROLES, L.ROLE_LABELS],
  ['sex', E.SEXES, L.SEX_LABELS],
  ['docType', E.DOC_TYPES, L.DOC_TYPE_LABELS],
  ['category', E.CATEGORIES, L.CATEGORY_LABELS],
  ['episodeKind', E.EPISODE_KINDS, L.EPISODE_KIND_LABELS],
  ['episodeStatus', E.EPISODE_STATUSES, L.EPISODE_STATUS_LABELS],
  ['residentStatus', E.RESIDENT_STATUS_FILTERS, L.RESIDENT_STATUS_LABELS],
  ['slot', E.SLOTS, L.SLOT_LABELS],
  ['symptom', E.SYMPTOMS, L.SYMPTOM_LABELS],
  ['testType', E.TEST_TYPES, L.TEST_TYPE_LABELS],
  ['testResult', E.TEST_RESULTS, L.TEST_RESULT_LABELS],
  ['healthCode', E.HEALTH_CODES, L.HEALTH_CODE_LABELS],
  ['contactMethod', E.CONTACT_METHODS, L.CONTACT_METHOD_LABELS],
  ['alertAction', E.ALERT_ACTIONS, L.ALERT_ACTION_LABELS],
  ['supplyCategory', E.SUPPLY_CATEGORIES, L.SUPPLY_CATEGORY_LABELS],
  ['urgency', E.URGENCIES, L.URGENCY_LABELS],
  ['supplyStatus', E.SUPPLY_STATUSES, L.SUPPLY_STATUS_LABELS],
  ['cadreStatus', E.CADRE_STATUSES, L.CADRE_STATUS_LABELS],
  ['need', E.NEEDS, L.NEED_LABELS],
];

describe('enum labels', () => {
  it.each(PAIRS)('%s: every value has a Chinese and an English word, and nothing else is labelled', (name, list, labels) => {
    expect(Object.keys(labels).sort()).toEqual([...list].sort());
    for (const v of list) {
      expect(labels[v].zh, `${name}.${v}`).toMatch(/\p{Script=Han}/u);
      expect(labels[v].en, `${name}.${v}`).toMatch(/^[A-Z][\x20-\x7e]*$/);
    }
  });

  it("the renderer's English resources carry the English words", () => {
    const en = enums.en as Record<string, Record<string, string>>;
    const zh = enums['zh-CN'] as Record<string, Record<string, string>>;
    for (const [name, list, labels] of PAIRS) {
      for (const v of list) {
        expect(en[name][v]).toBe(labels[v].en);
        expect(zh[name][v]).toBe(labels[v].zh);
      }
    }
    expect(en.symptom['嗅味觉减退']).toBe('Loss of smell/taste');
    expect(checkins.en.slot.am).toBe('Morning');
    expect(checkins.en.actions['复测正常']).toBe('Re-test normal');
    expect(residents.en.status.due).toBe('Due for release');
    expect(residents['zh-CN'].episode.status.active).toBe('进行中');
  });
});
