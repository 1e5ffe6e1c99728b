// Row types of every table, as Kysely sees them (camelCase; the CamelCasePlugin maps to snake_case columns).
// Dates are 'YYYY-MM-DD' text in the office's time zone; instants are ISO-8601 strings with offset.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type PlaceLevel = 'district' | 'subdistrict' | 'community' | 'compound' | 'building' | 'unit' | 'room';
// The closed lists live in the shared rulebook (one copy for the contract, the domain and the renderer).
export type {
  AlertStatus,
  CadreStatus,
  Category,
  ContactMethod,
  DocType,
  EpisodeKind,
  EpisodeStatus,
  HealthCode,
  Need,
  NeedScheduleKind,
  ResidentStatus,
  Role,
  Sex,
  Slot,
  SupplyCategory,
  SupplyStatus,
  TestResult,
  TestType,
  Urgency,
} from '../shared/enums.ts';
import type { Need, NeedScheduleKind } from '../shared/enums.ts';
import type { AlertStatus, CadrePost, CadreStatus, Category, ContactMethod, DocType, EpisodeKind, EpisodeStatus, HealthCode, ResidentStatus, Role, Sex, Slot, SupplyCategory, SupplyStatus, TestResult, TestType, Urgency, VisitResult } from '../shared/enums.ts';

export interface PlacesTable {
  id: Generated<number>;
  parentId: number | null;
  level: PlaceLevel;
  name: string;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface HouseholdsTable {
  id: Generated<number>;
  communityId: number;
  compoundId: number;
  /** The room place (leaf of the tree); one household per room. */
  roomId: number;
  /** Display address below the community, e.g. 金桥小区3号楼2单元501. */
  address: string;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface ResidentsTable {
  id: Generated<number>;
  householdId: number;
  communityId: number;
  name: string;
  /** Full pinyin without tones or spaces (zhangsan) and initials (zs), for search. */
  namePinyin: string;
  nameInitials: string;
  sex: Sex | null;
  birthDate: string | null;
  docType: DocType;
  docNumber: string | null;
  phone: string | null;
  category: Category;
  notes: string | null;
  guardianId: number | null;
  status: Generated<ResidentStatus>;
  currentEpisodeId: number | null;
  startDate: string | null;
  lastDay: string | null;
  releaseDate: string | null;
  latestTemperature: number | null;
  importBatchId: number | null;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface EpisodesTable {
  id: Generated<number>;
  residentId: number;
  kind: EpisodeKind;
  startDate: string;
  lastDay: string;
  releaseDate: string;
  /** Day numbers (1-based) on which a test is due, as JSON array, frozen from the policy at start. */
  testDays: string;
  monitoringDays: number;
  status: EpisodeStatus;
  endedOn: string | null;
  endReason: string | null;
  overrideReason: string | null;
  previousEpisodeId: number | null;
  importBatchId: number | null;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface EpisodeExtensionsTable {
  id: Generated<number>;
  episodeId: number;
  previousLastDay: string;
  newLastDay: string;
  reason: string;
  userName: string;
  at: string;
}

export interface CheckinsTable {
  id: Generated<number>;
  residentId: number;
  episodeId: number;
  communityId: number;
  date: string;
  slot: Slot;
  temperature: number | null;
  /** JSON array of symptom words from domain.md. */
  symptoms: string;
  symptomOther: string | null;
  testType: TestType | null;
  testResult: TestResult | null;
  healthCode: HealthCode | null;
  contactMethod: ContactMethod | null;
  recordedBy: string;
  notes: string | null;
  abnormal: number;
  /** The whole-building batch (checkin_batches) that recorded it, if any. */
  batchId: Generated<number | null>;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface TestsTable {
  id: Generated<number>;
  residentId: number;
  /** Null for a test of a round (全员核酸) taken when the person was under no isolation or monitoring. */
  episodeId: number | null;
  /** The test round (test_rounds) a result of the round's lists belongs to. */
  roundId: Generated<number | null>;
  sampleDate: string;
  /** The sample time as the list gave it (YYYY-MM-DD HH:MM), when it had one. */
  sampleTime: Generated<string | null>;
  testType: TestType;
  result: TestResult;
  /** 试管号 of the round's lists; rows sharing one tube are a pooled sample (10混1). */
  tubeNo: Generated<string | null>;
  pooled: Generated<number>;
  source: 'checkin' | 'import' | 'manual';
  checkinId: number | null;
  importBatchId: number | null;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export type RoundStatus = 'open' | 'closed';

export interface TestRoundsTable {
  id: Generated<number>;
  name: string;
  startDate: string;
  endDate: string;
  /** 1 = the whole subdistrict; 0 = the communities in test_round_communities. */
  wholeSubdistrict: number;
  status: Generated<RoundStatus>;
  createdBy: string;
  createdById: number | null;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface TestRoundCommunitiesTable {
  roundId: number;
  communityId: number;
}

export interface RoundExemptionsTable {
  id: Generated<number>;
  roundId: number;
  residentId: number;
  reason: string;
  note: string | null;
  createdBy: string;
  createdAt: string;
}

export interface AlertsTable {
  id: Generated<number>;
  residentId: number;
  episodeId: number | null;
  communityId: number;
  checkinId: number | null;
  testId: number | null;
  date: string;
  reason: string;
  status: AlertStatus;
  action: string | null;
  actionNote: string | null;
  closedBy: string | null;
  closedAt: string | null;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface SupplyRequestsTable {
  id: Generated<number>;
  householdId: number;
  communityId: number;
  compoundId: number;
  category: SupplyCategory;
  urgency: Urgency;
  requestedBy: string | null;
  notes: string | null;
  status: SupplyStatus;
  cadreId: number | null;
  /** Money spent on the household's behalf, in fen (分). */
  amountCents: number | null;
  paid: number;
  cancelReason: string | null;
  createdBy: string;
  statusAt: string;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface SupplyItemsTable {
  id: Generated<number>;
  requestId: number;
  name: string;
  quantity: string;
}

export interface SupplyTransitionsTable {
  id: Generated<number>;
  requestId: number;
  fromStatus: SupplyStatus | null;
  toStatus: SupplyStatus;
  userName: string;
  note: string | null;
  at: string;
}

export interface CadresTable {
  id: Generated<number>;
  name: string;
  homeUnit: string;
  title: string | null;
  phone: string | null;
  communityId: number | null;
  status: CadreStatus;
  dutyFrom: string | null;
  dutyTo: string | null;
  notes: string | null;
  /** The 包联组 the cadre belongs to (migration 0013). */
  groupId: Generated<number | null>;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

/** 包联组: a department's group bound to a community, with its leader (migration 0013). */
export interface CadreGroupsTable {
  id: Generated<number>;
  name: string;
  homeUnit: string;
  communityId: number;
  leaderId: number | null;
  notes: string | null;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

/** One cadre's shift at a post on a day (the duty roster). */
export interface CadreShiftsTable {
  id: Generated<number>;
  cadreId: number;
  communityId: number;
  date: string;
  startTime: string;
  endTime: string;
  post: CadrePost;
  place: string;
  notes: string | null;
  createdBy: string;
  createdAt: string;
}

/** A door visit planned for a cadre, and what they found. */
export interface DoorVisitsTable {
  id: Generated<number>;
  cadreId: number;
  householdId: number;
  communityId: number;
  plannedDate: string;
  visitedAt: string | null;
  result: VisitResult | null;
  note: string | null;
  followUpNote: string | null;
  followUpDone: Generated<number>;
  createdBy: string;
  recordedBy: string | null;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface CadreCompoundsTable {
  cadreId: number;
  compoundId: number;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  displayName: string;
  role: Role;
  communityId: number | null;
  /** scrypt$N$r$p$salt$hash, all base64 (see domain/passwords.ts). */
  passwordHash: string;
  failedLogins: number;
  lockedUntil: string | null;
  active: number;
  /** The cadre record a `cadre` account acts for (migration 0013). */
  cadreId: Generated<number | null>;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  userName: string;
  action: string;
  entity: string | null;
  entityId: number | null;
  residentId: number | null;
  /** JSON: { before?, after?, ...extra }. Purged people's entries keep no personal values. */
  details: string | null;
  /** Hash chain (db/audit-chain.ts): a random nonce per row (null once a purge scrubbed it), the scrubbed row's
   *  commitment to its former details, and the row's chain hash. Written only by domain/audit.ts. */
  nonce: string | null;
  detailsHash: string | null;
  hash: string | null;
}

/** The result of each check of the audit chain (the audit viewer shows the newest). */
export interface AuditChainChecksTable {
  id: Generated<number>;
  at: string;
  userName: string;
  ok: number;
  rows: number;
  headId: number | null;
  headHash: string | null;
  brokenId: number | null;
  /** JSON array of the problems found (Chinese sentences). */
  problems: string;
}

/** A row exists only inside a purge's own transaction: the audit_log DELETE trigger lets deletes through then. */
export interface AuditPurgeGateTable {
  id: number;
}

/** One row (id = 1): the identity of this database file (migration 0004, db/identity.ts). */
export interface DatabaseIdentityTable {
  id: number;
  databaseId: string;
  createdAt: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  version: Generated<number>;
  updatedAt: string;
}

export interface ImportBatchesTable {
  id: Generated<number>;
  kind: 'residents' | 'tests';
  fileName: string;
  userName: string;
  at: string;
  /** JSON of the import summary (imported, updated, skipped, households, errors, warnings counts). */
  counts: string;
  undoneAt: string | null;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  appliedAt: string;
}

export interface DevicesTable {
  id: Generated<number>;
  name: string;
  tokenHash: string;
  pairedBy: string;
  pairedAt: string;
  pairedAddress: string | null;
  lastSeenAt: string | null;
  lastAddress: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

export interface PairingCodesTable {
  id: Generated<number>;
  codeHash: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  deviceId: number | null;
}

export interface IdempotencyKeysTable {
  deviceId: number;
  key: string;
  channel: string;
  answer: string;
  createdAt: string;
}

export interface LoginThrottleTable {
  username: string;
  source: string;
  failures: Generated<number>;
  lastFailureAt: string | null;
  lockedUntil: string | null;
}

export interface ServerSessionsTable {
  keyHash: string;
  userId: number;
  lastSeen: number;
}

export interface ChangeLogTable {
  seq: Generated<number>;
  tbl: string;
  rowId: number;
  communityId: number | null;
  at: Generated<string>;
  /** Who the writing transaction acted for (migration 0016; db/acting-user.ts); null for writes outside the domain. */
  actor: Generated<string | null>;
}

/** db/counters.ts: a difference array of covered people per day, place and episode kind (kept by triggers). */
export interface CoverageCountsTable {
  day: string;
  communityId: number;
  compoundId: number;
  buildingId: number;
  kind: EpisodeKind;
  covered: number;
  releasable: number;
  started: number;
  released: number;
}

/** db/counters.ts: check-ins of covered people per day, slot and place (kept by triggers). */
export interface CheckinCountsTable {
  day: string;
  slot: Slot;
  communityId: number;
  compoundId: number;
  buildingId: number;
  done: number;
}

export interface CheckinBatchesTable {
  id: Generated<number>;
  communityId: number;
  /** The building or unit (a place) the batch was for. */
  placeId: number;
  date: string;
  slot: Slot;
  count: number;
  createdBy: string;
  createdById: number | null;
  createdAt: string;
  undoneAt: string | null;
  undoneBy: string | null;
}

export interface CounterVersionTable {
  n: number;
}

export interface CoverageOverlapsTable {
  residentId: number;
}

/** 特殊需求 counts kept by triggers (migration 0018, db/counters.ts): pairs (flag, covering episode) as a difference array. */
export interface NeedCoverageTable {
  day: string;
  communityId: number;
  need: Need;
  covered: number;
}

/** coverage_counts summed per community (migration 0018), kept by triggers on coverage_counts. */
export interface CoverageByCommunityTable {
  day: string;
  communityId: number;
  kind: EpisodeKind;
  covered: number;
  releasable: number;
  started: number;
  released: number;
}

/** People carrying each flag, per community (migration 0018). */
export interface NeedRegisteredTable {
  communityId: number;
  need: Need;
  registered: number;
}

/** 特殊需求: one row per flag a person carries (migration 0012). */
export interface ResidentNeedsTable {
  residentId: number;
  need: Need;
  /** What 其他 means (or a detail of any flag). */
  note: string | null;
  createdBy: string;
  createdAt: string;
}

/** A recurring need (定期需求) that creates supply requests on its weekdays. */
export interface NeedSchedulesTable {
  id: Generated<number>;
  residentId: number;
  communityId: number;
  kind: NeedScheduleKind;
  /** One item per line. */
  items: string;
  /** ISO weekdays 1 (Mon) … 7 (Sun), comma-separated: '2,4,6'. */
  weekdays: string;
  time: string | null;
  startDate: string;
  endDate: string | null;
  active: Generated<number>;
  notes: string | null;
  createdBy: string;
  version: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

/** A schedule run for a date (primary key schedule + date: never twice). */
export interface NeedScheduleRunsTable {
  scheduleId: number;
  date: string;
  requestId: number | null;
  createdAt: string;
}

export interface ResidentPlacesView {
  residentId: number;
  communityId: number;
  compoundId: number;
  buildingId: number;
}

/** An uploaded replacement of a notice template (设置 › 文书模板); no row: the built-in default. */
export interface NoticeTemplatesTable {
  kind: string;
  fileName: string;
  data: Buffer;
  bytes: number;
  /** JSON array of the placeholders it uses. */
  tags: string;
  uploadedBy: string;
  uploadedAt: string;
}

export interface Database {
  places: PlacesTable;
  households: HouseholdsTable;
  residents: ResidentsTable;
  episodes: EpisodesTable;
  episodeExtensions: EpisodeExtensionsTable;
  checkins: CheckinsTable;
  tests: TestsTable;
  alerts: AlertsTable;
  supplyRequests: SupplyRequestsTable;
  supplyItems: SupplyItemsTable;
  supplyTransitions: SupplyTransitionsTable;
  cadres: CadresTable;
  cadreCompounds: CadreCompoundsTable;
  cadreGroups: CadreGroupsTable;
  cadreShifts: CadreShiftsTable;
  doorVisits: DoorVisitsTable;
  users: UsersTable;
  auditLog: AuditLogTable;
  auditPurgeGate: AuditPurgeGateTable;
  auditChainChecks: AuditChainChecksTable;
  settings: SettingsTable;
  databaseIdentity: DatabaseIdentityTable;
  importBatches: ImportBatchesTable;
  schemaMigrations: SchemaMigrationsTable;
  devices: DevicesTable;
  pairingCodes: PairingCodesTable;
  idempotencyKeys: IdempotencyKeysTable;
  loginThrottle: LoginThrottleTable;
  changeLog: ChangeLogTable;
  serverSessions: ServerSessionsTable;
  coverageCounts: CoverageCountsTable;
  checkinCounts: CheckinCountsTable;
  coverageOverlaps: CoverageOverlapsTable;
  checkinBatches: CheckinBatchesTable;
  counterVersion: CounterVersionTable;
  noticeTemplates: NoticeTemplatesTable;
  residentPlaces: ResidentPlacesView;
  testRounds: TestRoundsTable;
  testRoundCommunities: TestRoundCommunitiesTable;
  roundExemptions: RoundExemptionsTable;
  residentNeeds: ResidentNeedsTable;
  needSchedules: NeedSchedulesTable;
  needScheduleRuns: NeedScheduleRunsTable;
  needCoverage: NeedCoverageTable;
  needRegistered: NeedRegisteredTable;
  coverageByCommunity: CoverageByCommunityTable;
}

export type Resident = Selectable<ResidentsTable>;
export type NewResident = Insertable<ResidentsTable>;
export type ResidentUpdate = Updateable<ResidentsTable>;
export type Episode = Selectable<EpisodesTable>;
export type Checkin = Selectable<CheckinsTable>;
export type Alert = Selectable<AlertsTable>;
export type SupplyRequest = Selectable<SupplyRequestsTable>;
export type Cadre = Selectable<CadresTable>;
export type User = Selectable<UsersTable>;
export type Place = Selectable<PlacesTable>;
export type Household = Selectable<HouseholdsTable>;
export type AuditEntry = Selectable<AuditLogTable>;
