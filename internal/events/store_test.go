package events

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"testing"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/geo"
	"grassroots/internal/platform/notify"
	"grassroots/internal/platform/workcal"
)

var testMigrations = []db.Migrations{auth.Migrations, audit.Migrations, notify.Migrations, org.Migrations, workcal.Migrations, Migrations}

var system = auth.SystemActor("test")

// world is a small district: two streets with a community and a grid each
// (boxes side by side), and a department.
type world struct {
	orgs                           *org.Store
	s                              *Store
	clock                          *time.Time
	district, s1, s2, c1, c2, dept *org.Unit
	g1, g2                         *org.Unit
	cat                            *Category
}

func mkUnit(t *testing.T, s *org.Store, parent *org.Unit, typ org.UnitType, code, name, boundary string) *org.Unit {
	t.Helper()
	in := org.UnitInput{Type: typ, Code: code, Name: name, Boundary: boundary}
	if parent != nil {
		in.ParentID = parent.ID
	}
	u, err := s.CreateUnit(context.Background(), system, in)
	if err != nil {
		t.Fatalf("unit %s: %v", code, err)
	}
	return u
}

func rect(minLon, minLat, maxLon, maxLat float64) string {
	return geo.Rect(minLon, minLat, maxLon, maxLat).GeoJSON()
}

// monday10 is a working Monday morning in Shanghai.
var monday10 = time.Date(2026, 3, 2, 10, 0, 0, 0, workcal.Shanghai)

func newWorld(t *testing.T, d *db.DB) *world {
	ctx := context.Background()
	w := &world{orgs: org.NewStore(d)}
	clock := monday10
	w.clock = &clock
	cal := workcal.NewStore(d)
	if err := cal.EnsureDefaults(ctx, clock); err != nil {
		t.Fatal(err)
	}
	w.s = NewStore(d, w.orgs, cal)
	w.s.Now = func() time.Time { return *w.clock }
	w.orgs.OnMove(w.s.MoveHook)
	w.orgs.GuardDelete(org.DeleteGuard{What: "org.in_use.children", Count: w.s.CountAtUnit})
	w.district = mkUnit(t, w.orgs, nil, org.District, "360403", "浔阳区", rect(116.0, 29.7, 116.02, 29.71))
	w.dept = mkUnit(t, w.orgs, w.district, org.Department, "360403-CGJ", "城管局", "")
	w.s1 = mkUnit(t, w.orgs, w.district, org.Street, "360403001", "湓浦街道", rect(116.0, 29.7, 116.01, 29.71))
	w.s2 = mkUnit(t, w.orgs, w.district, org.Street, "360403002", "人民路街道", rect(116.01, 29.7, 116.02, 29.71))
	w.c1 = mkUnit(t, w.orgs, w.s1, org.Community, "360403001001", "白水湖社区", rect(116.0, 29.7, 116.01, 29.71))
	w.c2 = mkUnit(t, w.orgs, w.s2, org.Community, "360403002001", "大中路社区", rect(116.01, 29.7, 116.02, 29.71))
	w.g1 = mkUnit(t, w.orgs, w.c1, org.Grid, "360403001001001", "第一网格", rect(116.0, 29.7, 116.01, 29.71))
	w.g2 = mkUnit(t, w.orgs, w.c2, org.Grid, "360403002001001", "第一网格", rect(116.01, 29.7, 116.02, 29.71))
	if err := w.s.EnsureDefaultCategories(ctx); err != nil {
		t.Fatal(err)
	}
	cat, err := w.s.CategoryByCode(ctx, "0101")
	if err != nil || cat.HandlingUnitID != w.dept.ID || cat.Limits.Handle.Minutes != 240 {
		t.Fatalf("default category: %+v %v", cat, err)
	}
	w.cat = cat
	return w
}

func at(role auth.Role, u *org.Unit, id int64) *auth.Actor {
	return &auth.Actor{UserID: id, Username: string(role), DisplayName: string(role),
		Grants: []auth.Grant{{Role: role, UnitID: u.ID, UnitPath: u.Path, UnitType: string(u.Type)}}}
}

func pt(lon, lat float64) (*float64, *float64) { return &lon, &lat }

func pngBytes(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func code(err error) apperr.Code {
	if err == nil {
		return ""
	}
	return apperr.CodeOf(err)
}

func TestWorkflow(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.s
		grid := at(auth.GridMember, w.g1, 11)
		street := at(auth.StreetStaff, w.s1, 0)
		street2 := at(auth.StreetStaff, w.s2, 0)
		dept := at(auth.DepartmentStaff, w.dept, 0)
		photo, err := CheckPhoto("photo", pngBytes(t))
		if err != nil {
			t.Fatal(err)
		}
		lon, lat := pt(116.005, 29.705)
		c, err := s.Create(ctx, grid, NewEvent{CategoryID: w.cat.ID, Description: "路边垃圾堆积", Lon: lon, Lat: lat, Source: FromGrid, IdemKey: "k1", Photos: []Photo{photo}})
		if err != nil {
			t.Fatal(err)
		}
		e := c.Event
		if !c.New || e.GridID != w.g1.ID || e.CommunityName != "白水湖社区" || e.State != Reported || e.StageDueAt == nil || e.PhotoCount != 1 {
			t.Fatalf("created %+v", e)
		}
		// A grid in an area names the area's community.
		area := mkUnit(t, w.orgs, w.c2, org.Area, "360403002001P01", "东片区", "")
		areaGrid := mkUnit(t, w.orgs, area, org.Grid, "360403002001009", "东片第一网格", "")
		inArea, err := s.Create(ctx, auth.SystemActor("test"), NewEvent{CategoryID: w.cat.ID, Description: "楼道堆物", GridID: areaGrid.ID, Source: FromHotline, IdemKey: "k-area"})
		if err != nil {
			t.Fatal(err)
		}
		if inArea.Event.GridName != "东片第一网格" || inArea.Event.CommunityName != "大中路社区" {
			t.Errorf("an area's grid: %q in %q", inArea.Event.GridName, inArea.Event.CommunityName)
		}
		// 1 working hour to accept, warned at 80%.
		if want := monday10.Add(time.Hour); !e.StageDueAt.Equal(want) {
			t.Errorf("accept due %v, want %v", e.StageDueAt, want)
		}
		// Same key: same event.
		again, err := s.Create(ctx, grid, NewEvent{CategoryID: w.cat.ID, Description: "路边垃圾堆积", Lon: lon, Lat: lat, Source: FromGrid, IdemKey: "k1"})
		if err != nil || again.New || again.Event.ID != e.ID {
			t.Errorf("double submit: %+v %v", again, err)
		}
		// A second report nearby is a suggested duplicate.
		lon2, lat2 := pt(116.0052, 29.7051)
		c2, err := s.Create(ctx, grid, NewEvent{CategoryID: w.cat.ID, Description: "又一处垃圾", Lon: lon2, Lat: lat2, Source: FromGrid})
		if err != nil || len(c2.Duplicates) != 1 || c2.Duplicates[0].ID != e.ID {
			t.Fatalf("duplicates: %+v %v", c2, err)
		}
		// Bad input.
		bad := []NewEvent{
			{CategoryID: w.cat.ID, Description: "x", Source: FromGrid},                                            // no place
			{CategoryID: w.cat.ID, Description: " ", Lon: lon, Lat: lat, Source: FromGrid},                        // no text
			{CategoryID: w.cat.ID, Description: string(make([]rune, 4001)), Lon: lon, Lat: lat, Source: FromGrid}, // too long
			{CategoryID: 9999, Description: "x", Lon: lon, Lat: lat, Source: FromGrid},                            // no category
		}
		far1, far2 := pt(120.0, 30.0)
		bad = append(bad, NewEvent{CategoryID: w.cat.ID, Description: "x", Lon: far1, Lat: far2, Source: FromGrid})
		other1, other2 := pt(116.015, 29.705)
		bad = append(bad, NewEvent{CategoryID: w.cat.ID, Description: "x", Lon: other1, Lat: other2, Source: FromGrid}) // another street's grid
		for i, n := range bad {
			if _, err := s.Create(ctx, grid, n); code(err) != apperr.Invalid {
				t.Errorf("bad report %d: %v", i, err)
			}
		}
		// The other street does not see it; the department not yet.
		if _, err := s.Event(ctx, street2, e.ID); code(err) != apperr.NotFound {
			t.Errorf("other street reads: %v", err)
		}
		if _, err := s.Act(ctx, street2, e.ID, StepInput{Action: ActAccept}); code(err) != apperr.NotFound {
			t.Errorf("other street acts: %v", err)
		}
		if _, err := s.Event(ctx, dept, e.ID); code(err) != apperr.NotFound {
			t.Errorf("department reads before dispatch: %v", err)
		}
		// Out of order: 409 with a reason; the grid member may not accept.
		if _, err := s.Act(ctx, street, e.ID, StepInput{Action: ActSign}); code(err) != apperr.Conflict {
			t.Errorf("sign before dispatch: %v", err)
		}
		if _, err := s.Act(ctx, grid, e.ID, StepInput{Action: ActAccept}); code(err) != apperr.Forbidden {
			t.Errorf("grid member accepts: %v", err)
		}
		step := func(a *auth.Actor, in StepInput, want State) *Event {
			t.Helper()
			*w.clock = w.clock.Add(10 * time.Minute)
			ev, err := s.Act(ctx, a, e.ID, in)
			if err != nil {
				t.Fatalf("%s: %v", in.Action, err)
			}
			if ev.State != want {
				t.Fatalf("%s: state %s, want %s", in.Action, ev.State, want)
			}
			return ev
		}
		step(street, StepInput{Action: ActAccept}, Accepted)
		if _, err := s.Act(ctx, street, c2.Event.ID, StepInput{Action: ActMerge, TargetID: e.ID}); err != nil {
			t.Errorf("merge: %v", err)
		}
		// Not to another street's community, which would open the event to
		// that street.
		if _, err := s.Act(ctx, street, e.ID, StepInput{Action: ActDispatch, HandlingUnitID: w.c2.ID, Whistle: Daily}); code(err) != apperr.Invalid {
			t.Errorf("dispatch to another street's community: %v", err)
		}
		ev := step(street, StepInput{Action: ActDispatch, HandlingUnitID: w.dept.ID, Whistle: Daily}, Dispatched)
		if ev.DueAt == nil || ev.HandlingPath != w.dept.Path {
			t.Fatalf("dispatched: %+v", ev)
		}
		// Now the department sees it, though the grid is outside its subtree.
		if _, err := s.Event(ctx, dept, e.ID); err != nil {
			t.Errorf("department reads after dispatch: %v", err)
		}
		list, total, err := s.List(ctx, dept, Filter{})
		if err != nil || total != 1 || list[0].ID != e.ID {
			t.Errorf("department's list: %d %v", total, err)
		}
		// Sent to the wrong department: it asks for more time, thinks
		// better of it and returns the event. The answer is the event (not
		// a 404, though the department no longer reads it), and the
		// request does not follow the event to its next handler.
		step(dept, StepInput{Action: ActAskExtension, Days: 30, Note: "需要协调"}, Dispatched)
		ev = step(dept, StepInput{Action: ActReturn, Note: "不属于本部门职责"}, Accepted)
		if ev.Pending != "" || ev.PendingDays != 0 || ev.Returns != 1 {
			t.Errorf("returned: %+v", ev)
		}
		if _, err := s.Event(ctx, dept, e.ID); code(err) != apperr.NotFound {
			t.Errorf("department reads after returning: %v", err)
		}
		ev = step(street, StepInput{Action: ActDispatch, HandlingUnitID: w.dept.ID, Whistle: Daily}, Dispatched)
		step(dept, StepInput{Action: ActSign}, Signed)
		step(dept, StepInput{Action: ActAskExtension, Days: 2, Note: "需要调车"}, Signed)
		if _, err := s.Act(ctx, dept, e.ID, StepInput{Action: ActAskDeferral, Note: "x"}); code(err) != apperr.Conflict {
			t.Errorf("second request: %v", err)
		}
		before := *ev.DueAt
		ev = step(street, StepInput{Action: ActApprove}, Signed)
		if ev.Extensions != 1 || !ev.DueAt.After(before) {
			t.Errorf("extension: %+v", ev)
		}
		step(dept, StepInput{Action: ActHandle, Note: "已清运", Photos: []Photo{photo}}, Handled)
		step(grid, StepInput{Action: ActFail, Note: "仍有残留"}, Rework)
		step(dept, StepInput{Action: ActHandle, Note: "已彻底清理"}, Handled)
		ev = step(grid, StepInput{Action: ActPass}, Closed)
		if ev.Reworks != 1 || ev.ClosedOnTime == nil || !*ev.ClosedOnTime || ev.SignedOnTime == nil || !*ev.SignedOnTime {
			t.Errorf("closed: %+v", ev)
		}
		// The street whose work is rated does not rate it; the reporter does.
		if _, err := s.Act(ctx, street, e.ID, StepInput{Action: ActRate, Rating: 5}); code(err) != apperr.Forbidden {
			t.Errorf("the street rating its own work: %v", err)
		}
		step(grid, StepInput{Action: ActRate, Rating: 5}, Closed)
		if _, err := s.Act(ctx, grid, e.ID, StepInput{Action: ActRate, Rating: 4}); code(err) != apperr.Conflict {
			t.Errorf("second rating: %v", err)
		}
		steps, err := s.Steps(ctx, street, e.ID)
		if err != nil || len(steps) != 14 || len(steps[0].Photos) != 1 {
			t.Fatalf("history: %d steps %v", len(steps), err)
		}
		ind, err := s.IndicatorsFor(ctx, street, w.s1.ID, monday10.Add(-time.Hour), monday10.Add(30*24*time.Hour))
		if err != nil || ind.Received != 2 || ind.Accepted != 1 || ind.Due != 1 || ind.OnTime != 1 || ind.Reworked != 1 || ind.Extended != 1 || ind.SatisfactionRate != 1 {
			t.Errorf("indicators: %+v %v", ind, err)
		}
		dind, err := s.IndicatorsFor(ctx, dept, w.dept.ID, monday10.Add(-time.Hour), monday10.Add(30*24*time.Hour))
		if err != nil || dind.Due != 1 || dind.Closed != 1 {
			t.Errorf("department indicators: %+v %v", dind, err)
		}
		if _, err := s.IndicatorsFor(ctx, street2, w.s1.ID, monday10, monday10.Add(time.Hour)); code(err) != apperr.NotFound {
			t.Errorf("other street's indicators: %v", err)
		}
		rank, err := s.Ranking(ctx, system, w.district.ID, false, monday10.Add(-time.Hour), monday10.Add(30*24*time.Hour))
		if err != nil || len(rank) != 2 || rank[0].UnitID != w.s1.ID {
			t.Errorf("ranking: %+v %v", rank, err)
		}
		// A grid with events cannot be deleted; moving it carries its events
		// along (its boundary, which lies in its old community, goes).
		if err := w.orgs.DeleteUnit(ctx, system, w.g1.ID); code(err) != apperr.Conflict {
			t.Errorf("delete grid with events: %v", err)
		}
		newCode, noBoundary := "360403002001002", ""
		moved, err := w.orgs.EditUnit(ctx, system, w.g1.ID, &w.c2.ID, org.UnitPatch{Code: &newCode, Boundary: &noBoundary})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Event(ctx, street, e.ID); code(err) != apperr.NotFound {
			t.Errorf("old street still reads the moved grid's event: %v", err)
		}
		got, err := s.Event(ctx, street2, e.ID)
		if err != nil || got.UnitPath != moved.Path {
			t.Errorf("new street reads: %+v %v", got, err)
		}
		if _, err := audit.Verify(ctx, d); err != nil {
			t.Errorf("audit: %v", err)
		}
	})
}

func TestDeadlinesAndSweep(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.s
		grid := at(auth.GridMember, w.g1, 0)
		lon, lat := pt(116.005, 29.705)
		c, err := s.Create(ctx, grid, NewEvent{CategoryID: w.cat.ID, Description: "垃圾", Lon: lon, Lat: lat, Source: FromGrid})
		if err != nil {
			t.Fatal(err)
		}
		id := c.Event.ID
		// 50 minutes on: 80% of an hour has passed: yellow.
		*w.clock = monday10.Add(50 * time.Minute)
		if n, err := s.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("yellow sweep: %d %v", n, err)
		}
		e, _ := s.Event(ctx, system, id)
		if e.WarnLevel != 1 || e.Light(*w.clock) != "yellow" {
			t.Errorf("after yellow: %d %s", e.WarnLevel, e.Light(*w.clock))
		}
		// Past the hour: red, escalated from the street to the district, once.
		*w.clock = monday10.Add(61 * time.Minute)
		for range 3 {
			if _, err := s.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
		}
		e, _ = s.Event(ctx, system, id)
		if e.WarnLevel != 2 || e.Escalations != 1 || e.EscalatedUnitID != w.district.ID || !e.Overdue(*w.clock) {
			t.Errorf("after red: %+v", e)
		}
		steps, _ := s.Steps(ctx, system, id)
		var esc int
		for _, st := range steps {
			if st.Action == ActEscalate {
				esc++
			}
		}
		if esc != 1 {
			t.Errorf("%d escalation steps", esc)
		}
		o, err := s.Overview(ctx, system)
		if err != nil || o.Open != 1 || o.Overdue != 1 {
			t.Errorf("overview %+v %v", o, err)
		}
		// Accepting starts a new stage: green again.
		if _, err := s.Act(ctx, system, id, StepInput{Action: ActAccept}); err != nil {
			t.Fatal(err)
		}
		e, _ = s.Event(ctx, system, id)
		if e.WarnLevel != 0 || e.Light(*w.clock) != "green" {
			t.Errorf("after accept: %d %s", e.WarnLevel, e.Light(*w.clock))
		}
	})
}

func TestCheckPhoto(t *testing.T) {
	if _, err := CheckPhoto("photo", pngBytes(t)); err != nil {
		t.Errorf("png: %v", err)
	}
	for name, data := range map[string][]byte{
		"empty":     nil,
		"text":      []byte("hello, not an image"),
		"truncated": pngBytes(t)[:20],
		"big":       append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, MaxPhotoBytes)...),
	} {
		if _, err := CheckPhoto("photo", data); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// TestEscalationGoesUpTheTree checks whom an overdue stage goes to: a
// grid's community (through its area, if any), a department's or street's
// parent.
func TestEscalationGoesUpTheTree(t *testing.T) {
	for _, c := range []struct {
		e    Event
		want int64
	}{
		{Event{State: Handled, GridID: 12, UnitPath: "/1/2/5/12/"}, 5},
		{Event{State: Handled, GridID: 12, UnitPath: "/1/2/5/9/12/"}, 5},
		{Event{State: Signed, GridID: 12, UnitPath: "/1/2/5/12/", HandlingUnitID: 30, HandlingPath: "/1/30/"}, 1},
		{Event{State: Reported, GridID: 12, UnitPath: "/1/2/5/9/12/"}, 1},
	} {
		if got := above(&c.e, owner(&c.e)); got != c.want {
			t.Errorf("%s at %s: escalated to %d, want %d", c.e.State, c.e.UnitPath, got, c.want)
		}
	}
}

// TestOpen311Dates reads the spec's W3C dates, with a zone's "+" sent
// unencoded (arriving as a space) too.
func TestOpen311Dates(t *testing.T) {
	want := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"2026-01-01T08:00:00+08:00", "2026-01-01T08:00:00 08:00", "2026-01-01T00:00:00Z", "2026-01-01T08:00:00", "2026-01-01"} {
		got, ok := parseW3C(s)
		if s == "2026-01-01" {
			want = time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC) // midnight in Shanghai
		}
		if !ok || !got.Equal(want) {
			t.Errorf("parseW3C(%q) = %v, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "yesterday", "2026-13-01", "2026-01-01 08:00"} {
		if _, ok := parseW3C(s); ok {
			t.Errorf("parseW3C(%q) accepted", s)
		}
	}
}

// TestDutiesApart checks that nobody decides their own request or verifies
// the handling they reported, though their roles would allow it: a street
// that handles an event itself must have another hand approve its request,
// and a community worker who handled it must leave verification to another.
func TestDutiesApart(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.s
		street, colleague := at(auth.StreetStaff, w.s1, 31), at(auth.StreetStaff, w.s1, 32)
		worker, grid := at(auth.CommunityStaff, w.c1, 41), at(auth.GridMember, w.g1, 51)
		lon, lat := pt(116.005, 29.705)
		act := func(actor *auth.Actor, id int64, in StepInput, want apperr.Code) {
			t.Helper()
			_, err := s.Act(ctx, actor, id, in)
			if (want == "" && err != nil) || (want != "" && code(err) != want) {
				t.Fatalf("%s by %d: %v", in.Action, actor.UserID, err)
			}
		}
		report := func(key string) int64 {
			t.Helper()
			c, err := s.Create(ctx, grid, NewEvent{CategoryID: w.cat.ID, Description: "井盖缺失", Lon: lon, Lat: lat, Source: FromGrid, IdemKey: key})
			if err != nil {
				t.Fatal(err)
			}
			act(street, c.Event.ID, StepInput{Action: ActAccept}, "")
			return c.Event.ID
		}
		// The street handles it itself and asks to void it: a colleague decides.
		a := report("a")
		act(street, a, StepInput{Action: ActDispatch, HandlingUnitID: w.s1.ID, Whistle: Daily}, "")
		act(street, a, StepInput{Action: ActSign}, "")
		act(street, a, StepInput{Action: ActAskVoid, Note: "重复上报"}, "")
		act(street, a, StepInput{Action: ActApprove}, apperr.Forbidden)
		act(colleague, a, StepInput{Action: ActApprove}, "")
		// The community worker handles; the grid member, not the worker, verifies.
		b := report("b")
		act(street, b, StepInput{Action: ActDispatch, HandlingUnitID: w.c1.ID, Whistle: Daily}, "")
		act(worker, b, StepInput{Action: ActSign}, "")
		act(worker, b, StepInput{Action: ActHandle, Note: "已补装井盖"}, "")
		act(worker, b, StepInput{Action: ActPass}, apperr.Forbidden)
		act(grid, b, StepInput{Action: ActPass}, "")
	})
}

// TestExtensionWhileDispatched moves the handling deadline only: signing
// for the event keeps its own limit, and its light stays as it was.
func TestExtensionWhileDispatched(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		s := w.s
		street, dept := at(auth.StreetStaff, w.s1, 31), at(auth.DepartmentStaff, w.dept, 61)
		lon, lat := pt(116.005, 29.705)
		c, err := s.Create(ctx, at(auth.GridMember, w.g1, 51), NewEvent{CategoryID: w.cat.ID, Description: "路灯不亮", Lon: lon, Lat: lat, Source: FromGrid, IdemKey: "x"})
		if err != nil {
			t.Fatal(err)
		}
		id := c.Event.ID
		for _, st := range []struct {
			actor *auth.Actor
			in    StepInput
		}{
			{street, StepInput{Action: ActAccept}},
			{street, StepInput{Action: ActDispatch, HandlingUnitID: w.dept.ID, Whistle: Daily}},
			{dept, StepInput{Action: ActAskExtension, Days: 3, Note: "需要采购配件"}},
		} {
			if _, err := s.Act(ctx, st.actor, id, st.in); err != nil {
				t.Fatalf("%s: %v", st.in.Action, err)
			}
		}
		before, err := s.Event(ctx, street, id)
		if err != nil {
			t.Fatal(err)
		}
		after, err := s.Act(ctx, street, id, StepInput{Action: ActApprove})
		if err != nil {
			t.Fatal(err)
		}
		if after.State != Dispatched || !after.StageDueAt.Equal(*before.StageDueAt) || after.WarnLevel != 0 || !after.DueAt.After(*before.DueAt) || after.Extensions != 1 {
			t.Errorf("extension while dispatched: sign by %v (was %v), light %d, due %v (was %v)",
				after.StageDueAt, before.StageDueAt, after.WarnLevel, after.DueAt, before.DueAt)
		}
	})
}
