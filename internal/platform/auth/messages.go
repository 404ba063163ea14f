package auth

import "grassroots/internal/platform/i18n"

func init() {
	i18n.Register(i18n.Catalog{
		"auth.password_short":     {Zh: "密码至少 %d 位。", En: "A password has at least %d characters."},
		"auth.username_format":    {Zh: "用户名为 2 到 32 位小写字母、数字或 _ . -。", En: "A user name is 2 to 32 lower-case letters, digits, _ . or -."},
		"auth.username_taken":     {Zh: "该用户名已被使用。", En: "This user name is taken."},
		"auth.role_required":      {Zh: "至少指定一个角色。", En: "Give at least one role."},
		"auth.role_unknown":       {Zh: "没有名为 %s 的角色。", En: "There is no role named %s."},
		"auth.unit_out_of_scope":  {Zh: "所选单位不存在或不在您的管辖范围内。", En: "That unit does not exist or is outside your area."},
		"auth.bad_credentials":    {Zh: "用户名或密码错误。", En: "Wrong user name or password."},
		"auth.locked":             {Zh: "连续登录失败次数过多，账号已锁定，请 %.0f 分钟后再试。", En: "Too many failed logins: the account is locked; try again in %.0f minutes."},
		"auth.session_expired":    {Zh: "登录已超时，请重新登录。", En: "Your session has ended; please log in again."},
		"auth.bad_token":          {Zh: "API 令牌无效或已吊销。", En: "The API token is not valid or was revoked."},
		"auth.token_revoked":      {Zh: "该 API 令牌已吊销。", En: "The API token was revoked already."},
		"auth.token_name_control": {Zh: "令牌用途不能含有控制字符。", En: "A token's label cannot hold control characters."},
		"role.district-admin":     {Zh: "区级管理员", En: "District administrator"},
		"role.street-staff":       {Zh: "街道工作人员", En: "Street staff"},
		"role.community-staff":    {Zh: "社区工作者", En: "Community worker"},
		"role.grid-member":        {Zh: "网格员", En: "Grid member"},
		"role.department-staff":   {Zh: "职能部门人员", En: "Department staff"},
		"role.instructor":         {Zh: "网格指导员", En: "Grid instructor"},
		"role.auditor":            {Zh: "审计员", En: "Auditor"},
		"auth.the_user":           {Zh: "用户", En: "The user"},
		"auth.the_token":          {Zh: "API 令牌", En: "The API token"},
	})
}
