// React Query bindings for the API: query keys are [channel, input], so invalidating a channel refreshes its lists.
import { QueryClient, useMutation, useQuery, useQueryClient, type UseQueryOptions } from '@tanstack/react-query';
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

/** A mutation over one channel; `invalidates` lists channel names whose cached answers become stale on success. */
export function useApiMutation<C extends Channel>(channel: C, opts: { invalidates?: Channel[]; onSuccess?: (data: OutputOf<C>) => void } = {}) {
  const qc = useQueryClient();
  return useMutation<OutputOf<C>, ApiError, InputOf<C>>({
    mutationFn: (input) => api(channel, ...([input] as ArgsOf<C>)),
    onSuccess: async (data) => {
      await Promise.all((opts.invalidates ?? []).map((c) => qc.invalidateQueries({ queryKey: [c] })));
      opts.onSuccess?.(data);
    },
  });
}
