// Keeps one page's rendering bug from blanking the whole window; the user can retry that page.
import { Component, type ReactNode } from 'react';
import { Button, Result } from 'antd';
import i18n from '../i18n/index.ts';

export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error) {
      return (
        <Result
          status="error"
          title={i18n.t('codes:words.pageError')}
          subTitle={i18n.t('codes:words.pageErrorText')}
          extra={<Button onClick={() => this.setState({ error: null })}>{i18n.t('codes:words.retry')}</Button>}
        />
      );
    }
    return this.props.children;
  }
}
