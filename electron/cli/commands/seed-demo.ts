// `seed-demo`: fills a new (or freshly initialised) database with a realistic demo subdistrict, deterministic for a
// given --seed and --today. Demo accounts share one password: for demo databases only.
import { DB_OPTION, intOption, optionalString, requireString, type CommandModule } from '../args.ts';
import { ok, usageError } from '../output.ts';

const seedDemo: CommandModule = {
  name: 'seed-demo',
  summary: '生成演示数据（社区、小区、住户、隔离人员、监测记录、物资需求、下沉干部及包联组、排班、入户走访、特殊需求、全员核酸轮次、演示账号）',
  usage: [
    '用法：isolation-desk seed-demo --db <文件> --residents <人数> [--days <天数>] [--seed <整数>]',
    '                              [--password <密码>] [--today <YYYY-MM-DD>] [--json]',
    '',
    '  --db <文件>         新的数据库文件（不存在时创建；已有居民或账号的数据库会被拒绝）',
    '  --residents <人数>  隔离人员人数，1 至 2000000',
    '  --days <天数>       隔离开始日期分布在最近几天内，默认 10',
    '  --seed <整数>       随机种子，默认 1；种子和“今天”相同，生成的数据就相同',
    '  --password <密码>   所有演示账号的密码，默认 demo1234（仅用于演示数据库）',
    '  --today <日期>      把这一天当作“今天”（下午 3 点）；默认按北京时间的当前时刻',
    '  --subdistricts <N>  PostgreSQL：一个区下 N 个街道（2 至 12），--residents 为全区总人数，平均分到各街道；',
    '                      第 2 个起各街道的演示账号带前缀 s2_、s3_ …（用户名在全区唯一）。用 district add-role 为各街道建数据库角色。',
    '  --encrypt           新建的演示数据库加密（密钥来自 --key-file，不存在时生成；或 ISOLATION_DESK_DB_KEY）；默认不加密',
    '',
    '演示账号：admin（系统管理员）、clerk（街道工作人员）、committee1…（各社区工作人员，committee1 属第一个社区）、official（领导）、cadre（下沉干部，市国资委包联组成员，只看自己的任务）。',
  ].join('\n'),
  ownKey: true,
  options: { ...DB_OPTION, encrypt: { type: 'boolean' }, residents: { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' }, password: { type: 'string' }, today: { type: 'string' }, subdistricts: { type: 'string' } },
  async run(args) {
    const file = requireString(args, 'db', '数据库文件');
    const residents = intOption(args, 'residents', { min: 1, max: 2_000_000 });
    const days = intOption(args, 'days', { min: 1, max: 60, default: 10 });
    const seed = intOption(args, 'seed', { min: 0, max: 2 ** 31 - 1, default: 1 });
    const password = optionalString(args, 'password') ?? 'demo1234';
    const todayArg = optionalString(args, 'today');
    const { checkSeedOptions, seedDemoFile } = await import('../seed/file.ts');
    // Refused before the file is created or touched.
    const clock = checkSeedOptions(todayArg, password);
    const { commandKey } = await import('../context.ts');
    const encrypt = args.values.encrypt === true;
    const keyFile = optionalString(args, 'key-file');
    const { isPostgresUrl, redactUrl } = await import('../../db/engine.ts');
    if (encrypt && isPostgresUrl(file)) throw usageError('--encrypt 只适用于 SQLite 数据库文件；PostgreSQL 数据库的加密由数据库服务器负责。');
    if (encrypt) {
      const { fileKind } = await import('../../db/sqlite.ts');
      const kind = fileKind(file);
      commandKey(keyFile, { create: kind === 'missing' || kind === 'empty' });
    } else {
      const { resolveKey } = await import('../../db/keys.ts');
      const { setDatabaseKey } = await import('../../db/sqlite.ts');
      setDatabaseKey(resolveKey(keyFile));
    }
    const subdistricts = intOption(args, 'subdistricts', { min: 1, max: 12, default: 1 });
    if (subdistricts > 1 && !isPostgresUrl(file)) throw usageError('--subdistricts 只适用于 PostgreSQL 数据库（一个 SQLite 文件就是一个街道）。');
    const started = performance.now();
    const progress = !args.json && process.stderr.isTTY ? (done: number, total: number) => process.stderr.write(`\r已生成 ${done}/${total} 人…`) : undefined;
    if (subdistricts > 1) {
      const { seedDistrictDb } = await import('../seed/file.ts');
      const all = await seedDistrictDb(file, clock, { residents, days, seed, password, onProgress: progress }, subdistricts);
      if (progress) process.stderr.write('\n');
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      const list = all.map((s) => ({ subdistrict: s.subdistrict, residents: s.counts.residents, communities: s.communities.length, accounts: s.accounts.map((a) => a.username) }));
      const text = [
        `已生成演示数据：${all[0].district}下 ${all.length} 个街道，居民共 ${all.reduce((a, s) => a + s.counts.residents, 0)} 人，今天按 ${all[0].today} 计，用时 ${seconds} 秒。`,
        ...list.map((s) => `${s.subdistrict}：居民 ${s.residents} 人，社区 ${s.communities} 个，演示账号 ${s.accounts.join('、')}`),
        `演示账号密码 ${password}（仅限演示）。`,
      ].join('\n');
      return ok({ file: redactUrl(file), seed, days, today: all[0].today, seconds, district: all[0].district, subdistricts: list }, text);
    }
    const summary = await seedDemoFile(file, { encrypt }, clock, { residents, days, seed, password, onProgress: progress });
    if (progress) process.stderr.write('\n');
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    const c = summary.counts;
    const text = [
      `已生成演示数据：${summary.district}${summary.subdistrict}，今天按 ${summary.today} 计，用时 ${seconds} 秒。`,
      `社区 ${summary.communities.length} 个（${summary.communities.map((x) => x.name).join('、')}），地点 ${c.places} 个，住户 ${c.households} 户，居民 ${c.residents} 人`,
      `隔离/监测期 ${c.episodes} 个，核酸结果 ${c.tests} 条，健康监测记录 ${c.checkins} 条，异常告警 ${c.alerts} 条`,
      `物资需求 ${c.supplyRequests} 条（物品 ${c.supplyItems} 项，流转 ${c.supplyTransitions} 次），下沉干部 ${c.cadres} 名`,
      `包联组 ${c.cadreGroups} 个，排班 ${c.cadreShifts} 班次，入户走访 ${c.doorVisits} 户次；特殊需求标记 ${c.residentNeeds} 个，定期需求 ${c.needSchedules} 项（已生成需求 ${c.needScheduleRuns} 次）`,
      `全员核酸 ${c.testRounds} 轮：结果 ${summary.roundTests} 条（含在上面的核酸结果中），免检 ${c.roundExemptions} 人`,
      `演示账号（密码 ${password}，仅限演示）：${summary.accounts.map((a) => `${a.username}（${a.displayName}${a.community ? '，' + a.community : ''}）`).join('、')}`,
    ].join('\n');
    return ok({ file: isPostgresUrl(file) ? redactUrl(file) : file, seed, days, today: summary.today, seconds, district: summary.district, subdistrict: summary.subdistrict, communities: summary.communities, accounts: summary.accounts, counts: c, roundTests: summary.roundTests }, text);
  },
};

export default seedDemo;
