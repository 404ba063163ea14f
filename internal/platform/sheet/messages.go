package sheet

import "grassroots/internal/platform/i18n"

// The reader's errors: a file that is no spreadsheet, damaged or too large.
func init() {
	i18n.Register(i18n.Catalog{
		"sheet.not_spreadsheet":   {Zh: "文件不是 Excel 表格（.xlsx）或 CSV 文件，请使用下载的模板填写后上传。", En: "The file is not an Excel workbook (.xlsx) or a CSV file; fill in the template and upload that."},
		"sheet.old_xls":           {Zh: "这是旧版 Excel（.xls）文件或加密的工作簿，请在 Excel 或 WPS 中“另存为”.xlsx（不设密码）后再上传。", En: "This is an old Excel file (.xls) or an encrypted workbook; save it as .xlsx (without a password) and upload that."},
		"sheet.damaged":           {Zh: "文件已损坏，无法读取，请重新保存后再上传。", En: "The file is damaged and cannot be read; save it again and upload that."},
		"sheet.bad_encoding":      {Zh: "无法识别 CSV 文件的编码，请保存为 UTF-8 或 GBK 编码。", En: "The CSV file's encoding is not recognised; save it as UTF-8 or GBK."},
		"sheet.empty":             {Zh: "文件是空的。", En: "The file is empty."},
		"sheet.too_large":         {Zh: "文件超过 %d MB，请拆分后分批导入。", En: "The file is larger than %d MB; split it and import the parts."},
		"sheet.too_many_rows":     {Zh: "文件超过 %d 行，请拆分后分批导入。", En: "The file has more than %d rows; split it and import the parts."},
		"sheet.unpacks_too_large": {Zh: "文件解压后过大，无法导入，请拆分后分批导入。", En: "The file unpacks to too much data; split it and import the parts."},
		"sheet.bad_csv":           {Zh: "CSV 文件第 %d 行格式有误（引号不配对）。", En: "Row %d of the CSV file is malformed (unbalanced quotes)."},
	})
}
