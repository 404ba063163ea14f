package people

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/pii"
)

var testMigrations = []db.Migrations{auth.Migrations, audit.Migrations, pii.Migrations, org.Migrations, Migrations}

var system = auth.SystemActor("test")

// idNumber makes a valid identity number from 17 digits.
func idNumber(first17 string) string { return first17 + string(pii.IDCheckChar(first17)) }

type fixture struct {
	s                    *Store
	d                    *db.DB
	district, street     *org.Unit
	community, otherComm *org.Unit
	grid, otherGrid      *org.Unit
	building, building2  *org.Unit
	otherBuilding        *org.Unit
	dataDir              string
}

func setup(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	orgs := org.NewStore(d)
	f := &fixture{d: d, dataDir: t.TempDir()}
	vault, err := pii.Open(ctx, d, f.dataDir, "")
	if err != nil {
		t.Fatal(err)
	}
	f.s = NewStore(d, orgs, vault)
	mk := func(parent *org.Unit, typ org.UnitType, code, name string) *org.Unit {
		in := org.UnitInput{Type: typ, Code: code, Name: name}
		if parent != nil {
			in.ParentID = parent.ID
		}
		u, err := orgs.CreateUnit(ctx, system, in)
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		return u
	}
	f.district = mk(nil, org.District, "360403", "浔阳区")
	f.street = mk(f.district, org.Street, "360403001", "湓浦街道")
	f.community = mk(f.street, org.Community, "360403001001", "白水湖社区")
	f.otherComm = mk(f.street, org.Community, "360403001002", "甘棠社区")
	f.grid = mk(f.community, org.Grid, "360403001001001", "第一网格")
	f.otherGrid = mk(f.otherComm, org.Grid, "360403001002001", "第一网格")
	f.building = mk(f.grid, org.Building, "360403001001001001", "1号楼")
	f.building2 = mk(f.grid, org.Building, "360403001001001002", "2号楼")
	f.otherBuilding = mk(f.otherGrid, org.Building, "360403001002001001", "1号楼")
	return f
}

func actorAt(role auth.Role, u *org.Unit) *auth.Actor {
	return &auth.Actor{UserID: 7, Username: "tester", Grants: []auth.Grant{{Role: role, UnitID: u.ID, UnitPath: u.Path, UnitType: string(u.Type)}}}
}

// fieldOf returns the field an error is about, or "" when it names none or several.
func fieldOf(err error) string {
	if err == nil || len(apperr.As(err).Fields) != 1 {
		return ""
	}
	for f := range apperr.As(err).Fields {
		return f
	}
	return ""
}

func (f *fixture) resident(t *testing.T, building *org.Unit, name, first17 string, tags ...string) *Resident {
	t.Helper()
	ctx := context.Background()
	h, err := f.s.CreateHousehold(ctx, system, building.ID, "101")
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.s.CreateResident(ctx, system, ResidentInput{HouseholdID: h.ID, Name: name, IDNumber: idNumber(first17), Phone: "13812345678", Relation: "head", Tags: tags})
	if err != nil {
		t.Fatalf("resident %s: %v", name, err)
	}
	return r
}

func TestResidents(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		h, err := f.s.CreateHousehold(ctx, system, f.building.ID, "302")
		if err != nil {
			t.Fatal(err)
		}
		good := idNumber("36040319560312002")
		// Rules: check digit, birth date and sex agree with the number, tags, duplicates.
		bad := []struct {
			name  string
			in    ResidentInput
			field string
		}{
			{"wrong check digit", ResidentInput{HouseholdID: h.ID, Name: "王芳", IDNumber: good[:17] + "0"}, "id_number"},
			{"short number", ResidentInput{HouseholdID: h.ID, Name: "王芳", Gender: "female", IDNumber: "3604031956"}, "id_number"},
			{"birth date differs", ResidentInput{HouseholdID: h.ID, Name: "王芳", IDNumber: good, BirthDate: "1956-03-13"}, "birth_date"},
			{"sex differs", ResidentInput{HouseholdID: h.ID, Name: "王芳", IDNumber: good, Gender: "male"}, "gender"},
			{"unknown tag", ResidentInput{HouseholdID: h.ID, Name: "王芳", IDNumber: good, Tags: []string{"vip"}}, "tags"},
			{"no name", ResidentInput{HouseholdID: h.ID, IDNumber: good}, "name"},
			{"bad phone", ResidentInput{HouseholdID: h.ID, Name: "王芳", IDNumber: good, Phone: "12"}, "phone"},
			{"other grid's household", ResidentInput{HouseholdID: h.ID, Name: "王芳", IDNumber: good}, "household_id"},
		}
		for i, b := range bad {
			actor := system
			if i == len(bad)-1 {
				actor = actorAt(auth.GridMember, f.otherGrid)
			}
			if _, err := f.s.CreateResident(ctx, actor, b.in); apperr.CodeOf(err) != apperr.Invalid || fieldOf(err) != b.field {
				t.Errorf("%s: %v, want invalid %s", b.name, err, b.field)
			}
		}
		r, err := f.s.CreateResident(ctx, system, ResidentInput{HouseholdID: h.ID, Name: "王芳", IDNumber: strings.ToLower(good), Phone: "138 1234 5678",
			Relation: "head", Tags: []string{"elderly_alone", "low_income"}})
		if err != nil {
			t.Fatal(err)
		}
		// The number carries the birth date and sex; lists show masks.
		if r.BirthDate != "1956-03-12" || r.Gender != "female" || r.IDNumber != "3604**********"+good[14:] || r.Phone != "138****5678" {
			t.Errorf("resident = %+v", r)
		}
		if _, err := f.s.CreateResident(ctx, system, ResidentInput{HouseholdID: h.ID, Name: "王芳二", IDNumber: good}); fieldOf(err) != "id_number" {
			t.Errorf("duplicate: %v", err)
		}
		// Exact search by identity number and phone through the blind index.
		for _, filter := range []ResidentFilter{{IDNumber: good}, {Phone: "13812345678"}, {Tag: "elderly_alone"}, {Name: "芳"}} {
			list, total, err := f.s.ListResidents(ctx, system, filter)
			if err != nil || total != 1 || list[0].ID != r.ID {
				t.Errorf("search %+v: %d %v", filter, total, err)
			}
		}
		// A grid member of another grid sees nothing of it.
		other := actorAt(auth.GridMember, f.otherGrid)
		if _, err := f.s.Resident(ctx, other, r.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("other grid reads resident: %v", err)
		}
		if list, total, _ := f.s.ListResidents(ctx, other, ResidentFilter{IDNumber: good}); total != 0 || len(list) != 0 {
			t.Errorf("other grid finds the resident by number")
		}
		// Revealing needs the permission and a reason, and is audited.
		if _, err := f.s.Reveal(ctx, actorAt(auth.GridMember, f.grid), r.ID, "核实身份信息"); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("grid member reveals: %v", err)
		}
		community := actorAt(auth.CommunityStaff, f.community)
		if _, err := f.s.Reveal(ctx, community, r.ID, ""); fieldOf(err) != "reason" {
			t.Errorf("reveal without reason: %v", err)
		}
		rev, err := f.s.Reveal(ctx, community, r.ID, "办理高龄津贴核实身份")
		if err != nil || rev.IDNumber != good || rev.Phone != "13812345678" {
			t.Errorf("reveal = %+v %v", rev, err)
		}
		rows, _ := audit.List(ctx, d, audit.Filter{Action: "resident.reveal"})
		if len(rows) != 1 || !strings.Contains(rows[0].Detail, "高龄津贴") || rows[0].EntityID != fmt.Sprint(r.ID) {
			t.Errorf("reveal audit = %+v", rows)
		}
		// An update that leaves the number out keeps it.
		upd, err := f.s.UpdateResident(ctx, system, r.ID, ResidentInput{HouseholdID: h.ID, Name: "王芳", Gender: "female", BirthDate: "1956-03-12", Relation: "head"})
		if err != nil || upd.IDNumber != r.IDNumber || len(upd.Tags) != 0 {
			t.Errorf("update = %+v %v", upd, err)
		}
		// Moving the household moves its people, and the history keeps it.
		moved, err := f.s.MoveHousehold(ctx, system, h.ID, f.otherBuilding.ID, "501")
		if err != nil || moved.BuildingID != f.otherBuilding.ID {
			t.Fatalf("move: %+v %v", moved, err)
		}
		if _, err := f.s.Resident(ctx, other, r.ID); err != nil {
			t.Errorf("the new grid does not see the moved resident: %v", err)
		}
		if _, err := f.s.SetResidentStatus(ctx, system, r.ID, "deceased", "2025-01-05", "病故"); err != nil {
			t.Fatal(err)
		}
		if _, total, _ := f.s.ListResidents(ctx, system, ResidentFilter{}); total != 0 {
			t.Errorf("the deceased are still listed as living")
		}
		hist, err := f.s.History(ctx, system, h.ID)
		if err != nil || len(hist) != 2 || hist[0].Kind != "status" || hist[1].Kind != "moved" {
			t.Errorf("history = %+v %v", hist, err)
		}
		if _, err := audit.Verify(ctx, d); err != nil {
			t.Error(err)
		}
	})
}

// TestNoPlainIdentityNumbers stores residents and then looks for their
// identity numbers and phones in the raw database: the SQLite file (with
// its write-ahead log) and, on PostgreSQL, every column of every table.
func TestNoPlainIdentityNumbers(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		var secrets []string
		for i := 0; i < 20; i++ {
			r := f.resident(t, f.building, fmt.Sprintf("居民%d", i), fmt.Sprintf("3604031980%02d%02d%03d", i%12+1, i%28+1, 100+i))
			rev, err := f.s.Reveal(ctx, system, r.ID, "测试用例")
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, rev.IDNumber)
		}
		if _, err := f.s.SaveWorker(ctx, system, 0, WorkerInput{UnitID: f.community.ID, Name: "李书记", Gender: "male", IDNumber: idNumber("36040319800101123"),
			Phone: "13900001111", Position: "party_secretary", Education: "bachelor", PayStep: 3}); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, idNumber("36040319800101123"), "13900001111", "13812345678")
		var raw []byte
		if d.Engine() == db.SQLite {
			for _, suffix := range []string{"", "-wal"} {
				b, err := os.ReadFile(d.Path + suffix)
				if err == nil {
					raw = append(raw, b...)
				}
			}
		} else {
			rows, err := d.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
			if err != nil {
				t.Fatal(err)
			}
			var tables []string
			for rows.Next() {
				var n string
				rows.Scan(&n)
				tables = append(tables, n)
			}
			rows.Close()
			for _, table := range tables {
				rs, err := d.Query(ctx, `SELECT row_to_json(x)::text FROM `+table+` x`)
				if err != nil {
					t.Fatal(err)
				}
				for rs.Next() {
					var line string
					rs.Scan(&line)
					raw = append(raw, line...)
				}
				rs.Close()
			}
		}
		if len(raw) < 10000 {
			t.Fatalf("read only %d bytes of the database", len(raw))
		}
		for _, s := range secrets {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("%s is in the database in plain text", pii.MaskID(s))
			}
		}
		// The names are there, so the search did look at the data.
		if !bytes.Contains(raw, []byte("李书记")) {
			t.Errorf("the raw read did not see the rows")
		}
	})
}

func TestKeyRotation(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		id := idNumber("36040319700101201")
		r := f.resident(t, f.building, "张三", id[:17])
		oldKid := f.s.Vault.KeyID()
		kid, _, n, err := f.s.Vault.Rotate(ctx, d, SealedColumns, nil)
		if err != nil || kid == oldKid || n != 2 {
			t.Fatalf("rotate: %s %d %v", kid, n, err)
		}
		// Search and reveal work under the new key, and after a restart.
		vault, err := pii.Open(ctx, d, f.dataDir, "")
		if err != nil || vault.KeyID() != kid {
			t.Fatalf("reopen: %v", err)
		}
		s := NewStore(d, f.s.Orgs, vault)
		if _, total, _ := s.ListResidents(ctx, system, ResidentFilter{IDNumber: id}); total != 1 {
			t.Errorf("search after rotation found %d", total)
		}
		if rev, err := s.Reveal(ctx, system, r.ID, "轮换后核对"); err != nil || rev.IDNumber != id {
			t.Errorf("reveal after rotation: %+v %v", rev, err)
		}
		// Without the key file the data cannot be opened: the keyring says so.
		if _, err := pii.Open(ctx, d, t.TempDir(), ""); err == nil {
			t.Errorf("a fresh key folder opened data sealed under another key")
		}
	})
}

func TestPartyMembersAndService(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		po, err := f.s.Orgs.CreatePartyOrg(ctx, system, org.PartyOrgInput{UnitID: f.community.ID, Type: org.CommunityOrg, Name: "白水湖社区党委"})
		if err != nil {
			t.Fatal(err)
		}
		r := f.resident(t, f.building, "刘强", "36040319850505301")
		if _, err := f.s.CreatePartyMember(ctx, system, PartyMemberInput{ResidentID: r.ID, PartyOrgID: po.ID, InService: true}); fieldOf(err) != "employer" {
			t.Errorf("in-service without employer: %v", err)
		}
		m, err := f.s.CreatePartyMember(ctx, system, PartyMemberInput{ResidentID: r.ID, PartyOrgID: po.ID, JoinedOn: "2010-07-01", InService: true, Employer: "九江市税务局"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.CreatePartyMember(ctx, system, PartyMemberInput{ResidentID: r.ID, PartyOrgID: po.ID}); fieldOf(err) != "resident_id" {
			t.Errorf("second membership: %v", err)
		}
		post, err := f.s.CreatePost(ctx, system, PostInput{CommunityID: f.community.ID, Category: "legal_aid", Title: "每周法律咨询", Slots: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.Claim(ctx, system, post.ID, m.ID); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("claim before reporting: %v", err)
		}
		if m, err = f.s.Register(ctx, system, m.ID, "2026-01-10"); err != nil || m.RegisteredCommunityID != f.community.ID {
			t.Fatalf("register: %+v %v", m, err)
		}
		if _, err := f.s.Register(ctx, system, m.ID, ""); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("second registration: %v", err)
		}
		if err := f.s.Claim(ctx, system, post.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		r2 := f.resident(t, f.building2, "周敏", "36040319860606402")
		m2, _ := f.s.CreatePartyMember(ctx, system, PartyMemberInput{ResidentID: r2.ID, PartyOrgID: po.ID, InService: true, Employer: "九江学院"})
		f.s.Register(ctx, system, m2.ID, "2026-02-01")
		if err := f.s.Claim(ctx, system, post.ID, m2.ID); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("claim a full post: %v", err)
		}
		if err := f.s.RecordHours(ctx, system, m.ID, post.ID, "2026-02-14", 180, ""); err != nil {
			t.Fatal(err)
		}
		// Hours at a post that does not exist, or is another community's,
		// are refused, not a database error.
		other, err := f.s.CreatePost(ctx, system, PostInput{CommunityID: f.otherComm.ID, Category: "legal_aid", Title: "普法宣传", Slots: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, pid := range []int64{999999, other.ID} {
			if err := f.s.RecordHours(ctx, system, m.ID, pid, "2026-02-14", 60, ""); fieldOf(err) != "post_id" {
				t.Errorf("hours at post %d: %v", pid, err)
			}
		}
		if err := f.s.RecordHours(ctx, system, m.ID, post.ID, "2026-05-02", 120, ""); err != nil {
			t.Fatal(err)
		}
		// A bulk load checks every row, stops at the first bad one with
		// nothing written, and writes across its statement batches.
		rows := make([]ServiceHoursRow, 2*serviceHoursBatch+1)
		for i := range rows {
			rows[i] = ServiceHoursRow{MemberID: m2.ID, PostID: post.ID, On: "2026-03-01", Minutes: 30}
		}
		rows[serviceHoursBatch+3].Minutes = 0
		err = d.InTx(ctx, func(tx *db.Tx) error { return f.s.Loader(tx).ServiceHours(ctx, system, rows) })
		var re *RowError
		if !errors.As(err, &re) || re.Index != serviceHoursBatch+3 {
			t.Errorf("a bad row in a bulk load: %v", err)
		}
		rows[serviceHoursBatch+3].Minutes = 60
		if err := d.InTx(ctx, func(tx *db.Tx) error { return f.s.Loader(tx).ServiceHours(ctx, system, rows) }); err != nil {
			t.Fatal(err)
		}
		var n, minutes int
		if err := d.QueryRow(ctx, `SELECT COUNT(*), SUM(minutes) FROM service_hours WHERE party_member_id = ?`, m2.ID).Scan(&n, &minutes); err != nil || n != len(rows) || minutes != 30*len(rows)+30 {
			t.Errorf("bulk service hours: %d rows, %d minutes, %v", n, minutes, err)
		}
		if err := f.s.SetServiceTarget(ctx, system, f.district.ID, 40); err != nil {
			t.Fatal(err)
		}
		// Verified volunteer hours from elsewhere count toward the target too.
		volunteer := func(ctx context.Context, residentID int64, from, to date.Date) (int, []ServiceLine, error) {
			if residentID != r.ID {
				t.Errorf("hours asked for resident %d", residentID)
			}
			return 90, []ServiceLine{{On: "2026-04-20", What: "社区义诊", Minutes: 90, Source: "volunteer"}}, nil
		}
		sheet, err := f.s.Feedback(ctx, system, m.ID, 2026, 2, volunteer)
		if err != nil {
			t.Fatal(err)
		}
		if sheet.QuarterMin != 210 || sheet.YearMin != 390 || sheet.TargetHours != 40 || len(sheet.Posts) != 1 || len(sheet.Lines) != 2 {
			t.Errorf("sheet = %+v", sheet)
		}
		o, err := f.s.Overview(ctx, system)
		if err != nil || o.InServiceReported != 2 || o.PartyMembers != 2 || o.Residents != 2 {
			t.Errorf("overview = %+v %v", o, err)
		}
	})
}

func TestWorkersAndGridStaff(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		f.s.Now = func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
		for i, w := range []WorkerInput{
			{UnitID: f.community.ID, Name: "陈书记", Gender: "male", BirthDate: "1980-01-01", Position: "party_secretary", Education: "bachelor", PayStep: 5},
			{UnitID: f.otherComm.ID, Name: "吴书记", Gender: "female", BirthDate: "1970-06-01", Position: "party_secretary", Education: "high_school", PayStep: 7},
			{UnitID: f.community.ID, Name: "赵主任", Gender: "male", BirthDate: "1990-01-01", Position: "director", Education: "college", PayStep: 2},
		} {
			if _, err := f.s.SaveWorker(ctx, system, 0, w); err != nil {
				t.Fatalf("worker %d: %v", i, err)
			}
		}
		if _, err := f.s.SaveWorker(ctx, system, 0, WorkerInput{UnitID: f.grid.ID, Name: "x", Gender: "male", Position: "director", Education: "college", PayStep: 1}); fieldOf(err) != "unit_id" {
			t.Errorf("worker at a grid: %v", err)
		}
		if _, err := f.s.SaveWorker(ctx, system, 0, WorkerInput{UnitID: f.community.ID, Name: "x", Gender: "male", Position: "director", Education: "college", PayStep: 40}); fieldOf(err) != "pay_step" {
			t.Errorf("pay step 40: %v", err)
		}
		o, err := f.s.Overview(ctx, system)
		// 46 and 56 years old on 2026-06-01; one of two has a degree.
		if err != nil || o.Secretaries != 2 || o.SecretaryAvgAge != 51 || o.SecretaryCollegePct != 50 {
			t.Errorf("secretaries: %+v %v", o, err)
		}
		g, err := f.s.SaveGridStaff(ctx, system, 0, GridStaffInput{GridID: f.grid.ID, Role: "member", Kind: "building_head", Name: "孙楼长", Phone: "13700002222",
			Buildings: []int64{f.building.ID, f.building2.ID}})
		if err != nil || len(g.Buildings) != 2 || g.Phone != "137****2222" {
			t.Fatalf("grid staff: %+v %v", g, err)
		}
		if _, err := f.s.SaveGridStaff(ctx, system, 0, GridStaffInput{GridID: f.grid.ID, Role: "member", Name: "x", Buildings: []int64{f.otherBuilding.ID}}); fieldOf(err) != "buildings" {
			t.Errorf("a building of another grid: %v", err)
		}
		if _, err := f.s.SaveGridStaff(ctx, system, 0, GridStaffInput{GridID: f.grid.ID, Role: "boss", Name: "x"}); fieldOf(err) != "role" {
			t.Errorf("unknown role: %v", err)
		}
		if o, _ := f.s.Overview(ctx, system); o.GridMembers != 1 {
			t.Errorf("grid members = %d", o.GridMembers)
		}
	})
}

// TestIdentityNumberOnceUnderRace adds one identity number from many
// writers at once: exactly one resident is written, the others are told
// it is on file.
func TestIdentityNumberOnceUnderRace(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		h, err := f.s.CreateHousehold(ctx, system, f.building.ID, "101")
		if err != nil {
			t.Fatal(err)
		}
		id := idNumber("36040319800101001")
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.s.CreateResident(ctx, system, ResidentInput{HouseholdID: h.ID, Name: "王芳", IDNumber: id, Relation: "head"})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case fieldOf(err) != "id_number":
				t.Errorf("a racing write: %v", err)
			}
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM residents`).Scan(&n); err != nil || ok != 1 || n != 1 {
			t.Errorf("%d written, %d on file (%v)", ok, n, err)
		}
	})
}

// TestCollectiveHousehold lists a collective household (a dormitory) with
// all its members, and keeps a moved household's room within bounds.
func TestCollectiveHousehold(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		h, err := f.s.CreateHousehold(ctx, system, f.building.ID, "集体宿舍")
		if err != nil {
			t.Fatal(err)
		}
		for i := range 25 {
			relation := "other"
			if i == 0 {
				relation = "head"
			}
			if _, err := f.s.CreateResident(ctx, system, ResidentInput{HouseholdID: h.ID, Name: fmt.Sprintf("职工%02d", i),
				IDNumber: idNumber(fmt.Sprintf("360403199001%02d%03d", i%28+1, i)), Relation: relation}); err != nil {
				t.Fatal(err)
			}
		}
		list, _, err := f.s.ListHouseholds(ctx, system, HouseholdFilter{UnderID: f.building.ID, Limit: 20})
		if err != nil || len(list) != 1 || len(list[0].Members) != 25 {
			t.Errorf("collective household: %d households, %v", len(list), err)
			if len(list) == 1 {
				t.Errorf("%d members listed", len(list[0].Members))
			}
		}
		if _, err := f.s.MoveHousehold(ctx, system, h.ID, f.building2.ID, strings.Repeat("房", 21)); fieldOf(err) != "room" {
			t.Errorf("a 21-character room: %v", err)
		}
	})
}
