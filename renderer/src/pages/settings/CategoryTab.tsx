// 人员类别政策: each category (密接, 次密接, 入境, 中高风险地区来返, 其他) follows the default policy unless it is given
// its own isolation days, monitoring days and test days. Applies to new episodes only.
import { Alert, Card, Form, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { SettingsForm, type Settings } from './SettingsForm.tsx';
import { normaliseTestDays, PolicyFields, type TestDay } from './policyFields.tsx';
import { codeLabel } from '../../i18n/codes.ts';

export const CATEGORIES = ['密接', '次密接', '入境', '中高风险地区来返', '其他'] as const;

interface CategoryValue {
  custom: boolean;
  isolationDays: number;
  monitoringDays: number;
  testDays: TestDay[];
}
interface Values {
  categoryPolicies: Record<string, CategoryValue>;
}

function CategoryCard({ category, fallback }: { category: string; fallback: Settings['policy'] }) {
  const { t } = useTranslation('admin');
  const custom = Form.useWatch(['categoryPolicies', category, 'custom']) as boolean | undefined;
  const summary = t('settings.category.followsDefault', {
    days: fallback.isolationDays,
    monitoring: fallback.monitoringDays,
  });
  return (
    <Card size="small" className="settings-card category-card" data-testid={`category-${category}`}>
      <div className="category-head">
        <Typography.Text strong className="category-name">
          {codeLabel(t, 'category', category)}
        </Typography.Text>
        <Form.Item name={['categoryPolicies', category, 'custom']} valuePropName="checked" noStyle>
          <Switch checkedChildren={t('settings.category.own')} unCheckedChildren={t('settings.category.default')} />
        </Form.Item>
        {!custom && <Typography.Text type="secondary">{summary}</Typography.Text>}
      </div>
      {custom && <PolicyFields prefix={['categoryPolicies', category]} compact />}
    </Card>
  );
}

export function CategoryTab({ settings }: { settings: Settings }) {
  const { t } = useTranslation('admin');
  return (
    <SettingsForm<Values>
      settings={settings}
      fields={['categoryPolicies']}
      testId="settings-categories"
      toForm={(s) => ({
        categoryPolicies: Object.fromEntries(
          CATEGORIES.map((c) => {
            const own = s.categoryPolicies[c];
            const p = own ?? s.policy;
            return [c, { custom: !!own, isolationDays: p.isolationDays, monitoringDays: p.monitoringDays, testDays: normaliseTestDays(p.testDays) }];
          }),
        ),
      })}
      toPatch={(v) => ({
        categoryPolicies: Object.fromEntries(
          Object.entries(v.categoryPolicies)
            .filter(([, c]) => c.custom)
            .map(([k, c]) => [k, { isolationDays: c.isolationDays, monitoringDays: c.monitoringDays, testDays: normaliseTestDays(c.testDays) }]),
        ),
      })}
    >
      {() => (
        <>
          <Alert type="info" showIcon title={t('settings.category.intro')} description={t('settings.policy.newEpisodesOnly')} style={{ marginBottom: 12 }} />
          {CATEGORIES.map((c) => (
            <CategoryCard key={c} category={c} fallback={settings.policy} />
          ))}
        </>
      )}
    </SettingsForm>
  );
}
