// The shapes of an analysed resident list and of a person the database already holds, shared by residents.ts, plan.ts
// and guardians.ts (here, so that those files need not import each other for types).
import type { NormalisedResident } from '../../domain/residents.ts';
import type { Category, ResidentStatus } from '../../db/schema.ts';
import type { RowIssue } from './issues.ts';
import type { NewCommunity } from './confirm.ts';
import type { NeedFlag } from '../../domain/needs.ts';

export interface PlannedResident {
  /** Row number as Excel shows it. */
  row: number;
  value: NormalisedResident;
  community: string;
  address: { compound: string; building: string; unit: string; room: string };
  startDate: string;
  /** Whether the list had a category for this person (an existing person's category is only changed then). */
  categoryGiven: boolean;
  /** 特殊需求 the list gives (added to the person's flags; none when the list has no such column or the cell is empty). */
  needs: NeedFlag[];
  /**
   * The 监护人 cell (a name or a document number), resolved by guardians.ts: to another row of the list (its row and
   * document key; the id is known once it is written) or to a resident of the database (then value.guardianId is set).
   */
  guardian?: { text: string; row?: number; key?: string };
}

export interface MappingView {
  column: string;
  header: string;
  field: string | null;
  label: string | null;
}

export interface ListAnalysis<P> {
  sheetName: string;
  sheetNames: string[];
  /** Row number of the header as Excel shows it. */
  headerRow: number;
  title: string;
  mapping: MappingView[];
  dataRows: number;
  blankRows: number;
  people: P[];
  errors: RowIssue[];
  warnings: RowIssue[];
  /** Rows with at least one error (Excel numbers). */
  rejectedRows: number[];
}

export type ResidentAnalysis = ListAnalysis<PlannedResident> & {
  titleCommunity: string | null;
  /** The title names another subdistrict than the office's own (a list sent to the wrong office?). */
  otherSubdistrict: { named: string; own: string } | null;
  /** Communities the list names that do not exist (only when the analysis was given the known ones). */
  newCommunities: NewCommunity[];
};

/** A resident of the database as the plan knows them. */
export interface ExistingPerson {
  id: number;
  version: number;
  name: string;
  docType: string;
  docNumber: string | null;
  phone: string | null;
  householdId: number;
  communityId: number;
  category: Category;
  notes: string | null;
  status: ResidentStatus;
}
