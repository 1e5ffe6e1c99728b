// The audit action list (electron/shared/auditActions.ts) is the real set: every action name the code writes has a
// label in Chinese and English, and every labelled action is written somewhere. The type of audit()'s `action`
// already refuses an unlisted literal at compile time; this reads the source, so a name that reaches the log by
// another route (a variable, a table of names, the CLI) is caught too.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTION_GROUPS, AUDIT_ACTION_LABELS, AUDIT_ACTIONS, AUDIT_AREA_LABELS, auditActionLabel } from '../../electron/shared/auditActions.ts';
import { contract } from '../../electron/api/contract.ts';
import { PERMISSIONS } from '../../electron/domain/actor.ts';
import { jobRegistry } from '../../electron/jobs/registry.ts';
import { isMessageKey } from '../../electron/shared/messages/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LIST_FILE = 'electron/shared/auditActions.ts';

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return /\.tsx?$/.test(e.name) && rel !== LIST_FILE ? [rel] : [];
  });
}

/** Every quoted 'area.name' in electron/, where area is an audit area: the candidates for an action written. */
function actionLikeLiterals(): Map<string, string[]> {
  const areas = Object.keys(AUDIT_AREA_LABELS).join('|');
  const re = new RegExp(`['"\`]((?:${areas})\\.[a-z][a-z_]*)['"\`]`, 'g');
  const found = new Map<string, string[]>();
  for (const rel of sources('electron')) {
    const text = fs.readFileSync(path.join(ROOT, rel), 'utf8');
    for (const m of text.matchAll(re)) found.set(m[1], [...(found.get(m[1]) ?? []), rel]);
  }
  return found;
}

/** Names of other things that share the 'area.name' shape: channels, permissions, jobs, message keys (shared/messages). */
const OTHER_NAMES = new Set<string>([...Object.keys(contract), ...PERMISSIONS, ...Object.keys(jobRegistry)]);
const otherName = (name: string) => OTHER_NAMES.has(name) || isMessageKey(name);

describe('audit actions', () => {
  it('every action name in the code has a label (zh and en); the rest are channel, permission or job names', () => {
    const literals = actionLikeLiterals();
    expect(literals.size).toBeGreaterThan(40); // the scan really reads the tree
    const unlabelled = [...literals].filter(([name]) => !(name in AUDIT_ACTION_LABELS) && !otherName(name)).map(([name, files]) => `${name} (${files.join(', ')})`);
    expect(unlabelled).toEqual([]);
    for (const a of AUDIT_ACTIONS) {
      expect(AUDIT_ACTION_LABELS[a].zh, a).toMatch(/\p{Script=Han}/u);
      expect(AUDIT_ACTION_LABELS[a].en, a).toMatch(/^[A-Z][\x20-\x7e]*$/);
    }
  });

  it('every labelled action is written somewhere in electron/ (no label for an action that does not exist)', () => {
    const literals = actionLikeLiterals();
    expect(AUDIT_ACTIONS.filter((a) => !literals.has(a))).toEqual([]);
  });

  it('each action sits in its area group, and an unknown name is shown as it is', () => {
    expect(AUDIT_ACTION_GROUPS.flatMap(([, actions]) => actions).sort()).toEqual([...AUDIT_ACTIONS].sort());
    for (const [area, actions] of AUDIT_ACTION_GROUPS) for (const a of actions) expect(a.startsWith(area)).toBe(true);
    expect(auditActionLabel('supply.assign')).toBe('分派物资需求');
    expect(auditActionLabel('supply.assign', 'en')).toBe('Assign supply request');
    expect(auditActionLabel('old.thing')).toBe('old.thing');
  });
});
