// Starting a notice or door-sheet job and saving its file when it is done: the job runs on the server (a compound's
// notices can be hundreds of pages), this polls it (useJob) and downloads the result once (reports.download).
import { useEffect, useRef, useState } from 'react';
import { App } from 'antd';
import { errorMessage, messageText } from '../../api.ts';
import { useJob } from '../import/useJob.ts';
import { downloadExport } from '../reports/download.ts';

export interface ExportFile {
  path: string;
  fileName: string;
}

/** start(fn): fn starts the job and answers its id; the finished file is downloaded and `done` is called with it. */
export function useExportJob<R extends ExportFile>(done: (r: R) => string) {
  const { message } = App.useApp();
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [last, setLast] = useState<R | null>(null);
  const saved = useRef<string | null>(null);
  const job = useJob<R>(jobId);
  const onDone = useRef(done);
  onDone.current = done;

  useEffect(() => {
    const r = job.result;
    if (!r || saved.current === r.path) return;
    saved.current = r.path;
    setLast(r);
    void downloadExport(r.path)
      .then(() => message.success(onDone.current(r)))
      .catch((e: unknown) => setError(errorMessage(e)));
  }, [job.result, message]);

  useEffect(() => {
    if (job.status?.state === 'failed') setError(job.status.error ? messageText(job.status.error) : null);
    if (job.pollError) setError(job.pollError);
  }, [job.status, job.pollError]);

  const start = async (fn: () => Promise<{ jobId: string }>) => {
    setError(null);
    try {
      const r = await fn();
      setJobId(r.jobId);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const again = async () => {
    if (!last) return;
    try {
      await downloadExport(last.path);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return { start, running: job.running, error, clearError: () => setError(null), last, again };
}
