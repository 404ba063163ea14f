package people

// Benchmarks of spreadsheet import and of reads at district scale, each
// against a baseline measured in the same run (README, "Benchmarks"):
//
//	go test ./internal/people/ -run '^$' -bench 'ImportResidents' -benchtime 1x -count 3
//	go test ./internal/people/ -run '^$' -bench 'District' -benchtime 2s
//
// GRASSROOTS_BENCH_ROWS changes the import's size (default 100,000).

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/pii"
)

// benchPerson is one generated resident.
type benchPerson struct {
	name, id, phone, room string
	building              int // index of the building
	relation              string
	tags                  []string
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤")
var givens = []string{"芳", "伟", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "建国", "玉兰", "志强", "海燕", "晓燕", "子涵"}

// benchPeople generates n residents living three to a household (heads,
// spouses, children), spread over buildings, with unique identity numbers
// and names.
func benchPeople(n, buildings int) []benchPerson {
	rnd := rand.New(rand.NewSource(int64(n)))
	base := time.Date(1935, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]benchPerson, n)
	relations := []string{"head", "spouse", "child"}
	for i := range out {
		birth := base.AddDate(0, 0, i%25000)
		first17 := fmt.Sprintf("360403%s%03d", birth.Format("20060102"), i/25000)
		household := i / 3
		p := benchPerson{
			name:     string(surnames[i%len(surnames)]) + givens[(i/len(surnames))%len(givens)] + strconv.Itoa(i),
			id:       first17 + string(pii.IDCheckChar(first17)),
			building: household % buildings,
			room:     fmt.Sprintf("%d-%d", household/buildings/20+1, 101+household/buildings%20),
			relation: relations[i%3],
		}
		if rnd.Intn(3) == 0 {
			p.phone = fmt.Sprintf("13%09d", rnd.Intn(1e9))
		}
		if rnd.Intn(10) == 0 {
			p.tags = []string{Tags.Values[rnd.Intn(len(Tags.Values))]}
		}
		out[i] = p
	}
	return out
}

// benchTree loads a district with streets × communities × grids and
// buildingsPerGrid buildings in each grid, and returns the grids and the
// buildings.
func benchTree(tb testing.TB, s *Store, streets, communities, grids, buildingsPerGrid int) (gridUnits, buildings []*org.Unit) {
	tb.Helper()
	ctx := context.Background()
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		l := s.Orgs.Loader(tx)
		d, err := l.Unit(ctx, nil, org.UnitInput{Type: org.District, Code: "360403", Name: "浔阳区"}, nil)
		if err != nil {
			return err
		}
		for si := 1; si <= streets; si++ {
			st, err := l.Unit(ctx, d, org.UnitInput{Type: org.Street, Code: fmt.Sprintf("360403%03d", si), Name: fmt.Sprintf("第%d街道", si)}, nil)
			if err != nil {
				return err
			}
			for ci := 1; ci <= communities; ci++ {
				c, err := l.Unit(ctx, st, org.UnitInput{Type: org.Community, Code: fmt.Sprintf("%s%03d", st.Code, ci), Name: fmt.Sprintf("第%d社区", ci)}, nil)
				if err != nil {
					return err
				}
				for gi := 1; gi <= grids; gi++ {
					g, err := l.Unit(ctx, c, org.UnitInput{Type: org.Grid, Code: fmt.Sprintf("%s%03d", c.Code, gi), Name: fmt.Sprintf("第%d网格", gi)}, nil)
					if err != nil {
						return err
					}
					gridUnits = append(gridUnits, g)
					for bi := 1; bi <= buildingsPerGrid; bi++ {
						b, err := l.Unit(ctx, g, org.UnitInput{Type: org.Building, Code: fmt.Sprintf("%s%03d", g.Code, bi), Name: fmt.Sprintf("%d号楼", bi)}, nil)
						if err != nil {
							return err
						}
						buildings = append(buildings, b)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return gridUnits, buildings
}

// rawInsert writes people with plain multi-row INSERTs, no checks: the
// fastest way the same rows get in (sealed all the same: any real insert
// must seal). Household and resident ids are given, from the tables' maxima.
func rawInsert(ctx context.Context, tx *db.Tx, s *Store, people []benchPerson, buildings []*org.Unit) error {
	var nextHH, nextRes int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM households`).Scan(&nextHH); err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM residents`).Scan(&nextRes); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	type hkey struct {
		b    int
		room string
	}
	hh := map[hkey]int64{}
	var hhArgs, resArgs, tagArgs []any
	hhRows, resRows, tagRows := 0, 0, 0
	flush := func(force bool) error {
		// Residents refer to households and tags to residents: whatever is
		// written, what it refers to goes first.
		force = force || resRows >= 500 || tagRows >= 500
		if hhRows > 0 && (force || hhRows >= 500) {
			if _, err := tx.Exec(ctx, `INSERT INTO households (id, building_id, unit_path, room, status, created_at, updated_at) VALUES `+
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, 'active', ?, ?),", hhRows), ","), hhArgs...); err != nil {
				return err
			}
			hhArgs, hhRows = hhArgs[:0], 0
		}
		if resRows > 0 && (force || resRows >= 500) {
			if _, err := tx.Exec(ctx, `INSERT INTO residents (id, household_id, unit_path, name, gender, birth_date, id_type, id_number_sealed, id_number_index,
				id_number_masked, phone_sealed, phone_index, phone_masked, residence, relation, status, created_at, updated_at) VALUES `+
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, 'id_card', ?, ?, ?, ?, ?, ?, 'registered', ?, 'living', ?, ?),", resRows), ","), resArgs...); err != nil {
				return err
			}
			resArgs, resRows = resArgs[:0], 0
		}
		if tagRows > 0 && (force || tagRows >= 500) {
			if _, err := tx.Exec(ctx, `INSERT INTO resident_tags (resident_id, tag) VALUES `+strings.TrimSuffix(strings.Repeat("(?, ?),", tagRows), ","), tagArgs...); err != nil {
				return err
			}
			tagArgs, tagRows = tagArgs[:0], 0
		}
		return nil
	}
	for _, p := range people {
		b := buildings[p.building]
		k := hkey{p.building, p.room}
		hid, ok := hh[k]
		if !ok {
			nextHH++
			hid = nextHH
			hh[k] = hid
			hhArgs = append(hhArgs, hid, b.ID, b.Path, p.room, now, now)
			hhRows++
		}
		idn, err := s.seal("residents.id_number_sealed", "id_number", p.id, pii.MaskID)
		if err != nil {
			return err
		}
		ph, err := s.seal("residents.phone_sealed", "phone", p.phone, pii.MaskPhone)
		if err != nil {
			return err
		}
		birth, male := pii.IDBirthDate(p.id)
		gender := "female"
		if male {
			gender = "male"
		}
		nextRes++
		resArgs = append(resArgs, nextRes, hid, b.Path, p.name, gender, birth, idn.text, idn.index, idn.masked, ph.text, ph.index, ph.masked, p.relation, now, now)
		resRows++
		for _, t := range p.tags {
			tagArgs = append(tagArgs, nextRes, t)
			tagRows++
		}
		if err := flush(false); err != nil {
			return err
		}
	}
	if err := flush(true); err != nil {
		return err
	}
	if tx.Engine() == db.Postgres {
		for _, t := range []string{"households", "residents"} {
			if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
				return err
			}
		}
	}
	return nil
}

// benchXLSX writes people as a residents template would be filled in.
func benchXLSX(tb testing.TB, people []benchPerson, buildings []*org.Unit) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	sw.SetRow("A1", residentHeader())
	zh := func(c Choice, v string) string { return label("zh", c, v) }
	for i, p := range people {
		tags := make([]string, len(p.tags))
		for j, t := range p.tags {
			tags[j] = zh(Tags, t)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		// 姓名 性别 证件类型 证件号码 出生日期 民族 联系电话 户籍类型 楼栋编码 房号 与户主关系 标签
		if err := sw.SetRow(cell, []any{p.name, "", "居民身份证", p.id, "", "汉族", p.phone, "户籍人口", buildings[p.building].Code, p.room,
			zh(Relations, p.relation), strings.Join(tags, "、")}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("GRASSROOTS_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 100000
}

var (
	benchFileOnce sync.Once
	benchFile     []byte
	benchPop      []benchPerson
)

// BenchmarkImportResidents imports 100,000 residents from an .xlsx file
// through ImportSheet (read, check every row, write through the Loader in
// one transaction, audit) and, as the baseline, writes the same rows with
// raw multi-row INSERTs (no file, no checks), each into a fresh database
// with the same 200 buildings. The two alternate within each iteration, so
// that a busy machine slows both alike; the metrics are seconds per import
// and their ratio.
func BenchmarkImportResidents(b *testing.B) {
	n := benchRows()
	const buildings = 200
	for _, e := range dbtest.Engines() {
		fresh := func(b *testing.B) (*Store, []*org.Unit) {
			d := dbtest.Open(b, e, testMigrations)
			vault, err := pii.Open(context.Background(), d, b.TempDir(), "")
			if err != nil {
				b.Fatal(err)
			}
			s := NewStore(d, org.NewStore(d), vault)
			_, bs := benchTree(b, s, 1, 1, 1, buildings)
			benchFileOnce.Do(func() {
				benchPop = benchPeople(n, buildings)
				benchFile = benchXLSX(b, benchPop, bs)
			})
			return s, bs
		}
		b.Run(string(e), func(b *testing.B) {
			b.StopTimer()
			var imp, raw time.Duration
			for i := 0; i < b.N; i++ {
				s, _ := fresh(b)
				b.StartTimer()
				t0 := time.Now()
				rep, err := s.ImportSheet(context.Background(), auth.SystemActor("bench"), SheetResidents, benchFile, ImportOptions{})
				imp += time.Since(t0)
				b.StopTimer()
				if err != nil || !rep.OK() || rep.Imported != n {
					b.Fatalf("%v %+v", err, rep)
				}
				s, bs := fresh(b)
				b.StartTimer()
				t0 = time.Now()
				err = s.db.InTx(context.Background(), func(tx *db.Tx) error { return rawInsert(context.Background(), tx, s, benchPop, bs) })
				raw += time.Since(t0)
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(imp.Seconds()/float64(b.N), "import-s")
			b.ReportMetric(raw.Seconds()/float64(b.N), "raw-s")
			b.ReportMetric(float64(imp)/float64(raw), "import/raw")
		})
	}
}

// BenchmarkDistrict builds a district of 300 grids, 7,200 buildings, about
// 144,000 households and 432,000 residents (raw inserts; GRASSROOTS_BENCH_DISTRICT
// changes the number of residents), then measures, each against a baseline
// in the same loop:
//
//   - search: a resident by identity number through the store (HMAC of
//     the number, scope, count, page, tags) and as one raw query on the blind
//     index, against the baseline, a raw query on the plain indexed name
//     column (names are unique here);
//   - households: one grid's first page of households with their members,
//     as the grid's member sees it (ListHouseholds), against the same page
//     as raw SQL without any scope, finding the grid's buildings by parent.
func BenchmarkDistrict(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) { benchDistrict(b, e) })
	}
}

func benchDistrict(b *testing.B, e db.Engine) {
	ctx := context.Background()
	d := dbtest.Open(b, e, testMigrations)
	vault, err := pii.Open(ctx, d, b.TempDir(), "")
	if err != nil {
		b.Fatal(err)
	}
	s := NewStore(d, org.NewStore(d), vault)
	start := time.Now()
	grids, buildings := benchTree(b, s, 5, 15, 4, 24)
	n := 432000
	if v, err := strconv.Atoi(os.Getenv("GRASSROOTS_BENCH_DISTRICT")); err == nil && v > 0 {
		n = v
	}
	people := benchPeople(n, len(buildings))
	for i := 0; i < len(people); i += 50000 {
		chunk := people[i:min(i+50000, len(people))]
		if err := d.InTx(ctx, func(tx *db.Tx) error { return rawInsert(ctx, tx, s, chunk, buildings) }); err != nil {
			b.Fatal(err)
		}
	}
	if err := d.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	var residents, households int
	d.QueryRow(ctx, `SELECT COUNT(*) FROM residents`).Scan(&residents)
	d.QueryRow(ctx, `SELECT COUNT(*) FROM households`).Scan(&households)
	b.Logf("%s: %d grids, %d buildings, %d households, %d residents generated in %.0fs", e, len(grids), len(buildings), households, residents, time.Since(start).Seconds())

	admin := auth.SystemActor("bench")
	const rawByIndex = `SELECT ` + residentCols + residentFrom + ` WHERE r.id_number_index = ? AND r.status = 'living' LIMIT 20`
	const rawByName = `SELECT ` + residentCols + residentFrom + ` WHERE r.name = ? AND r.status = 'living' LIMIT 20`
	rawOne := func(b *testing.B, query string, arg any, want string) {
		rows, err := d.Query(ctx, query, arg)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var r Resident
			if err := rows.Scan(&r.ID, &r.HouseholdID, &r.UnitPath, &r.Name, &r.Gender, &r.BirthDate, &r.IDType, &r.IDNumber, &r.Phone,
				&r.Ethnicity, &r.Residence, &r.Relation, &r.Status, &r.StatusOn, &r.CreatedAt, &r.UpdatedAt, &r.BuildingName, &r.Room); err != nil {
				b.Fatal(err)
			}
			if r.Name != want {
				b.Fatalf("found %s, want %s", r.Name, want)
			}
			n++
		}
		rows.Close()
		if n != 1 {
			b.Fatalf("%d rows", n)
		}
	}
	// The three lookups alternate, one of each per iteration.
	b.Run("search", func(b *testing.B) {
		var store, byIndex, byName time.Duration
		for i := 0; i < b.N; i++ {
			p := people[(i*7919)%len(people)]
			t0 := time.Now()
			list, total, err := s.ListResidents(ctx, admin, ResidentFilter{IDNumber: p.id, Limit: 20})
			store += time.Since(t0)
			if err != nil || total != 1 || list[0].Name != p.name {
				b.Fatalf("%v %d", err, total)
			}
			// Each lookup finds another resident, so that none reads rows
			// that the one before it brought into the cache.
			q := people[(i*104729+1)%len(people)]
			t0 = time.Now()
			rawOne(b, rawByIndex, s.Vault.Index("id_number", q.id), q.name)
			byIndex += time.Since(t0)
			r := people[(i*15485863+2)%len(people)]
			t0 = time.Now()
			rawOne(b, rawByName, r.name, r.name)
			byName += time.Since(t0)
		}
		us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
		b.ReportMetric(us(store), "store-id-µs")
		b.ReportMetric(us(byIndex), "raw-id-µs")
		b.ReportMetric(us(byName), "raw-name-µs")
		b.ReportMetric(float64(store)/float64(byName), "store-id/raw-name")
		b.ReportMetric(float64(byIndex)/float64(byName), "raw-id/raw-name")
	})

	grid := grids[len(grids)/2]
	member := &auth.Actor{UserID: 1, Username: "grid", Grants: []auth.Grant{{Role: auth.GridMember, UnitID: grid.ID, UnitPath: grid.Path, UnitType: string(org.Grid)}}}
	rawPage := func(b *testing.B) int {
		var total int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM households h WHERE h.status = 'active' AND h.building_id IN (SELECT id FROM units WHERE parent_id = ?)`, grid.ID).Scan(&total); err != nil {
			b.Fatal(err)
		}
		rows, err := d.Query(ctx, `SELECT `+householdCols+` FROM households h JOIN units b ON b.id = h.building_id
			WHERE h.status = 'active' AND h.building_id IN (SELECT id FROM units WHERE parent_id = ?) ORDER BY b.code, h.room, h.id LIMIT 50`, grid.ID)
		if err != nil {
			b.Fatal(err)
		}
		var ids []any
		for rows.Next() {
			h, err := scanHousehold(rows)
			if err != nil {
				b.Fatal(err)
			}
			ids = append(ids, h.ID)
		}
		rows.Close()
		members, err := s.queryResidents(ctx, d, `r.household_id IN (`+db.Placeholders(len(ids))+`) AND r.status = 'living'`, ids, "r.household_id, r.relation <> 'head', r.birth_date", len(ids)*20, 0)
		if err != nil || len(ids) != 50 || len(members) == 0 {
			b.Fatalf("%v %d", err, len(ids))
		}
		return total
	}
	// One grid's first page of households, as its grid member sees it, and
	// the same page as raw SQL without a scope, alternating.
	b.Run("households", func(b *testing.B) {
		var store, raw time.Duration
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			list, total, err := s.ListHouseholds(ctx, member, HouseholdFilter{UnderID: grid.ID, Limit: 50})
			store += time.Since(t0)
			if err != nil || len(list) != 50 {
				b.Fatalf("%v %d", err, len(list))
			}
			t0 = time.Now()
			if rawPage(b) != total {
				b.Fatalf("totals differ")
			}
			raw += time.Since(t0)
		}
		b.ReportMetric(float64(store.Microseconds())/float64(b.N), "store-µs")
		b.ReportMetric(float64(raw.Microseconds())/float64(b.N), "raw-µs")
		b.ReportMetric(float64(store)/float64(raw), "store/raw")
	})
}
