// Stand-in for a page another part of the team is still writing.
import { Result } from 'antd';
import { ToolOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

export function UnderConstruction({ label }: { label: string }) {
  const { t } = useTranslation();
  return <Result icon={<ToolOutlined />} title={t('building.title')} subTitle={t('building.text', { page: t(label) })} />;
}
