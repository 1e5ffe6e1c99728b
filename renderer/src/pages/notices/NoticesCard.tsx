// 报表导出's 告知书与入户排查登记表: pick a compound (a committee member: of their community) and optionally a building,
// then 打印告知书 (one .docx, a page per household) or 入户排查登记表 (per building, .xlsx in the report style). Both
// run as jobs on the server and download when done.
import { useState } from 'react';
import { Alert, Button, Card, Form, Select, Space, Typography } from 'antd';
import { FileExcelOutlined, PrinterOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useSession } from '../../session.tsx';
import { NOTICE_KINDS, type NoticeKind } from '../../../../electron/shared/notices.ts';
import type { DoorSheetResult, NoticeResult } from '../../../../electron/api/contract/notices.ts';
import { useExportJob } from './useExportJob.ts';

export function NoticesCard() {
  const { t } = useTranslation('notices');
  const { can } = useSession();
  const [kind, setKind] = useState<NoticeKind>('isolation');
  const [compoundId, setCompoundId] = useState<number | undefined>();
  const [buildingId, setBuildingId] = useState<number | undefined>();
  const communities = useApiQuery('places.communities');
  const buildings = useApiQuery('notices.buildings', { compoundId: compoundId ?? 0 }, { enabled: compoundId !== undefined });
  const notices = useExportJob<NoticeResult>((r) => t('printed', { title: r.title, households: r.households, people: r.people, name: r.fileName }));
  const door = useExportJob<DoorSheetResult>((r) => t('card.doorSheetDone', { rows: r.rows, name: r.fileName }));
  const mayPrint = can('reports.export') && can('residents.reveal');
  const compounds = (communities.data ?? []).map((c) => ({ label: c.name, title: c.name, options: c.compounds.map((p) => ({ value: p.id, label: p.name, title: `${c.name} ${p.name}` })) }));
  const error = notices.error ?? door.error;

  return (
    <Card size="small" title={t('card.title')} className="report-form-card" data-testid="notices-card">
      <Typography.Paragraph type="secondary">{t('card.intro')}</Typography.Paragraph>
      <Form layout="vertical" requiredMark={false}>
        <Space wrap align="end">
          <Form.Item label={t('card.compound')}>
            <Select
              showSearch={{ optionFilterProp: 'title' }}
              placeholder={t('card.compoundPick')}
              value={compoundId}
              options={compounds}
              onChange={(v: number) => {
                setCompoundId(v);
                setBuildingId(undefined);
                notices.clearError();
                door.clearError();
              }}
              style={{ width: 240 }}
              data-testid="notices-compound"
            />
          </Form.Item>
          <Form.Item label={t('card.building')}>
            <Select
              allowClear
              disabled={compoundId === undefined}
              placeholder={t('card.buildingAll')}
              value={buildingId}
              loading={buildings.isFetching}
              options={(buildings.data ?? []).map((b) => ({ value: b.id, label: t('card.buildingHouseholds', { name: b.name, n: b.households }) }))}
              onChange={(v: number | undefined) => setBuildingId(v)}
              style={{ width: 200 }}
              data-testid="notices-building"
            />
          </Form.Item>
          <Form.Item label={t('card.kind')}>
            <Select value={kind} onChange={setKind} options={NOTICE_KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))} style={{ width: 200 }} data-testid="notices-kind" />
          </Form.Item>
          <Form.Item>
            <Space>
              {mayPrint && (
                <Button
                  type="primary"
                  icon={<PrinterOutlined />}
                  disabled={compoundId === undefined}
                  loading={notices.running}
                  onClick={() => void notices.start(() => api('notices.export', { kind, placeId: buildingId ?? compoundId! }))}
                  data-testid="notices-print"
                >
                  {t('card.notices')}
                </Button>
              )}
              <Button
                icon={<FileExcelOutlined />}
                disabled={buildingId === undefined}
                title={buildingId === undefined ? t('card.doorSheetNeedsBuilding') : undefined}
                loading={door.running}
                onClick={() => void door.start(() => api('notices.doorSheet', { buildingId: buildingId! }))}
                data-testid="notices-door-sheet"
              >
                {t('card.doorSheet')}
              </Button>
            </Space>
          </Form.Item>
        </Space>
      </Form>
      {error && <Alert type="error" showIcon title={error} data-testid="notices-error" />}
      {(notices.last || door.last) && (
        <Space wrap data-testid="notices-done">
          {[notices, door].map(
            (j) =>
              j.last && (
                <Button key={j.last.path} size="small" onClick={() => void j.again()}>
                  {t('downloadAgain', { name: j.last.fileName })}
                </Button>
              ),
          )}
        </Space>
      )}
    </Card>
  );
}
