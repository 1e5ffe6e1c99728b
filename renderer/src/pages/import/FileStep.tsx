// Step 1 of the import: which kind of list (居民名单 / 核酸结果) and the file (.xlsx or .csv; an .xls/.et is refused with
// the advice to save it as .xlsx first). The file goes to the main process; the renderer keeps only its id.
import { Alert, Card, Radio, Spin, Typography, Upload } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ACCEPT, type Kind } from './model.ts';

interface Props {
  kind: Kind;
  onKind: (k: Kind) => void;
  onFile: (f: File) => void;
  busy: string | null;
  error: string | null;
  maxMb: number | undefined;
}

export function FileStep({ kind, onKind, onFile, busy, error, maxMb }: Props) {
  const { t } = useTranslation('excel');
  return (
    <Card size="small" className="import-card" data-testid="import-file-step">
      <div className="import-kind">
        <Typography.Text strong>{t('import.kind.label')}</Typography.Text>
        <Radio.Group value={kind} onChange={(e) => onKind(e.target.value as Kind)} optionType="button" buttonStyle="solid" data-testid="import-kind">
          <Radio.Button value="residents">{t('import.kind.residents')}</Radio.Button>
          <Radio.Button value="tests">{t('import.kind.tests')}</Radio.Button>
        </Radio.Group>
        <Typography.Text type="secondary">{t(`import.kind.help.${kind}`)}</Typography.Text>
      </div>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="import-file-error" />}
      <Spin spinning={!!busy} description={busy ?? undefined}>
        <Upload.Dragger
          accept={ACCEPT}
          multiple={false}
          showUploadList={false}
          disabled={!!busy}
          beforeUpload={(file) => {
            onFile(file);
            // The file is read here and sent through the API, never posted by the Upload component.
            return Upload.LIST_IGNORE;
          }}
          data-testid="import-dropzone"
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{t('import.file.drop')}</p>
          <p className="ant-upload-hint">{t('import.file.hint', { mb: maxMb ?? 50 })}</p>
        </Upload.Dragger>
      </Spin>
    </Card>
  );
}
