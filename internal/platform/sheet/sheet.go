// Package sheet reads the spreadsheets every module imports (.xlsx and
// CSV, see read.go and cells.go) and writes those it exports: an .xlsx
// workbook (header in bold, dates as date cells, text that looks like a
// formula neutralised) or a UTF-8 CSV, to any io.Writer: an HTTP response
// (web.SendSheet), a file or standard output (the import and export
// commands).
package sheet
