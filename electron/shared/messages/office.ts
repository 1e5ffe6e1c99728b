// Messages of the office server: pairing devices, refusing unknown ones, the network transport's own errors.
export const office = {
  'settings.serverHostFormat': ['服务地址应为本机网卡的 IPv4 地址（如 192.168.1.10），或留空表示所有网卡', 'The server address should be an IPv4 address of this computer (e.g. 192.168.1.10), or empty for every interface'],
  'device.unpaired': ['这台电脑尚未与街道服务器配对（或配对已被撤销）。请向管理员索取配对码，在配对页输入。', 'This computer is not paired with the office server (or its pairing was revoked). Ask the administrator for a pairing code and enter it on the pairing page.'],
  'device.badCode': ['配对码不正确或已过期。配对码为 8 位数字，10 分钟内有效，只能用一次；请向管理员索取新的配对码。', 'The pairing code is wrong or has expired. A code has 8 digits, is valid for 10 minutes and works once; ask the administrator for a new one.'],
  'device.codeFormat': ['配对码应为 8 位数字', 'The pairing code has 8 digits'],
  'device.nameRequired': ['请填写设备名称（如“西大街社区电脑”）', 'Name this device (e.g. "West Street office PC")'],
  'device.alreadyRevoked': ['该设备已被撤销。', 'That device is already revoked.'],
  'device.notServer': ['只有街道服务器（serve）才能配对设备。', 'Only the office server (serve) pairs devices.'],
  'device.tooMany': ['尝试过于频繁，请 {seconds} 秒后再试。', 'Too many attempts; try again in {seconds} seconds.'],
  'server.idempotencyKey': ['Idempotency-Key 请求头应为 8–100 个字母、数字、“-”或“_”。', 'The Idempotency-Key header should be 8–100 letters, digits, "-" or "_".'],
  'server.busy': ['服务器正忙，请稍后重试。', 'The server is busy; try again in a moment.'],
  'server.timeout': ['服务器处理超时，请稍后重试；如果是保存操作，请刷新后确认是否已保存。', 'The server took too long; try again shortly. If you were saving, refresh to see whether it was saved.'],
  'server.shuttingDown': ['服务器正在关闭，请稍后重试。', 'The server is shutting down; try again shortly.'],
  'server.notRunning': ['共享服务未运行。', 'The office server is not running.'],
  'server.notHere': ['这里不能启动或停止共享服务（它作为独立服务运行，或在浏览器模式下）。', 'The office server cannot be started or stopped from here (it runs as its own service, or this is browser mode).'],
  'thing.device': ['该设备', 'this device'],
  'serverDb.badUrl': [
    'PostgreSQL 数据库地址的格式不对。应为 postgres://用户名:密码@主机:端口/数据库名，例如 postgres://idesk:密码@192.168.1.20:5432/district',
    'The PostgreSQL address is not valid. It should be postgres://user:password@host:port/database, e.g. postgres://idesk:password@192.168.1.20:5432/district',
  ],
  'serverDb.unreachable': [
    '无法连接 PostgreSQL 数据库 {url}：{reason}。请检查地址、端口、用户名和密码，数据库服务器是否已启动，防火墙是否放行。设置未保存。',
    'Cannot connect to the PostgreSQL database {url}: {reason}. Check the address, port, user name and password, that the database server is running and that the firewall lets it through. Nothing was saved.',
  ],
  'serverDb.tooNew': [
    'PostgreSQL 数据库 {url} 由更新版本的居家隔离管理台建立（数据结构版本 {version}），请先升级本程序。设置未保存。',
    'The PostgreSQL database {url} was set up by a newer version of Isolation Desk (schema version {version}); upgrade this program first. Nothing was saved.',
  ],
  'serverDb.noKeyStore': [
    '此电脑没有可用的系统密钥存储，无法安全保存数据库密码，设置未保存。Windows 请用本人的账户登录后重试；Linux 需要 GNOME 密钥环或 KWallet。',
    'This computer has no usable system key store to keep the database password safely; nothing was saved. On Windows sign in with your own account and try again; on Linux a GNOME keyring or KWallet is needed.',
  ],
  'serverDb.notHere': ['只有桌面程序可以选择服务器的数据库（命令行请用 serve --db）。', 'Only the desktop app chooses its server\'s database (on the command line: serve --db).'],
} as const satisfies Record<string, readonly [string, string]>;
