// The reports as a person prints them: a seeded demo subdistrict, every report exported through the command line
// (and the 隔离人员台账's 打印版), converted to PDF by LibreOffice headless as an office would print it, then read
// back with poppler: A4 landscape, a sane page count, the title, page numbers, the header repeated on page 2, no
// text printed over other text (wrapped rows that carry no height do), and a 打印版 printed in a readable size.
// Needs `apt-get install -y libreoffice-calc-nogui poppler-utils` (CI installs them; see .ci/run).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run.ts';
import { tempDir } from '../helpers/env.ts';
import { overlaps, printToolsReady, wordsOf, type Word } from '../helpers/print.ts';

const READY = printToolsReady('print-reports');

const DATE = '2022-01-20';
const dir = tempDir('idesk-print-');
const db = path.join(dir, 'demo.db');

interface Printed {
  name: string;
  args: string[];
  title: string;
  /** A column header that must print on page 2 as well (the header rows repeat). */
  header: string;
  rows: number;
  pages: number;
  size: string;
  text: string[];
  words: Word[][];
}


const REPORTS: { name: string; args: string[]; title: string; header: string }[] = [
  { name: 'daily-report', args: ['daily-report'], title: '每日工作日报', header: '社区' },
  { name: 'roster', args: ['roster'], title: '隔离人员台账', header: '证件号码' },
  { name: 'roster-print', args: ['roster', '--layout', 'print'], title: '隔离人员台账（打印版）', header: '核查情况' },
  { name: 'checkins', args: ['checkins'], title: '健康监测记录', header: '体温(℃)' },
  { name: 'supplies', args: ['supplies'], title: '物资需求清单', header: '物品及数量' },
  { name: 'cadres', args: ['cadres'], title: '下沉干部名册', header: '派出单位' },
];

const printed = new Map<string, Printed>();
let unit = '';



function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

describe.skipIf(!READY)('reports as printed by LibreOffice (A4, headers, page numbers, nothing printed over)', () => {
  beforeAll(async () => {
    const seeded = await runCli(['seed-demo', '--db', db, '--residents', '200', '--today', DATE, '--seed', '7', '--json']);
    expect(seeded.result.code).toBe(0);
    const s = seeded.result.json as { district: string; subdistrict: string };
    unit = `${s.district}${s.subdistrict}`;
    const files: string[] = [];
    for (const r of REPORTS) {
      const out = path.join(dir, `${r.name}.xlsx`);
      const done = await runCli(['export', ...r.args, '--db', db, '--date', DATE, '--out', out, '--json']);
      expect(done.result.code, JSON.stringify(done.result.json)).toBe(0);
      files.push(out);
      printed.set(r.name, { ...r, rows: (done.result.json as { rows: number }).rows, pages: 0, size: '', text: [], words: [] });
    }
    // A profile of its own: another LibreOffice running on the machine must not share (and lock) ours.
    const profile = path.join(dir, 'lo-profile');
    execFileSync('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, ...files], { stdio: 'ignore', timeout: 180_000 });
    for (const p of printed.values()) {
      const pdf = path.join(dir, `${p.name}.pdf`);
      expect(fs.existsSync(pdf), `${p.name}.pdf written`).toBe(true);
      const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
      p.pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
      p.size = /^Page size:\s+(.*)$/m.exec(info)?.[1] ?? '';
      p.text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).split('\f');
      p.words = wordsOf(pdf);
    }
  }, 300_000);

  it.each(REPORTS.map((r) => r.name))('%s: A4 landscape, title, page numbers, a sane page count', (name) => {
    const p = printed.get(name)!;
    expect(p.rows).toBeGreaterThan(0);
    expect(p.size).toMatch(/^841\.\d+ x 595\.\d+ pts \(A4\)/);
    expect(p.pages).toBeGreaterThan(0);
    // At least 10 rows a page (a report that prints a row per page, or tiny on one page, is not sane either way).
    expect(p.pages).toBeLessThanOrEqual(Math.ceil(p.rows / 10) + 2);
    const first = p.text[0].replace(/ +/g, '');
    expect(first).toContain(`${unit}${p.title}（2022年1月20日）`);
    expect(first).toContain(`第1页，共${p.pages}页`);
    if (p.pages > 1) {
      const second = p.text[1].replace(/ +/g, '');
      expect(second).toContain(`第2页，共${p.pages}页`);
      expect(second).toContain(p.header);
    }
  });

  it.each(REPORTS.map((r) => r.name))('%s: no text printed over other text', (name) => {
    const p = printed.get(name)!;
    p.words.forEach((page, i) => expect(overlaps(page), `page ${i + 1}`).toEqual([]));
  });

  it('物资需求清单: the 合计 counts say what they count; 类别 prints on one line', () => {
    const p = printed.get('supplies')!;
    const all = p.text.join('\n').replace(/ +/g, '');
    expect(all).toMatch(/合计[^\n]*共\d+单/);
    // 生活用品 / 垃圾清运 are whole words in the PDF (a 6-wide column broke them as 生活用 + 品).
    const words = p.words.flat().map((w) => w.text);
    expect(words.filter((w) => w === '生活用' || w === '垃圾清').length).toBe(0);
    expect(words).toContain('生活用品');
  });

  it('隔离人员台账（打印版） prints in a size an official can read; the full 台账 does not', () => {
    const size = (name: string) => median(printed.get(name)!.words[0].map((w) => w.y1 - w.y0));
    // Word boxes are about 0.9 of the font size: the full 台账 (17 columns) prints near 6 pt, the 打印版 near 10 pt.
    expect(size('roster')).toBeLessThan(8);
    expect(size('roster-print')).toBeGreaterThanOrEqual(9);
    expect(printed.get('roster-print')!.rows).toBe(printed.get('roster')!.rows);
  });
});
