package people

// Pages of spreadsheet import and export: the templates, the upload form
// and the imports so far, one import's progress (polled with htmx) and
// result, its report, and the exports of residents, party members and grid
// staff that the list pages link to.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/sheet"
	"grassroots/internal/platform/web"
)

// ImportPages lists the page templates of imports.
var ImportPages = []string{"people/imports", "people/import"}

// registerSheets adds the import and export pages. It is called by
// Register; it also marks imports left unfinished by a stopped instance as
// failed.
func (u *UI) registerSheets(rt *web.Routes) error {
	if err := u.R.Check(ImportPages...); err != nil { // parsed by Register with the other pages
		return err
	}
	if _, err := u.Store.RecoverImports(context.Background()); err != nil {
		return err
	}
	u.R.AddNav(web.NavItem{Key: "nav.imports", Href: "/imports", Perm: PermBulk, Order: 25, Group: "navgroup.people"})
	rt.Page("GET /imports", web.Read(PermBulk), u.imports)
	rt.Page("POST /imports", web.Write(PermBulk), u.upload)
	rt.Page("GET /imports/{id}", web.Read(PermBulk).On("import"), u.importPage)
	rt.Page("GET /imports/{id}/progress", web.Read(PermBulk).On("import"), u.importProgress)
	rt.Page("GET /imports/{id}/report", web.Read(PermBulk).On("import"), u.importReport)
	rt.Page("GET /import-templates/{kind}", web.Read(PermBulk).On("sheet"), u.importTemplate)
	rt.Page("GET /residents/export", web.Read(PermBulk), u.exportResidents)
	rt.Page("GET /party-members/export", web.Read(PermBulk), u.exportMembers)
	rt.Page("GET /grid-staff/export", web.Read(PermBulk), u.exportStaff)
	return nil
}

// bulkActor returns the signed-in actor if they may import and export.
func bulkActor(r *http.Request) (*auth.Actor, error) {
	actor, err := web.SignedIn(r)
	if err != nil {
		return nil, err
	}
	if !actor.Has(PermBulk) {
		return nil, apperr.New(apperr.Forbidden, "sheet.no_bulk")
	}
	return actor, nil
}

// TemplateLink is a template to download.
type TemplateLink struct {
	Label string
	Href  string
}

// ImportsPage is the upload form and the actor's imports.
type ImportsPage struct {
	web.Page
	Form      *web.Form
	Kinds     []web.Option
	Templates []TemplateLink
	Jobs      []ImportJob
	MaxMB     int64
	MaxRows   int
}

// KindLabel names a kind of sheet in the page's language.
func (p *ImportsPage) KindLabel(k SheetKind) string { return p.T(k.Label()) }

func (u *UI) imports(w http.ResponseWriter, r *http.Request) error {
	return u.renderImports(w, r, http.StatusOK, web.NewForm(url.Values{"kind": {r.URL.Query().Get("kind")}}))
}

func (u *UI) renderImports(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	actor, err := bulkActor(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	p := &ImportsPage{Form: form, MaxMB: sheet.MaxBytes >> 20, MaxRows: sheet.MaxRows}
	p.Title = i18n.T(lang, "nav.imports")
	for _, k := range SheetKinds {
		p.Kinds = append(p.Kinds, web.Option{Value: string(k), Label: i18n.T(lang, k.Label())})
		p.Templates = append(p.Templates, TemplateLink{Label: i18n.T(lang, "sheet.template_file", i18n.M(k.Label())), Href: "/import-templates/" + string(k)})
	}
	if p.Jobs, err = u.Store.ListImportJobs(r.Context(), actor, 20); err != nil {
		return err
	}
	u.R.Render(w, r, status, "people/imports", p)
	return nil
}

func (u *UI) upload(w http.ResponseWriter, r *http.Request) error {
	actor, err := bulkActor(r)
	if err != nil {
		return err
	}
	kindName, filename, data, err := readUpload(w, r)
	form := web.NewForm(url.Values{"kind": {kindName}, "file": {""}})
	if err != nil {
		return u.renderImports(w, r, form.Fail(r, besideFile(err)), form)
	}
	kind, ok := ParseSheetKind(kindName)
	var f apperr.Fields
	if !ok {
		f.Add("kind", "field.bad_choice")
	}
	if filename == "" {
		f.Add("file", "sheet.choose_file")
	}
	if err := f.Err(); err != nil {
		return u.renderImports(w, r, form.Fail(r, err), form)
	}
	job, err := u.Store.StartImport(r.Context(), actor, kind, filename, data)
	if err != nil {
		if apperr.IsFault(err) || apperr.CodeOf(err) == apperr.Forbidden {
			return err
		}
		return u.renderImports(w, r, form.Fail(r, besideFile(err)), form)
	}
	http.Redirect(w, r, fmt.Sprintf("/imports/%d", job.ID), http.StatusSeeOther)
	return nil
}

// besideFile turns an error about the uploaded file into one shown beside
// the file field.
func besideFile(err error) error {
	ae := apperr.As(err)
	if len(ae.Fields) > 0 {
		return err
	}
	return apperr.New(ae.Code, "sheet.file_refused").Field("file", ae.Msg.Key, ae.Msg.Args...)
}

// readUpload reads the upload form's kind and file. The file is read into
// memory, never into a temporary file: it holds identity numbers, and is
// stored only sealed.
func readUpload(w http.ResponseWriter, r *http.Request) (kind, filename string, data []byte, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, sheet.MaxBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", "", nil, apperr.New(apperr.Invalid, "web.form_unreadable")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return kind, filename, data, nil
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return kind, "", nil, sheet.ErrTooLarge()
		}
		if err != nil {
			return kind, "", nil, apperr.New(apperr.Invalid, "web.form_unreadable")
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 100))
			kind = string(b)
		case "file":
			if part.FileName() == "" {
				continue
			}
			b, err := io.ReadAll(io.LimitReader(part, sheet.MaxBytes+1))
			if errors.As(err, &tooLarge) || int64(len(b)) > sheet.MaxBytes {
				return kind, "", nil, sheet.ErrTooLarge()
			}
			if err != nil {
				return kind, "", nil, apperr.New(apperr.Invalid, "web.form_unreadable")
			}
			filename, data = part.FileName(), b
		}
		part.Close()
	}
}

// ImportPage is one import: its progress while it runs, its result after.
type ImportPage struct {
	web.Page
	Job      *ImportJob
	Problems []Problem // the first ones, shown on the page
}

// KindLabel names the import's kind in the page's language.
func (p *ImportPage) KindLabel() string { return p.T(p.Job.Kind.Label()) }

// ListHref is the list page of what was imported.
func (p *ImportPage) ListHref() string { return "/" + string(p.Job.Kind) }

// Reason is a problem's reason in the page's language.
func (p *ImportPage) Reason(pr Problem) string { return pr.Reason(p.Lang) }

// StageLabel names the running stage.
func (p *ImportPage) StageLabel() string { return p.T("sheet.stage." + string(p.Job.Stage)) }

// shownProblems is how many problems the page lists; the report has all.
const shownProblems = 100

func (u *UI) job(r *http.Request) (*ImportPage, error) {
	actor, err := bulkActor(r)
	if err != nil {
		return nil, err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	j, err := u.Store.ImportJob(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	p := &ImportPage{Job: j}
	if j.Report != nil {
		p.Problems = j.Report.Problems[:min(len(j.Report.Problems), shownProblems)]
	}
	p.Title = i18n.T(web.Lang(r), "sheet.import_title", i18n.M(j.Kind.Label()))
	p.Section = "/imports"
	return p, nil
}

func (u *UI) importPage(w http.ResponseWriter, r *http.Request) error {
	p, err := u.job(r)
	if err != nil {
		return err
	}
	u.R.Render(w, r, http.StatusOK, "people/import", p)
	return nil
}

func (u *UI) importProgress(w http.ResponseWriter, r *http.Request) error {
	p, err := u.job(r)
	if err != nil {
		return err
	}
	u.R.Fragment(w, r, "people/import", "progress", p)
	return nil
}

func (u *UI) importReport(w http.ResponseWriter, r *http.Request) error {
	p, err := u.job(r)
	if err != nil {
		return err
	}
	if p.Job.Report == nil {
		return apperr.NotFoundf(importWord)
	}
	actor := web.Actor(r)
	lang := web.Lang(r)
	sheet := ReportSheet(p.Job.Report, lang)
	if err := u.Store.RecordExport(r.Context(), actor, "import_report", len(sheet.Rows), map[string]any{"import_id": p.Job.ID}); err != nil {
		return err
	}
	return web.SendSheet(w, i18n.T(lang, "sheet.report_file", p.Job.ID), r.URL.Query().Get("format"), sheet)
}

func (u *UI) importTemplate(w http.ResponseWriter, r *http.Request) error {
	if _, err := bulkActor(r); err != nil {
		return err
	}
	kind, ok := ParseSheetKind(r.PathValue("kind"))
	if !ok {
		return apperr.NotFoundf(i18n.T(web.Lang(r), "sheet.template"))
	}
	lang := web.Lang(r)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(i18n.T(lang, "sheet.template_file", i18n.M(kind.Label()))+".xlsx"))
	w.Header().Set("Cache-Control", "no-store")
	return WriteTemplate(w, kind, lang)
}

// exportFormat reads ?format=csv|xlsx (xlsx when absent).
func exportFormat(q *web.Query) string {
	if f := q.Choice("format", "csv", "xlsx"); f != "" {
		return f
	}
	return "xlsx"
}

func (u *UI) exportResidents(w http.ResponseWriter, r *http.Request) error {
	actor, err := bulkActor(r)
	if err != nil {
		return err
	}
	q := web.NewQuery(r)
	f := residentFilter(q)
	format := exportFormat(q)
	if err := q.Err(); err != nil {
		return err
	}
	lang := web.Lang(r)
	sheet, err := u.Store.ExportResidents(r.Context(), actor, f, lang)
	if err != nil {
		return err
	}
	return web.SendSheet(w, i18n.T(lang, SheetResidents.Label()), format, sheet)
}

func (u *UI) exportMembers(w http.ResponseWriter, r *http.Request) error {
	actor, err := bulkActor(r)
	if err != nil {
		return err
	}
	q := web.NewQuery(r)
	f := MemberFilter{UnderID: q.ID("under"), PartyOrgID: q.ID("party_org"), Name: q.String("name"),
		InService: q.String("in_service") == "1" || q.String("in_service") == "true", Registered: q.String("registered") == "1" || q.String("registered") == "true"}
	format := exportFormat(q)
	if err := q.Err(); err != nil {
		return err
	}
	lang := web.Lang(r)
	sheet, err := u.Store.ExportPartyMembers(r.Context(), actor, f, lang)
	if err != nil {
		return err
	}
	return web.SendSheet(w, i18n.T(lang, SheetPartyMembers.Label()), format, sheet)
}

func (u *UI) exportStaff(w http.ResponseWriter, r *http.Request) error {
	actor, err := bulkActor(r)
	if err != nil {
		return err
	}
	q := web.NewQuery(r)
	f := StaffFilter{UnderID: q.ID("under"), Role: q.Choice("role", StaffRoles.Values...)}
	if grid := q.ID("grid"); grid != 0 {
		f.UnderID = grid
	}
	format := exportFormat(q)
	if err := q.Err(); err != nil {
		return err
	}
	lang := web.Lang(r)
	sheet, err := u.Store.ExportGridStaff(r.Context(), actor, f, lang)
	if err != nil {
		return err
	}
	return web.SendSheet(w, i18n.T(lang, SheetGridStaff.Label()), format, sheet)
}
