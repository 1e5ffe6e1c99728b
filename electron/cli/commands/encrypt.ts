// `encrypt`: converts a plaintext database file to an encrypted one, in place (db/encrypt.ts): a verified backup
// first, then an encrypted copy that is checked and renamed over the file. The key comes from --key-file (created,
// owner-only, when the file does not exist yet) or ISOLATION_DESK_DB_KEY.
import { DB_OPTION, optionalString, requireString, type CommandModule } from '../args.ts';
import { ok, usageError } from '../output.ts';

const encrypt: CommandModule = {
  name: 'encrypt',
  summary: '把未加密的数据库文件原地转换为加密文件（先做经过校验的备份）',
  usage: [
    '用法：isolation-desk encrypt --db <文件> [--key-file <密钥文件>] [--json]',
    '',
    '  --db <文件>            未加密的数据库文件（请先关闭正在使用它的程序）',
    '  --key-file <密钥文件>  密钥文件；不存在时生成新密钥写入此文件（仅所有者可读）。省略时用环境变量 ISOLATION_DESK_DB_KEY',
    '',
    '先在备份文件夹做一份经过校验的备份，再写出加密副本、校验后替换原文件；任何一步失败，原文件都不会改动。',
    '转换后，以后每个命令都要用同一个密钥打开这个文件。请把密钥另行妥善保存：丢失密钥就无法再打开数据。',
  ].join('\n'),
  options: { ...DB_OPTION },
  ownKey: true,
  async run(args) {
    const file = requireString(args, 'db', '数据库文件');
    const { commandKey } = await import('../context.ts');
    const { encryptDatabaseFile } = await import('../../db/encrypt.ts');
    const { fileKind } = await import('../../db/sqlite.ts');
    // Checked before a key file is created.
    if (fileKind(file) === 'encrypted') throw usageError(`数据库 ${file} 已经是加密的，无需转换。`);
    const key = commandKey(optionalString(args, 'key-file'), { create: fileKind(file) === 'plain' });
    const r = await encryptDatabaseFile(file, key.key);
    const lines = [
      `已把数据库 ${file} 转换为加密文件。`,
      key.created ? `新密钥已写入 ${key.created}（仅所有者可读）。请另存一份到安全的地方：丢失密钥就无法再打开数据。` : '',
      `转换前的备份（已校验）：${r.backup.file}`,
      r.plaintextBackups.length
        ? `注意：备份文件夹中还有 ${r.plaintextBackups.length} 个未加密的备份（含上面这一个）。确认加密后的数据库使用正常后，请删除它们。`
        : '',
    ].filter(Boolean);
    return ok({ file, backup: r.backup.file, keyFileCreated: key.created, plaintextBackups: r.plaintextBackups }, lines.join('\n'));
  },
};

export default encrypt;
