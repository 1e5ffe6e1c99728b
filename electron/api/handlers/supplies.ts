// Handlers of the supply-request, cadre and household-finder channels: each maps validated input to one domain call.
import type { suppliesContract } from '../contract/supplies.ts';
import type { HandlersFor } from './types.ts';
import { assignSupplyRequest, cancelSupplyRequest, createSupplyRequest, markDelivered, setPayment, startDelivery } from '../../domain/supplies.ts';
import { getSupplyRequest, listSupplyRequests } from '../../domain/supplyViews.ts';
import { supplyBoard, supplyRunSheet } from '../../domain/supplyBoard.ts';
import { searchHouseholds } from '../../domain/supplyHouseholds.ts';
import { createCadre, listCadres, revealCadrePhone, updateCadre } from '../../domain/cadres.ts';

export const suppliesHandlers: HandlersFor<typeof suppliesContract> = {
  'supplies.create': async (ctx, input) => createSupplyRequest(ctx, input),
  'supplies.assign': async (ctx, input) => assignSupplyRequest(ctx, input),
  'supplies.startDelivery': async (ctx, input) => startDelivery(ctx, input),
  'supplies.deliver': async (ctx, input) => markDelivered(ctx, input),
  'supplies.cancel': async (ctx, input) => cancelSupplyRequest(ctx, input),
  'supplies.setPayment': async (ctx, input) => setPayment(ctx, input),
  'supplies.list': async (ctx, input) => listSupplyRequests(ctx, input),
  'supplies.get': async (ctx, input) => getSupplyRequest(ctx, input.id),
  'supplies.board': async (ctx, input) => supplyBoard(ctx, input),
  'supplies.runSheet': async (ctx, input) => supplyRunSheet(ctx, input),
  'cadres.list': async (ctx, input) => listCadres(ctx, input),
  'cadres.create': async (ctx, input) => createCadre(ctx, input),
  'cadres.update': async (ctx, input) => updateCadre(ctx, input),
  'cadres.reveal': async (ctx, input) => revealCadrePhone(ctx, input.id),
  'households.search': async (ctx, input) => searchHouseholds(ctx, input),
};
