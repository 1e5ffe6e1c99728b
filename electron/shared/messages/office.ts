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
} as const satisfies Record<string, readonly [string, string]>;
