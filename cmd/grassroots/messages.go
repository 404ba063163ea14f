package main

import "grassroots/internal/platform/i18n"

// The messages of the import and export commands, in both languages.
func init() {
	i18n.Register(i18n.Catalog{
		"cli.usage":               {Zh: "用法：%s", En: "usage: %s"},
		"cli.import_what":         {Zh: "导入什么？应为 %s，而不是 %q", En: "import what? %s, not %q"},
		"cli.export_what":         {Zh: "导出什么？应为 %s，而不是 %q", En: "export what? %s, not %q"},
		"cli.bad_lang":            {Zh: "--lang 应为 zh 或 en，而不是 %q", En: "--lang: zh or en, not %q"},
		"cli.bad_format":          {Zh: "--format 应为 xlsx 或 csv，而不是 %q", En: "--format: xlsx or csv, not %q"},
		"cli.file_too_large":      {Zh: "%s 超过 %d MB，请拆分后再导入", En: "%s is larger than %d MB; split it"},
		"cli.user_disabled":       {Zh: "用户 %s 已停用", En: "user %s is disabled"},
		"cli.no_user":             {Zh: "没有用户 %s", En: "no user %s"},
		"cli.no_unit":             {Zh: "%[2]s 的管辖范围内没有编码为 %[1]s 的单位", En: "no unit with code %s in the area of %s"},
		"cli.kind.residents":      {Zh: "居民", En: "residents"},
		"cli.kind.party-members":  {Zh: "党员", En: "party members"},
		"cli.kind.grid-staff":     {Zh: "网格力量", En: "grid staff"},
		"cli.imported":            {Zh: "已从 %[3]s 导入%[2]s %[1]d 行，用时 %[4].1f 秒。", En: "Imported %d rows of %s from %s in %.1fs."},
		"cli.imported_households": {Zh: "已从 %[3]s 导入%[2]s %[1]d 行（新建 %[5]d 户），用时 %[4].1f 秒。", En: "Imported %d rows of %s from %s in %.1fs (%d new households)."},
		"cli.more_problems":       {Zh: "……另有 %d 个问题", En: "... and %d more"},
		"cli.import_failed":       {Zh: "%[2]d 行中有 %[1]d 个问题，未导入任何数据", En: "%d problems in %d rows; nothing was imported"},
		"cli.where_file":          {Zh: "文件", En: "file"},
		"cli.where_row":           {Zh: "第 %d 行", En: "row %d"},
		"cli.where_column":        {Zh: "，%s", En: ", %s"},
		"cli.where_value":         {Zh: "（%s）", En: " (%s)"},
		"cli.exported":            {Zh: "已导出%[2]s %[1]d 行到 %[3]s（已脱敏，导出已记入审计日志）。", En: "Exported %d rows of %s to %s (masked; the export is in the audit log)."},
		"cli.stage.queued":        {Zh: "排队", En: "queued"},
		"cli.stage.reading":       {Zh: "读取", En: "reading"},
		"cli.stage.checking":      {Zh: "检查", En: "checking"},
		"cli.stage.writing":       {Zh: "写入", En: "writing"},
		"cli.rows":                {Zh: "%d 行", En: "%d rows"},
	})
}
