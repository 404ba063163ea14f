package people

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/sheet"
)

// residentHeader is the residents template's header.
func residentHeader() []any {
	var h []any
	for _, c := range LayoutOf(SheetResidents).Columns {
		h = append(h, c.Header)
	}
	return h
}

// resRow is a resident row in the template's column order.
func resRow(name any, id, building, room, relation string, extra ...string) []any {
	// 姓名 性别 证件类型 证件号码 出生日期 民族 联系电话 户籍类型 楼栋编码 房号 与户主关系 标签
	row := []any{name, "", "", id, "", "汉族", "", "", building, room, relation, ""}
	for i := 0; i+1 < len(extra); i += 2 {
		row[LayoutOf(SheetResidents).Index(extra[i])] = extra[i+1]
	}
	return row
}

func problemsOf(rep *ImportReport) string {
	var b strings.Builder
	for _, p := range rep.Problems {
		fmt.Fprintf(&b, "%d %s %s: %s\n", p.Row, p.Column, p.Value, p.Zh)
	}
	return b.String()
}

// wantProblems checks a report's problems against (row, column, message).
func wantProblems(t *testing.T, rep *ImportReport, want []Problem) {
	t.Helper()
	if len(rep.Problems) != len(want) {
		t.Fatalf("%d problems, want %d:\n%s", len(rep.Problems), len(want), problemsOf(rep))
	}
	for i, w := range want {
		g := rep.Problems[i]
		if g.Row != w.Row || g.Column != w.Column || g.Zh != w.Zh {
			t.Errorf("problem %d = %d %s %q, want %d %s %q", i, g.Row, g.Column, g.Zh, w.Row, w.Column, w.Zh)
		}
	}
}

func want(row int, column string, key string, args ...any) Problem {
	return newProblem(row, column, "", i18n.M(key, args...))
}

func countRows(t *testing.T, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportResidents(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		community := actorAt(auth.CommunityStaff, f.community)
		// An active household already at building 1, room 301, joined by the import.
		h301, err := f.s.CreateHousehold(ctx, system, f.building.ID, "301")
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{idNumber("36040319600101001"), idNumber("36040319620202002"), idNumber("36040319900303003"), idNumber("36040319450404004")}
		file := makeXLSX(t, [][]any{residentHeader(),
			resRow("张建华", ids[0], f.building.Code, "101", "户主", "phone", "13800001111", "tags", "空巢老人"),
			resRow("刘桂兰", ids[1], f.building.Code, "101", "配偶", "tags", "空巢老人、残疾人"),
			resRow("张磊", ids[2], f.building2.Code, "202", "户主", "birth_date", "1990-03-03", "residence", "流动人口"),
			resRow("赵大爷", ids[3], f.building.Code, "301", "户主"),
		})
		var stages []Stage
		rep, err := f.s.ImportSheet(ctx, community, SheetResidents, file, ImportOptions{Filename: "居民.xlsx", Progress: func(s Stage, done, total int) {
			if len(stages) == 0 || stages[len(stages)-1] != s {
				stages = append(stages, s)
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() || rep.Imported != 4 || rep.Rows != 4 || rep.Households != 2 || rep.Format != "xlsx" {
			t.Fatalf("report = %+v\n%s", rep, problemsOf(rep))
		}
		if strings.Join([]string{string(stages[0]), string(stages[len(stages)-1])}, ",") != "checking,writing" {
			t.Errorf("stages = %v", stages)
		}
		// Households: building 1 room 101 (two people), building 2 room 202, and the existing 301.
		hh, total, err := f.s.ListHouseholds(ctx, system, HouseholdFilter{Limit: 10})
		if err != nil || total != 3 {
			t.Fatalf("households: %d %v", total, err)
		}
		sizes := map[string]int{}
		for _, h := range hh {
			sizes[h.BuildingCode+"/"+h.Room] = len(h.Members)
		}
		if sizes[f.building.Code+"/101"] != 2 || sizes[f.building2.Code+"/202"] != 1 || sizes[f.building.Code+"/301"] != 1 {
			t.Errorf("households = %v", sizes)
		}
		if list, _, _ := f.s.ListResidents(ctx, system, ResidentFilter{HouseholdID: h301.ID}); len(list) != 1 || list[0].Name != "赵大爷" {
			t.Errorf("the existing household was not joined: %+v", list)
		}
		if list, n, _ := f.s.ListResidents(ctx, system, ResidentFilter{IDNumber: ids[1]}); n != 1 || len(list[0].Tags) != 2 || list[0].Gender != "female" {
			t.Errorf("found by number: %+v", list)
		}
		rows, _ := audit.List(ctx, d, audit.Filter{Action: "import.residents"})
		if len(rows) != 1 || !strings.Contains(rows[0].Detail, `"rows":4`) || !strings.Contains(rows[0].Detail, `"households":2`) {
			t.Errorf("audit = %+v", rows)
		}

		// A file with problems writes nothing and says where each one is.
		before := countRows(t, d, "residents")
		fresh := idNumber("36040319700505005")
		bad := makeXLSX(t, [][]any{residentHeader(),
			resRow("钱七", fresh, f.building.Code, "401", "户主"),                                                                                // 2: fine
			resRow("", idNumber("36040319700505013"), f.building.Code, "401", "配偶"),                                                          // 3: no name
			resRow("孙八", fresh[:17]+string("0123456789X"[(strings.IndexByte("0123456789X", fresh[17])+1)%11]), f.building.Code, "402", "户主"), // 4: check digit
			resRow("李九", idNumber("36040319700505021"), "360403001001001099", "403", "户主"),                                                   // 5: unknown building
			resRow("周十", idNumber("36040319700505030"), f.otherBuilding.Code, "404", "户主"),                                                   // 6: another community's building
			resRow("吴一", fresh, f.building.Code, "405", "户主"),                                                                                // 7: same as row 2
			resRow("郑二", ids[0], f.building.Code, "406", "户主"),                                                                               // 8: on file already
			resRow(formula(`"王"&"五"`), idNumber("36040319700505048"), f.building.Code, "407", "户主"),                                          // 9: a formula
			resRow("冯三", idNumber("36040319700505056"), f.building.Code, "408", "户主", "gender", "未知"),                                        // 10: bad choice
			resRow("陈四", idNumber("36040319700505064"), f.building.Code, "409", "户主", "tags", "VIP"),                                         // 11: bad tag
			resRow("褚五", "3.60403197005051E+17", f.building.Code, "410", "户主"),                                                               // 12: scientific notation
			resRow("卫六", idNumber("36040319700505080"), f.grid.Code, "411", "户主"),                                                            // 13: a grid's code
		})
		rep, err = f.s.ImportSheet(ctx, community, SheetResidents, bad, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantProblems(t, rep, []Problem{
			want(3, "姓名", "field.required"),
			want(4, "证件号码", "pii.id_check"),
			want(5, "楼栋编码", "sheet.unknown_code", org.Building.Label(), "360403001001001099"),
			want(6, "楼栋编码", "sheet.out_of_scope", f.otherBuilding.Code, f.otherBuilding.Name),
			want(7, "证件号码", "sheet.duplicate_in_file", 2),
			want(8, "证件号码", "people.duplicate_id", pii.MaskID(ids[0])),
			want(9, "姓名", "sheet.formula"),
			want(10, "性别", "sheet.bad_choice", "男、女"),
			want(11, "标签", "sheet.bad_choice_item", "VIP", allowed(&Tags)),
			want(12, "证件号码", "sheet.scientific"),
			want(13, "楼栋编码", "sheet.wrong_unit_type", f.grid.Code, org.Grid.Label(), org.Building.Label()),
		})
		if rep.Imported != 0 || countRows(t, d, "residents") != before {
			t.Errorf("a file with problems wrote rows")
		}
		// Identity numbers never show in full in a report.
		for _, p := range rep.Problems {
			if strings.Contains(p.Value+p.Zh+p.En, ids[0]) || strings.Contains(p.Value, fresh) {
				t.Errorf("report shows a full number: %+v", p)
			}
		}

		// Someone without the bulk permission may not import.
		if _, err := f.s.ImportSheet(ctx, actorAt(auth.GridMember, f.grid), SheetResidents, file, ImportOptions{}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("grid member imports: %v", err)
		}
	})
}

func TestImportAllOrNothing(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		id1, id2 := idNumber("36040319800101011"), idNumber("36040319800101029")
		file := makeXLSX(t, [][]any{residentHeader(), resRow("甲", id1, f.building.Code, "1", "户主"), resRow("乙", id2, f.building.Code, "2", "户主")})
		rep, err := f.s.ImportSheet(ctx, system, SheetResidents, file, ImportOptions{})
		if err != nil || !rep.OK() {
			t.Fatalf("%v %+v", err, rep)
		}
		// Now the file again, with a third row whose number is on file:
		// found while checking.
		before := countRows(t, d, "residents")
		beforeHH := countRows(t, d, "households")
		file = makeXLSX(t, [][]any{residentHeader(), resRow("丙", idNumber("36040319800101037"), f.building.Code, "3", "户主"), resRow("丁", id2, f.building.Code, "4", "户主")})
		rep, err = f.s.ImportSheet(ctx, system, SheetResidents, file, ImportOptions{})
		if err != nil || rep.OK() || countRows(t, d, "residents") != before || countRows(t, d, "households") != beforeHH {
			t.Fatalf("%v %+v", err, rep)
		}
		// A failure while writing (here: a row the Loader refuses although
		// the checks passed) rolls everything back and is reported.
		ri := &residentImporter{importBase: importBase{s: f.s, actor: system, write: auth.Scope{All: true}, bulk: auth.Scope{All: true}}, firstRow: map[string]int{}}
		ri.buildings = map[string]*org.Unit{f.building.Code: f.building}
		ri.rows = []residentRow{
			{row: 2, in: ResidentInput{Name: "戊", IDNumber: idNumber("36040319800101045")}, building: f.building.Code, room: "5"},
			{row: 3, in: ResidentInput{Name: "己", IDNumber: id1}, building: f.building.Code, room: "6"},
		}
		err = d.InTx(ctx, func(tx *db.Tx) error {
			_, err := ri.write(ctx, tx, &ImportReport{}, func(int) {})
			return err
		})
		var p problems
		if rf, ok := err.(*rowFailure); !ok || rf.row != 3 {
			t.Fatalf("write error = %v", err)
		} else {
			rf.report(LayoutOf(SheetResidents), &p)
		}
		if len(p.list) != 1 || p.list[0].Column != "证件号码" || countRows(t, d, "residents") != before || countRows(t, d, "households") != beforeHH {
			t.Errorf("after a failed write: %+v, %d residents", p.list, countRows(t, d, "residents"))
		}
	})
}

func TestImportFileProblems(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		check := func(name string, data []byte, key string) {
			t.Helper()
			_, err := f.s.ImportSheet(ctx, system, SheetResidents, data, ImportOptions{})
			if keyOf(err) != key {
				t.Errorf("%s: %v, want %s", name, err, key)
			}
		}
		check("pdf", []byte("%PDF-1.7\n\x00\x00"), "sheet.not_spreadsheet")
		check("xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00"), "sheet.old_xls")
		check("empty", nil, "sheet.empty")
		check("header only", makeXLSX(t, [][]any{residentHeader()}), "sheet.no_rows")
		old := sheet.MaxRows
		sheet.MaxRows = 2
		rows := [][]any{residentHeader()}
		for i := 0; i < 3; i++ {
			rows = append(rows, resRow("甲", idNumber(fmt.Sprintf("360403198001010%02d", i)), f.building.Code, "1", "户主"))
		}
		check("too many rows", makeXLSX(t, rows), "sheet.too_many_rows")
		sheet.MaxRows = old

		// A wrong header stops at the header.
		rep, err := f.s.ImportSheet(ctx, system, SheetResidents, []byte("姓名,证件号码,房号,备注\n甲,1,2,3\n"), ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantProblems(t, rep, []Problem{want(1, "备注", "sheet.unknown_column", "备注"), want(1, "楼栋编码", "sheet.missing_column", "楼栋编码")})
		// A party member sheet is not a residents sheet.
		rep, _ = f.s.ImportSheet(ctx, system, SheetResidents, []byte("姓名,证件号码,所属党组织\n甲,1,2\n"), ImportOptions{})
		if len(rep.Problems) != 3 || rep.Problems[0].Column != "所属党组织" {
			t.Errorf("party sheet as residents:\n%s", problemsOf(rep))
		}
	})
}

func TestImportCSV(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		// Columns reordered, optional ones left out, dates and choices as
		// officials write them, in each encoding.
		n := 0
		for _, enc := range []string{"utf-8", "utf-8 bom", "gbk"} {
			id := idNumber(fmt.Sprintf("360403197506%02d10%d", n+1, n))
			n++
			sex := "女"
			if (id[16]-'0')%2 == 1 {
				sex = "男"
			}
			text := "房号,楼栋编码,姓名,证件号码,出生日期,性别,标签,与户主关系\n" +
				"3单元501," + f.building.Code + ",欧阳明," + id + "," + id[6:10] + "/" + strings.TrimLeft(id[10:12], "0") + "/" + strings.TrimLeft(id[12:14], "0") + "," + sex + ",退役军人，空巢老人,户主\n"
			var data []byte
			switch enc {
			case "utf-8":
				data = []byte(text)
			case "utf-8 bom":
				data = []byte("\xef\xbb\xbf" + text)
			case "gbk":
				s, _ := simplifiedchinese.GBK.NewEncoder().String(text)
				data = []byte(s)
			}
			rep, err := f.s.ImportSheet(ctx, system, SheetResidents, data, ImportOptions{})
			if err != nil || !rep.OK() || rep.Imported != 1 {
				t.Fatalf("%s: %v %+v\n%s", enc, err, rep, problemsOf(rep))
			}
			list, _, _ := f.s.ListResidents(ctx, system, ResidentFilter{IDNumber: id})
			if len(list) != 1 || list[0].Name != "欧阳明" || list[0].Room != "3单元501" || len(list[0].Tags) != 2 {
				t.Errorf("%s: %+v", enc, list)
			}
		}
	})
}

// TestImportLibreOfficeFiles imports files that LibreOffice wrote (see
// testdata/README.md): an .xlsx with a date cell and a number room, and
// the same saved as a GBK CSV.
func TestImportLibreOfficeFiles(t *testing.T) {
	for _, file := range []string{"testdata/residents_libreoffice.xlsx", "testdata/residents_libreoffice_gbk.csv"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// Subtests named apart: a "#01" suffix would end the SQLite file URI.
		t.Run(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)), func(t *testing.T) {
			dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				f := setup(t, d)
				rep, err := f.s.ImportSheet(ctx, actorAt(auth.CommunityStaff, f.community), SheetResidents, data, ImportOptions{})
				if err != nil || !rep.OK() {
					t.Fatalf("%s: %v\n%s", file, err, problemsOf(rep))
				}
				if rep.Imported != 6 || rep.Households != 4 {
					t.Errorf("%s: %+v", file, rep)
				}
				list, _, _ := f.s.ListResidents(ctx, system, ResidentFilter{Limit: 10, Sort: "name"})
				got := map[string]Resident{}
				for _, r := range list {
					got[r.Name] = r
				}
				if r := got["王建国"]; r.BirthDate != "1955-04-07" || r.Room != "101" || r.Gender != "male" || r.Phone != "139****0001" {
					t.Errorf("%s: 王建国 = %+v", file, r)
				}
				if r := got["李秀英"]; r.Gender != "female" || r.BirthDate != "1958-09-21" || len(r.Tags) != 2 {
					t.Errorf("%s: 李秀英 = %+v", file, r)
				}
				if r := got["JOHN SMITH"]; r.IDType != "passport" || r.BirthDate != "1970-02-02" || r.Residence != "floating" {
					t.Errorf("%s: JOHN SMITH = %+v", file, r)
				}
			})
		})
	}
}

func TestImportPartyMembers(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		mkOrg := func(unit *org.Unit, typ org.PartyOrgType, name string) *org.PartyOrg {
			po, err := f.s.Orgs.CreatePartyOrg(ctx, system, org.PartyOrgInput{UnitID: unit.ID, Type: typ, Name: name})
			if err != nil {
				t.Fatal(err)
			}
			return po
		}
		committee := mkOrg(f.community, org.CommunityOrg, "白水湖社区党委")
		group := mkOrg(f.grid, org.GridGroup, "第一网格党小组")
		mkOrg(f.otherGrid, org.GridGroup, "第一网格党小组")
		a := f.resident(t, f.building, "刘强", "36040319850505301")
		b := f.resident(t, f.building2, "周敏", "36040319860606402")
		c := f.resident(t, f.building2, "吴刚", "36040319870707503")
		if _, err := f.s.CreatePartyMember(ctx, system, PartyMemberInput{ResidentID: c.ID, PartyOrgID: committee.ID}); err != nil {
			t.Fatal(err)
		}
		other := f.resident(t, f.otherBuilding, "郑华", "36040319880808604")
		header := []any{"姓名", "证件号码", "所属党组织", "入党日期", "党员状态", "是否在职党员", "工作单位"}
		reveal := func(r *Resident) string {
			rev, err := f.s.Reveal(ctx, system, r.ID, "测试用例")
			if err != nil {
				t.Fatal(err)
			}
			return rev.IDNumber
		}
		community := actorAt(auth.CommunityStaff, f.community)
		bad := makeXLSX(t, [][]any{header,
			{"刘强", reveal(a), "白水湖社区党委", "2010-07-01", "正式党员", "是", ""},      // 2: in service, no employer
			{"周 敏", reveal(b), "第一网格党小组", "", "预备党员", "否", ""},               // 3: name differs
			{"吴刚", reveal(c), "白水湖社区党委", "", "", "", ""},                     // 4: a member already
			{"郑华", reveal(other), "白水湖社区党委", "", "", "", ""},                 // 5: another community's resident
			{"王五", idNumber("36040319900101999"), "白水湖社区党委", "", "", "", ""}, // 6: not a resident
			{"刘强", reveal(a), "不存在的党委", "", "", "", ""},                      // 7: same as row 2, unknown organisation
		})
		rep, err := f.s.ImportSheet(ctx, community, SheetPartyMembers, bad, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantProblems(t, rep, []Problem{
			want(2, "工作单位", "people.employer_required"),
			want(3, "姓名", "sheet.name_mismatch", "周敏"),
			want(4, "证件号码", "people.already_member"),
			want(5, "证件号码", "sheet.resident_unknown", pii.MaskID(reveal(other))),
			want(6, "证件号码", "sheet.resident_unknown", pii.MaskID(idNumber("36040319900101999"))),
			want(7, "证件号码", "sheet.duplicate_in_file", 2),
			want(7, "所属党组织", "sheet.party_org_unknown", "不存在的党委"),
		})
		good := makeXLSX(t, [][]any{header,
			{"刘强", reveal(a), "白水湖社区党委", "2010-07-01", "正式党员", "是", "九江市税务局"},
			{"周敏", reveal(b), "第一网格党小组", "2020-07-01", "预备党员", "否", ""},
		})
		rep, err = f.s.ImportSheet(ctx, community, SheetPartyMembers, good, ImportOptions{})
		if err != nil || !rep.OK() || rep.Imported != 2 {
			t.Fatalf("%v %+v\n%s", err, rep, problemsOf(rep))
		}
		list, _, _ := f.s.ListPartyMembers(ctx, system, MemberFilter{Limit: 10})
		orgOf := map[string]int64{}
		for _, m := range list {
			orgOf[m.ResidentName] = m.PartyOrgID
		}
		// Of the two 第一网格党小组, the one of 周敏's own grid.
		if orgOf["刘强"] != committee.ID || orgOf["周敏"] != group.ID || len(list) != 3 {
			t.Errorf("members = %+v", list)
		}
	})
}

func TestImportGridStaff(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		header := []any{"网格编码", "网格职务", "人员类别", "姓名", "联系电话", "负责楼栋编码", "任职日期"}
		community := actorAt(auth.CommunityStaff, f.community)
		good := makeXLSX(t, [][]any{header,
			{f.grid.Code, "网格长", "社区两委成员", "钱网格", "13700001111", "", "2023-01-01"},
			{f.grid.Code, "网格员", "楼栋长", "孙楼长", "13700002222", f.building.Code + "、" + f.building2.Code, ""},
			{f.grid.Code, "网格员", "志愿者", "李志愿", "", f.building2.Code, ""},
		})
		rep, err := f.s.ImportSheet(ctx, community, SheetGridStaff, good, ImportOptions{})
		if err != nil || !rep.OK() || rep.Imported != 3 {
			t.Fatalf("%v %+v\n%s", err, rep, problemsOf(rep))
		}
		list, _, _ := f.s.ListGridStaff(ctx, system, StaffFilter{Limit: 10})
		if len(list) != 3 || list[0].Role != "leader" || list[0].Phone != "137****1111" {
			t.Fatalf("staff = %+v", list)
		}
		for _, g := range list {
			if g.Name == "孙楼长" && len(g.Buildings) != 2 {
				t.Errorf("buildings = %v", g.Buildings)
			}
		}
		bad := makeXLSX(t, [][]any{header,
			{f.grid.Code, "网格员", "楼栋长", "孙楼长", "137 0000 2222", "", ""},  // 2: on file already
			{f.grid.Code, "组长", "", "赵六", "", "", ""},                    // 3: no such post
			{"360403001001009", "网格员", "", "赵七", "", "", ""},             // 4: no such grid
			{f.otherGrid.Code, "网格员", "", "赵八", "", "", ""},              // 5: another community's grid
			{f.grid.Code, "网格员", "", "赵九", "", f.otherBuilding.Code, ""}, // 6: building of another grid
			{f.grid.Code, "网格员", "", "赵九", "", "", ""},                   // 7: same as row 6
			{f.grid.Code, "网格员", "", "李志愿", "", "", ""},                  // 8: on file, no phone, same post
		})
		rep, err = f.s.ImportSheet(ctx, community, SheetGridStaff, bad, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantProblems(t, rep, []Problem{
			want(2, "姓名", "sheet.staff_exists", "孙楼长", f.grid.Name),
			want(3, "网格职务", "sheet.bad_choice", allowed(&StaffRoles)),
			want(4, "网格编码", "sheet.unknown_code", org.Grid.Label(), "360403001001009"),
			want(5, "网格编码", "sheet.out_of_scope", f.otherGrid.Code, f.otherGrid.Name),
			want(6, "负责楼栋编码", "sheet.building_not_in_grid", f.otherBuilding.Code, f.grid.Name),
			want(7, "姓名", "sheet.duplicate_in_file", 6),
			want(8, "姓名", "sheet.staff_exists", "李志愿", f.grid.Name),
		})
	})
}

func TestExports(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		a := f.resident(t, f.building, "王芳", "36040319560312002", "elderly_alone", "low_income")
		f.resident(t, f.otherBuilding, "外社区", "36040319570312003")
		// Text a spreadsheet would run: shown, never run.
		if _, err := f.s.UpdateResident(ctx, system, a.ID, ResidentInput{HouseholdID: a.HouseholdID, Name: "王芳", Gender: "female", BirthDate: "1956-03-12", Ethnicity: "=1+2", Relation: "head", Tags: a.Tags}); err != nil {
			t.Fatal(err)
		}
		community := actorAt(auth.CommunityStaff, f.community)
		out, err := f.s.ExportResidents(ctx, community, ResidentFilter{}, i18n.Zh)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Rows) != 1 || out.Header[3] != "证件号码" {
			t.Fatalf("export = %+v", out)
		}
		row := out.Rows[0]
		if row[3] != a.IDNumber || !strings.Contains(row[3].(string), "*") || row[6] != "138****5678" || row[8] != f.building.Code || row[12] != "独居老人、低保户" {
			t.Errorf("row = %q", row)
		}
		var b bytes.Buffer
		if err := sheet.WriteXLSX(&b, out); err != nil {
			t.Fatal(err)
		}
		x, _ := excelize.OpenReader(&b)
		cells, _ := x.GetRows(out.Name)
		if cells[1][5] != "'=1+2" || cells[1][0] != "王芳" || cells[1][4] != "1956-03-12" {
			t.Errorf("xlsx row = %q", cells[1])
		}
		// The birth date is a date cell (a serial number with a date
		// format), which spreadsheets sort and filter as a date.
		raw, _ := x.GetCellValue(out.Name, "E2", excelize.Options{RawCellValue: true})
		styleID, _ := x.GetCellStyle(out.Name, "E2")
		style, _ := x.GetStyle(styleID)
		if raw != "20526" || style == nil || style.CustomNumFmt == nil || *style.CustomNumFmt != "yyyy-mm-dd" {
			t.Errorf("the birth date cell holds %q with style %+v", raw, style)
		}
		rows, _ := audit.List(ctx, d, audit.Filter{Action: "export.residents"})
		if len(rows) != 1 || !strings.Contains(rows[0].Detail, `"rows":1`) {
			t.Errorf("export audit = %+v", rows)
		}

		// Party members and grid staff.
		po, _ := f.s.Orgs.CreatePartyOrg(ctx, system, org.PartyOrgInput{UnitID: f.community.ID, Type: org.CommunityOrg, Name: "白水湖社区党委"})
		if _, err := f.s.CreatePartyMember(ctx, system, PartyMemberInput{ResidentID: a.ID, PartyOrgID: po.ID, InService: true, Employer: "九江学院"}); err != nil {
			t.Fatal(err)
		}
		out, err = f.s.ExportPartyMembers(ctx, community, MemberFilter{}, i18n.En)
		if err != nil || len(out.Rows) != 1 || out.Rows[0][1] != a.IDNumber || out.Rows[0][5] != "Yes" || out.Header[0] != "Name" {
			t.Errorf("members export = %+v %v", out, err)
		}
		if _, err := f.s.SaveGridStaff(ctx, system, 0, GridStaffInput{GridID: f.grid.ID, Role: "member", Kind: "building_head", Name: "孙楼长", Phone: "13700002222",
			Buildings: []int64{f.building.ID, f.building2.ID}}); err != nil {
			t.Fatal(err)
		}
		out, err = f.s.ExportGridStaff(ctx, community, StaffFilter{}, i18n.Zh)
		if err != nil || len(out.Rows) != 1 || out.Rows[0][0] != f.grid.Code || out.Rows[0][5] != "137****2222" || out.Rows[0][6] != f.building.Code+"、"+f.building2.Code {
			t.Errorf("staff export = %+v %v", out, err)
		}
		// The export of the grid staff reads back through the importer's
		// header check: the columns are the template's.
		var p problems
		matchHeader(LayoutOf(SheetGridStaff), sheet.Row{N: 1, Cells: func() []sheet.Cell {
			var c []sheet.Cell
			for _, h := range out.Header {
				if h != "网格名称" {
					c = append(c, sheet.Cell{Text: h})
				}
			}
			return c
		}()}, &p)
		if !p.empty() {
			t.Errorf("export header: %+v", p.list)
		}
		if _, err := f.s.ExportResidents(ctx, actorAt(auth.GridMember, f.grid), ResidentFilter{}, i18n.Zh); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("grid member exports: %v", err)
		}
		if n := len(mustAudit(t, d, "export.party_members")) + len(mustAudit(t, d, "export.grid_staff")); n != 2 {
			t.Errorf("%d export audits", n)
		}
	})
}

func mustAudit(t *testing.T, d *db.DB, action string) []audit.Row {
	t.Helper()
	rows, err := audit.List(context.Background(), d, audit.Filter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestImportJobs(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		admin := &auth.Actor{UserID: 42, Username: "admin", Grants: []auth.Grant{{Role: auth.DistrictAdmin, UnitID: f.district.ID, UnitPath: f.district.Path}}}
		id := idNumber("36040319660606066")
		file := makeXLSX(t, [][]any{residentHeader(), resRow("黄河", id, f.building.Code, "9", "户主")})
		job, err := f.s.StartImport(ctx, admin, SheetResidents, `C:\Users\社区\居民.xlsx`, file)
		if err != nil {
			t.Fatal(err)
		}
		if job.Filename != "居民.xlsx" {
			t.Errorf("filename %q", job.Filename)
		}
		waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := f.s.WaitImport(waitCtx, job.ID); err != nil {
			t.Fatal(err)
		}
		job, err = f.s.ImportJob(ctx, admin, job.ID)
		if err != nil || job.Status != ImportDone || job.Imported != 1 || job.Report == nil || job.Report.Households != 1 {
			t.Fatalf("job = %+v %v", job, err)
		}
		// The file is gone from the table once the import ended; the sealed
		// copy never held the number in plain text.
		var data []byte
		d.QueryRow(ctx, `SELECT data FROM imports WHERE id = ?`, job.ID).Scan(&data)
		if data != nil {
			t.Errorf("the file is still stored")
		}
		// Another account does not see it.
		if _, err := f.s.ImportJob(ctx, &auth.Actor{UserID: 43, Grants: admin.Grants}, job.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("another user reads the import: %v", err)
		}
		// A file with problems is rejected with a report.
		job, err = f.s.StartImport(ctx, admin, SheetResidents, "again.xlsx", file)
		if err != nil {
			t.Fatal(err)
		}
		f.s.WaitImport(waitCtx, job.ID)
		job, _ = f.s.ImportJob(ctx, admin, job.ID)
		if job.Status != ImportRejected || len(job.Report.Problems) != 1 || job.Report.Problems[0].Row != 2 {
			t.Errorf("rejected job = %+v", job)
		}
		// What is plainly not a spreadsheet is refused at once.
		if _, err := f.s.StartImport(ctx, admin, SheetResidents, "x.pdf", []byte("%PDF-1.4\x00\x00")); keyOf(err) != "sheet.not_spreadsheet" {
			t.Errorf("pdf upload: %v", err)
		}
		jobs, err := f.s.ListImportJobs(ctx, admin, 10)
		if err != nil || len(jobs) != 2 {
			t.Errorf("jobs = %d %v", len(jobs), err)
		}
		uploads := mustAudit(t, d, "import.upload")
		if len(uploads) != 2 {
			t.Errorf("upload audits = %d", len(uploads))
		}

		// An import left running by an instance that stopped is marked failed.
		var orphan int64
		if err := d.InTx(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, `INSERT INTO imports (kind, filename, status, message, actor_id, created_at) VALUES ('residents', 'x.xlsx', 'running', 'writing', 42, ?) RETURNING id`,
				time.Now().UTC().Add(-time.Hour)).Scan(&orphan)
		}); err != nil {
			t.Fatal(err)
		}
		if d.Engine() == db.Postgres {
			// While an instance holds the import's lock, it is alive.
			unlock, err := f.s.lockImport(ctx, orphan)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := f.s.RecoverImports(ctx); n != 0 || err != nil {
				t.Errorf("a live import was recovered: %d %v", n, err)
			}
			unlock()
		}
		if n, err := f.s.RecoverImports(ctx); n != 1 || err != nil {
			t.Fatalf("recover: %d %v", n, err)
		}
		job, _ = f.s.ImportJob(ctx, admin, orphan)
		if job.Status != ImportFailed || job.Reason(i18n.Zh) != i18n.T(i18n.Zh, "sheet.interrupted") {
			t.Errorf("orphan = %+v", job)
		}
	})
}

// TestImportRefusesMovedBuildings moves the building an import writes
// into after its rows were checked: the import refuses and writes nothing,
// rather than filing residents under the building's old place.
func TestImportRefusesMovedBuildings(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		file := makeXLSX(t, [][]any{residentHeader(), resRow("张建华", idNumber("36040319600101001"), f.building.Code, "101", "户主")})
		moved := false
		_, err := f.s.ImportSheet(ctx, system, SheetResidents, file, ImportOptions{Progress: func(s Stage, done, total int) {
			if s == StageWriting && !moved {
				moved = true
				if _, err := f.s.Orgs.MoveUnit(ctx, system, f.building.ID, f.otherGrid.ID, f.otherGrid.Code+"009"); err != nil {
					t.Fatal(err)
				}
			}
		}})
		if !moved || apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("import into a building moved meanwhile: %v", err)
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM residents`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d residents written", n)
		}
	})
}

// officialXLSX is a sheet as officials make it: a merged title row and a
// line naming who filled it in above the header, which is row 3.
func officialXLSX(t *testing.T, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	x.SetCellValue("Sheet1", "A1", "白水湖社区居民信息登记表")
	if err := x.MergeCell("Sheet1", "A1", "L1"); err != nil {
		t.Fatal(err)
	}
	x.SetCellValue("Sheet1", "A2", "填报单位：白水湖社区居委会")
	x.SetCellValue("Sheet1", "H2", "填报日期：2024年3月1日")
	for i, row := range append([][]any{residentHeader()}, rows...) {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := x.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// An official's sheet imports as it is: the header is found below a title,
// problems name the sheet's own rows, and relations and ethnic groups
// written short are read as the closed list and the full name.
func TestImportOfficialSheet(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		ids := []string{idNumber("36040319600101001"), idNumber("36040319620202002"), idNumber("36040319900303003"), idNumber("36040319920404004"),
			idNumber("36040319880505005"), idNumber("36040320150606006"), idNumber("36040319350707007")}
		rows := [][]any{
			resRow("张建华", ids[0], f.building.Code, "101", "本人", "ethnicity", "汉"),
			resRow("刘桂兰", ids[1], f.building.Code, "101", "妻", "ethnicity", "回"),
			resRow("张磊", ids[2], f.building.Code, "101", "子", "ethnicity", "蒙古"),
			resRow("王丽", ids[3], f.building.Code, "101", "儿媳", "ethnicity", "汉族"),
			resRow("李强", ids[4], f.building.Code, "101", "女婿", "ethnicity", "维吾尔"),
			resRow("张小雨", ids[5], f.building.Code, "101", "孙女", "ethnicity", "土家"),
			resRow("张老太", ids[6], f.building.Code, "101", "母", "ethnicity", "满族"),
		}
		// One bad row: the problem names row 8 of the sheet (its fifth data row).
		bad := append([][]any{}, rows...)
		bad[4] = resRow("", ids[4], f.building.Code, "101", "女婿")
		rep, err := f.s.ImportSheet(ctx, system, SheetResidents, officialXLSX(t, bad), ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantProblems(t, rep, []Problem{want(8, "姓名", "field.required")})

		rep, err = f.s.ImportSheet(ctx, system, SheetResidents, officialXLSX(t, rows), ImportOptions{})
		if err != nil || !rep.OK() || rep.Imported != len(rows) {
			t.Fatalf("official sheet: %v %+v\n%s", err, rep, problemsOf(rep))
		}
		wantRel := []string{"head", "spouse", "child", "child", "child", "grandchild", "parent"}
		wantEth := []string{"汉族", "回族", "蒙古族", "汉族", "维吾尔族", "土家族", "满族"}
		for i, id := range ids {
			list, _, _ := f.s.ListResidents(ctx, system, ResidentFilter{IDNumber: id})
			if len(list) != 1 || list[0].Relation != wantRel[i] || list[0].Ethnicity != wantEth[i] {
				t.Errorf("row %d: %+v, want %s %s", i+4, list, wantRel[i], wantEth[i])
			}
		}

		// A CSV's rows are numbered as a spreadsheet shows them, blank lines
		// and a title line included.
		csvText := "居民信息表\n\n姓名,证件号码,楼栋编码,房号,与户主关系\n\n某人," + idNumber("36040319700808008") + "," + f.building.Code + ",102,外星人\n"
		rep, err = f.s.ImportSheet(ctx, system, SheetResidents, []byte(csvText), ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantProblems(t, rep, []Problem{want(5, "与户主关系", "sheet.bad_choice", strings.Join(ChoiceLabels(&Relations), "、"))})

		// No header within the first ten rows: the file is not the template.
		var late strings.Builder
		for i := 0; i < 10; i++ {
			fmt.Fprintf(&late, "说明第%d行\n", i+1)
		}
		late.WriteString("姓名,证件号码,楼栋编码,房号\n")
		rep, err = f.s.ImportSheet(ctx, system, SheetResidents, []byte(late.String()), ImportOptions{})
		if err != nil || len(rep.Problems) != 1 || rep.Problems[0].Row != 0 || !strings.Contains(rep.Problems[0].Zh, "姓名、证件号码、楼栋编码、房号") {
			t.Errorf("a header below row 10: %v\n%s", err, problemsOf(rep))
		}
	})
}
