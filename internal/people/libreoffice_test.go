package people

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/sheet"
)

// soffice converts files to CSV (UTF-8) with LibreOffice, in one run, and
// returns each one's rows.
func soffice(t *testing.T, files ...string) map[string][][]string {
	t.Helper()
	bin, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice (LibreOffice) is not on PATH")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := []string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", dir}
	if out, err := exec.CommandContext(ctx, bin, append(args, files...)...).CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	out := map[string][][]string{}
	for _, file := range files {
		b, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
		r.FieldsPerRecord = -1
		if out[file], err = r.ReadAll(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestLibreOfficeOpensExports writes exports (one per engine) and the
// templates with the project's own writer, has LibreOffice convert them to
// CSV, and compares the rows. Skipped unless soffice is on PATH, and in
// -short runs.
func TestLibreOfficeOpensExports(t *testing.T) {
	if _, err := exec.LookPath("soffice"); err != nil {
		t.Skip("soffice (LibreOffice) is not on PATH")
	}
	if testing.Short() {
		t.Skip("LibreOffice takes seconds to start")
	}
	t.Parallel()
	dir := t.TempDir()
	want := map[string][][]string{}
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		for i, name := range []string{"王芳", "李建国", "赵 小 明", "王五"} {
			r := f.resident(t, f.building, name, fmt.Sprintf("3604031960%02d%02d%03d", i+1, i+10, 100+i), "elderly_alone")
			if i == 3 {
				// Text a spreadsheet would run, kept as text.
				if _, err := f.s.UpdateResident(ctx, system, r.ID, ResidentInput{HouseholdID: r.HouseholdID, Name: name, Gender: r.Gender, BirthDate: string(r.BirthDate),
					Ethnicity: "+1-2", Relation: "head", Tags: r.Tags}); err != nil {
					t.Fatal(err)
				}
			}
		}
		out, err := f.s.ExportResidents(ctx, actorAt(auth.CommunityStaff, f.community), ResidentFilter{}, i18n.Zh)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "residents-"+string(d.Engine())+".xlsx")
		var b bytes.Buffer
		if err := sheet.WriteXLSX(&b, out); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(file, b.Bytes(), 0o600)
		rows := [][]string{out.Header}
		for _, r := range out.Rows {
			var row []string
			for _, v := range r {
				s := fmt.Sprint(v)
				if str, ok := v.(string); ok {
					s = sheet.Neutralize(str)
				}
				row = append(row, s)
			}
			rows = append(rows, row)
		}
		want[file] = rows
	})
	for _, k := range SheetKinds {
		var b bytes.Buffer
		if err := WriteTemplate(&b, k, i18n.Zh); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "template-"+string(k)+".xlsx")
		os.WriteFile(file, b.Bytes(), 0o600)
		var headers []string
		for _, c := range LayoutOf(k).Columns {
			headers = append(headers, c.Header)
		}
		want[file] = [][]string{headers}
	}
	var files []string
	for f := range want {
		files = append(files, f)
	}
	got := soffice(t, files...)
	for file, rows := range want {
		g := got[file]
		if len(g) != len(rows) {
			t.Errorf("%s: LibreOffice read %d rows, want %d:\n%q", filepath.Base(file), len(g), len(rows), g)
			continue
		}
		for i := range rows {
			if strings.Join(g[i], "|") != strings.Join(rows[i], "|") {
				t.Errorf("%s row %d:\n got %q\nwant %q", filepath.Base(file), i, g[i], rows[i])
			}
		}
		if strings.HasPrefix(filepath.Base(file), "residents") && !strings.Contains(strings.Join(g[4], "|"), "'+1-2") {
			t.Errorf("a formula-like cell was not kept as text: %q", g[4])
		}
	}
}
