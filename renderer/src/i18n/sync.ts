// Working together on one server (namespace 'sync'): the conflict dialog (someone else saved first) and the banner
// shown while the server cannot be reached.
const zhCN = {
  conflict: {
    title: '此记录已被他人修改',
    byAt: '已被 {{by}} 于 {{time}} 修改',
    someoneAt: '已于 {{time}} 被他人修改',
    someone: '已被他人修改',
    intro: '您的修改尚未保存。下面是您改动的内容和记录现在的内容：',
    noFields: '您的修改尚未保存。',
    field: '项目',
    mine: '您的修改',
    current: '当前内容',
    empty: '（空）',
    loadFailed: '读取当前内容失败：{{error}}',
    reapply: '重新应用我的修改',
    discard: '放弃我的修改',
    reapplyHint: '“重新应用”会把您的修改保存在当前内容之上；“放弃”则关闭编辑并显示当前内容。',
  },
  offline: {
    banner: '与街道服务器的连接已断开，正在重试…（输入的内容不会丢失，恢复连接后请再保存）',
    notSaved: '未保存：与服务器的连接已断开。您输入的内容仍保留在此，恢复连接后请再点保存。',
  },
};

const en: typeof zhCN = {
  conflict: {
    title: 'Someone else changed this record',
    byAt: 'Changed by {{by}} at {{time}}',
    someoneAt: 'Changed by someone else at {{time}}',
    someone: 'Changed by someone else',
    intro: 'Your changes are not saved yet. Here is what you changed and what the record holds now:',
    noFields: 'Your changes are not saved yet.',
    field: 'Field',
    mine: 'Your change',
    current: 'Now',
    empty: '(empty)',
    loadFailed: 'Could not read the current record: {{error}}',
    reapply: 'Reapply my changes',
    discard: 'Discard my changes',
    reapplyHint: '“Reapply” saves your changes on top of the current record; “Discard” closes the form and shows the current record.',
  },
  offline: {
    banner: 'The connection to the subdistrict server was lost; retrying… (what you typed is kept; save again once it is back)',
    notSaved: 'Not saved: the connection to the server was lost. What you typed is still here; save again once the connection is back.',
  },
};

export default { 'zh-CN': zhCN, en };
