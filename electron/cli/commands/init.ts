// `init`: creates the database file (or migrates an existing one) and sets the district and subdistrict names,
// the top of the place tree and the office's identity in settings. Running it again changes nothing.
import { DB_OPTION, optionalString, requireString, type CommandModule } from '../args.ts';
import { CliError, ok, usageError } from '../output.ts';

const init: CommandModule = {
  name: 'init',
  summary: '创建数据库（或把已有数据库升级到当前版本），设置区和街道名称',
  usage: [
    '用法：isolation-desk init --db <文件> [--district <区名>] [--subdistrict <街道名>] [--json]',
    '',
    '  --db <文件>            数据库文件。不存在时新建；已存在时升级到当前数据结构。可重复执行。',
    '                         也可以是 PostgreSQL 数据库：postgres://用户:密码@主机:端口/库名（库须已由管理员建好）。',
    '  --district <区名>      区名，如 广阳区。省略时保留已有名称；新库先用占位名，管理员可在“设置”中修改。',
    '  --subdistrict <街道名> 街道名，如 解放道街道。同上。',
    '  --encrypt              新建加密的数据库（密钥来自 --key-file 或环境变量 ISOLATION_DESK_DB_KEY；',
    '                         --key-file 指定的文件不存在时生成新密钥写入其中，仅所有者可读）。',
    '                         已有的未加密数据库请用 encrypt 命令转换。',
  ].join('\n'),
  options: { ...DB_OPTION, district: { type: 'string' }, subdistrict: { type: 'string' }, encrypt: { type: 'boolean' } },
  ownKey: true,
  async run(args) {
    const file = requireString(args, 'db', '数据库文件');
    const { existsSync } = await import('node:fs');
    const { invalid, issue } = await import('../../shared/errors.ts');
    const { contract } = await import('../../api/contract.ts');
    const { PLACEHOLDER_NAMES } = await import('../../api/cli-session.ts');
    const names: { district?: string; subdistrict?: string } = {};
    for (const key of ['district', 'subdistrict'] as const) {
      const raw = optionalString(args, key);
      if (raw === undefined) continue;
      // Checked (by the channel's own schema) before the file is touched: a rejected name leaves nothing written.
      const parsed = contract['settings.update'].input.safeParse({ [key]: raw });
      if (!parsed.success) throw invalid(key === 'district' ? 'init.districtName' : 'init.subdistrictName', undefined, [issue(key, 'init.badName')]);
      names[key] = parsed.data[key];
    }
    const { withDb, withApi, commandKey } = await import('../context.ts');
    const { isPostgresUrl } = await import('../../db/engine.ts');
    if (isPostgresUrl(file)) {
      if (args.values.encrypt === true) throw usageError('--encrypt 只适用于 SQLite 数据库文件；PostgreSQL 数据库的加密由数据库服务器负责。');
      return initPostgres(file, names);
    }
    const { fileKind, keyOf, setDatabaseKey } = await import('../../db/sqlite.ts');
    const { resolveKey } = await import('../../db/keys.ts');
    const encrypt = args.values.encrypt === true;
    const kind = fileKind(file);
    if (encrypt && kind === 'plain') {
      throw new CliError(2, 'DB_PLAIN', `数据库 ${file} 已存在且未加密。要加密它，请用：isolation-desk encrypt --db ${file} --key-file <密钥文件>（会先做经过校验的备份）。`);
    }
    // --encrypt may create the key file (only for a file about to be created); otherwise the key is only read.
    const keyFile = optionalString(args, 'key-file');
    const key = encrypt ? commandKey(keyFile, { create: kind === 'missing' || kind === 'empty' }) : { key: resolveKey(keyFile), created: null };
    setDatabaseKey(key.key);
    const created = !existsSync(file);
    // The version before migrating, read without touching the file (openDatabase itself backs up before migrating).
    const before = created ? null : await withDb(file, { readonly: true, migrate: false }, async (h) => h.schemaVersion);
    return withApi(file, { create: true, encrypt }, async (api) => {
      const { handle } = api;
      const migratedFrom = before !== null && before < handle.schemaVersion ? before : null;
      // The office's names through 'settings.update' as the cli user (it creates the top of the place tree of a new
      // file; an unchanged name writes nothing and no audit row).
      const { org } = await api.call('auth.setupStatus', {});
      const root = await api.call('settings.update', {
        district: names.district ?? org?.district ?? PLACEHOLDER_NAMES.district,
        subdistrict: names.subdistrict ?? org?.subdistrict ?? PLACEHOLDER_NAMES.subdistrict,
      });
      const placeholder = root.district === PLACEHOLDER_NAMES.district || root.subdistrict === PLACEHOLDER_NAMES.subdistrict;
      // An existing file's counters (db/counters.ts) are compared with a recount and rebuilt when they drifted.
      const { checkCounters, rebuildCounters } = await import('../../db/counters.ts');
      const drift = created || migratedFrom !== null ? [] : checkCounters(handle.sqlite);
      if (drift.length) rebuildCounters(handle.sqlite);
      const lines = [
        created ? `已创建${encrypt ? '加密的' : ''}数据库 ${file}（数据结构版本 ${handle.schemaVersion}）。` : migratedFrom !== null ? `已把数据库 ${file} 从版本 ${migratedFrom} 升级到 ${handle.schemaVersion}。` : `数据库 ${file} 已是当前版本（${handle.schemaVersion}），无需升级。`,
        `区：${root.district}　街道：${root.subdistrict}`,
      ];
      if (drift.length) lines.push(`统计计数与原始记录有 ${drift.length} 处不一致，已按原始记录重新计算。`);
      if (placeholder) lines.push('提示：区或街道名称尚未设置。请用 --district、--subdistrict 再运行一次 init，或由管理员登录后在“设置”中修改。');
      if (key.created) lines.push(`新密钥已写入 ${key.created}（仅所有者可读）。请另存一份到安全的地方：丢失密钥就无法再打开数据。`);
      if (created) lines.push('首次打开程序时会要求创建系统管理员账号。');
      return ok(
        { file, created, encrypted: keyOf(handle.sqlite) !== null, keyFileCreated: key.created, schemaVersion: handle.schemaVersion, migratedFrom, district: root.district, subdistrict: root.subdistrict, placeholder, countersRebuilt: drift.length > 0 },
        lines.join('\n'),
      );
    });
  },
};

/**
 * init --db postgres://…: the database itself is made by its administrator (CREATE DATABASE, a role that owns it);
 * init migrates it to the current schema, sets the names, and compares the counters with a recount as for a file.
 */
async function initPostgres(url: string, names: { district?: string; subdistrict?: string }) {
  const { withDb, withApi } = await import('../context.ts');
  const { PLACEHOLDER_NAMES } = await import('../../api/cli-session.ts');
  const { checkCountersPg, rebuildCountersPg } = await import('../../db/pg/counters.ts');
  const before = await withDb(url, { readonly: true, migrate: false }, async (h) => h.schemaVersion);
  return withApi(url, {}, async (api) => {
    const { handle } = api;
    const created = before === 0;
    const migratedFrom = !created && before < handle.schemaVersion ? before : null;
    const { org } = await api.call('auth.setupStatus', {});
    const root = await api.call('settings.update', {
      district: names.district ?? org?.district ?? PLACEHOLDER_NAMES.district,
      subdistrict: names.subdistrict ?? org?.subdistrict ?? PLACEHOLDER_NAMES.subdistrict,
    });
    const placeholder = root.district === PLACEHOLDER_NAMES.district || root.subdistrict === PLACEHOLDER_NAMES.subdistrict;
    const drift = created || migratedFrom !== null ? [] : await checkCountersPg(handle.db);
    if (drift.length) await rebuildCountersPg(handle.db);
    // The roles bound to subdistricts (district add-subdistrict …) get the tables a newer migration added.
    const { grantRole, listBindings } = await import('../../db/pg/district.ts');
    for (const b of await listBindings(handle.db)) await grantRole(handle.db, b.role, b.subdistrictId === null ? 'reader' : 'subdistrict');
    const shown = handle.file;
    const lines = [
      created
        ? `已在 PostgreSQL 数据库 ${shown} 中建立数据结构（版本 ${handle.schemaVersion}）。`
        : migratedFrom !== null
          ? `已把 PostgreSQL 数据库 ${shown} 从版本 ${migratedFrom} 升级到 ${handle.schemaVersion}。`
          : `PostgreSQL 数据库 ${shown} 已是当前版本（${handle.schemaVersion}），无需升级。`,
      `区：${root.district}　街道：${root.subdistrict}`,
    ];
    if (drift.length) lines.push(`统计计数与原始记录有 ${drift.length} 处不一致，已按原始记录重新计算。`);
    if (placeholder) lines.push('提示：区或街道名称尚未设置。请用 --district、--subdistrict 再运行一次 init，或由管理员登录后在“设置”中修改。');
    if (created) lines.push('首次打开程序时会要求创建系统管理员账号。');
    return ok(
      { file: shown, engine: 'postgres', created, encrypted: false, keyFileCreated: null, schemaVersion: handle.schemaVersion, migratedFrom, district: root.district, subdistrict: root.subdistrict, placeholder, countersRebuilt: drift.length > 0 },
      lines.join('\n'),
    );
  });
}

export default init;
