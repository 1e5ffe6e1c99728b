// Following a background job (import, export) from the renderer: poll jobs.status until it ends; cancel on request.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage, type OutputOf } from '../../api.ts';

export type JobStatus = OutputOf<'jobs.status'>;

const POLL_MS = 400;

export interface JobView<O> {
  status: JobStatus | null;
  /** The job's result once it succeeded. */
  result: O | null;
  /** A polling failure (the job itself failing is status.state 'failed' with status.error). */
  pollError: string | null;
  running: boolean;
  cancel: () => Promise<void>;
}

/** Polls the job with this id (null: nothing running). */
export function useJob<O>(jobId: string | null): JobView<O> {
  const [status, setStatus] = useState<JobStatus | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);
  const live = useRef(jobId);
  live.current = jobId;

  useEffect(() => {
    setStatus(null);
    setPollError(null);
    if (!jobId) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const tick = async () => {
      try {
        const s = await api('jobs.status', { jobId });
        if (stopped) return;
        setStatus(s);
        if (s.state === 'running') timer = setTimeout(tick, POLL_MS);
      } catch (e) {
        if (!stopped) setPollError(errorMessage(e));
      }
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [jobId]);

  const cancel = useCallback(async () => {
    if (!live.current) return;
    try {
      await api('jobs.cancel', { jobId: live.current });
    } catch (e) {
      setPollError(errorMessage(e));
    }
  }, []);

  const running = !!jobId && !pollError && (status === null || status.state === 'running');
  const result = status?.state === 'succeeded' ? ((status.result as O | undefined) ?? null) : null;
  return { status, result, pollError, running, cancel };
}

/** Percent for a progress bar (0 while the total is unknown). */
export function percentOf(s: JobStatus | null): number {
  if (!s) return 0;
  if (s.state === 'succeeded') return 100;
  const { done, total } = s.progress;
  return total > 0 ? Math.min(99, Math.floor((done / total) * 100)) : 0;
}
