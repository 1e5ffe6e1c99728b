// Runs once per `npm run test:pg`: the migrated template database every test copies (test/helpers/pg-db.ts).
import { makePgTemplate, testPgUrl } from '../helpers/pg-db.ts';

export default async function setup(): Promise<void> {
  if (!testPgUrl()) throw new Error('IDESK_TEST_PG_URL is not set: run these suites with `npm run test:pg`, which starts PostgreSQL.');
  await makePgTemplate();
}
