// The office server's log file rotates: past its size it becomes .1, older ones move up, at most `keep` are kept,
// and the file is readable by its owner only.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/env.ts';
import { RotatingLog } from '../../electron/server/log.ts';

describe('the server log', () => {
  it('rotates at its size, keeps the newest files, owner-only', () => {
    const file = path.join(tempDir('idesk-log-'), 'logs', 'server.log');
    const log = new RotatingLog(file, 1000, 3);
    const line = (i: number) => `${JSON.stringify({ i, msg: 'request completed'.padEnd(80, '.') })}\n`;
    for (let i = 0; i < 100; i++) log.write(line(i));
    log.close();
    const names = fs.readdirSync(path.dirname(file)).sort();
    expect(names).toEqual(['server.log', 'server.log.1', 'server.log.2', 'server.log.3']);
    for (const n of names) expect(fs.statSync(path.join(path.dirname(file), n)).size).toBeLessThanOrEqual(1000);
    expect(fs.readFileSync(file, 'utf8')).toContain('"i":99');
    expect(fs.readFileSync(`${file}.1`, 'utf8')).not.toContain('"i":99');
    expect(fs.statSync(file).mode & 0o077).toBe(0);
  });
});
