// `serve`: the office server — the API, the built renderer and the live feed over HTTPS for every committee PC and
// browser of the office (electron/server). Listens on 127.0.0.1 unless the admin enabled the LAN (设置 › 共享) or
// names an address with --host. Prints one line ({"url","fingerprint"} with --json) once listening, serves until
// SIGTERM/SIGINT, then stops gracefully (running calls finish, a backup if anything changed).
import path from 'node:path';
import { DB_OPTION, intOption, optionalString, requireString, type CommandModule } from '../args.ts';
import { CliError, ok } from '../output.ts';

const serve: CommandModule = {
  name: 'serve',
  summary: '作为街道服务器运行：各社区电脑和浏览器通过 HTTPS 共用这个数据库（需先配对设备）',
  usage: [
    '用法：isolation-desk serve --db <文件|postgres://…> [--host <地址>] [--port <端口>] [--cert <证书> --key <私钥>]',
    '                           [--data-dir <文件夹>] [--json]',
    '',
    '  --db <文件>      数据库文件（须已存在：先用 init 创建），或 PostgreSQL 数据库',
    '                   postgres://用户:密码@主机:端口/库名（先用 init --db 同一地址初始化；密码不会显示或写入日志）',
    '  --data-dir <文件夹>  证书、日志和导出文件放在这里；默认在数据库文件旁，PostgreSQL 时为',
    '                   用户主目录下的 .isolation-desk/serve/<主机_端口_库名>',
    '  --host <地址>    监听的地址；默认按“设置 › 共享”：未开启局域网时只监听本机 127.0.0.1，',
    '                   开启后监听所选网卡的地址（0.0.0.0 表示所有网卡）',
    '  --port <端口>    端口，默认按“设置 › 共享”（5443）；0 表示自动选择空闲端口',
    '  --cert/--key     单位自己的证书和私钥（PEM）；省略时首次启动自动生成自签名证书（ECDSA P-256），',
    '                   保存在数据库旁的 office-server 文件夹，私钥仅所有者可读',
    '  --json           启动后输出一行 {"url":…,"fingerprint":…}',
    '',
    '启动后显示证书指纹（SHA-256）：各电脑配对时核对它。新电脑需要配对码：',
    '  isolation-desk devices pair-code --db <文件>（或由管理员在“设置 › 设备”中生成）。',
    '日志写在数据库旁的 logs/office-server.log（超过 10 MB 轮换，保留 5 个）。按 Ctrl+C 或发送 SIGTERM 停止。',
  ].join('\n'),
  options: { ...DB_OPTION, 'data-dir': { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' } },
  async run(args) {
    const db = requireString(args, 'db', '数据库文件');
    const { isPostgresUrl } = await import('../../db/engine.ts');
    const file = isPostgresUrl(db) ? db : path.resolve(db);
    const dataDirArg = optionalString(args, 'data-dir');
    const hostArg = optionalString(args, 'host');
    const portArg = args.values.port === undefined ? undefined : intOption(args, 'port', { min: 0, max: 65535 });
    const certFile = optionalString(args, 'cert');
    const keyFile = optionalString(args, 'key');
    if ((certFile === undefined) !== (keyFile === undefined)) throw new CliError(2, 'USAGE', '--cert 和 --key 须同时给出（证书和它的私钥，PEM 格式）。');
    if (hostArg !== undefined && !/^(\d{1,3}\.){3}\d{1,3}$|^localhost$/.test(hostArg)) throw new CliError(2, 'USAGE', `--host 应为本机的 IPv4 地址（如 192.168.1.10）或 0.0.0.0：${hostArg}`);
    const { runServe } = await import('../../server/process.ts');
    const outcome = await runServe({ file, dataDir: dataDirArg === undefined ? undefined : path.resolve(dataDirArg), host: hostArg, port: portArg, certFile, keyFile, json: args.json });
    return { ...ok(outcome, '街道服务器已停止。'), printed: true };
  },
};

export default serve;
