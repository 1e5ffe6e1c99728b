// The sections of the person drawer: details, household members, the episode timeline (start, extensions,
// release/transfer), check-ins, tests, alerts, the household's supply requests, and the record's audit history.
// Document number, birth date and phone arrive masked; each has an audited reveal (DocReveal, PhoneReveal).
import { Descriptions, Empty, Table, Tag, Timeline, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { PhoneReveal } from '../../components/PhoneReveal.tsx';
import { useSession } from '../../session.tsx';
import { useDocReveal } from './DocReveal.tsx';
import { StatusTags, dayText } from './columns.tsx';
import type { Detail, Row } from './model.ts';
import { codeLabel, pair, punct } from '../../i18n/codes.ts';
import { alertReasonText } from '../checkins/alertReason.ts';

type T = TFunction<'residents'>;

export function PersonSection({ d, threshold }: { d: Detail; threshold: number }) {
  const { t } = useTranslation('residents');
  const { can } = useSession();
  const r = d.resident;
  const { docCell, birthCell } = useDocReveal(r);
  const revealPhone = async () => (await api('residents.reveal', { id: r.id, field: 'phone' })).value;
  return (
    <Descriptions
      size="small"
      column={2}
      bordered
      data-testid="drawer-person"
      items={[
        { key: 'status', label: t('col.status'), children: <StatusTags row={r} threshold={threshold} t={t} />, span: 2 },
        { key: 'sex', label: t('col.sex'), children: r.sex ? t(`sex.${r.sex}`) : '' },
        { key: 'age', label: t('col.age'), children: r.age ?? '' },
        { key: 'docType', label: t('drawer.docType'), children: codeLabel(t, 'docType', r.docType) },
        { key: 'doc', label: t('col.docNumber'), children: docCell },
        { key: 'birth', label: t('drawer.birthDate'), children: birthCell },
        { key: 'category', label: t('drawer.category'), children: codeLabel(t, 'category', r.category) },
        { key: 'phone', label: t('col.phone'), children: <PhoneReveal key={r.id} masked={r.phone} reveal={revealPhone} allowed={can('residents.reveal')} />, span: 2 },
        { key: 'address', label: t('col.address'), children: `${r.community} ${r.address}`, span: 2 },
        { key: 'period', label: t('col.day'), children: dayText(r, t) || '—' },
        { key: 'temp', label: t('col.temperature'), children: r.latestTemperature !== null ? `${r.latestTemperature.toFixed(1)}℃` : '—' },
        { key: 'start', label: t('col.startDate'), children: r.startDate ?? '—' },
        { key: 'last', label: t('col.lastDay'), children: r.lastDay ?? '—' },
        { key: 'release', label: t('col.releaseDate'), children: r.releaseDate ?? '—' },
        ...(r.notes ? [{ key: 'notes', label: t('drawer.notes'), children: r.notes, span: 2 }] : []),
      ]}
    />
  );
}

export function HouseholdSection({ rows, onOpen }: { rows: Row[]; onOpen: (id: number) => void }) {
  const { t } = useTranslation('residents');
  if (rows.length === 0) return <Typography.Text type="secondary">{t('drawer.householdNone')}</Typography.Text>;
  return (
    <ul className="res-household" data-testid="drawer-household">
      {rows.map((m) => (
        <li key={m.id}>
          <a onClick={() => onOpen(m.id)}>{m.name}</a>
          <span className="res-dim">
            {m.sex ? t(`sex.${m.sex}`) : ''} {m.age ?? ''}
          </span>
          <Tag>{t(`status.${m.status}`)}</Tag>
          {m.due && <Tag color="orange">{t('tag.due')}</Tag>}
          <span className="res-dim">{dayText(m, t)}</span>
        </li>
      ))}
    </ul>
  );
}

function episodeItems(e: Detail['episodes'][number], t: T) {
  const kind = t(`episode.kind.${e.kind as 'home_isolation'}`);
  const days = Math.round((Date.parse(e.lastDay) - Date.parse(e.startDate)) / 86_400_000) + 1;
  const items: { key: string; color: string; content: React.ReactNode }[] = [];
  items.push({
    key: `${e.id}-start`,
    color: 'blue',
    content: (
      <>
        {t('episode.started', { date: e.startDate, kind, days, lastDay: e.lastDay, releaseDate: e.releaseDate })}
        {e.testDays.length > 0 && <div className="res-dim">{t('episode.testDays', { days: e.testDays.join(punct(t, 'list')) })}</div>}
      </>
    ),
  });
  for (const [i, x] of e.extensions.entries()) {
    items.push({
      key: `${e.id}-ext-${i}`,
      color: 'orange',
      content: t('episode.extended', { at: x.at.slice(0, 16).replace('T', ' '), user: x.userName, from: x.previousLastDay, to: x.newLastDay, reason: x.reason }),
    });
  }
  if (e.status === 'released') {
    items.push({
      key: `${e.id}-end`,
      color: 'green',
      content: (
        <>
          {t('episode.released', { date: e.endedOn ?? '' })}
          {e.endReason && <div className="res-dim">{t('episode.early', { reason: e.endReason })}</div>}
          {e.overrideReason && <div className="text-alarm">{t('episode.override', { reason: e.overrideReason })}</div>}
        </>
      ),
    });
  } else if (e.status === 'transferred' || e.status === 'ended_other') {
    items.push({
      key: `${e.id}-end`,
      color: e.status === 'transferred' ? 'purple' : 'gray',
      content: t(e.status === 'transferred' ? 'episode.transferred' : 'episode.ended', { date: e.endedOn ?? '', reason: e.endReason ?? '' }),
    });
  }
  return items;
}

export function EpisodesSection({ d }: { d: Detail }) {
  const { t } = useTranslation('residents');
  if (d.episodes.length === 0) return <Typography.Text type="secondary">{t('drawer.episodesNone')}</Typography.Text>;
  // Oldest first reads as a story: started, extended, released, then the follow-on monitoring.
  const items = [...d.episodes].reverse().flatMap((e) => episodeItems(e, t));
  const running = d.episodes.find((e) => e.status === 'active');
  if (running) items.push({ key: 'now', color: 'red', content: <strong>{t('episode.running', { day: dayText(d.resident, t) })}</strong> });
  return (
    <div data-testid="drawer-episodes">
      <Timeline items={items} />
    </div>
  );
}

export function CheckinsSection({ d, threshold }: { d: Detail; threshold: number }) {
  const { t } = useTranslation('residents');
  return (
    <Table
      size="small"
      rowKey="id"
      pagination={{ pageSize: 10, hideOnSinglePage: true, size: 'small' }}
      dataSource={d.checkins}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('drawer.checkinsNone')} /> }}
      rowClassName={(c) => (c.abnormal ? 'res-sub-abnormal' : '')}
      columns={[
        { title: t('checkin.date'), dataIndex: 'date', width: 100 },
        { title: t('checkin.slot'), dataIndex: 'slot', width: 56, render: (s: string) => t(`checkin.${s as 'am'}`) },
        {
          title: t('checkin.temperature'),
          dataIndex: 'temperature',
          width: 72,
          render: (v: number | null) => (v === null ? '' : <span className={v >= threshold ? 'text-alarm' : undefined}>{v.toFixed(1)}</span>),
        },
        { title: t('checkin.symptoms'), dataIndex: 'symptoms', render: (s: string[]) => s.map((x) => codeLabel(t, 'symptom', x)).join(punct(t, 'list')) },
        { title: t('checkin.test'), key: 'test', width: 100, render: (_, c) => (c.testType ? `${codeLabel(t, 'testType', c.testType)} ${codeLabel(t, 'testResult', c.testResult)}` : '') },
        { title: t('checkin.code'), dataIndex: 'healthCode', width: 64, render: (v: string | null) => codeLabel(t, 'healthCodeShort', v) },
        { title: t('checkin.by'), dataIndex: 'recordedBy', width: 90, ellipsis: true },
      ]}
    />
  );
}

export function TestsSection({ d }: { d: Detail }) {
  const { t } = useTranslation('residents');
  return (
    <Table
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={d.tests}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('drawer.testsNone')} /> }}
      columns={[
        { title: t('test.date'), dataIndex: 'sampleDate', width: 110 },
        { title: t('test.type'), dataIndex: 'testType', width: 80, render: (v: string) => codeLabel(t, 'testType', v) },
        {
          title: t('test.result'),
          dataIndex: 'result',
          width: 100,
          render: (v: string) => <Tag color={v === '阳性' ? 'red' : v === '阴性' ? 'green' : 'gold'}>{codeLabel(t, 'testResult', v)}</Tag>,
        },
        { title: t('test.source'), dataIndex: 'source', render: (v: string) => t(`test.sources.${v as 'manual'}`) },
      ]}
    />
  );
}

export function AlertsSection({ d }: { d: Detail }) {
  const { t } = useTranslation('residents');
  if (d.alerts.length === 0) return null;
  return (
    <>
      <h4 className="res-section">{t('drawer.alerts')}</h4>
      <ul className="res-alerts" data-testid="drawer-alerts">
        {d.alerts.map((a) => (
          <li key={a.id}>
            <Tag color={a.status === 'open' ? 'red' : 'default'}>{t(`alert.${a.status as 'open'}`)}</Tag>
            {a.date} {alertReasonText(a, t)}
            {a.action && <span className="res-dim">{punct(t, 'space')}{a.actionNote ? pair(t, codeLabel(t, 'alertAction', a.action), a.actionNote) : codeLabel(t, 'alertAction', a.action)}</span>}
          </li>
        ))}
      </ul>
    </>
  );
}

export function SuppliesSection({ d }: { d: Detail }) {
  const { t } = useTranslation('residents');
  return (
    <Table
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={d.supplies}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('drawer.suppliesNone')} /> }}
      columns={[
        { title: t('checkin.date'), dataIndex: 'createdAt', width: 140, render: (v: string) => v.slice(0, 16).replace('T', ' ') },
        { title: t('drawer.category'), dataIndex: 'category', width: 90, render: (v: string, s) => (s.urgency === 'urgent' ? <>{codeLabel(t, 'supplyCategory', v)} <Tag color="red">{t('supply.urgent')}</Tag></> : codeLabel(t, 'supplyCategory', v)) },
        { title: t('drawer.supplies'), dataIndex: 'items', ellipsis: true },
        { title: t('col.status'), dataIndex: 'status', width: 80, render: (v: string) => t(`supply.status.${v as 'new'}`) },
      ]}
    />
  );
}
