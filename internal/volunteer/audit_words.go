package volunteer

import (
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
)

// addAuditNames says how the audit log names volunteers, teams,
// activities, sign-ups and merchants.
func addAuditNames(names *audit.Names, q db.Querier) {
	names.Add("volunteer", audit.NamesFrom(q, `SELECT id, name FROM vol_volunteers WHERE id IN (%s)`))
	names.Add("vol_team", audit.NamesFrom(q, `SELECT id, name FROM vol_teams WHERE id IN (%s)`))
	names.Add("vol_activity", audit.NamesFrom(q, `SELECT id, title FROM vol_activities WHERE id IN (%s)`))
	names.Add("vol_signup", audit.NamesFrom(q, `SELECT g.id, v.name || ' · ' || a.title FROM vol_signups g
		JOIN vol_volunteers v ON v.id = g.volunteer_id JOIN vol_shifts s ON s.id = g.shift_id JOIN vol_activities a ON a.id = s.activity_id
		WHERE g.id IN (%s)`))
	names.Add("merchant", audit.NamesFrom(q, `SELECT id, name FROM lb_merchants WHERE id IN (%s)`))
}

// The audit log's words for volunteers and the love bank.
func init() {
	i18n.Register(i18n.Catalog{
		"audit.action.volunteer.create":            {Zh: "登记志愿者", En: "Registered a volunteer"},
		"audit.action.volunteer.update":            {Zh: "修改志愿者信息", En: "Changed a volunteer"},
		"audit.action.volunteer.link":              {Zh: "关联志愿者账号", En: "Linked a volunteer's account"},
		"audit.action.volunteer.unlink":            {Zh: "解除志愿者账号关联", En: "Unlinked a volunteer's account"},
		"audit.action.volunteer.certificate":       {Zh: "出具志愿服务证明", En: "Issued a service certificate"},
		"audit.action.volunteer.record_training":   {Zh: "记录培训", En: "Recorded a training"},
		"audit.action.volunteer.record_award":      {Zh: "记录表彰", En: "Recorded an award"},
		"audit.action.volunteer.record_evaluation": {Zh: "记录评价", En: "Recorded an evaluation"},
		"audit.action.vol_team.create":             {Zh: "新建志愿服务队", En: "Created a team"},
		"audit.action.vol_team.update":             {Zh: "修改志愿服务队", En: "Changed a team"},
		"audit.action.vol_team.join":               {Zh: "加入服务队", En: "Joined a team"},
		"audit.action.vol_team.leave":              {Zh: "退出服务队", En: "Left a team"},
		"audit.action.vol_activity.create":         {Zh: "发布志愿活动", En: "Posted an activity"},
		"audit.action.vol_activity.cancel":         {Zh: "取消志愿活动", En: "Cancelled an activity"},
		"audit.action.vol_signup.create":           {Zh: "报名活动", En: "Signed up"},
		"audit.action.vol_signup.cancel":           {Zh: "取消报名", En: "Cancelled a sign-up"},
		"audit.action.vol_signup.decide":           {Zh: "审核报名", En: "Decided a sign-up"},
		"audit.action.vol_signup.check_in":         {Zh: "签到", En: "Checked in"},
		"audit.action.vol_signup.check_out":        {Zh: "签退", En: "Checked out"},
		"audit.action.vol_signup.mark":             {Zh: "补签到签退", En: "Marked attendance"},
		"audit.action.vol_signup.verify":           {Zh: "核实服务时长", En: "Verified hours"},
		"audit.action.vol_signup.reject_hours":     {Zh: "不予认定服务时长", En: "Rejected hours"},
		"audit.action.lovebank.pass":               {Zh: "生成兑换码", En: "Issued a redemption code"},
		"audit.action.lovebank.redeem":             {Zh: "积分兑换", En: "Redeemed points"},
		"audit.action.lovebank.reverse":            {Zh: "冲正兑换", En: "Reversed a redemption"},
		"audit.action.lovebank.settings":           {Zh: "修改爱心银行设置", En: "Changed the love bank's settings"},
		"audit.action.lovebank.settle":             {Zh: "商户结算", En: "Settled with a merchant"},
		"audit.action.merchant.create":             {Zh: "新增签约商户", En: "Added a merchant"},
		"audit.action.merchant.item_add":           {Zh: "新增兑换商品", En: "Added an item"},
		"audit.action.merchant.item_active":        {Zh: "上架或下架商品", En: "Listed or delisted an item"},
		"audit.action.merchant.staff_add":          {Zh: "新增商户店员", En: "Added merchant staff"},
		"audit.action.export.volunteers":           {Zh: "导出志愿者", En: "Exported volunteers"},
		"audit.entity.volunteer":                   {Zh: "志愿者", En: "Volunteer"},
		"audit.entity.volunteers":                  {Zh: "志愿者名册", En: "Volunteers"},
		"audit.entity.vol_team":                    {Zh: "志愿服务队", En: "Team"},
		"audit.entity.vol_activity":                {Zh: "志愿活动", En: "Activity"},
		"audit.entity.vol_signup":                  {Zh: "活动报名", En: "Sign-up"},
		"audit.entity.redemption":                  {Zh: "兑换记录", En: "Redemption"},
		"audit.entity.transfer":                    {Zh: "积分流水", En: "Transfer"},
		"audit.entity.merchant":                    {Zh: "签约商户", En: "Merchant"},
	})
	audit.ValueWords("vol_team", "type", "vol.team.")
	audit.ValueWords("vol_team", "role", "vol.role.")
	audit.ValueWords("vol_signup", "status", "vol.status.")
	audit.ValueWords("vol_signup", "how", "vol.by.")
}
