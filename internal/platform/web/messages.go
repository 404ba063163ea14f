package web

import "grassroots/internal/platform/i18n"

func init() {
	i18n.Register(i18n.Catalog{
		"app.name":              {Zh: "党建引领基层治理平台", En: "Grassroots Governance"},
		"nav.menu":              {Zh: "菜单", En: "Menu"},
		"nav.logout":            {Zh: "退出", En: "Log out"},
		"web.error_title":       {Zh: "出错了", En: "Error"},
		"web.back_home":         {Zh: "返回首页", En: "Back to the home page"},
		"web.cross_origin":      {Zh: "请求来自其他网站，已拒绝。", En: "The request came from another site and was refused."},
		"web.no_such_api":       {Zh: "没有这个接口。", En: "There is no such API endpoint."},
		"web.json_content_type": {Zh: "请求体应为 JSON（Content-Type: application/json）。", En: "The request body must be JSON (Content-Type: application/json)."},
		"web.json_unreadable":   {Zh: "无法读取请求体。", En: "The request body could not be read."},
		"web.json_too_large":    {Zh: "请求体不能超过 %d MB。", En: "The request body is at most %d MB."},
		"web.json_empty":        {Zh: "请求体为空。", En: "The request body is empty."},
		"web.json_trailing":     {Zh: "请求体只能包含一个 JSON 值。", En: "The request body must hold exactly one JSON value."},
		"web.json_syntax":       {Zh: "JSON 格式错误（第 %d 个字节附近）。", En: "The JSON is malformed (near byte %d)."},
		"web.json_not_object":   {Zh: "请求体应为 JSON 对象。", En: "The request body must be a JSON object."},
		"web.json_wrong_type":   {Zh: "类型不对：不能是 %s。", En: "Wrong type: cannot be %s."},
		"web.json_truncated":    {Zh: "JSON 不完整。", En: "The JSON is incomplete."},
		"web.json_invalid":      {Zh: "JSON 无法解析。", En: "The JSON could not be read."},
		"web.form_unreadable":   {Zh: "无法读取提交的表单。", En: "The submitted form could not be read."},
		"web.saved":             {Zh: "已保存。", En: "Saved."},
		"web.deleted":           {Zh: "已删除。", En: "Deleted."},
		"web.pager":             {Zh: "第 %d/%d 页，共 %d 条", En: "Page %d of %d, %d in all"},
		"web.export_csv":        {Zh: "导出 CSV", En: "Export CSV"},
		"web.export_xlsx":       {Zh: "导出 Excel", En: "Export Excel"},
		"web.search":            {Zh: "搜索", En: "Search"},
		"web.filter":            {Zh: "筛选表格…", En: "Filter the table…"},
		"web.save":              {Zh: "保存", En: "Save"},
		"web.cancel":            {Zh: "取消", En: "Cancel"},
		"web.edit":              {Zh: "编辑", En: "Edit"},
		"web.delete":            {Zh: "删除", En: "Delete"},
		"web.create":            {Zh: "新建", En: "New"},
		"web.all":               {Zh: "全部", En: "All"},
		"web.none":              {Zh: "（无）", En: "(none)"},
		"web.confirm_delete":    {Zh: "确定删除吗？此操作不可撤销。", En: "Delete this? It cannot be undone."},
		"web.out_of_range":      {Zh: "应为 %d 到 %d 之间的整数。", En: "Must be a whole number from %d to %d."},
		"web.actions":           {Zh: "操作", En: "Actions"},
	})
}
