package main

// grassroots import and grassroots export: the spreadsheet import and
// export of residents, party members and grid staff from the command line,
// acting as a user (--as) or as the system. They speak the system locale's
// language (Main.lang), every word of their messages through i18n
// (messages.go); --lang chooses another.

import (
	"context"
	"errors"
	"fmt"
	"grassroots/internal/org"
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
	"grassroots/internal/platform/sheet"
)

const sheetKinds = "residents, party-members or grid-staff"

// fail is an error message in lang.
func fail(lang i18n.Lang, key string, args ...any) error {
	return errors.New(i18n.T(lang, key, args...))
}

// actorFor returns the account named by --as with its roles, or the system.
func (m *Main) actorFor(ctx context.Context, a *app.App, username, what string) (*auth.Actor, error) {
	if username == "" {
		return auth.SystemActor(what), nil
	}
	users, err := app.Get[*auth.Store](a).ListUsers(ctx, auth.SystemActor(what))
	if err != nil {
		return nil, m.explain(err)
	}
	for _, u := range users {
		if u.Username == strings.ToLower(username) {
			if u.Disabled {
				return nil, fail(m.lang(), "cli.user_disabled", u.Username)
			}
			return &auth.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Grants: u.Grants, IP: "local"}, nil
		}
	}
	return nil, fail(m.lang(), "cli.no_user", username)
}

// langFlag reads --lang; empty is the command's own language.
func (m *Main) langFlag(s string) (i18n.Lang, error) {
	if s == "" {
		return m.lang(), nil
	}
	l, ok := i18n.Parse(s)
	if !ok {
		return "", fail(m.lang(), "cli.bad_lang", s)
	}
	return l, nil
}

// kindWord names a kind of sheet in a sentence.
func kindWord(lang i18n.Lang, k people.SheetKind) string { return i18n.T(lang, "cli.kind."+string(k)) }

func (m *Main) importSheet(ctx context.Context, args []string) error {
	var cfg app.Config
	fs := m.flags("import", &cfg)
	as := fs.String("as", "", "import as this user, within their area (default: the system, everywhere)")
	reportPath := fs.String("report", "", "write the problems found to this file (.xlsx or .csv)")
	langName := fs.String("lang", "", "language of the messages and the report: zh or en (default: the system locale's, else zh)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	lang, err := m.langFlag(*langName)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fail(lang, "cli.usage", "grassroots import "+strings.ReplaceAll(sheetKinds, ", ", "|")+" FILE [--as USER] [--report FILE] [--lang zh|en]")
	}
	kind, ok := people.ParseSheetKind(pos[0])
	if !ok {
		return fail(lang, "cli.import_what", sheetKinds, pos[0])
	}
	st, err := os.Stat(pos[1])
	if err != nil {
		return err
	}
	if st.Size() > sheet.MaxBytes {
		return fail(lang, "cli.file_too_large", pos[1], sheet.MaxBytes>>20)
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
	actor, err := m.actorFor(ctx, a, *as, "cli import")
	if err != nil {
		return err
	}
	bar := newProgressBar(m.Stderr, lang)
	start := time.Now()
	rep, err := app.Get[*people.Store](a).ImportSheet(ctx, actor, kind, data, people.ImportOptions{Filename: filepath.Base(pos[1]), Progress: bar.update})
	bar.end()
	if err != nil {
		return m.explain(err)
	}
	if rep.OK() {
		secs := time.Since(start).Seconds()
		if kind == people.SheetResidents {
			fmt.Fprintln(m.Stdout, i18n.T(lang, "cli.imported_households", rep.Imported, kindWord(lang, kind), filepath.Base(pos[1]), secs, rep.Households))
		} else {
			fmt.Fprintln(m.Stdout, i18n.T(lang, "cli.imported", rep.Imported, kindWord(lang, kind), filepath.Base(pos[1]), secs))
		}
		return nil
	}
	const show = 20
	for i, p := range rep.Problems {
		if i == show {
			fmt.Fprintln(m.Stdout, i18n.T(lang, "cli.more_problems", len(rep.Problems)-show+rep.More))
			break
		}
		fmt.Fprintln(m.Stdout, problemLine(lang, p))
	}
	if *reportPath != "" {
		if err := writeSheetFile(*reportPath, formatOf(*reportPath), people.ReportSheet(rep, lang)); err != nil {
			return err
		}
	}
	return fail(lang, "cli.import_failed", len(rep.Problems)+rep.More, rep.Rows)
}

// problemLine is one problem of an import: where (the file, or its row,
// column and masked content), then why.
func problemLine(lang i18n.Lang, p people.Problem) string {
	where := i18n.T(lang, "cli.where_file")
	if p.Row > 0 {
		where = i18n.T(lang, "cli.where_row", p.Row)
	}
	if p.Column != "" {
		where += i18n.T(lang, "cli.where_column", p.Column)
	}
	if p.Value != "" {
		where += i18n.T(lang, "cli.where_value", p.Value)
	}
	return where + i18n.T(lang, "web.colon") + p.Reason(lang)
}

func (m *Main) exportSheet(ctx context.Context, args []string) error {
	var cfg app.Config
	fs := m.flags("export", &cfg)
	as := fs.String("as", "", "export as this user: what they may see (default: the system, everything)")
	out := fs.String("o", "", "file to write (.xlsx or .csv; - for standard output)")
	format := fs.String("format", "", "xlsx or csv (default: from the file name, else xlsx)")
	under := fs.String("under", "", "only below the unit with this code")
	langName := fs.String("lang", "zh", "language of the sheet's header and values: zh or en")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	say := m.lang() // the command's messages; --lang is the sheet's
	if len(pos) != 1 || *out == "" {
		return fail(say, "cli.usage", "grassroots export "+strings.ReplaceAll(sheetKinds, ", ", "|")+" -o FILE [--as USER] [--under CODE] [--format xlsx|csv] [--lang zh|en]")
	}
	kind, ok := people.ParseSheetKind(pos[0])
	if !ok {
		return fail(say, "cli.export_what", sheetKinds, pos[0])
	}
	lang, err := m.langFlag(*langName)
	if err != nil {
		return err
	}
	if *format == "" {
		*format = formatOf(*out)
	}
	if *format != "xlsx" && *format != "csv" {
		return fail(say, "cli.bad_format", *format)
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	actor, err := m.actorFor(ctx, a, *as, "cli export")
	if err != nil {
		return err
	}
	var underID int64
	if *under != "" {
		u, err := app.Get[*org.Store](a).UnitByCode(ctx, actor, *under)
		if err != nil {
			return fail(say, "cli.no_unit", *under, actor.Username)
		}
		underID = u.ID
	}
	var tab sheet.Sheet
	switch kind {
	case people.SheetPartyMembers:
		tab, err = app.Get[*people.Store](a).ExportPartyMembers(ctx, actor, people.MemberFilter{UnderID: underID}, lang)
	case people.SheetGridStaff:
		tab, err = app.Get[*people.Store](a).ExportGridStaff(ctx, actor, people.StaffFilter{UnderID: underID}, lang)
	default:
		tab, err = app.Get[*people.Store](a).ExportResidents(ctx, actor, people.ResidentFilter{UnderID: underID}, lang)
	}
	if err != nil {
		return m.explain(err)
	}
	if *out == "-" {
		return sheet.Write(m.Stdout, *format, tab)
	}
	if err := writeSheetFile(*out, *format, tab); err != nil {
		return err
	}
	fmt.Fprintln(m.Stderr, i18n.T(say, "cli.exported", len(tab.Rows), kindWord(say, kind), *out))
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
func writeSheetFile(path, format string, tab sheet.Sheet) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := sheet.Write(f, format, tab); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// progressBar draws an import's progress on standard error: redrawn in
// place on a terminal, a line per stage and per tenth otherwise.
type progressBar struct {
	w       io.Writer
	lang    i18n.Lang
	tty     bool
	stage   people.Stage
	drawn   time.Time
	tenth   int
	started bool
}

func newProgressBar(w io.Writer, lang i18n.Lang) *progressBar {
	p := &progressBar{w: w, lang: lang}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

// stage names the stage, padded to line the bars up.
func (p *progressBar) stageWord(s people.Stage) string {
	w := i18n.T(p.lang, "cli.stage."+string(s))
	return w + strings.Repeat(" ", max(0, 9-runewidth(w)))
}

// runewidth is the columns a terminal gives s: two for each Chinese character.
func runewidth(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x2e80 {
			n++
		}
	}
	return n
}

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
			fmt.Fprintf(p.w, "\r%s %s", p.stageWord(stage), i18n.T(p.lang, "cli.rows", done))
			return
		}
		const width = 30
		fill := done * width / total
		fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %d/%d", p.stageWord(stage), strings.Repeat("#", fill), strings.Repeat("-", width-fill), done*100/total, done, total)
		return
	}
	if changed || (total > 0 && tenth > p.tenth) {
		p.tenth = tenth
		if total == 0 {
			fmt.Fprintf(p.w, "%s %s\n", p.stageWord(stage), i18n.T(p.lang, "cli.rows", done))
		} else {
			fmt.Fprintf(p.w, "%s %3d%% %d/%d\n", p.stageWord(stage), done*100/total, done, total)
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
