// Reading a document as it prints: LibreOffice headless converts it to PDF, poppler reads the PDF back. Shared by the
// printed-page tests (print-reports, print-round-report). CI installs both (.ci/run): there a missing tool is a
// failure; elsewhere the tests say so and are skipped.
import { execFileSync } from 'node:child_process';

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether LibreOffice and poppler are here; under CI their absence throws (the test file fails, it is not skipped). */
export function printToolsReady(test: string): boolean {
  const ready = has('soffice') && has('pdfinfo') && has('pdftotext');
  if (!ready && process.env.CI) throw new Error('CI: LibreOffice Calc or poppler is missing (.ci/run installs libreoffice-calc-nogui poppler-utils)');
  if (!ready) console.warn(`${test}: skipped — LibreOffice or poppler missing (apt-get install -y libreoffice-calc-nogui poppler-utils)`);
  return ready;
}

export interface Word {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  text: string;
}

/** Every word of every page with its box (pdftotext -bbox), in points from the page's top left. */
export function wordsOf(pdf: string): Word[][] {
  const html = execFileSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8' });
  return html
    .split('<page ')
    .slice(1)
    .map((page) =>
      [...page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({ x0: +m[1], y0: +m[2], x1: +m[3], y1: +m[4], text: m[5] })),
    );
}

/** Pairs of words printed over each other: boxes crossing by more than half a line's height. */
export function overlaps(words: Word[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    for (let j = i + 1; j < words.length; j++) {
      const a = words[i];
      const b = words[j];
      const ix = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
      const iy = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      if (ix > 0.5 && iy > 0.5 * Math.min(a.y1 - a.y0, b.y1 - b.y0)) out.push([a.text, b.text]);
    }
  }
  return out;
}
