package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"grassroots/internal/app"
	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/pii"
)

func TestImportExportCommands(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			in := instance{dbtest.URL(t, engine), t.TempDir()}
			a, err := app.Open(ctx, app.Config{DBURL: in.dbURL, DataDir: in.dataDir})
			if err != nil {
				t.Fatal(err)
			}
			sys := auth.SystemActor("test")
			var parent *org.Unit
			units := map[string]*org.Unit{}
			for _, u := range []struct {
				typ        org.UnitType
				code, name string
			}{{org.District, "360403", "浔阳区"}, {org.Street, "360403001", "湓浦街道"}, {org.Community, "360403001001", "白水湖社区"},
				{org.Grid, "360403001001001", "第一网格"}, {org.Building, "360403001001001001", "1号楼"}} {
				in := org.UnitInput{Type: u.typ, Code: u.code, Name: u.name}
				if parent != nil {
					in.ParentID = parent.ID
				}
				if parent, err = app.Get[*org.Store](a).CreateUnit(ctx, sys, in); err != nil {
					t.Fatal(err)
				}
				units[u.code] = parent
			}
			if _, err := app.Get[*auth.Store](a).CreateUser(ctx, sys, auth.NewUser{Username: "wang", Password: "a-long-password",
				Grants: []auth.GrantSpec{{Role: auth.CommunityStaff, UnitID: units["360403001001"].ID}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := app.Get[*auth.Store](a).CreateUser(ctx, sys, auth.NewUser{Username: "gridman", Password: "a-long-password",
				Grants: []auth.GrantSpec{{Role: auth.GridMember, UnitID: units["360403001001001"].ID}}}); err != nil {
				t.Fatal(err)
			}
			a.Close()

			// The commands speak the locale's language: English here, Chinese
			// (the default) through runZh.
			runIn := func(locale string, args ...string) (string, string, error) {
				var out, errOut bytes.Buffer
				env := map[string]string{"LANG": locale}
				m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
				err := m.Run(ctx, append(args, "--db", in.dbURL, "--data", in.dataDir))
				return out.String(), errOut.String(), err
			}
			run := func(args ...string) (string, string, error) { return runIn("en_US.UTF-8", args...) }
			runZh := func(args ...string) (string, string, error) { return runIn("", args...) }
			dir := t.TempDir()
			id := func(first17 string) string { return first17 + string(pii.IDCheckChar(first17)) }
			var csv strings.Builder
			csv.WriteString("姓名,证件号码,楼栋编码,房号,与户主关系\n")
			for i := 0; i < 450; i++ {
				fmt.Fprintf(&csv, "居民%d,%s,360403001001001001,%d,户主\n", i, id(fmt.Sprintf("360403198001%02d%03d", i%28+1, i)), 100+i)
			}
			file := filepath.Join(dir, "residents.csv")
			os.WriteFile(file, []byte(csv.String()), 0o600)

			if _, _, err := run("import", "residents", file, "--as", "gridman"); err == nil || !strings.Contains(err.Error(), "may not import") {
				t.Errorf("a grid member imports: %v", err)
			}
			out, progress, err := run("import", "residents", file, "--as", "wang")
			if err != nil || !strings.Contains(out, "Imported 450 rows of residents") || !strings.Contains(out, "450 new households") {
				t.Fatalf("import: %v\n%s", err, out)
			}
			if !strings.Contains(progress, "checking") || !strings.Contains(progress, "writing   100% 450/450") {
				t.Errorf("progress = %q", progress)
			}
			// Again: every row is on file; the report says so, in English
			// for an English locale, every word.
			out, _, err = run("import", "residents", file, "--as", "wang")
			if err == nil || err.Error() != "450 problems in 450 rows; nothing was imported" || !strings.Contains(out, "row 2, 证件号码 (3604**********") ||
				!strings.Contains(out, "already on file") || !strings.Contains(out, "... and 430 more") {
				t.Errorf("second import, in English: %v\n%s", err, out)
			}
			// In Chinese by default, or if asked, with no English word left.
			report := filepath.Join(dir, "problems.xlsx")
			for _, try := range []func(...string) (string, string, error){runZh, func(args ...string) (string, string, error) { return run(append(args, "--lang", "zh")...) }} {
				out, progress, err = try("import", "residents", file, "--as", "wang", "--report", report)
				if err == nil || err.Error() != "450 行中有 450 个问题，未导入任何数据" || !strings.Contains(out, "第 2 行，证件号码（3604**********") ||
					!strings.Contains(out, "已有登记") || !strings.Contains(out, "……另有 430 个问题") || !strings.Contains(progress, "检查") {
					t.Errorf("second import, in Chinese: %v\n%s", err, out)
				}
				if english := regexp.MustCompile(`(?i)\b(row|file|problems?|more|checking|reading|rows)\b`); english.MatchString(out + progress + err.Error()) {
					t.Errorf("English left in the Chinese output: %q", english.FindAllString(out+progress+err.Error(), -1))
				}
			}
			if _, _, err := runZh("import", "residents", file, "--as", "gridman"); err == nil || err.Error() != "您没有导入导出数据的权限。" {
				t.Errorf("a grid member imports, in Chinese: %v", err)
			}
			x, err := excelize.OpenFile(report)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := x.GetRows(x.GetSheetName(0))
			if len(rows) != 451 || rows[0][0] != "行号" {
				t.Errorf("report has %d rows", len(rows))
			}
			x.Close()

			exported := filepath.Join(dir, "out.csv")
			if _, msg, err := run("export", "residents", "-o", exported, "--as", "wang", "--under", "360403001001001"); err != nil || !strings.Contains(msg, "Exported 450 rows") {
				t.Fatalf("export: %v %s", err, msg)
			}
			if _, msg, err := runZh("export", "residents", "-o", exported, "--as", "wang"); err != nil || !strings.Contains(msg, "已导出居民 450 行") {
				t.Fatalf("export, in Chinese: %v %s", err, msg)
			}
			body, _ := os.ReadFile(exported)
			if !strings.HasPrefix(string(body), "\xef\xbb\xbf姓名,性别,证件类型,证件号码") || strings.Contains(string(body), id("36040319800101000")) {
				t.Errorf("export = %.200s", body)
			}
			if _, _, err := run("export", "residents", "-o", exported, "--as", "gridman"); err == nil {
				t.Errorf("a grid member exports")
			}
			if _, _, err := run("import", "households", file); err == nil {
				t.Errorf("an unknown kind was accepted")
			}
		})
	}
}
