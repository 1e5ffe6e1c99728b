// The place pickers of the lists (issue 15 §4): a compound's buildings, for the 小区 › 楼栋 filter next to the
// community selector of 隔离人员, 物资 and 预警 (the compounds come with 'places.communities').
import { z } from 'zod';
import { channel } from '../define.ts';
import { id } from './common.ts';
import type { BuildingOption } from '../../domain/place-filter.ts';

export type { BuildingOption };

export const placesContract = {
  /** The buildings of a compound in natural order (2号楼 before 10号楼); a committee member: of their community only. */
  'places.buildings': channel<BuildingOption[]>()(z.object({ compoundId: id }).strict(), 'residents.read'),
};
