package main

// grassroots import and grassroots export: the spreadsheet import and
// export of residents, party members and grid staff from the command line,
// acting as a user (--as) or as the system.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"grassroots/internal/app"
	"grassroots/internal/people"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

const sheetKinds = "residents, party-members or grid-staff"

// actorFor returns the account named by --as with its roles, or the system.
func actorFor(ctx context.Context, a *app.App, username, what string) (*auth.Actor, error) {
	if username == "" {
		return auth.SystemActor(what), nil
	}
	users, err := a.Accounts.ListUsers(ctx, auth.SystemActor(what))
	if err != nil {
		return nil, explain(err)
	}
	for _, u := range users {
		if u.Username == strings.ToLower(username) {
			if u.Disabled {
				return nil, fmt.Errorf("user %s is disabled", u.Username)
			}
			return &auth.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Grants: u.Grants, IP: "local"}, nil
		}
	}
	return nil, fmt.Errorf("no user %s", username)
}

func langFlag(s string) (i18n.Lang, error) {
	l, ok := i18n.Parse(s)
	if !ok {
		return "", fmt.Errorf("--lang: zh or en, not %q", s)
	}
	return l, nil
}

func (m *Main) importSheet(ctx context.Context, args []string) error {
	var cfg app.Config
	fs := m.flags("import", &cfg)
	as := fs.String("as", "", "import as this user, within their area (default: the system, everywhere)")
	reportPath := fs.String("report", "", "write the problems found to this file (.xlsx or .csv)")
	langName := fs.String("lang", "en", "language of the problems: zh or en")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New("usage: grassroots import " + strings.ReplaceAll(sheetKinds, ", ", "|") + " FILE [--as USER] [--report FILE]")
	}
	kind, ok := people.ParseSheetKind(pos[0])
	if !ok {
		return fmt.Errorf("import what? %s, not %q", sheetKinds, pos[0])
	}
	lang, err := langFlag(*langName)
	if err != nil {
		return err
	}
	st, err := os.Stat(pos[1])
	if err != nil {
		return err
	}
	if st.Size() > people.MaxImportBytes {
		return fmt.Errorf("%s is larger than %d MB; split it", pos[1], people.MaxImportBytes>>20)
	}
	data, err := os.ReadFile(pos[1])
	if err != nil {
		return err
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	actor, err := actorFor(ctx, a, *as, "cli import")
	if err != nil {
		return err
	}
	bar := newProgressBar(m.Stderr)
	start := time.Now()
	rep, err := a.People.ImportSheet(ctx, actor, kind, data, people.ImportOptions{Filename: filepath.Base(pos[1]), Progress: bar.update})
	bar.end()
	if err != nil {
		return explain(err)
	}
	if rep.OK() {
		fmt.Fprintf(m.Stdout, "Imported %d rows of %s from %s in %.1fs", rep.Imported, kind, filepath.Base(pos[1]), time.Since(start).Seconds())
		if kind == people.SheetResidents {
			fmt.Fprintf(m.Stdout, " (%d new households)", rep.Households)
		}
		fmt.Fprintln(m.Stdout, ".")
		return nil
	}
	const show = 20
	for i, p := range rep.Problems {
		if i == show {
			fmt.Fprintf(m.Stdout, "... and %d more\n", len(rep.Problems)-show+rep.More)
			break
		}
		where := "file"
		if p.Row > 0 {
			where = fmt.Sprintf("row %d", p.Row)
		}
		if p.Column != "" {
			where += ", " + p.Column
		}
		if p.Value != "" {
			where += " (" + p.Value + ")"
		}
		fmt.Fprintf(m.Stdout, "%s: %s\n", where, p.Reason(lang))
	}
	if *reportPath != "" {
		if err := writeSheetFile(*reportPath, formatOf(*reportPath), people.ReportSheet(rep, lang)); err != nil {
			return err
		}
	}
	return fmt.Errorf("%d problems in %d rows; nothing was imported", len(rep.Problems)+rep.More, rep.Rows)
}

func (m *Main) exportSheet(ctx context.Context, args []string) error {
	var cfg app.Config
	fs := m.flags("export", &cfg)
	as := fs.String("as", "", "export as this user: what they may see (default: the system, everything)")
	out := fs.String("o", "", "file to write (.xlsx or .csv; - for standard output)")
	format := fs.String("format", "", "xlsx or csv (default: from the file name, else xlsx)")
	under := fs.String("under", "", "only below the unit with this code")
	langName := fs.String("lang", "zh", "language of the header and values: zh or en")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return errors.New("usage: grassroots export " + strings.ReplaceAll(sheetKinds, ", ", "|") + " -o FILE [--as USER] [--under CODE] [--format xlsx|csv]")
	}
	kind, ok := people.ParseSheetKind(pos[0])
	if !ok {
		return fmt.Errorf("export what? %s, not %q", sheetKinds, pos[0])
	}
	lang, err := langFlag(*langName)
	if err != nil {
		return err
	}
	if *format == "" {
		*format = formatOf(*out)
	}
	if *format != "xlsx" && *format != "csv" {
		return fmt.Errorf("--format: xlsx or csv, not %q", *format)
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	actor, err := actorFor(ctx, a, *as, "cli export")
	if err != nil {
		return err
	}
	var underID int64
	if *under != "" {
		u, err := a.Orgs.UnitByCode(ctx, actor, *under)
		if err != nil {
			return fmt.Errorf("no unit with code %s in the area of %s", *under, actor.Username)
		}
		underID = u.ID
	}
	var sheet web.Sheet
	switch kind {
	case people.SheetPartyMembers:
		sheet, err = a.People.ExportPartyMembers(ctx, actor, people.MemberFilter{UnderID: underID}, lang)
	case people.SheetGridStaff:
		sheet, err = a.People.ExportGridStaff(ctx, actor, people.StaffFilter{UnderID: underID}, lang)
	default:
		sheet, err = a.People.ExportResidents(ctx, actor, people.ResidentFilter{UnderID: underID}, lang)
	}
	if err != nil {
		return explain(err)
	}
	if *out == "-" {
		return people.WriteSheet(m.Stdout, *format, sheet)
	}
	if err := writeSheetFile(*out, *format, sheet); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "Exported %d rows of %s to %s (masked; the export is in the audit log).\n", len(sheet.Rows), kind, *out)
	return nil
}

// formatOf is the sheet format a file name asks for: csv for .csv, else xlsx.
func formatOf(path string) string {
	if strings.HasSuffix(strings.ToLower(path), ".csv") {
		return "csv"
	}
	return "xlsx"
}

// writeSheetFile writes a sheet to a new file at path, as "xlsx" or "csv".
func writeSheetFile(path, format string, sheet web.Sheet) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := people.WriteSheet(f, format, sheet); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// progressBar draws an import's progress on standard error: redrawn in
// place on a terminal, a line per stage and per tenth otherwise.
type progressBar struct {
	w       io.Writer
	tty     bool
	stage   people.Stage
	drawn   time.Time
	tenth   int
	started bool
}

func newProgressBar(w io.Writer) *progressBar {
	p := &progressBar{w: w}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

var stageWords = map[people.Stage]string{people.StageReading: "reading", people.StageChecking: "checking", people.StageWriting: "writing"}

func (p *progressBar) update(stage people.Stage, done, total int) {
	changed := stage != p.stage
	p.stage = stage
	tenth := 0
	if total > 0 {
		tenth = done * 10 / total
	}
	if p.tty {
		if !changed && done != total && time.Since(p.drawn) < 100*time.Millisecond {
			return
		}
		p.drawn = time.Now()
		if changed && p.started {
			fmt.Fprintln(p.w)
		}
		p.started = true
		if total == 0 {
			fmt.Fprintf(p.w, "\r%-9s %d rows", stageWords[stage], done)
			return
		}
		const width = 30
		fill := done * width / total
		fmt.Fprintf(p.w, "\r%-9s [%s%s] %3d%% %d/%d", stageWords[stage], strings.Repeat("#", fill), strings.Repeat("-", width-fill), done*100/total, done, total)
		return
	}
	if changed || (total > 0 && tenth > p.tenth) {
		p.tenth = tenth
		if total == 0 {
			fmt.Fprintf(p.w, "%-9s %d rows\n", stageWords[stage], done)
		} else {
			fmt.Fprintf(p.w, "%-9s %3d%% %d/%d\n", stageWords[stage], done*100/total, done, total)
		}
	}
	if changed {
		p.tenth = tenth
	}
}

func (p *progressBar) end() {
	if p.tty && p.started {
		fmt.Fprintln(p.w)
	}
}
