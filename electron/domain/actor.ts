// Who is acting, what each role may do, and community scope. Enforced in the main process, never only in the UI.
import type { Role } from '../db/schema.ts';
import { forbidden } from '../shared/errors.ts';

export interface Actor {
  userId: number | null;
  username: string;
  displayName: string;
  role: Role;
  /** Committee members are scoped to one community; null = whole subdistrict. */
  communityId: number | null;
  /** A `cadre` account: the cadre record it acts for (its own shifts, visits and deliveries only). */
  cadreId?: number | null;
}

export const PERMISSIONS = [
  'dashboard.read',
  'residents.read',
  'residents.write',
  'residents.reveal', // reveal one phone / ID number with the birth date (audited)
  'episodes.write',
  'episodes.release',
  'checkins.write',
  'alerts.write',
  'supplies.read',
  'supplies.write',
  'cadres.read',
  'cadres.write',
  'cadres.reveal', // reveal one cadre's phone (audited)
  'places.write',
  'settings.read',
  'settings.write',
  'users.manage',
  'audit.read',
  'audit.verify', // check the audit hash chain now (admin; the result is recorded and audited)
  'import.run',
  'reports.export',
  'reports.exportUnmasked',
  'backup.run',
  'purge.run',
  'devices.manage', // pairing codes, the device list and revocation, the office server's status (admin)
  'rounds.write', // test rounds (全员核酸): create, close, exemptions (a committee member: own community only)
  'duty.write', // 包联组 members aside: the duty roster (shifts) and door visits to plan, record and follow up
  'tasks.own', // a cadre's own assignments: 我的任务, record one's visits, mark one's deliveries delivered
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Everything an office account may do: a cadre's own tasks are a cadre's (an admin has no cadre record). */
const ALL = new Set<Permission>(PERMISSIONS.filter((p) => p !== 'tasks.own'));
const READS: Permission[] = ['dashboard.read', 'residents.read', 'supplies.read', 'cadres.read', 'settings.read'];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  admin: ALL,
  clerk: new Set<Permission>([
    ...READS,
    'residents.write',
    'residents.reveal',
    'episodes.write',
    'episodes.release',
    'checkins.write',
    'alerts.write',
    'supplies.write',
    'cadres.write',
    'cadres.reveal',
    'duty.write',
    'places.write',
    'audit.read',
    'import.run',
    'reports.export',
    'reports.exportUnmasked',
    'rounds.write',
  ]),
  committee: new Set<Permission>([
    ...READS,
    'residents.write',
    'residents.reveal',
    'cadres.reveal',
    'episodes.write',
    'checkins.write',
    'alerts.write',
    'supplies.write',
    'duty.write',
    'reports.export',
    'rounds.write',
  ]),
  official: new Set<Permission>([...READS, 'audit.read', 'reports.export']),
  // A cadre (下沉干部) in the field, often on a phone: their own assignments and nothing else (no list of residents,
  // no dashboard, no report). Every other channel refuses them (test/unit/cadre-role.test.ts walks them all).
  cadre: new Set<Permission>(['tasks.own']),
};

/** What a district reader's server (区级只读) offers of a role's permissions: reading, revealing and exporting (audited). */
export const READER_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>([
  ...READS,
  'residents.reveal',
  'cadres.reveal',
  'audit.read',
  'audit.verify',
  'reports.export',
  'reports.exportUnmasked',
]);

export function can(actor: Actor, permission: Permission): boolean {
  return ROLE_PERMISSIONS[actor.role].has(permission);
}

export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw forbidden();
}

/** The community an actor is confined to, or null when they see the whole subdistrict. */
export function scopeOf(actor: Actor): number | null {
  // A cadre is confined further (to their own records, checked where those are read); here at most one community,
  // and none unless a check that the record is theirs lent them its community (fieldwork-mine.ts).
  if (actor.role === 'cadre') return actor.communityId ?? -1;
  return actor.role === 'committee' ? actor.communityId ?? -1 : null;
}

/** Refuses access to a record of another community (committee members see only their own). */
export function assertInScope(actor: Actor, communityId: number): void {
  const scope = scopeOf(actor);
  if (scope !== null && scope !== communityId) {
    throw forbidden('common.otherCommunity');
  }
}

/** The operator of the command line holds the database file; acts as a built-in admin, audited as "cli". */
export const CLI_ACTOR: Actor = { userId: null, username: 'cli', displayName: '命令行', role: 'admin', communityId: null };
/** Internal jobs (automatic backup, scheduled tasks). */
export const SYSTEM_ACTOR: Actor = { userId: null, username: 'system', displayName: '系统', role: 'admin', communityId: null };
