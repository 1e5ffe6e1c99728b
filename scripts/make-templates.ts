// Writes the default notice templates to resources/templates/ (node scripts/make-templates.ts): the same bytes the
// app uses when no replacement was uploaded (electron/excel/docx/default-templates.ts). test/unit/notices.test.ts
// checks the committed files are what this writes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TEMPLATE_FILES, defaultTemplate } from '../electron/excel/docx/default-templates.ts';
import { NOTICE_KINDS } from '../electron/shared/notices.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'templates');
fs.mkdirSync(dir, { recursive: true });
for (const kind of NOTICE_KINDS) {
  const file = path.join(dir, DEFAULT_TEMPLATE_FILES[kind]);
  fs.writeFileSync(file, defaultTemplate(kind));
  console.log(`${file}`);
}
