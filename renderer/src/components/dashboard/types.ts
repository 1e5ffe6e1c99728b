// The 工作台 data as the renderer sees it: the output type of the 'dashboard.get' channel.
import type { OutputOf } from '../../api.ts';

export type DashboardData = OutputOf<'dashboard.get'>;
