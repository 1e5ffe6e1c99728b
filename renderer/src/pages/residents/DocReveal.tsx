// The document number and the birth date of the person drawer, masked as the server sends them (131002********123X,
// 1985-**-**: the birth date is the ID number's hidden middle) with one 显示 for users allowed to reveal them. The
// reveal asks the server (permission, community, audit row) and shows both values together.
import { useState } from 'react';
import { App, Button, Tooltip, Typography } from 'antd';
import { EyeOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../../api.ts';
import { useSession } from '../../session.tsx';

interface Shown {
  id: number;
  docNumber: string | null;
  birthDate: string | null;
}

/** The two cells (证件号码, 出生日期) sharing one reveal; state belongs to one person (the drawer may switch). */
export function useDocReveal(r: { id: number; docNumber: string | null; birthDate: string | null }) {
  const { t } = useTranslation('residents');
  const { can } = useSession();
  const { message } = App.useApp();
  const [shown, setShown] = useState<Shown | null>(null);
  const [busy, setBusy] = useState(false);
  const open = shown?.id === r.id ? shown : null;

  const reveal = async () => {
    setBusy(true);
    try {
      const v = await api('residents.reveal', { id: r.id, field: 'docNumber' });
      setShown({ id: r.id, docNumber: v.value, birthDate: v.birthDate });
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const mayReveal = can('residents.reveal') && !open && !!(r.docNumber || r.birthDate);
  const docCell = (
    <span>
      {open ? (
        <Typography.Text className="res-mono" copyable={!!open.docNumber} data-testid="doc-full">
          {open.docNumber ?? ''}
        </Typography.Text>
      ) : (
        <span className="res-mono" data-testid="doc-masked">
          {r.docNumber ?? ''}
        </span>
      )}
      {mayReveal && (
        <Tooltip title={t('doc.revealTip')}>
          <Button size="small" type="link" icon={<EyeOutlined />} loading={busy} onClick={() => void reveal()} data-testid="doc-reveal">
            {t('doc.reveal')}
          </Button>
        </Tooltip>
      )}
    </span>
  );
  const birthCell = <span data-testid={open ? 'birth-full' : 'birth-masked'}>{(open ? open.birthDate : r.birthDate) ?? ''}</span>;
  return { docCell, birthCell };
}
