// Step 2 of the import: what was found (sheet, title, header row, column mapping), the counts, every problem, the places
// that will be created, the community and default start date for rows that lack them, and the mode; then 导入.
import { Alert, Button, Card, Collapse, DatePicker, Descriptions, Radio, Select, Space, Statistic, Tag, Typography } from 'antd';
import { DownloadOutlined, ImportOutlined, RollbackOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useApiQuery } from '../../query.ts';
import { useMe } from '../../session.tsx';
import { IssuesTable } from './IssuesTable.tsx';
import { MappingTable } from './MappingTable.tsx';
import { ConfirmCard, needsConfirmCard } from './ConfirmCard.tsx';
import type { Kind, ListOptions, Mapping, Mode, Preview } from './model.ts';
import { paren } from '../../i18n/codes.ts';

interface Props {
  kind: Kind;
  preview: Preview;
  options: ListOptions;
  mode: Mode;
  busy: boolean;
  reportBusy: boolean;
  onOptions: (patch: Partial<ListOptions>) => void;
  onMode: (m: Mode) => void;
  onCommit: () => void;
  onErrorReport: () => void;
  onRestart: () => void;
}

function Counts({ preview }: { preview: Preview }) {
  const { t } = useTranslation('excel');
  const c = preview.counts;
  const stat = (key: string, value: number, color?: string) => (
    <Statistic key={key} title={t(`import.count.${key}`)} value={value} styles={{ content: color ? { color } : undefined }} data-testid={`count-${key}`} />
  );
  const common = [stat('dataRows', c.dataRows), stat('valid', c.valid, '#389e0d'), stat('rejected', c.rejected, c.rejected ? '#cf1322' : undefined), stat('warnings', preview.warnings.length, preview.warnings.length ? '#d48806' : undefined)];
  const specific =
    preview.kind === 'residents'
      ? [stat('create', preview.counts.create), stat('update', preview.counts.update), stat('skip', preview.counts.skip), stat('households', preview.counts.households)]
      : [stat('matched', preview.counts.matched), stat('unmatched', preview.counts.unmatched, preview.counts.unmatched ? '#d48806' : undefined), stat('positives', preview.counts.positives, preview.counts.positives ? '#cf1322' : undefined)];
  return <div className="import-counts">{[...common, ...specific]}</div>;
}

export function PreviewPanel(p: Props) {
  const { t } = useTranslation('excel');
  const me = useMe();
  const communities = useApiQuery('places.communities');
  const pv = p.preview;
  const hasCommunityColumn = pv.mapping.some((m) => m.field === 'community' || m.field === 'address');
  const hasStartColumn = pv.mapping.some((m) => m.field === 'startDate');
  const nothingValid = pv.counts.valid === 0;
  // Choices the core refuses to import without (a foreign title, people whose period is over).
  const pending = pv.kind === 'residents' ? pv.confirmations.pending.length > 0 : false;
  // Rows the error report lists: rejected ones, and for test lists also those matching nobody.
  const problemRows = pv.counts.rejected + (pv.kind === 'tests' ? pv.counts.unmatched : 0);
  const newCommunities = pv.kind === 'residents' ? pv.newPlaces.filter((x) => x.level === 'community') : [];
  const newCompounds = pv.kind === 'residents' ? pv.newPlaces.filter((x) => x.level === 'compound') : [];
  // The mapping opens by itself when the clerk should look at it: a column not recognised, or no name / ID column.
  const mapped = new Set(pv.mapping.map((m) => m.field).filter(Boolean));
  const checkMapping = pv.mapping.some((m) => !m.field) || !mapped.has('name') || !mapped.has('docNumber');
  // Hidden sheets (a 下拉选项 list of choices) are listed but marked: the clerk may still pick one on purpose.
  const hidden = new Set(pv.hiddenSheets);
  const sheetLabel = (name: string) => (hidden.has(name) ? t('import.preview.hiddenSheet', { name }) : name);

  return (
    <div className="import-preview" data-testid="import-preview">
      <Card size="small" className="import-card">
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2, xl: 4 }}
          items={[
            { key: 'file', label: t('import.preview.file'), children: <Typography.Text strong>{pv.fileName}</Typography.Text> },
            {
              key: 'sheet',
              label: t('import.preview.sheet'),
              children:
                pv.sheetNames.length > 1 ? (
                  <Select
                    size="small"
                    value={pv.sheetName}
                    options={pv.sheetNames.map((s) => ({ value: s, label: sheetLabel(s) }))}
                    onChange={(sheet: string) => p.onOptions({ sheet })}
                    style={{ minWidth: 140 }}
                    popupMatchSelectWidth={false}
                    data-testid="import-sheet"
                  />
                ) : (
                  sheetLabel(pv.sheetName)
                ),
            },
            { key: 'header', label: t('import.preview.headerRow'), children: <span data-testid="header-row">{t('import.preview.rowN', { n: pv.headerRow })}</span> },
            { key: 'title', label: t('import.preview.title'), children: pv.title || '—' },
          ]}
        />
        <Counts preview={pv} />
      </Card>

      {p.kind === 'residents' && (
        <Card size="small" className="import-card" title={t('import.preview.defaults')}>
          <Space wrap size={24} align="start">
            <div>
              <div className="import-label">{t('import.preview.community')}</div>
              <Select
                allowClear
                placeholder={pv.kind === 'residents' && pv.titleCommunity ? t('import.preview.fromTitle', { name: pv.titleCommunity }) : t('import.preview.communityPlaceholder')}
                value={p.options.communityId}
                onChange={(communityId?: number) => p.onOptions({ communityId })}
                options={(communities.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
                style={{ width: 220 }}
                status={!hasCommunityColumn && !(pv.kind === 'residents' && pv.titleCommunity) && !p.options.communityId ? 'warning' : undefined}
                data-testid="import-community"
              />
              <div className="import-help">{hasCommunityColumn ? t('import.preview.communityHelpColumn') : t('import.preview.communityHelpNone')}</div>
            </div>
            <div>
              <div className="import-label">{t('import.preview.startDate')}</div>
              <DatePicker
                value={p.options.startDate ? dayjs(p.options.startDate) : null}
                onChange={(d) => p.onOptions({ startDate: d ? d.format('YYYY-MM-DD') : undefined })}
                disabledDate={(d) => d.format('YYYY-MM-DD') > me.today}
                placeholder={t('import.preview.startDatePlaceholder')}
                style={{ width: 180 }}
                data-testid="import-start-date"
              />
              <div className="import-help">{hasStartColumn ? t('import.preview.startHelpColumn') : t('import.preview.startHelpNone')}</div>
            </div>
          </Space>
        </Card>
      )}

      <Collapse
        size="small"
        className="import-card"
        defaultActiveKey={checkMapping ? ['mapping'] : []}
        items={[
          {
            key: 'mapping',
            label: t('import.mapping.title', { n: pv.mapping.filter((m) => m.field).length, total: pv.mapping.length }),
            children: <MappingTable kind={p.kind} preview={pv} busy={p.busy} onApply={(mapping: Mapping) => p.onOptions({ mapping })} />,
          },
        ]}
      />

      {pv.kind === 'residents' && needsConfirmCard(pv.confirmations) && (
        <ConfirmCard confirmations={pv.confirmations} confirm={p.options.confirm} busy={p.busy} onConfirm={(confirm) => p.onOptions({ confirm })} />
      )}

      <Card size="small" className="import-card" title={t('import.issues.title')}>
        <IssuesTable errors={pv.errors} warnings={pv.warnings} unmatched={pv.kind === 'tests' ? pv.unmatched : undefined} />
      </Card>

      {(newCommunities.length > 0 || newCompounds.length > 0) && (
        <Card size="small" className="import-card" title={t('import.places.title', { n: newCommunities.length + newCompounds.length })} data-testid="import-new-places">
          {newCommunities.length > 0 && (
            <div className="import-places">
              <Typography.Text strong>{t('import.places.communities')}</Typography.Text>
              {newCommunities.map((x) => (
                <Tag key={x.name} color="orange">
                  {x.name}
                </Tag>
              ))}
            </div>
          )}
          {newCompounds.length > 0 && (
            <div className="import-places">
              <Typography.Text strong>{t('import.places.compounds')}</Typography.Text>
              {newCompounds.map((x) => (
                <Tag key={`${x.community}/${x.name}`}>
                  {x.name}
                  <Typography.Text type="secondary">{paren(t, '', x.community)}</Typography.Text>
                </Tag>
              ))}
            </div>
          )}
          <Typography.Text type="secondary">{t('import.places.help')}</Typography.Text>
        </Card>
      )}

      <Card size="small" className="import-card import-actions">
        <Radio.Group value={p.mode} onChange={(e) => p.onMode(e.target.value as Mode)} className="import-mode" data-testid="import-mode">
          <Radio value="all-or-nothing" data-testid="mode-all">
            <Typography.Text strong>{t('import.mode.all')}</Typography.Text>
            <span className="import-help-inline">{t('import.mode.allHelp')}</span>
          </Radio>
          <Radio value="valid-only" data-testid="mode-valid">
            <Typography.Text strong>{t('import.mode.valid')}</Typography.Text>
            <span className="import-help-inline">{t('import.mode.validHelp', { n: pv.counts.rejected })}</span>
          </Radio>
        </Radio.Group>
        {p.mode === 'all-or-nothing' && pv.counts.rejected > 0 && <Alert type="warning" showIcon title={t('import.mode.willRefuse', { n: pv.counts.rejected })} style={{ margin: '8px 0' }} />}
        {nothingValid && <Alert type="error" showIcon title={t('import.preview.nothingValid')} style={{ margin: '8px 0' }} />}
        {pending && <Alert type="warning" showIcon title={t('import.confirm.pending')} style={{ margin: '8px 0' }} data-testid="import-confirm-pending" />}
        <Space wrap>
          <Button type="primary" icon={<ImportOutlined />} onClick={p.onCommit} disabled={p.busy || nothingValid || pending} data-testid="import-commit">
            {p.mode === 'valid-only' ? t('import.commitValid', { n: pv.counts.valid }) : t('import.commit')}
          </Button>
          {problemRows > 0 && (
            <Button icon={<DownloadOutlined />} loading={p.reportBusy} onClick={p.onErrorReport} data-testid="import-error-report">
              {t('import.errorReport')}
            </Button>
          )}
          <Button icon={<RollbackOutlined />} onClick={p.onRestart} data-testid="import-restart">
            {t('import.restart')}
          </Button>
        </Space>
      </Card>
    </div>
  );
}
