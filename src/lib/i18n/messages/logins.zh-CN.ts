// Chinese strings of sign-in throttling and of the admins' sign-in audit (spread into zh-CN.ts).

export const loginsZhCN = {
  'login.error.throttled': '尝试次数过多，请 {seconds} 秒后再试',
  'login.error.refused': '尝试次数过多，请 {minutes} 分钟后再试',

  'admin.loginsLink': '查看登录记录',
  'logins.title': '登录记录',
  'logins.intro': '每一次登录尝试：登录名、来源地址、时间和结果（不记录密码），最新的在前。保留 {days} 天。',
  'logins.filter.outcome': '结果',
  'logins.filter.all': '全部结果',
  'logins.filter.login': '登录名',
  'logins.apply': '筛选',
  'logins.empty': '没有符合条件的登录记录。',
  'logins.page': '第 {page} / {pages} 页，共 {total} 条',
  'logins.previous': '上一页',
  'logins.next': '下一页',
  'logins.col.at': '时间',
  'logins.col.login': '登录名',
  'logins.col.account': '账号',
  'logins.col.address': '来源地址',
  'logins.col.outcome': '结果',
  'logins.outcome.ok': '成功',
  'logins.outcome.wrong_password': '密码错误',
  'logins.outcome.unknown_user': '用户不存在',
  'logins.outcome.disabled': '账号已停用',
  'logins.outcome.throttled': '过于频繁（需等待）',
  'logins.outcome.refused': '已拒绝（超过上限）',
} as const;
