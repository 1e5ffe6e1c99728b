// 中文 / English switch (header and login screen); remembered on this computer.
import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLang, LANGS, setLang, type Lang } from '../i18n/index.ts';

export function LanguageSwitch() {
  const { t } = useTranslation();
  return (
    <Segmented<Lang>
      size="small"
      aria-label={t('header.language')}
      value={currentLang()}
      options={LANGS}
      onChange={(v) => setLang(v)}
      data-testid="lang-switch"
    />
  );
}
