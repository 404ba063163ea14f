package auth

import (
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/i18n"
)

// The audit log's words for sign-ins, users and API tokens.
func init() {
	i18n.Register(i18n.Catalog{
		"audit.action.login":         {Zh: "登录", En: "Signed in"},
		"audit.action.login.failed":  {Zh: "登录失败", En: "Sign-in failed"},
		"audit.action.login.locked":  {Zh: "账号锁定时尝试登录", En: "Sign-in while locked"},
		"audit.action.logout":        {Zh: "退出登录", En: "Signed out"},
		"audit.action.user.create":   {Zh: "新建用户", En: "Created a user"},
		"audit.action.user.password": {Zh: "修改密码", En: "Changed a password"},
		"audit.action.token.create":  {Zh: "签发接口令牌", En: "Issued an API token"},
		"audit.action.token.revoke":  {Zh: "吊销接口令牌", En: "Revoked an API token"},
		"audit.entity.user":          {Zh: "用户", En: "User"},
		"audit.entity.api_token":     {Zh: "接口令牌", En: "API token"},
		// A new user's grants are GrantSpecs, written with their Go names.
		"audit.field.Role":                      {Zh: "角色", En: "Role"},
		"audit.field.UnitID":                    {Zh: "单位编号", En: "Unit"},
		"audit.reason.unknown user":             {Zh: "用户名不存在", En: "unknown user"},
		"audit.reason.account locked":           {Zh: "账号已锁定", En: "account locked"},
		"audit.reason.bad password":             {Zh: "密码错误", En: "wrong password"},
		"audit.reason.bad password; locked":     {Zh: "密码错误，账号已锁定", En: "wrong password; locked"},
		"audit.reason.account disabled":         {Zh: "账号已停用", En: "account disabled"},
		"audit.reason.account disabled; locked": {Zh: "账号已停用，已锁定", En: "account disabled; locked"},
	})
	audit.ValueWords("", "role", "role.")
	audit.ValueWords("", "Role", "role.")
	audit.ValueWords("user", "reason", "audit.reason.")
}
