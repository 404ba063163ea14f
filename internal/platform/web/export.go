package web

import (
	"net/http"
	"net/url"

	"grassroots/internal/platform/sheet"
)

// Sheet is a table to export (platform/sheet's), named here so that a
// handler building an export needs only this package.
type Sheet = sheet.Sheet

// SendSheet sends s as an attachment named filename plus the format's
// extension, as "csv" or (any other format) "xlsx".
func SendSheet(w http.ResponseWriter, filename, format string, s Sheet) error {
	if format != "csv" {
		format = "xlsx"
	}
	w.Header().Set("Content-Type", sheet.ContentType(format))
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(filename+"."+format))
	w.Header().Set("Cache-Control", "no-store")
	return sheet.Write(w, format, s)
}

// Export sends s in the format the request asks for (?format=csv or xlsx)
// and reports whether it did; without a format it does nothing.
func Export(w http.ResponseWriter, r *http.Request, filename string, s Sheet) (bool, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "csv", "xlsx":
		return true, SendSheet(w, filename, f, s)
	}
	return false, nil
}
