// Keeps one page's rendering bug from blanking the whole window; the user can retry that page.
import { Component, type ReactNode } from 'react';
import { Button, Result } from 'antd';

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
          title="此页面出错了"
          subTitle="页面显示时发生错误，数据未受影响。请重试；若反复出现，请联系管理员。"
          extra={<Button onClick={() => this.setState({ error: null })}>重试</Button>}
        />
      );
    }
    return this.props.children;
  }
}
