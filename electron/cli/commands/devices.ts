// `devices`: the office server's paired devices from the command line — pairing codes for new PCs (works while the
// server runs: the codes go into the database the server reads), the list, and revocation.
import { DB_OPTION, intOption, requireString, type CommandModule } from '../args.ts';
import { ok, usageError } from '../output.ts';
import { PAIRING } from '../../shared/limits.ts';

const devices: CommandModule = {
  name: 'devices',
  summary: '街道服务器的设备：生成配对码（pair-code）、列出（list）、撤销（revoke）',
  usage: [
    '用法：isolation-desk devices pair-code --db <文件> [--count <个数>] [--json]',
    '      isolation-desk devices list --db <文件> [--json]',
    '      isolation-desk devices revoke --db <文件> --id <设备编号> [--json]',
    '',
    `  pair-code   生成一次性配对码（${PAIRING.digits} 位数字，${PAIRING.minutes} 分钟内有效，每个只能用一次）；--count 一次生成几个（1–${PAIRING.maxAtOnce}）`,
    '  list        列出已配对的设备（名称、配对人、最后访问时间和地址、是否已撤销）',
    '  revoke      撤销一台设备：它立即不能再访问，即使密码正确（服务器运行时最多 5 秒内生效）',
  ].join('\n'),
  positionals: true,
  options: { ...DB_OPTION, count: { type: 'string' }, id: { type: 'string' } },
  async run(args) {
    const action = args.positionals[0];
    const file = requireString(args, 'db', '数据库文件');
    const { withApi } = await import('../context.ts');
    if (action === 'pair-code') {
      const count = intOption(args, 'count', { min: 1, max: PAIRING.maxAtOnce, default: 1 });
      return withApi(file, {}, async (api) => {
        const r = await api.call('devices.pairCodes', { count });
        return ok({ codes: r.codes, expiresAt: r.expiresAt }, [`配对码（${PAIRING.minutes} 分钟内有效，每个只能用一次）：`, ...r.codes.map((c) => `  ${c}`)].join('\n'));
      });
    }
    if (action === 'list') {
      return withApi(file, {}, async (api) => {
        const rows = await api.call('devices.list', {});
        const lines = rows.map((d) => `  #${d.id} ${d.name}  配对：${d.pairedBy} ${d.pairedAt}  最后访问：${d.lastSeenAt ?? '—'} ${d.lastAddress ?? ''}${d.revokedAt ? `  已撤销（${d.revokedBy} ${d.revokedAt}）` : ''}`);
        return ok({ devices: rows }, rows.length ? ['已配对的设备：', ...lines].join('\n') : '还没有配对的设备。');
      });
    }
    if (action === 'revoke') {
      const id = intOption(args, 'id', { min: 1, max: 2 ** 31 - 1 });
      return withApi(file, {}, async (api) => {
        const d = await api.call('devices.revoke', { id });
        return ok({ device: d }, `已撤销设备 #${d.id} ${d.name}。`);
      });
    }
    throw usageError(action ? `未知的操作：${action}（应为 pair-code、list 或 revoke）` : '请指定操作：pair-code、list 或 revoke');
  },
};

export default devices;
