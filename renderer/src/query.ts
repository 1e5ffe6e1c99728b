// React Query bindings for the API: query keys are [channel, input], so invalidating a channel refreshes its lists.
// Writes go through useApiWrite (write.ts), which refreshes what the contract says a write made stale.
import { QueryClient, useQuery, type UseQueryOptions } from '@tanstack/react-query';
import { api, ApiError, type ArgsOf, type Channel, type InputOf, type OutputOf } from './api.ts';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Local database: refetching is cheap, but never retry a rejected call (the message is the answer).
      retry: (count, err) => !(err instanceof ApiError) || (err.code === 'NETWORK' && count < 2),
      refetchOnWindowFocus: true,
      staleTime: 5_000,
    },
    mutations: { retry: false },
  },
});

type QueryOpts<C extends Channel> = Omit<UseQueryOptions<OutputOf<C>, ApiError, OutputOf<C>, readonly unknown[]>, 'queryKey' | 'queryFn'>;

export function useApiQuery<C extends Channel>(channel: C, input?: InputOf<C>, options?: QueryOpts<C>) {
  return useQuery<OutputOf<C>, ApiError, OutputOf<C>, readonly unknown[]>({
    queryKey: [channel, input ?? {}],
    queryFn: () => api(channel, ...([input ?? {}] as ArgsOf<C>)),
    ...options,
  });
}

