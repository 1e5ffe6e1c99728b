// One door visit on a cadre's phone: the address and its people (masked), the planned day, and the result as four big
// buttons; 发现异常 / 其他 ask what was found (and 发现异常 what to follow up) before 提交. A visit already made shows
// its result and can be corrected the same way.
import { useState } from 'react';
import { Alert, Button, Card, Input, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { punct } from '../../i18n/codes.ts';
import type { OutputOf } from '../../api.ts';
import { useApiWrite } from '../../write.ts';
import { VISIT_RESULTS, type VisitResult } from '../../../../electron/shared/enums.ts';

export type MyVisit = OutputOf<'mine.tasks'>['visits'][number];

export function VisitCard({ v, today }: { v: MyVisit; today: string }) {
  const { t } = useTranslation('fieldwork');
  const [result, setResult] = useState<VisitResult | null>(v.result);
  const [note, setNote] = useState(v.note ?? '');
  const [followUp, setFollowUp] = useState(v.followUpNote ?? '');
  const save = useApiWrite('mine.recordVisit', { success: t('mine.saved') });
  const needsNote = result === 'abnormal' || result === 'other';
  const submit = async () => {
    if (!result) return;
    await save.run({ id: v.id, version: v.version, result, note: note.trim() || null, followUpNote: followUp.trim() || null });
  };
  return (
    <Card size="small" className="mt-card" data-testid={`visit-${v.id}`}>
      <div className="mt-card-head">
        <Typography.Text strong className="mt-address">
          {v.community} {v.address}
        </Typography.Text>
        {v.result ? (
          <Tag color={v.result === 'abnormal' ? 'red' : 'green'}>{t(`result.${v.result}`)}</Tag>
        ) : v.plannedDate < today ? (
          <Tag color="orange">{t('mine.overdue')}</Tag>
        ) : null}
      </div>
      <div className="mt-meta">
        {v.visitedAt ? t('mine.visited', { time: v.visitedAt.slice(5, 16).replace('T', ' ') }) : t('mine.planned', { date: v.plannedDate })}
      </div>
      {v.people.length > 0 && (
        <div className="mt-people">
          {t('codes:punct.pair', { label: t('mine.people'), value: v.people.map((p) => (p.phone ? `${p.name} ${p.phone}` : p.name)).join(punct(t, 'comma')) })}
        </div>
      )}
      <div className="mt-results" role="group" aria-label={t('mine.pickResult')}>
        {VISIT_RESULTS.map((r) => (
          <Button key={r} size="large" type={result === r ? 'primary' : 'default'} danger={r === 'abnormal' && result === r} onClick={() => setResult(r)} data-testid={`visit-${v.id}-${r}`}>
            {t(`result.${r}`)}
          </Button>
        ))}
      </div>
      {needsNote && (
        <Space orientation="vertical" style={{ width: '100%' }} size={8}>
          <Input.TextArea rows={2} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('mine.notePlaceholder')} aria-label={t('mine.note')} data-testid={`visit-${v.id}-note`} />
          {result === 'abnormal' && (
            <Input.TextArea rows={2} maxLength={500} value={followUp} onChange={(e) => setFollowUp(e.target.value)} placeholder={t('mine.followUpPlaceholder')} aria-label={t('mine.followUp')} data-testid={`visit-${v.id}-followup`} />
          )}
        </Space>
      )}
      {save.error && <Alert type="error" showIcon title={save.error} className="mt-error" />}
      <Button block size="large" type="primary" disabled={!result} loading={save.submitting} onClick={() => void submit()} className="mt-action" data-testid={`visit-${v.id}-save`}>
        {t('mine.save')}
      </Button>
    </Card>
  );
}
