package account

import "grassroots/internal/platform/i18n"

func init() {
	i18n.Register(i18n.Catalog{
		"nav.users":                 {Zh: "用户管理", En: "Users"},
		"nav.audit":                 {Zh: "审计日志", En: "Audit log"},
		"account.login":             {Zh: "登录", En: "Log in"},
		"account.login_note":        {Zh: "连续 5 次密码错误将锁定账号 10 分钟；30 分钟无操作将自动退出。", En: "Five wrong passwords in a row lock the account for 10 minutes; 30 idle minutes end the session."},
		"account.username":          {Zh: "用户名", En: "User name"},
		"account.password":          {Zh: "密码", En: "Password"},
		"account.display_name":      {Zh: "姓名", En: "Name"},
		"account.roles":             {Zh: "角色与单位", En: "Roles and units"},
		"account.role":              {Zh: "角色", En: "Role"},
		"account.me":                {Zh: "我的账号", En: "My account"},
		"account.change_password":   {Zh: "修改密码", En: "Change password"},
		"account.current_password":  {Zh: "当前密码", En: "Current password"},
		"account.new_password":      {Zh: "新密码", En: "New password"},
		"account.confirm_password":  {Zh: "确认新密码", En: "Confirm new password"},
		"account.password_rule":     {Zh: "至少 8 位。", En: "At least 8 characters."},
		"account.wrong_password":    {Zh: "当前密码不正确。", En: "The current password is wrong."},
		"account.password_mismatch": {Zh: "两次输入的新密码不一致。", En: "The two new passwords differ."},
		"account.new_user":          {Zh: "新建用户", En: "New user"},
		"account.unit_hint":         {Zh: "用户在该单位及其下级范围内开展工作。", En: "The user works in this unit and everything below it."},
		"account.state":             {Zh: "状态", En: "State"},
		"account.active":            {Zh: "正常", En: "Active"},
		"account.disabled":          {Zh: "已停用", En: "Disabled"},
		"account.locked_until":      {Zh: "锁定至", En: "Locked until"},
		"account.created":           {Zh: "创建时间", En: "Created"},
		"account.audit_at":          {Zh: "时间", En: "When"},
		"account.audit_who":         {Zh: "操作人", En: "Who"},
		"account.audit_ip":          {Zh: "来源地址", En: "From"},
		"account.audit_action":      {Zh: "操作", En: "Action"},
		"account.audit_entity":      {Zh: "对象", En: "Record"},
		"account.audit_detail":      {Zh: "详情", En: "Detail"},
		"account.older":             {Zh: "更早的记录", En: "Older entries"},
	})
}
