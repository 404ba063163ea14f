package events

import (
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
)

// addAuditNames says how the audit log names events (by category and
// address) and their categories.
func addAuditNames(names *audit.Names, q db.Querier) {
	names.Add("event", audit.NamesFrom(q, `SELECT e.id, c.name || CASE WHEN e.address <> '' THEN ' · ' || e.address ELSE '' END
		FROM events e JOIN event_categories c ON c.id = e.category_id WHERE e.id IN (%s)`))
	names.Add("event_category", audit.NamesFrom(q, `SELECT id, name FROM event_categories WHERE id IN (%s)`))
}

// The audit log's words for events, their workflow steps, categories and
// the working calendar.
func init() {
	i18n.Register(i18n.Catalog{
		"audit.action.event.report":        {Zh: "上报事件", En: "Reported an event"},
		"audit.action.event.accept":        {Zh: "事件立案", En: "Accepted an event"},
		"audit.action.event.reject":        {Zh: "事件不予立案", En: "Rejected an event"},
		"audit.action.event.dispatch":      {Zh: "派遣事件（吹哨）", En: "Dispatched an event"},
		"audit.action.event.sign":          {Zh: "签收事件", En: "Signed for an event"},
		"audit.action.event.return":        {Zh: "回退事件", En: "Returned an event"},
		"audit.action.event.handle":        {Zh: "反馈处置结果", En: "Reported handling"},
		"audit.action.event.pass":          {Zh: "核查通过并结案", En: "Verified and closed"},
		"audit.action.event.fail":          {Zh: "核查不通过，返工", En: "Failed verification"},
		"audit.action.event.rate":          {Zh: "评价满意度", En: "Rated the handling"},
		"audit.action.event.ask_extension": {Zh: "申请延期", En: "Asked for an extension"},
		"audit.action.event.ask_deferral":  {Zh: "申请缓办", En: "Asked to defer"},
		"audit.action.event.ask_void":      {Zh: "申请作废", En: "Asked to void"},
		"audit.action.event.approve":       {Zh: "批准申请", En: "Approved a request"},
		"audit.action.event.deny":          {Zh: "驳回申请", En: "Denied a request"},
		"audit.action.event.resume":        {Zh: "恢复办理", En: "Resumed an event"},
		"audit.action.event.void":          {Zh: "作废事件", En: "Voided an event"},
		"audit.action.event.supervise":     {Zh: "督办事件", En: "Supervised an event"},
		"audit.action.event.merge":         {Zh: "合并重复事件", En: "Merged a duplicate"},
		"audit.action.event.warn":          {Zh: "黄灯预警", En: "Warned: deadline near"},
		"audit.action.event.escalate":      {Zh: "红灯超时，升级上报", En: "Escalated: overdue"},
		"audit.action.event.reveal_caller": {Zh: "查看来电人电话", En: "Revealed a caller's phone"},
		"audit.action.category.create":     {Zh: "新建事件类别", En: "Created an event category"},
		"audit.action.category.update":     {Zh: "修改事件类别", En: "Changed an event category"},
		"audit.action.category.defaults":   {Zh: "载入默认事件类别", En: "Loaded the default categories"},
		"audit.action.calendar.set":        {Zh: "设置工作日历", En: "Set the working calendar"},
		"audit.action.calendar.defaults":   {Zh: "载入默认工作日历", En: "Loaded the default calendars"},
		"audit.entity.event":               {Zh: "事件", En: "Event"},
		"audit.entity.event_category":      {Zh: "事件类别", En: "Event category"},
		"audit.entity.calendar":            {Zh: "工作日历", En: "Working calendar"},
		"audit.field.due_at":               {Zh: "办结时限", En: "Due"},
		"audit.field.handling_unit":        {Zh: "处置单位", En: "Handling unit"},
		"audit.field.into":                 {Zh: "并入事件编号", En: "Merged into"},
		"audit.field.on_time":              {Zh: "按期", En: "On time"},
		"audit.field.rating":               {Zh: "满意度", En: "Rating"},
		"audit.field.request":              {Zh: "申请事项", En: "Request"},
		"audit.field.whistle":              {Zh: "吹哨类型", En: "Whistle"},
	})
	for _, f := range []string{"from", "to", "state"} {
		audit.ValueWords("event", f, "events.state.")
	}
	audit.ValueWords("event", "whistle", "events.whistle.")
	audit.ValueWords("event", "source", "events.source.")
	audit.ValueWords("event", "request", "events.act.")
}
