// antd's locale files are CommonJS with a default export: TypeScript (NodeNext) and Vite disagree on how deep the
// `default` sits, so unwrap until we reach the locale object itself.
import * as zhModule from 'antd/locale/zh_CN.js';
import * as enModule from 'antd/locale/en_US.js';
import type { ConfigProviderProps } from 'antd';

type Locale = NonNullable<ConfigProviderProps['locale']>;

function unwrap(m: unknown): Locale {
  let x = m as { locale?: unknown; default?: unknown } | undefined;
  for (let i = 0; i < 3 && x && typeof x.locale !== 'string' && x.default; i++) x = x.default as typeof x;
  return x as Locale;
}

export const antdZhCN = unwrap(zhModule);
export const antdEnUS = unwrap(enModule);
