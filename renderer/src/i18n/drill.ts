// The dashboard's drill-down below a community (namespace 'drill'): its compounds, then a compound's buildings.
const zhCN = {
  title: '按小区、楼栋',
  hint: '点社区名看各小区，点小区名看各楼栋。',
  all: '全部社区',
  compound: '小区',
  building: '楼栋',
  underControl: '在管',
  newToday: '新增',
  releasedToday: '解除',
  due: '待解除',
  done: '已报人次',
  missing: '未报人次',
  abnormal: '异常',
  supplyOpen: '未办结需求',
  empty: '这里今天没有在管人员、监测记录或未办结的需求。',
};

const en: typeof zhCN = {
  title: 'By compound and building',
  hint: 'Click a community to see its compounds, a compound to see its buildings.',
  all: 'All communities',
  compound: 'Compound',
  building: 'Building',
  underControl: 'Under control',
  newToday: 'New',
  releasedToday: 'Released',
  due: 'Due for release',
  done: 'Reported (person-slots)',
  missing: 'Missing (person-slots)',
  abnormal: 'Abnormal',
  supplyOpen: 'Open requests',
  empty: 'Nobody under control, no check-ins and no open requests here today.',
};

export default { 'zh-CN': zhCN, en };
