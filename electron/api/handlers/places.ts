// Handlers of the place pickers: each maps validated input to one domain call.
import type { placesContract } from '../contract/places.ts';
import type { HandlersFor } from './types.ts';
import { buildingsOf } from '../../domain/place-filter.ts';

export const placesHandlers: HandlersFor<typeof placesContract> = {
  'places.buildings': async (ctx, input) => buildingsOf(ctx, input.compoundId),
};
