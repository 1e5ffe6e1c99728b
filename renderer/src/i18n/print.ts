// The reports as printed (namespace 'print'): the 隔离人员台账's 打印版 choice on the reports page.
const zhCN = {
  layout: '版式',
  table: '完整表格',
  print: '打印版',
  printHint: '打印版：12 列，按小区分组，A4 横向打印字号可读（不含证件号码）；完整表格 17 列，适合在 Excel 中查看。',
};

const en: typeof zhCN = {
  layout: 'Layout',
  table: 'Full table',
  print: 'Print version',
  printHint: 'Print version: 12 columns grouped by compound, readable on A4 landscape (no document numbers); the full table has 17 columns, for reading in Excel.',
};

export default { 'zh-CN': zhCN, en };
