// Every channel of the contract mapped to its handler (one slice per area, merged here).
import type { Contract } from './contract.ts';
import type { HandlersFor } from './handlers/types.ts';
import { coreHandlers } from './handlers/core.ts';
import { dailyHandlers } from './handlers/daily.ts';
import { suppliesHandlers } from './handlers/supplies.ts';

export const handlers: HandlersFor<Contract> = {
  ...coreHandlers,
  ...dailyHandlers,
  ...suppliesHandlers,
};
