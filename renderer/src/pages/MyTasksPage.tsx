// 我的任务: what a cadre (the `cadre` role) sees after logging in, usually on a phone — today's shifts, the door visits
// to make, the deliveries to mark, as cards with big buttons (no wide grid). Only their own records come from the
// server (mine.tasks), with residents' names and phones masked.
import { App, Alert, Button, Card, Empty, Input, Spin, Tag, Typography } from 'antd';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { punct } from '../i18n/codes.ts';
import { errorMessage, type OutputOf } from '../api.ts';
import { useApiQuery } from '../query.ts';
import { useApiWrite } from '../write.ts';
import { VisitCard } from './mytasks/VisitCard.tsx';
import './mytasks/mytasks.css';

type Tasks = OutputOf<'mine.tasks'>;
type Shift = Tasks['shifts'][number];
type Delivery = Tasks['deliveries'][number];

const hours = (m: number) => Math.round((m / 60) * 10) / 10;

function ShiftCard({ s, withDate }: { s: Shift; withDate?: boolean }) {
  const { t } = useTranslation('fieldwork');
  return (
    <Card size="small" className="mt-card" data-testid={`shift-${s.id}`}>
      <div className="mt-card-head">
        <Typography.Text strong>{t(`post.${s.post}`)}</Typography.Text>
        <Tag color="blue">
          {withDate ? `${s.date.slice(5)} ` : ''}
          {s.startTime}–{s.endTime}
        </Tag>
      </div>
      <div className="mt-meta">
        {s.community} · {s.place} · {t('mine.minutes', { h: hours(s.minutes) })}
      </div>
      {s.notes && <div className="mt-people">{s.notes}</div>}
    </Card>
  );
}

function DeliveryCard({ d }: { d: Delivery }) {
  const { t } = useTranslation('fieldwork');
  const { modal } = App.useApp();
  const note = useRef('');
  const deliver = useApiWrite('mine.deliver', { success: t('mine.delivered'), toast: true });
  const ask = () =>
    modal.confirm({
      title: t('mine.deliverConfirm', { address: d.address }),
      content: <Input.TextArea rows={2} maxLength={500} placeholder={t('mine.deliverNote')} onChange={(e) => (note.current = e.target.value)} data-testid="deliver-note" />,
      okText: t('mine.deliver'),
      okButtonProps: { size: 'large', ...({ 'data-testid': 'deliver-ok' } as object) },
      cancelButtonProps: { size: 'large' },
      onOk: () => deliver.run({ id: d.id, version: d.version, note: note.current.trim() || null }),
    });
  return (
    <Card size="small" className="mt-card" data-testid={`delivery-${d.id}`}>
      <div className="mt-card-head">
        <Typography.Text strong className="mt-address">
          {d.community} {d.address}
        </Typography.Text>
        {d.urgency === 'urgent' && <Tag color="red">{t('mine.urgent')}</Tag>}
      </div>
      <div className="mt-meta">
        {t(`mine.status.${d.status}`)} · {d.items}
      </div>
      {d.people.length > 0 && (
        <div className="mt-people">
          {t('codes:punct.pair', { label: t('mine.people'), value: d.people.map((p) => (p.phone ? `${p.name} ${p.phone}` : p.name)).join(punct(t, 'comma')) })}
        </div>
      )}
      {d.notes && <div className="mt-people">{d.notes}</div>}
      <Button block size="large" type="primary" loading={deliver.submitting} onClick={ask} className="mt-action" data-testid={`delivery-${d.id}-done`}>
        {t('mine.deliver')}
      </Button>
    </Card>
  );
}

export default function MyTasksPage() {
  const { t } = useTranslation('fieldwork');
  const q = useApiQuery('mine.tasks', {}, { refetchOnWindowFocus: true });
  if (q.isLoading) return <Spin className="page-spin" />;
  if (q.error || !q.data) {
    return (
      <Alert
        type="error"
        showIcon
        title={t('mine.loadError', { message: errorMessage(q.error) })}
        action={
          <Button size="large" onClick={() => void q.refetch()}>
            {t('mine.retry')}
          </Button>
        }
      />
    );
  }
  const d = q.data;
  return (
    <div className="mt-page" data-testid="my-tasks">
      <div className="mt-title">
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('mine.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{d.date}</Typography.Text>
      </div>
      <Typography.Paragraph type="secondary" className="mt-who">
        {t('mine.hello', { name: d.cadre.name, unit: d.cadre.homeUnit })}
        {d.cadre.community ? ` · ${d.cadre.community}` : ''}
        {d.cadre.group ? ` · ${t('mine.group', { name: d.cadre.group })}` : ''}
      </Typography.Paragraph>

      <section className="mt-section" data-testid="my-shifts">
        <Typography.Title level={5}>{t('mine.shifts')}</Typography.Title>
        {d.shifts.length ? d.shifts.map((s) => <ShiftCard key={s.id} s={s} />) : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('mine.noShifts')} />}
      </section>

      <section className="mt-section" data-testid="my-visits">
        <Typography.Title level={5}>
          {t('mine.visits')} <Tag>{d.visits.filter((v) => !v.result).length}</Tag>
        </Typography.Title>
        {d.visits.length ? d.visits.map((v) => <VisitCard key={`${v.id}-${v.version}`} v={v} today={d.date} />) : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('mine.noVisits')} />}
      </section>

      <section className="mt-section" data-testid="my-deliveries">
        <Typography.Title level={5}>
          {t('mine.deliveries')} <Tag>{d.deliveries.length}</Tag>
        </Typography.Title>
        {d.deliveries.length ? d.deliveries.map((x) => <DeliveryCard key={`${x.id}-${x.version}`} d={x} />) : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('mine.noDeliveries')} />}
      </section>

      {d.upcoming.length > 0 && (
        <section className="mt-section" data-testid="my-upcoming">
          <Typography.Title level={5}>{t('mine.upcoming')}</Typography.Title>
          {d.upcoming.map((s) => (
            <ShiftCard key={s.id} s={s} withDate />
          ))}
        </section>
      )}
    </div>
  );
}
