package org

import (
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
)

// addAuditNames says how the audit log names the tree's records.
func addAuditNames(names *audit.Names, q db.Querier) {
	units := audit.NamesFrom(q, `SELECT id, name FROM units WHERE id IN (%s)`)
	names.Add("unit", units)
	names.Add("district", units)
	names.Add("party_org", audit.NamesFrom(q, `SELECT id, name FROM party_orgs WHERE id IN (%s)`))
	names.Add("co_building_unit", audit.NamesFrom(q, `SELECT id, name FROM co_building_units WHERE id IN (%s)`))
	names.Add("part_time_member", audit.NamesFrom(q, `SELECT id, name FROM part_time_members WHERE id IN (%s)`))
}

// The audit log's words for the tree, the party organisations and
// co-building.
func init() {
	i18n.Register(i18n.Catalog{
		"audit.action.unit.create":                  {Zh: "新建单位", En: "Created a unit"},
		"audit.action.unit.update":                  {Zh: "修改单位", En: "Changed a unit"},
		"audit.action.unit.move":                    {Zh: "调整单位隶属", En: "Moved a unit"},
		"audit.action.unit.delete":                  {Zh: "删除单位", En: "Deleted a unit"},
		"audit.action.party_org.create":             {Zh: "新建党组织", En: "Created a party organisation"},
		"audit.action.party_org.update":             {Zh: "修改党组织", En: "Changed a party organisation"},
		"audit.action.party_org.delete":             {Zh: "删除党组织", En: "Deleted a party organisation"},
		"audit.action.co_building.create":           {Zh: "新建共建单位", En: "Added a co-building unit"},
		"audit.action.co_building.update":           {Zh: "修改共建单位", En: "Changed a co-building unit"},
		"audit.action.co_building.delete":           {Zh: "删除共建单位", En: "Deleted a co-building unit"},
		"audit.action.co_building.agreement":        {Zh: "签订共建协议", En: "Added a co-building agreement"},
		"audit.action.co_building.agreement_delete": {Zh: "删除共建协议", En: "Deleted a co-building agreement"},
		"audit.action.part_time.create":             {Zh: "新增兼职委员", En: "Added a part-time member"},
		"audit.action.part_time.update":             {Zh: "修改兼职委员", En: "Changed a part-time member"},
		"audit.action.part_time.delete":             {Zh: "删除兼职委员", En: "Removed a part-time member"},
		"audit.entity.unit":                         {Zh: "单位", En: "Unit"},
		"audit.entity.district":                     {Zh: "全区", En: "District"},
		"audit.entity.party_org":                    {Zh: "党组织", En: "Party organisation"},
		"audit.entity.co_building_unit":             {Zh: "共建单位", En: "Co-building unit"},
		"audit.entity.part_time_member":             {Zh: "兼职委员", En: "Part-time member"},
		"audit.field.boundary":                      {Zh: "已绘边界", En: "Has a boundary"},
		"audit.field.content":                       {Zh: "协议内容", En: "Content"},
		"audit.field.address":                       {Zh: "地址", En: "Address"},
		"audit.field.contact":                       {Zh: "联系人", En: "Contact"},
		"audit.field.founded_on":                    {Zh: "成立日期", En: "Founded on"},
		"audit.field.member_count":                  {Zh: "党员数", En: "Members"},
		"audit.field.secretary":                     {Zh: "书记", En: "Secretary"},
		"audit.field.term_start":                    {Zh: "任期开始", En: "Term from"},
		"audit.field.term_end":                      {Zh: "任期结束", En: "Term to"},
	})
	audit.ValueWords("unit", "type", "unit.")
	audit.ValueWords("party_org", "type", "party.")
	audit.ValueWords("co_building_unit", "kind", "cob.")
}
