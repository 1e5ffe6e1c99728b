// Seeds a small e2e database with the domain functions, for use while the CLI's `seed-demo` is not available.
// Same accounts as test/helpers/env.ts (admin/clerk/committee1/committee2/official, password demo1234).
import { openDatabase } from '../../electron/db/open.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import type { Ctx } from '../../electron/domain/context.ts';
import { ensureCommunity, setOrgIdentity } from '../../electron/domain/places.ts';
import { createUser } from '../../electron/domain/users.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { addDays } from '../../electron/domain/dates.ts';

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗';
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀兰', '霞'];

export async function seedFallback(file: string, opts: { residents: number; today: string }): Promise<void> {
  const handle = await openDatabase(file, { create: true });
  const clock = fixedClock(`${opts.today}T07:00:00.000Z`); // 15:00 in Shanghai, as seed-demo
  const ctx: Ctx = { db: handle.db, actor: CLI_ACTOR, clock };
  try {
    await setOrgIdentity(ctx, '广阳区', '解放道街道');
    const communities = [await ensureCommunity(ctx, '西大街社区'), await ensureCommunity(ctx, '华夏里社区'), await ensureCommunity(ctx, '新华路社区')];
    for (const u of [
      { username: 'admin', displayName: '管理员', role: 'admin' as const },
      { username: 'clerk', displayName: '街道王科员', role: 'clerk' as const },
      { username: 'committee1', displayName: '西大街李主任', role: 'committee' as const, communityId: communities[0] },
      { username: 'committee2', displayName: '华夏里赵主任', role: 'committee' as const, communityId: communities[1] },
      { username: 'official', displayName: '张书记', role: 'official' as const },
    ]) {
      await createUser(ctx, { ...u, password: 'demo1234' });
    }
    for (let i = 0; i < opts.residents; i++) {
      const community = communities[i % communities.length];
      const sex = i % 2 === 0 ? 'M' : 'F';
      const birth = `${1950 + (i % 60)}-0${1 + (i % 9)}-1${i % 10}`;
      const r = await createResident(ctx, {
        name: SURNAMES[i % SURNAMES.length] + GIVEN[(i * 7) % GIVEN.length],
        docType: '居民身份证',
        docNumber: makeIdNumber('131003', birth, (i * 2 + (sex === 'M' ? 1 : 0)) % 1000),
        sex,
        birthDate: birth,
        phone: `138${String(10000000 + i * 7919).slice(-8)}`,
        category: i % 5 === 0 ? '次密接' : '密接',
        address: { communityId: community, compound: ['金色家园', '银河小区', '建设里'][i % 3], building: `${1 + (i % 8)}`, unit: `${1 + (i % 3)}`, room: `${100 + i}` },
      });
      // Start dates spread over the last 10 days, so some are due for release and some started today.
      await startEpisode(ctx, { residentId: r.id, startDate: addDays(opts.today, -(i % 10)) });
    }
  } finally {
    await handle.close();
  }
}
