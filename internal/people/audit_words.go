package people

import (
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
)

// addAuditNames says how the audit log names people's records: by the
// resident's name, the household's room, the post's title.
func addAuditNames(names *audit.Names, q db.Querier) {
	names.Add("resident", audit.NamesFrom(q, `SELECT id, name FROM residents WHERE id IN (%s)`))
	names.Add("household", audit.NamesFrom(q, `SELECT id, room FROM households WHERE id IN (%s)`))
	names.Add("party_member", audit.NamesFrom(q, `SELECT m.id, r.name FROM party_members m JOIN residents r ON r.id = m.resident_id WHERE m.id IN (%s)`))
	names.Add("service_post", audit.NamesFrom(q, `SELECT id, title FROM service_posts WHERE id IN (%s)`))
	names.Add("worker", audit.NamesFrom(q, `SELECT id, name FROM workers WHERE id IN (%s)`))
	names.Add("grid_staff", audit.NamesFrom(q, `SELECT id, name FROM grid_staff WHERE id IN (%s)`))
	names.Add("import", audit.NamesFrom(q, `SELECT id, filename FROM imports WHERE id IN (%s)`))
}

// The audit log's words for residents, households, party members, posts,
// staff, imports and exports.
func init() {
	i18n.Register(i18n.Catalog{
		"audit.action.resident.create":        {Zh: "登记居民", En: "Registered a resident"},
		"audit.action.resident.update":        {Zh: "修改居民信息", En: "Changed a resident"},
		"audit.action.resident.status":        {Zh: "变更居住状态", En: "Changed a resident's status"},
		"audit.action.resident.reveal":        {Zh: "查看完整身份证号和电话", En: "Revealed identity number and phone"},
		"audit.action.household.create":       {Zh: "新建户", En: "Created a household"},
		"audit.action.household.move":         {Zh: "户迁移", En: "Moved a household"},
		"audit.action.party_member.create":    {Zh: "登记党员", En: "Registered a party member"},
		"audit.action.party_member.update":    {Zh: "修改党员信息", En: "Changed a party member"},
		"audit.action.party_member.register":  {Zh: "在职党员社区报到", En: "In-service member reported"},
		"audit.action.service_post.create":    {Zh: "发布需求岗位", En: "Posted a service need"},
		"audit.action.service_post.claim":     {Zh: "认领需求岗位", En: "Claimed a service need"},
		"audit.action.service_hours.record":   {Zh: "登记服务时长", En: "Recorded service hours"},
		"audit.action.setting.update":         {Zh: "修改设置", En: "Changed a setting"},
		"audit.action.worker.create":          {Zh: "新增社区工作者", En: "Added a community worker"},
		"audit.action.worker.update":          {Zh: "修改社区工作者", En: "Changed a community worker"},
		"audit.action.grid_staff.create":      {Zh: "新增网格力量", En: "Added grid staff"},
		"audit.action.grid_staff.update":      {Zh: "修改网格力量", En: "Changed grid staff"},
		"audit.action.grid_staff.delete":      {Zh: "移除网格力量", En: "Removed grid staff"},
		"audit.action.import.upload":          {Zh: "上传导入文件", En: "Uploaded a sheet"},
		"audit.action.import.residents":       {Zh: "导入居民", En: "Imported residents"},
		"audit.action.import.party-members":   {Zh: "导入党员", En: "Imported party members"},
		"audit.action.import.grid-staff":      {Zh: "导入网格力量", En: "Imported grid staff"},
		"audit.action.export.residents":       {Zh: "导出居民", En: "Exported residents"},
		"audit.action.export.party_members":   {Zh: "导出党员", En: "Exported party members"},
		"audit.action.export.workers":         {Zh: "导出社区工作者", En: "Exported community workers"},
		"audit.action.export.feedback":        {Zh: "导出在职党员反馈单", En: "Exported a member's feedback sheet"},
		"audit.action.export.import_report":   {Zh: "导出导入报告", En: "Exported an import report"},
		"audit.entity.resident":               {Zh: "居民", En: "Resident"},
		"audit.entity.residents":              {Zh: "居民名册", En: "Residents"},
		"audit.entity.household":              {Zh: "户", En: "Household"},
		"audit.entity.party_member":           {Zh: "党员", En: "Party member"},
		"audit.entity.party_members":          {Zh: "党员名册", En: "Party members"},
		"audit.entity.service_post":           {Zh: "需求岗位", En: "Service need"},
		"audit.entity.worker":                 {Zh: "社区工作者", En: "Community worker"},
		"audit.entity.workers":                {Zh: "社区工作者名册", En: "Community workers"},
		"audit.entity.grid_staff":             {Zh: "网格力量", En: "Grid staff"},
		"audit.entity.import":                 {Zh: "导入", En: "Import"},
		"audit.entity.import_report":          {Zh: "导入报告", En: "Import report"},
		"audit.entity.feedback":               {Zh: "反馈单", En: "Feedback sheet"},
		"audit.field.format":                  {Zh: "格式", En: "Format"},
		"audit.field.households":              {Zh: "户数", En: "Households"},
		"audit.field.note":                    {Zh: "备注", En: "Note"},
		"audit.field.under":                   {Zh: "范围（单位编号）", En: "Under unit"},
		"audit.field.tag":                     {Zh: "关爱标签", En: "Care tag"},
		"audit.field.party_org":               {Zh: "党组织编号", En: "Party organisation"},
		"audit.field.year":                    {Zh: "年度", En: "Year"},
		"audit.field.quarter":                 {Zh: "季度", En: "Quarter"},
		"audit.field.import_id":               {Zh: "导入编号", En: "Import"},
		"audit.field." + ServiceTargetSetting: {Zh: "在职党员年度服务目标（小时）", En: "Yearly service target (hours)"},
	})
	audit.ValueWords("resident", "from", "rstatus.")
	audit.ValueWords("resident", "to", "rstatus.")
	audit.ValueWords("resident", "tags", "tag.")
	audit.ValueWords("grid_staff", "role", "staffrole.")
	audit.ValueWords("worker", "position", "position.")
}
