// 今日监测: the people due in a slot (上午/下午) of a date, grouped by compound and building, typed in from the
// keyboard; a counter of 已报/应报 and 未报; the open alerts beside it. Filters live in the URL (#/checkins?slot=am).
import { useCallback, useMemo, useState } from 'react';
import { Alert, App, Button, Checkbox, DatePicker, Pagination, Result, Segmented, Select, Space, Spin, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { errorMessage, type InputOf } from '../api.ts';
import { useApiQuery } from '../query.ts';
import { navigate, useQueryParams } from '../router.tsx';
import { useSession } from '../session.tsx';
import { EntryTable } from './checkins/EntryTable.tsx';
import { AlertsPanel } from './checkins/AlertsPanel.tsx';
import { CorrectDialog } from './checkins/CorrectDialog.tsx';
import { KeyLegend } from './checkins/KeyLegend.tsx';
import { Counter } from './checkins/Counter.tsx';
import type { CheckinView, DueRow, RecordResult, Slot } from './checkins/model.ts';
import { paren } from '../i18n/codes.ts';
import './checkins/checkins.css';

const PAGE_SIZE = 500;
const isDate = (s: string | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && dayjs(s).isValid();
const posInt = (s: string | undefined) => (s && /^\d+$/.test(s) && Number(s) > 0 ? Number(s) : undefined);

export default function CheckinsPage() {
  const { t } = useTranslation('checkins');
  const { message } = App.useApp();
  const { can } = useSession();
  const [params, setParams] = useQueryParams();
  const communityId = posInt(params.communityId);
  const compoundId = posInt(params.compoundId);
  const urlDate = isDate(params.date) ? params.date : undefined;
  const urlSlot: Slot | undefined = params.slot === 'am' || params.slot === 'pm' ? params.slot : undefined;
  // The slot's counter, and the server's "today" and current slot when the URL names none (the clerk's PC clock may
  // be wrong; the office's clock decides). Light: refreshed after every check-in.
  const counts = useApiQuery('checkins.counts', { date: urlDate, slot: urlSlot, communityId, compoundId }, { staleTime: 60_000 });
  const settings = useApiQuery('settings.get', {}, { staleTime: 60_000 });
  const communities = useApiQuery('places.communities', {}, { staleTime: 60_000 });
  const serverToday = counts.data?.today ?? (counts.error ? dayjs().format('YYYY-MM-DD') : undefined);
  const date = urlDate ?? serverToday;
  const slot: Slot = urlSlot ?? counts.data?.slot ?? 'am';
  const missingOnly = params.missing === '1';
  const page = posInt(params.page) ?? 1;
  const threshold = settings.data?.feverThreshold ?? 37.3;
  const canWrite = can('checkins.write');

  // Wait for the server's slot unless the URL names one (else the list would load twice).
  const slotKnown = !!urlSlot || !!counts.data || !!counts.error;
  const input: InputOf<'checkins.due'> | undefined = date && slotKnown ? { date, slot, communityId, compoundId, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE } : undefined;
  // No refetch on focus: a reload would reorder the rows under the clerk's cursor. Saves patch the cached page.
  const due = useApiQuery('checkins.due', input, { enabled: !!input, refetchOnWindowFocus: false, staleTime: 30_000 });
  const listKey = JSON.stringify(input ?? null);
  const [saved, setSaved] = useState<{ key: string; map: Map<number, CheckinView> }>({ key: '', map: new Map() });
  const savedMap = useMemo(() => (saved.key === listKey ? saved.map : new Map<number, CheckinView>()), [saved, listKey]);
  const [highlights, setHighlights] = useState<number[]>([]);
  const [correcting, setCorrecting] = useState<DueRow | null>(null);

  const update = (next: Record<string, string | number | boolean | null | undefined>) => setParams((now) => ({ ...now, page: null, ...next }));

  // The save itself updated the row and refreshed the counts (EntryTable); here: what this session saved, and alerts.
  const onSaved = useCallback(
    (row: DueRow, res: RecordResult) => {
      setSaved((s) => {
        const map = new Map(s.key === listKey ? s.map : []);
        map.set(row.residentId, res.checkin);
        return { key: listKey, map };
      });
      if (res.alertId) {
        setHighlights((h) => [res.alertId!, ...h].slice(0, 20));
        message.warning({ content: t('savedAbnormal', { name: row.name }), duration: 4 });
      }
    },
    [listKey, message, t],
  );

  const rows = useMemo(() => {
    const all = due.data?.rows ?? [];
    // Rows saved while "只看未报" is on stay until the next reload, so the table does not jump under the cursor.
    return missingOnly ? all.filter((r) => !r.recorded || savedMap.has(r.residentId)) : all;
  }, [due.data, missingOnly, savedMap]);

  const total = due.data?.total ?? 0;
  const compounds = useMemo(() => {
    const list = communities.data ?? [];
    return (communityId ? list.filter((c) => c.id === communityId) : list).flatMap((c) => c.compounds.map((p) => ({ value: p.id, label: communityId ? p.name : paren(t, p.name, c.name) })));
  }, [communities.data, communityId, t]);

  return (
    <div className="page ci-page" data-testid="checkins-page">
      <div className="page-head">
        <Space align="center" size={12} wrap>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('title')}
          </Typography.Title>
          <DatePicker
            value={date ? dayjs(date) : null}
            allowClear={false}
            aria-label={t('filter.date')}
            disabledDate={(d) => !!serverToday && d.format('YYYY-MM-DD') > serverToday}
            onChange={(d) => d && update({ date: d.format('YYYY-MM-DD') === serverToday ? null : d.format('YYYY-MM-DD') })}
            data-testid="ci-date"
          />
          {date && date === serverToday && <Typography.Text type="secondary">{t('today')}</Typography.Text>}
          <Segmented<Slot>
            value={slot}
            onChange={(v) => update({ slot: v })}
            options={[
              { value: 'am', label: t('slot.am') },
              { value: 'pm', label: t('slot.pm') },
            ]}
            data-testid="ci-slot"
          />
          <Select
            allowClear
            placeholder={t('filter.community')}
            value={communityId}
            style={{ width: 150 }}
            options={(communities.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            onChange={(v) => update({ communityId: v ?? null, compoundId: null })}
            data-testid="ci-community"
          />
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('filter.compound')}
            value={compoundId}
            style={{ width: 190 }}
            options={compounds}
            onChange={(v) => update({ compoundId: v ?? null })}
            data-testid="ci-compound"
          />
          <Checkbox checked={missingOnly} onChange={(e) => update({ missing: e.target.checked ? '1' : null })} data-testid="ci-missing-only">
            {t('filter.missing')}
          </Checkbox>
        </Space>
        <Button icon={<ReloadOutlined />} loading={due.isFetching} onClick={() => void due.refetch()}>
          {t('common.refresh', { ns: 'translation' })}
        </Button>
      </div>

      {counts.data && counts.data.date === date && counts.data.slot === slot && <Counter counts={counts.data} slotLabel={t(`slot.${slot}`)} />}
      {!canWrite && <Alert type="info" showIcon title={t('readOnlyNote')} style={{ marginBottom: 12 }} />}

      <div className="ci-layout">
        <div className="ci-main">
          {canWrite && <KeyLegend threshold={threshold} />}
          {due.error && <Alert type="error" showIcon title={t('loadError', { message: errorMessage(due.error) })} action={<Button onClick={() => void due.refetch()}>{t('common.retry', { ns: 'translation' })}</Button>} />}
          {!due.data && !due.error && <Spin className="page-spin" />}
          {due.data && total === 0 && (
            <Result
              status="info"
              title={t('empty.title')}
              subTitle={t('empty.text')}
              data-testid="ci-empty"
              extra={[
                <Button key="r" type="primary" onClick={() => navigate('/residents')}>
                  {t('empty.residents')}
                </Button>,
                can('import.run') && (
                  <Button key="i" onClick={() => navigate('/import')}>
                    {t('empty.import')}
                  </Button>
                ),
              ]}
            />
          )}
          {due.data && total > 0 && rows.length === 0 && <Alert type="success" showIcon title={t('empty.missingNone')} data-testid="ci-missing-none" />}
          {due.data && rows.length > 0 && date && (
            <div className="ci-scroll">
            <EntryTable
              rows={rows}
              date={date}
              slot={slot}
              threshold={threshold}
              canWrite={canWrite}
              focusKey={listKey}
              saved={savedMap}
              onSaved={onSaved}
              onCorrect={setCorrecting}
              onAllDone={() => message.success(total > PAGE_SIZE ? t('allDoneMore') : t('allDone'))}
            />
            </div>
          )}
          {total > PAGE_SIZE && (
            <div className="ci-pager">
              <Typography.Text type="secondary">{t('pageInfo', { from: (page - 1) * PAGE_SIZE + 1, to: Math.min(page * PAGE_SIZE, total), total })}</Typography.Text>
              <Pagination current={page} pageSize={PAGE_SIZE} total={total} showSizeChanger={false} onChange={(p) => setParams((now) => ({ ...now, page: p === 1 ? null : p }))} />
            </div>
          )}
        </div>
        <AlertsPanel communityId={communityId} highlightIds={highlights} canClose={can('alerts.write')} />
      </div>
      <CorrectDialog row={correcting} onClose={() => setCorrecting(null)} />
    </div>
  );
}
