// 导入: the Excel import wizard — 选择文件 → 核对 (mapping, counts, every problem, new places, defaults, mode) → 导入 as a
// job with progress and 取消 → result; 下载问题行 gives the rejected rows as .xlsx; 导入记录 lists batches with 撤销.
// The uploaded list is deleted from the computer when its import is written or cancelled, and when the clerk chooses
// another file or leaves this page (import.cancel).
import { useEffect, useRef, useState } from 'react';
import { Alert, App, Spin, Steps, Tag, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { useApiQuery } from '../query.ts';
import { useSession } from '../session.tsx';
import { useQueryParams } from '../router.tsx';
import { FileStep } from './import/FileStep.tsx';
import { PreviewPanel } from './import/PreviewPanel.tsx';
import { RunPanel } from './import/RunPanel.tsx';
import { BatchesCard } from './import/BatchesCard.tsx';
import { useJob } from './import/useJob.ts';
import { fileProblem, type CommitResult, type Kind, type ListOptions, type Mode, type Preview, type Upload } from './import/model.ts';
import { fileToBase64, saveBase64 } from './reports/download.ts';
import './import/import.css';

type Step = 'file' | 'preview' | 'run';

export default function ImportPage() {
  const { t } = useTranslation('excel');
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const settings = useApiQuery('settings.get', {}, { enabled: can('settings.read'), staleTime: 60_000 });
  const maxMb = settings.data?.importMaxFileMb;

  // 核酸轮次 › 导入结果 opens the wizard as #/import?kind=tests&roundId=N: the list is matched to everyone in the round.
  const [params] = useQueryParams();
  const roundId = /^\d+$/.test(params.roundId ?? '') ? Number(params.roundId) : undefined;
  const rounds = useApiQuery('rounds.list', {}, { enabled: roundId !== undefined });
  const round = rounds.data?.find((r) => r.id === roundId);
  const [kind, setKind] = useState<Kind>(roundId !== undefined || params.kind === 'tests' ? 'tests' : 'residents');
  const [step, setStep] = useState<Step>('file');
  const [upload, setUpload] = useState<Upload | null>(null);
  const [options, setOptions] = useState<ListOptions | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>('all-or-nothing');
  const [jobId, setJobId] = useState<string | null>(null);
  const [reportBusy, setReportBusy] = useState(false);
  const [undoneBatches, setUndoneBatches] = useState<number[]>([]);
  const job = useJob<CommitResult>(jobId);
  const uploaded = useRef<string | null>(null);

  /** The clerk is done with the uploaded list: the main process deletes it (best effort; it also goes at logout). */
  const dropUpload = () => {
    const fileId = uploaded.current;
    uploaded.current = null;
    if (fileId) void api('import.cancel', { fileId }).catch(() => undefined);
  };
  // Leaving the wizard abandons the list.
  useEffect(() => dropUpload, []);

  const runPreview = async (opts: ListOptions) => {
    setBusy(t('import.checking'));
    setError(null);
    try {
      const p = await api('import.preview', opts);
      setOptions(opts);
      setPreview(p);
      setStep('preview');
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  const onFile = async (file: File) => {
    const problem = fileProblem(file.name, file.size, maxMb, t);
    if (problem) {
      setError(problem);
      return;
    }
    setError(null);
    setBusy(t('import.uploading'));
    dropUpload();
    try {
      const u = await api('import.upload', { fileName: file.name, dataBase64: await fileToBase64(file) });
      uploaded.current = u.fileId;
      setUpload(u);
      setMode('all-or-nothing');
      await runPreview({ fileId: u.fileId, kind, ...(kind === 'tests' && roundId !== undefined ? { roundId } : {}) });
    } catch (e) {
      setError(errorMessage(e));
      setBusy(null);
    }
  };

  const changeOptions = (patch: Partial<ListOptions>) => {
    if (!options) return;
    const next = { ...options, ...patch };
    for (const k of Object.keys(next) as (keyof ListOptions)[]) if (next[k] === undefined) delete next[k];
    void runPreview(next);
  };

  const commit = async () => {
    if (!options) return;
    setError(null);
    try {
      const r = await api('import.commit', { ...options, mode });
      setJobId(r.jobId);
      setStep('run');
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const errorReport = async () => {
    if (!options) return;
    setReportBusy(true);
    try {
      const r = await api('import.errorReport', options);
      saveBase64(r.fileName, r.dataBase64);
      void message.success(t('import.errorReportSaved', { name: r.fileName, n: r.rows }));
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setReportBusy(false);
    }
  };

  const restart = () => {
    dropUpload();
    setStep('file');
    setUpload(null);
    setOptions(null);
    setPreview(null);
    setJobId(null);
    setError(null);
    setMode('all-or-nothing');
    void qc.invalidateQueries({ queryKey: ['import.batches'] });
  };

  const backToPreview = () => {
    setJobId(null);
    void qc.invalidateQueries({ queryKey: ['import.batches'] });
    // What is already in the database changed: read the list again so the counts are current.
    if (options) void runPreview(options);
    else setStep('file');
  };

  const finished = jobId && job.status && job.status.state !== 'running' ? job.status.state : null;
  useEffect(() => {
    if (finished !== 'succeeded') return;
    // A written batch changes the lists elsewhere (batches, places, people, 工作台).
    for (const c of ['import.batches', 'places.communities', 'residents.list', 'dashboard.get', 'rounds.list', 'rounds.coverage', 'rounds.untested']) void qc.invalidateQueries({ queryKey: [c] });
  }, [finished, qc]);

  const current = step === 'file' ? 0 : step === 'preview' ? 1 : 2;
  return (
    <div className="page import-page">
      <div className="page-head">
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('import.title')}
        </Typography.Title>
        {roundId !== undefined && kind === 'tests' && (
          <Tag color="blue" data-testid="import-round">
            {t('import.forRound', { name: round?.name ?? `#${roundId}` })}
          </Tag>
        )}
        {upload && <Typography.Text type="secondary">{t('import.currentFile', { name: upload.fileName, kb: Math.max(1, Math.round(upload.bytes / 1024)) })}</Typography.Text>}
      </div>
      <Steps
        className="import-steps"
        current={current}
        items={[{ title: t('import.step.file') }, { title: t('import.step.preview') }, { title: t('import.step.run') }]}
      />
      {step === 'file' && <FileStep kind={kind} onKind={setKind} onFile={(f) => void onFile(f)} busy={busy} error={error} maxMb={maxMb} />}
      {step === 'preview' && preview && options && (
        <Spin spinning={!!busy} description={busy ?? undefined}>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="import-error" />}
          <PreviewPanel
            kind={options.kind}
            preview={preview}
            options={options}
            mode={mode}
            busy={!!busy}
            reportBusy={reportBusy}
            onOptions={changeOptions}
            onMode={setMode}
            onCommit={() => void commit()}
            onErrorReport={() => void errorReport()}
            onRestart={restart}
          />
        </Spin>
      )}
      {step === 'run' && (
        <RunPanel
          job={job}
          onBack={backToPreview}
          onRestart={restart}
          onErrorReport={() => void errorReport()}
          reportBusy={reportBusy}
          undone={!!job.result?.batchId && undoneBatches.includes(job.result.batchId)}
        />
      )}
      <BatchesCard onUndone={(id) => setUndoneBatches((l) => [...l, id])} />
    </div>
  );
}
