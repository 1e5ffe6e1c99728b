// Address of a household: community (only those in the user's scope), compound (pick one or type a new one), building,
// unit, room. The server finds the household at that address or creates it.
import { AutoComplete, Col, Form, Input, Row as AntRow, Select, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import type { OutputOf } from '../../api.ts';

type Communities = OutputOf<'places.communities'>;

export function AddressFields({ form, communities }: { form: FormInstance; communities: Communities }) {
  const { t } = useTranslation('residents');
  const communityId = Form.useWatch('communityId', form) as number | undefined;
  const compounds = communities.find((c) => c.id === communityId)?.compounds ?? [];
  const required = { required: true, whitespace: true, message: t('form.required') };
  return (
    <>
      <AntRow gutter={12}>
        <Col span={10}>
          <Form.Item label={t('form.community')} name="communityId" rules={[{ required: true, message: t('form.required') }]}>
            <Select
              options={communities.map((c) => ({ value: c.id, label: c.name }))}
              disabled={communities.length === 1}
              placeholder={t('form.communityPick')}
              onChange={() => form.setFieldValue('compound', undefined)}
              data-testid="field-community"
            />
          </Form.Item>
        </Col>
        <Col span={14}>
          <Form.Item label={t('form.compound')} name="compound" rules={[required]}>
            <AutoComplete
              options={compounds.map((c) => ({ value: c.name }))}
              filterOption={(input, o) => String(o?.value ?? '').includes(input)}
              placeholder={t('form.compoundPick')}
              data-testid="field-compound"
            />
          </Form.Item>
        </Col>
      </AntRow>
      <AntRow gutter={12}>
        <Col span={8}>
          <Form.Item label={t('form.building')} name="building">
            <Input maxLength={30} placeholder="3" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item label={t('form.unit')} name="unit">
            <Input maxLength={30} placeholder="2" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item label={t('form.room')} name="room">
            <Input maxLength={30} placeholder="501" />
          </Form.Item>
        </Col>
      </AntRow>
    </>
  );
}
