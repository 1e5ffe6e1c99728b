// 新建核酸轮次: the date (and last day of a longer round), the scope (communities; none = the whole subdistrict — a
// committee member's round is their own community, the core decides) and an optional name.
import { Alert, DatePicker, Form, Input, Modal, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useApiQuery } from '../../query.ts';
import { useApiWrite } from '../../write.ts';
import { useOwnCommunity } from '../../session.tsx';

interface Values {
  startDate: Dayjs;
  endDate?: Dayjs | null;
  communityIds?: number[];
  name?: string;
}

export function CreateRoundDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (id: number) => void }) {
  const { t } = useTranslation('rounds');
  const [form] = Form.useForm<Values>();
  const own = useOwnCommunity();
  const communities = useApiQuery('places.communities', {}, { enabled: open && own === null, staleTime: 60_000 });
  const create = useApiWrite('rounds.create', {
    form,
    success: (r) => t('form.created', { name: r.round.name, n: r.due }),
    onSuccess: (r) => {
      form.resetFields();
      onCreated(r.round.id);
      onClose();
    },
  });
  const submit = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    await create.run({
      startDate: v.startDate.format('YYYY-MM-DD'),
      ...(v.endDate ? { endDate: v.endDate.format('YYYY-MM-DD') } : {}),
      ...(v.communityIds?.length ? { communityIds: v.communityIds } : {}),
      ...(v.name?.trim() ? { name: v.name.trim() } : {}),
    });
  };
  return (
    <Modal
      open={open}
      title={t('form.title')}
      okText={t('form.submit')}
      cancelText={t('common.cancel', { ns: 'translation' })}
      onOk={() => void submit()}
      confirmLoading={create.submitting}
      onCancel={onClose}
      okButtonProps={{ ...({ 'data-testid': 'round-create-ok' } as object) }}
      destroyOnHidden
    >
      {create.error && <Alert type="error" showIcon title={create.error} style={{ marginBottom: 12 }} data-testid="round-create-error" />}
      <Form form={form} layout="vertical" requiredMark={false}>
        <Form.Item label={t('form.startDate')} name="startDate" rules={[{ required: true, message: t('form.required') }]}>
          <DatePicker style={{ width: '100%' }} data-testid="round-date" />
        </Form.Item>
        <Form.Item label={t('form.endDate')} name="endDate">
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        {own === null ? (
          <Form.Item label={t('form.communities')} name="communityIds" extra={t('form.communitiesHelp')}>
            <Select mode="multiple" allowClear options={(communities.data ?? []).map((c) => ({ value: c.id, label: c.name }))} data-testid="round-communities" />
          </Form.Item>
        ) : (
          <Form.Item label={t('form.communities')}>
            <Input disabled value={t('form.own')} />
          </Form.Item>
        )}
        <Form.Item label={t('form.name')} name="name">
          <Input maxLength={60} placeholder={t('form.namePlaceholder')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
