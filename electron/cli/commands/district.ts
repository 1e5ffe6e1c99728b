// `district`: several subdistricts on one PostgreSQL database (issue 17, migration 0015, db/pg/district.ts). Run with
// the URL of the tables' owner (the role init ran as; it needs CREATEROLE): adds a subdistrict with its own login role
// and first admin account, binds a role to an existing subdistrict, adds a district reader, lists the bindings.
import { readFileSync } from 'node:fs';
import { optionalString, requireString, type CommandArgs, type CommandModule } from '../args.ts';
import { CliError, ok, usageError } from '../output.ts';

const USAGE = [
  '用法：isolation-desk district <子命令> --db postgres://所有者:密码@主机:端口/库名 … [--json]',
  '',
  '  add-subdistrict --name <街道名> --password-file <文件> --admin <用户名> --admin-password-file <文件>',
  '                  [--admin-name <显示名>] [--role <角色名>]',
  '      在区下新建一个街道、它的数据库登录角色（默认 idesk_sub_<街道编号>：LOGIN、NOBYPASSRLS、不是表的所有者）',
  '      和它的第一个系统管理员账号。该街道的办公室服务器用这个角色连接，只能读写本街道的数据（行级安全）。',
  '  add-role --subdistrict <街道编号> --password-file <文件> [--role <角色名>]',
  '      为已有的街道（如 init 建立的第一个街道）建立登录角色。',
  '  add-reader --role <角色名> --password-file <文件>',
  '      区级只读角色：能读所有街道的数据，不能改；只写入自己的登录、查看明文和导出的审计记录（区级审计链）。',
  '      用它连接的服务器（serve --db postgres://<角色名>:…）就是区级只读服务器。',
  '  add-user --username <用户名> --password-file <文件> [--display-name <显示名>] [--account-role official|clerk|admin]',
  '      区级账号（默认 official 领导）：只能登录区级只读服务器，街道的服务器不接受；街道的账号也不能登录区级服务器。',
  '  list',
  '      列出各街道及其绑定的角色。',
  '',
  '  --password-file <文件>  数据库角色的密码（文件的第一行）。',
  '  用户名在整个区内唯一：两个街道不能有同名账号。',
].join('\n');

function readSecret(args: CommandArgs, name: string): string {
  const file = requireString(args, name, '密码文件');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw usageError(`无法读取密码文件 ${file}`);
  }
  const pw = text.split(/\r?\n/)[0];
  if (pw.length < 8) throw new CliError(1, 'VALIDATION', `密码文件 ${file} 中的密码太短（至少 8 位）。 / The password must have at least 8 characters.`);
  return pw;
}

function roleOption(args: CommandArgs, fallback: string | null): string {
  const { checkRoleName } = requireDistrict;
  const role = optionalString(args, 'role') ?? fallback;
  if (!role) throw usageError('请用 --role 指定角色名');
  if (!checkRoleName(role)) throw usageError(`角色名 ${role} 不合规：只能用小写字母、数字和下划线，以字母或下划线开头，最长 63 个字符。`);
  return role;
}

let requireDistrict: typeof import('../../db/pg/district.ts');

const district: CommandModule = {
  name: 'district',
  summary: '一个区的多个街道共用一个 PostgreSQL 数据库：新增街道及其数据库角色、区级只读角色',
  usage: USAGE,
  options: {
    db: { type: 'string' },
    name: { type: 'string' },
    'password-file': { type: 'string' },
    admin: { type: 'string' },
    'admin-password-file': { type: 'string' },
    'admin-name': { type: 'string' },
    role: { type: 'string' },
    subdistrict: { type: 'string' },
    username: { type: 'string' },
    'display-name': { type: 'string' },
    'account-role': { type: 'string' },
  },
  positionals: true,
  async run(args) {
    const sub = args.positionals[0];
    if (!sub || args.positionals.length > 1) throw usageError(USAGE);
    if (!['add-subdistrict', 'add-role', 'add-reader', 'add-user', 'list'].includes(sub)) throw usageError(`未知的子命令 ${sub}\n${USAGE}`);
    const url = requireString(args, 'db', 'PostgreSQL 数据库');
    const { isPostgresUrl, shownDb } = await import('../../db/engine.ts');
    if (!isPostgresUrl(url)) throw usageError('district 只适用于 PostgreSQL 数据库（--db postgres://…）：一个 SQLite 文件就是一个街道。');
    requireDistrict = await import('../../db/pg/district.ts');
    const d = requireDistrict;
    const { withDb } = await import('../context.ts');
    const { sql } = await import('kysely');
    return withDb(url, {}, async (handle) => {
      const db = handle.db;
      const binding = await d.readBinding(db);
      if (!binding.owner) throw new CliError(2, 'NOT_OWNER', `请用数据表所有者的账号连接（运行 init 的那个）；${shownDb(url)} 的角色不能管理街道和角色。`);
      if (sub === 'list') {
        const rows = (
          await sql<{ id: number; name: string; roles: string | null }>`SELECT p.id, p.name, string_agg(b.role_name, ',' ORDER BY b.role_name) AS roles
            FROM places p LEFT JOIN idesk_bindings b ON b.subdistrict_id = p.id WHERE p.level = 'subdistrict' GROUP BY p.id, p.name ORDER BY p.id`.execute(db)
        ).rows;
        const readers = (await d.listBindings(db)).filter((b) => b.subdistrictId === null).map((b) => b.role);
        const subdistricts = rows.map((r) => ({ id: Number(r.id), name: r.name, roles: r.roles ? r.roles.split(',') : [] }));
        const text = [...subdistricts.map((s) => `街道 ${s.id} ${s.name}：${s.roles.length ? s.roles.join('、') : '（无绑定角色，只有所有者能访问）'}`), `区级只读角色：${readers.length ? readers.join('、') : '无'}`].join('\n');
        return ok({ subdistricts, readers }, text);
      }
      if (sub === 'add-reader') {
        const role = roleOption(args, null);
        const password = readSecret(args, 'password-file');
        await db.transaction().execute((trx) => d.createBoundRole(trx, role, password, null));
        return ok({ role, subdistrictId: null }, `已建立区级只读角色 ${role}：可读所有街道的数据，不能修改（只记下自己的登录、查看明文和导出的审计记录）。`);
      }
      if (sub === 'add-user') {
        const { addDistrictUserPg } = await import('../../api/cli-postgres.ts');
        const role = optionalString(args, 'account-role') ?? 'official';
        if (!['official', 'clerk', 'admin'].includes(role)) throw usageError(`--account-role 只能是 official、clerk 或 admin（区级账号只读）：${role}`);
        const username = requireString(args, 'username', '用户名');
        const done = await addDistrictUserPg(db, {
          username,
          displayName: optionalString(args, 'display-name') ?? username,
          role: role as 'official' | 'clerk' | 'admin',
          password: readSecret(args, 'password-file'),
        });
        if (!done.ok) throw new CliError(1, done.code, done.message);
        return ok(
          { userId: done.userId, username, role, districtId: done.districtId, district: done.district },
          `已建立区级账号 ${username}（${done.district}，${role}）：只能登录区级只读服务器（用 add-reader 建立的角色连接）。`,
        );
      }
      if (sub === 'add-role') {
        const id = Number(requireString(args, 'subdistrict', '街道编号'));
        const place = (await sql<{ name: string }>`SELECT name FROM places WHERE id = ${Number.isInteger(id) ? id : -1} AND level = 'subdistrict'`.execute(db)).rows[0];
        if (!place) throw new CliError(1, 'NOT_FOUND', `没有编号为 ${args.values.subdistrict} 的街道（用 district list 查看）。`);
        const role = roleOption(args, `idesk_sub_${id}`);
        const password = readSecret(args, 'password-file');
        await db.transaction().execute((trx) => d.createBoundRole(trx, role, password, id));
        return ok({ role, subdistrictId: id, subdistrict: place.name }, `已为街道 ${place.name}（编号 ${id}）建立数据库角色 ${role}。`);
      }
      // add-subdistrict
      const { addSubdistrictPg } = await import('../../api/cli-postgres.ts');
      const password = readSecret(args, 'password-file');
      const adminUser = requireString(args, 'admin', '第一个管理员的用户名');
      const adminPassword = readSecret(args, 'admin-password-file');
      if (optionalString(args, 'role') !== undefined) roleOption(args, null);
      const done = await addSubdistrictPg(db, {
        name: requireString(args, 'name', '街道名'),
        adminName: optionalString(args, 'admin-name'),
        adminUser,
        adminPassword,
        roleFor: (id) => roleOption(args, `idesk_sub_${id}`),
        createRole: (trx, role, subdistrictId) => d.createBoundRole(trx, role, password, subdistrictId),
      });
      if (!done.ok) throw new CliError(1, done.code, done.message);
      const { out, name } = done;
      return ok(
        { ...out, subdistrict: name, admin: adminUser },
        [`已新建街道 ${name}（编号 ${out.subdistrictId}）、数据库角色 ${out.role} 和管理员账号 ${adminUser}。`, `该街道的服务器请用 postgres://${out.role}:<密码>@主机:端口/库名 连接。`].join('\n'),
      );
    });
  },
};

export default district;
