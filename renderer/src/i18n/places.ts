// The 小区 › 楼栋 pickers of the lists (namespace 'places'): 隔离人员, 物资需求 and 异常告警.
const zhCN = {
  compound: '小区',
  building: '楼栋',
  /** A building without a number (an address that named none). */
  noNumber: '（无楼号）',
  pickCompoundFirst: '先选小区',
};

const en: typeof zhCN = {
  compound: 'Compound',
  building: 'Building',
  noNumber: '(no number)',
  pickCompoundFirst: 'Compound first',
};

export default { 'zh-CN': zhCN, en };
