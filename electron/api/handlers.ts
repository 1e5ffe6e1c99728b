// Every channel of the contract mapped to its handler (one slice per area, merged here).
import type { Contract } from './contract.ts';
import type { HandlersFor } from './handlers/types.ts';
import { coreHandlers } from './handlers/core.ts';
import { trustHandlers } from './handlers/trust.ts';
import { reportsHandlers } from './handlers/reports.ts';
import { suppliesHandlers } from './handlers/supplies.ts';
import { dailyHandlers } from './handlers/daily.ts';
import { importsHandlers } from './handlers/imports.ts';
import { jobsHandlers } from './handlers/jobs.ts';
import { officeHandlers } from './handlers/office.ts';
import { placesHandlers } from './handlers/places.ts';
import { roundsHandlers } from './handlers/rounds.ts';
import { noticesHandlers } from './handlers/notices.ts';
import { needsHandlers } from './handlers/needs.ts';
import { fieldworkHandlers } from './handlers/fieldwork.ts';

export const handlers: HandlersFor<Contract> = {
  ...coreHandlers,
  ...trustHandlers,
  ...reportsHandlers,
  ...suppliesHandlers,
  ...dailyHandlers,
  ...importsHandlers,
  ...jobsHandlers,
  ...officeHandlers,
  ...placesHandlers,
  ...roundsHandlers,
  ...noticesHandlers,
  ...needsHandlers,
  ...fieldworkHandlers,
};
