package volunteer

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"grassroots/internal/people"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/i18n"
)

func TestRules(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Points
		ok   bool
	}{{"12", 1200, true}, {"12.5", 1250, true}, {"0.05", 5, true}, {".5", 50, true}, {"1.234", 0, false}, {"-1", 0, false}, {"abc", 0, false}, {"", 0, false}, {"1.-5", 0, false}, {"1.+5", 0, false}, {"0.-5", 0, false}} {
		got, err := ParsePoints(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParsePoints(%q) = %v, %v", c.in, got, err)
		}
	}
	if Earned(90, DefaultRate) != 150 || Earned(1, DefaultRate) != 1 || Earned(60, 250) != 250 || Points(1250).String() != "12.50" || Points(-5).String() != "-0.05" {
		t.Error("points arithmetic")
	}
	start := time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC)
	end := start.Add(3 * time.Hour)
	if m := ServedMinutes(start, end, start.Add(-20*time.Minute), end.Add(time.Hour)); m != 180 {
		t.Errorf("capped minutes = %d", m)
	}
	if m := ServedMinutes(start, end, start.Add(30*time.Minute), start.Add(90*time.Minute)); m != 60 {
		t.Errorf("minutes = %d", m)
	}
	if m := ServedMinutes(start, end, end.Add(time.Minute), end.Add(time.Hour)); m != 0 {
		t.Errorf("minutes after the shift = %d", m)
	}
	if Period(time.Date(2026, 2, 28, 17, 0, 0, 0, time.UTC)) != 202603 {
		t.Error("period follows Shanghai")
	}
	if NormalizeCode(" http://x/volunteer/scan?code=ab2c-d3e4 ") != "AB2CD3E4" || GroupCode("AB2CD3E4XY") != "AB2C-D3E4-XY" {
		t.Error("codes")
	}
	if MaskName("王小明") != "王*明" || MaskName("李明") != "李*" || MaskName("欧阳小明") != "欧**明" || MaskName("李") != "*" {
		t.Error("mask name")
	}
	if _, err := checkLegs([]Leg{{1, 100}, {2, -99}}); keyOf(err) != "lb.legs_unbalanced" {
		t.Errorf("unbalanced legs: %v", err)
	}
	if _, err := checkLegs([]Leg{{1, 100}, {1, -100}}); keyOf(err) != "lb.legs_same_account" {
		t.Errorf("same account: %v", err)
	}
	// Every closed list has its words in both languages.
	for _, c := range []Choice{TeamTypes, Fields, Categories, Skills, EntryKinds, Grades, TransferKinds} {
		for _, v := range c.Values {
			if !i18n.Has(c.Key(v)) {
				t.Errorf("no text for %s", c.Key(v))
			}
		}
	}
	for _, k := range []string{SignupPending, SignupApproved, SignupRejected, SignupCancelled} {
		if !i18n.Has("vol.status." + k) {
			t.Errorf("no text for status %s", k)
		}
	}
}

func TestVolunteerService(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		s := f.s
		organiser := f.user(t, "organiser", auth.CommunityStaff, f.community)
		outsider := f.user(t, "outsider", auth.StreetStaff, f.street2)
		userA := f.user(t, "vola", RoleVolunteer, f.community)
		userB := f.user(t, "volb", RoleVolunteer, f.community)

		// Teams: a professional team needs its field.
		if _, err := s.CreateTeam(ctx, organiser, TeamInput{UnitID: f.community.ID, Type: "professional", Name: "医疗队"}); keyOf(err) != "vol.field_required" {
			t.Errorf("professional team without a field: %v", err)
		}
		if _, err := s.CreateTeam(ctx, organiser, TeamInput{UnitID: f.other.ID, Type: "youth", Name: "青年队"}); keyOf(err) != "vol.unit_not_found" {
			t.Errorf("team outside the scope: %v", err)
		}
		team, err := s.CreateTeam(ctx, organiser, TeamInput{UnitID: f.community.ID, Type: "party_service", Name: "白水湖党员服务队", FoundedOn: "2020-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Team(ctx, outsider, team.ID); keyOf(err) != "error.not_found" {
			t.Errorf("another street's team: %v", err)
		}

		a := f.volunteer(t, "张志愿", 1, userA.UserID, "first_aid")
		b := f.volunteer(t, "李志愿", 2, userB.UserID)
		if _, err := s.CreateVolunteer(ctx, organiser, VolunteerInput{UnitID: f.community.ID, Name: "重复", IDNumber: idNumber("36040319900101001")}); keyOf(err) != "vol.duplicate_id" {
			t.Errorf("duplicate identity number: %v", err)
		}
		if a.IDNumber == "" || strings.Contains(a.IDNumber, "19900101") || a.AccountID == 0 || !strings.HasPrefix(a.Number, "ZYZ360403") {
			t.Errorf("volunteer = %+v", a)
		}
		var sealedID string
		if err := d.QueryRow(ctx, `SELECT id_number_sealed FROM vol_volunteers WHERE id = ?`, a.ID).Scan(&sealedID); err != nil || strings.Contains(sealedID, "19900101") {
			t.Errorf("identity number stored as %q", sealedID)
		}
		if _, err := s.Join(ctx, organiser, team.ID, a.ID, "2026-01-05", "leader"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Join(ctx, organiser, team.ID, a.ID, "", ""); keyOf(err) != "vol.already_member" {
			t.Errorf("joining twice: %v", err)
		}
		if err := s.Leave(ctx, organiser, team.ID, a.ID, "2025-12-01"); keyOf(err) != "vol.left_before_joined" {
			t.Errorf("leaving before joining: %v", err)
		}

		// An activity tomorrow morning (Shanghai), with a one-place shift
		// needing first aid and a second that overlaps it.
		day := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC) // 08:00 in Shanghai
		lon, lat := 116.0, 29.7
		act, err := s.CreateActivity(ctx, organiser, ActivityInput{TeamID: team.ID, Title: "社区义诊", Category: "health", Place: "白水湖社区服务中心",
			Lon: &lon, Lat: &lat, Shifts: []ShiftInput{
				{StartsAt: day.Add(time.Hour), EndsAt: day.Add(4 * time.Hour), Capacity: 1, Skills: []string{"first_aid"}},
				{StartsAt: day.Add(3 * time.Hour), EndsAt: day.Add(5 * time.Hour), Capacity: 5},
			}})
		if err != nil {
			t.Fatal(err)
		}
		sh1, sh2 := act.Shifts[0], act.Shifts[1]
		if _, err := s.CreateActivity(ctx, organiser, ActivityInput{UnitID: f.community.ID, Title: "过去", Category: "other",
			Shifts: []ShiftInput{{StartsAt: day.Add(-48 * time.Hour), EndsAt: day.Add(-47 * time.Hour), Capacity: 1}}}); keyOf(err) != "vol.shift_past" {
			t.Errorf("a shift in the past: %v", err)
		}
		nan := math.NaN()
		if _, err := s.CreateActivity(ctx, organiser, ActivityInput{UnitID: f.community.ID, Title: "无处", Category: "other", Lon: &nan, Lat: &lat,
			Shifts: []ShiftInput{{StartsAt: day.Add(time.Hour), EndsAt: day.Add(2 * time.Hour), Capacity: 1}}}); keyOf(err) != "vol.point_range" {
			t.Errorf("a point that is not a number: %v", err)
		}
		if _, err := s.SignUp(ctx, userB, sh1.ID, 0); keyOf(err) != "vol.missing_skill" {
			t.Errorf("sign-up without the skill: %v", err)
		}
		g, err := s.SignUp(ctx, userA, sh1.ID, 0)
		if err != nil || g.Status != SignupApproved {
			t.Fatalf("sign-up: %v %+v", err, g)
		}
		if _, err := s.SignUp(ctx, userA, sh2.ID, 0); keyOf(err) != "vol.overlap" {
			t.Errorf("overlapping sign-up: %v", err)
		}
		if _, err := s.UpdateVolunteer(ctx, organiser, b.ID, VolunteerPatch{Skills: &[]string{"first_aid"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SignUp(ctx, userB, sh1.ID, 0); keyOf(err) != "vol.shift_full" {
			t.Errorf("sign-up for a full shift: %v", err)
		}

		// Check in and out by the shift's codes.
		f.clock.Set(day.Add(50 * time.Minute))
		if _, err := s.Scan(ctx, userA, sh1.OutCode); keyOf(err) != "vol.out_before_in" {
			t.Errorf("check-out before check-in: %v", err)
		}
		if _, err := s.Scan(ctx, userA, "NOPE-NOPE"); keyOf(err) != "vol.bad_code" {
			t.Errorf("a bad code: %v", err)
		}
		if _, err := s.Scan(ctx, userB, sh1.InCode); keyOf(err) != "vol.not_signed_up" {
			t.Errorf("someone else checking in: %v", err)
		}
		res, err := s.Scan(ctx, userA, "https://x/volunteer/scan?code="+GroupCode(sh1.InCode))
		if err != nil || res.Action != "in" {
			t.Fatalf("check-in: %v %+v", err, res)
		}
		if _, err := s.Scan(ctx, userA, sh1.InCode); keyOf(err) != "vol.already_in" {
			t.Errorf("checking in twice: %v", err)
		}
		// Checked in early, the sign-up stays: its place is not freed for
		// another while its hours wait for the organiser.
		if _, err := s.Cancel(ctx, userA, g.ID); keyOf(err) != "vol.cancel_checked_in" {
			t.Errorf("cancelling after checking in: %v", err)
		}
		if _, err := s.SignUp(ctx, userB, sh2.ID, 0); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(day.Add(5 * time.Hour))
		res, err = s.Scan(ctx, userA, sh1.OutCode)
		if err != nil || res.Action != "out" || res.Signup.Minutes != 180 || res.Signup.HoursStatus != HoursPending {
			t.Fatalf("check-out: %v %+v", err, res)
		}

		// Verification: not one's own, never beyond the shift.
		self := f.user(t, "selfverify", RoleVolunteer, f.community)
		f.grant(t, self, auth.CommunityStaff, f.community)
		if _, err := s.UpdateVolunteer(ctx, organiser, a.ID, VolunteerPatch{UserID: &self.UserID}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyHours(ctx, self, g.ID, nil); keyOf(err) != "vol.own_hours" {
			t.Errorf("verifying one's own hours: %v", err)
		}
		// Nor after unlinking their own record, nor by marking the times.
		none := int64(0)
		if _, err := s.UpdateVolunteer(ctx, self, a.ID, VolunteerPatch{UserID: &none}); keyOf(err) != "vol.own_link" {
			t.Errorf("unlinking one's own record: %v", err)
		}
		if _, err := s.Mark(ctx, self, g.ID, g.CheckInAt, nil); keyOf(err) != "vol.own_hours" {
			t.Errorf("marking one's own times: %v", err)
		}
		if _, err := s.UpdateVolunteer(ctx, organiser, a.ID, VolunteerPatch{UserID: &userA.UserID}); err != nil {
			t.Fatal(err)
		}
		over := 200
		if _, err := s.VerifyHours(ctx, organiser, g.ID, &over); keyOf(err) != "vol.over_shift" {
			t.Errorf("hours over the shift: %v", err)
		}
		if _, err := s.VerifyHours(ctx, outsider, g.ID, nil); keyOf(err) != "error.not_found" {
			t.Errorf("verifying in another street: %v", err)
		}
		g, err = s.VerifyHours(ctx, organiser, g.ID, nil)
		if err != nil || g.HoursStatus != HoursVerified || g.Points != 300 || g.TransferSeq == 0 {
			t.Fatalf("verify: %v %+v", err, g)
		}
		if _, err := s.VerifyHours(ctx, organiser, g.ID, nil); keyOf(err) != "vol.hours_not_pending" {
			t.Errorf("verifying twice: %v", err)
		}
		me, _ := s.Me(ctx, userA)
		if me.Balance != 300 || me.VerifiedMinutes != 180 {
			t.Errorf("after verification: balance %v, minutes %d", me.Balance, me.VerifiedMinutes)
		}
		// B's shift: the organiser marks times; check-out before check-in is refused.
		gb, _ := s.querySignups(ctx, d, `g.volunteer_id = ?`, b.ID)
		in, out := day.Add(3*time.Hour), day.Add(2*time.Hour)
		if _, err := s.Mark(ctx, organiser, gb[0].ID, &in, &out); keyOf(err) != "vol.out_before_in" {
			t.Errorf("marking out before in: %v", err)
		}
		out = day.Add(4*time.Hour + 30*time.Minute)
		if m, err := s.Mark(ctx, organiser, gb[0].ID, &in, &out); err != nil || m.Minutes != 90 {
			t.Errorf("mark: %v %+v", err, m)
		}
		if _, err := s.RejectHours(ctx, organiser, gb[0].ID, ""); keyOf(err) != "vol.reason_required" {
			t.Errorf("rejecting without a reason: %v", err)
		}
		if _, err := s.RejectHours(ctx, organiser, gb[0].ID, "未到岗"); err != nil {
			t.Error(err)
		}

		// Record, certificate, public check.
		if _, err := s.AddEntry(ctx, organiser, a.ID, EntryInput{Kind: "training", On: "2026-02-01", Title: "急救培训", Issuer: "区红十字会", Minutes: 240}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddEntry(ctx, organiser, a.ID, EntryInput{Kind: "evaluation", On: "2026-02-01", Title: "年度评价", Grade: "best"}); keyOf(err) != "field.bad_choice" {
			t.Errorf("bad grade: %v", err)
		}
		cert, err := s.IssueCertificate(ctx, organiser, a.ID, "", "")
		if err != nil || cert.Minutes != 180 || cert.Services != 1 || cert.Issuer != "白水湖社区" {
			t.Fatalf("certificate: %v %+v", err, cert)
		}
		pub, err := s.CheckCertificate(ctx, strings.ReplaceAll(strings.ToLower(cert.Number), "-", ""))
		if err != nil || pub.Name != "张*愿" || pub.Hours != 3 {
			t.Errorf("public check: %v %+v", err, pub)
		}
		if _, err := s.CheckCertificate(ctx, "ZY2026-0000-0000-00"); keyOf(err) != "error.not_found" {
			t.Errorf("unknown certificate: %v", err)
		}
		rec, err := s.Record(ctx, organiser, a.ID)
		if err != nil || len(rec.Services) != 1 || len(rec.Trainings) != 1 || len(rec.Certificates) != 1 || len(rec.Teams) != 1 {
			t.Errorf("record: %v %+v", err, rec)
		}

		// Rankings and overview.
		rank, err := s.Ranking(ctx, organiser, "volunteers", 202603, 10)
		if err != nil || len(rank) != 1 || rank[0].ID != a.ID || rank[0].Minutes != 180 {
			t.Errorf("ranking: %v %+v", err, rank)
		}
		teams, err := s.Ranking(ctx, organiser, "teams", 2026, 10)
		if err != nil || len(teams) != 1 || teams[0].ID != team.ID {
			t.Errorf("team ranking: %v %+v", err, teams)
		}
		if r, _ := s.Ranking(ctx, outsider, "volunteers", 2026, 10); len(r) != 0 {
			t.Errorf("another street's ranking shows %+v", r)
		}
		ov, err := s.Overview(ctx, organiser)
		if err != nil || ov.Volunteers != 2 || ov.VerifiedMinutes != 180 || ov.PointsIssued != 300 || ov.TeamsByType["party_service"] != 1 {
			t.Errorf("overview: %v %+v", err, ov)
		}
		verifyLedger(t, f)
		if _, err := audit.Verify(ctx, d); err != nil {
			t.Error(err)
		}
	})
}

func TestLoveBank(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		s := f.s
		admin := f.user(t, "admin", auth.DistrictAdmin, f.district)
		street := f.user(t, "street", auth.StreetStaff, f.street)
		userA := f.user(t, "vola", RoleVolunteer, f.community)
		staff := f.user(t, "cashier", RoleMerchantStaff, f.street)
		a := f.volunteer(t, "张志愿", 1, userA.UserID)
		f.fund(t, a, 300)

		if _, err := s.CreateMerchant(ctx, street, MerchantInput{UnitID: f.street.ID, Name: "爱心超市"}); keyOf(err) != "vol.unit_not_found" {
			t.Errorf("street staff creating a merchant: %v", err)
		}
		m, err := s.CreateMerchant(ctx, admin, MerchantInput{UnitID: f.street.ID, Name: "浔阳爱心超市", Address: "浔阳路 1 号"})
		if err != nil {
			t.Fatal(err)
		}
		soap, err := s.AddItem(ctx, admin, m.ID, ItemInput{Name: "洗衣液", Price: "2"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Redeem(ctx, staff, RedeemInput{Code: "X", Amount: "1", Key: "k0"}); keyOf(err) != "lb.not_staff" {
			t.Errorf("redeeming before being staff: %v", err)
		}
		if err := s.AddStaff(ctx, admin, m.ID, "vola"); keyOf(err) != "lb.staff_role_needed" {
			t.Errorf("a volunteer as staff: %v", err)
		}
		if err := s.AddStaff(ctx, admin, m.ID, "cashier"); err != nil {
			t.Fatal(err)
		}

		pass, err := s.NewPass(ctx, userA)
		if err != nil {
			t.Fatal(err)
		}
		// More than the balance: refused, nothing written, the code still good.
		if _, err := s.Redeem(ctx, staff, RedeemInput{Code: pass.Code, ItemID: soap.ID, Quantity: 2, Key: "k1"}); keyOf(err) != "lb.insufficient" {
			t.Errorf("redeeming more than the balance: %v", err)
		}
		r, err := s.Redeem(ctx, staff, RedeemInput{Code: GroupCode(pass.Code), ItemID: soap.ID, Key: "k2"})
		if err != nil || r.Amount != 200 || r.Balance != 100 || r.Replayed {
			t.Fatalf("redeem: %v %+v", err, r)
		}
		// A retry of the same request answers the same and charges nothing.
		again, err := s.Redeem(ctx, staff, RedeemInput{Code: pass.Code, ItemID: soap.ID, Key: "k2"})
		if err != nil || again.ID != r.ID || !again.Replayed || again.Balance != 100 {
			t.Errorf("retry: %v %+v", err, again)
		}
		if _, err := s.Redeem(ctx, staff, RedeemInput{Code: pass.Code, Amount: "1", Key: "k2"}); keyOf(err) != "lb.key_reused" {
			t.Errorf("a key reused for another redemption: %v", err)
		}
		// The same key and item with another volunteer's code is no retry:
		// answered as paid, the shop would hand over the goods for nothing.
		userB2 := f.user(t, "volb2", RoleVolunteer, f.community)
		f.volunteer(t, "李志愿", 9, userB2.UserID)
		passB, err := s.NewPass(ctx, userB2)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Redeem(ctx, staff, RedeemInput{Code: passB.Code, ItemID: soap.ID, Key: "k2"}); keyOf(err) != "lb.key_reused" {
			t.Errorf("a key reused with another volunteer's code: %v", err)
		}
		if _, err := s.Redeem(ctx, staff, RedeemInput{Code: pass.Code, Amount: "0.5", Key: "k3"}); keyOf(err) != "lb.pass_used" {
			t.Errorf("a used code: %v", err)
		}
		pass2, _ := s.NewPass(ctx, userA)
		f.clock.Set(f.clock.Now().Add(PassLifetime + time.Second))
		if _, err := s.Redeem(ctx, staff, RedeemInput{Code: pass2.Code, Amount: "0.5", Key: "k4"}); keyOf(err) != "lb.pass_expired" {
			t.Errorf("an expired code: %v", err)
		}
		if _, err := s.Redeem(ctx, staff, RedeemInput{Code: "ZZZZZZZZZZ", Amount: "0.5", Key: "k5"}); keyOf(err) != "lb.pass_unknown" {
			t.Errorf("an unknown code: %v", err)
		}
		var n int
		d.QueryRow(ctx, `SELECT COUNT(*) FROM lb_redemptions`).Scan(&n)
		if n != 1 {
			t.Errorf("%d redemptions written, want 1", n)
		}

		// Settlement: the report, then the merchant hands the points back.
		rep, err := s.SettlementReport(ctx, staff, m.ID, "")
		if err != nil || rep.Amount != 200 || rep.Fen != 200 || len(rep.Redemptions) != 1 {
			t.Fatalf("report: %v %+v", err, rep)
		}
		if _, err := s.Settle(ctx, staff, m.ID, ""); keyOf(err) != "error.not_found" {
			t.Errorf("staff settling: %v", err)
		}
		st, err := s.Settle(ctx, admin, m.ID, "")
		if err != nil || st.Amount != 200 {
			t.Fatalf("settle: %v %+v", err, st)
		}
		if _, err := s.Settle(ctx, admin, m.ID, ""); keyOf(err) != "lb.nothing_to_settle" {
			t.Errorf("settling twice: %v", err)
		}
		if _, err := s.Reverse(ctx, admin, r.TransferSeq, "误操作"); keyOf(err) != "lb.redemption_settled" {
			t.Errorf("reversing a settled redemption: %v", err)
		}
		// Reversing the opening transfer fails: the points were spent.
		var opening int64
		d.QueryRow(ctx, `SELECT seq FROM lb_transfers WHERE kind = 'opening'`).Scan(&opening)
		if _, err := s.Reverse(ctx, admin, opening, "误操作"); keyOf(err) != "lb.insufficient" {
			t.Errorf("reversing spent points: %v", err)
		}
		// Reversing the settlement opens its redemptions again.
		if _, err := s.Reverse(ctx, street, st.TransferSeq, "结算有误"); keyOf(err) != "error.not_found" {
			t.Errorf("street staff reversing: %v", err)
		}
		rev, err := s.Reverse(ctx, admin, st.TransferSeq, "结算有误")
		if err != nil || rev.Reverses != st.TransferSeq {
			t.Fatalf("reverse: %v %+v", err, rev)
		}
		if _, err := s.Reverse(ctx, admin, st.TransferSeq, "again"); keyOf(err) != "lb.already_reversed" {
			t.Errorf("reversing twice: %v", err)
		}
		if _, err := s.Reverse(ctx, admin, rev.Seq, "again"); keyOf(err) != "lb.reverse_reversal" {
			t.Errorf("reversing a reversal: %v", err)
		}
		if rep, _ := s.SettlementReport(ctx, admin, m.ID, ""); rep.Amount != 200 {
			t.Errorf("after the reversal the report is %v", rep.Amount)
		}
		if _, err := s.Reverse(ctx, admin, r.TransferSeq, "顾客退货"); err != nil {
			t.Fatal(err)
		}
		me, _ := s.Me(ctx, userA)
		if me.Balance != 300 {
			t.Errorf("balance after the refund: %v", me.Balance)
		}
		ov, _ := s.Overview(ctx, admin)
		if ov.PointsRedeemed != 0 || ov.Merchants != 1 {
			t.Errorf("overview: %+v", ov)
		}
		_, ms, total, err := s.Statement(ctx, userA, a.AccountID, 10, 0)
		if err != nil || total != 3 || ms[0].Amount != 200 || ms[0].Reverses == 0 {
			t.Errorf("statement: %v %d %+v", err, total, ms)
		}
		if _, _, _, err := s.Statement(ctx, staff, a.AccountID, 10, 0); keyOf(err) != "error.not_found" {
			t.Errorf("staff reading a volunteer's account: %v", err)
		}
		rep2 := verifyLedger(t, f)
		if rep2.Transfers != 5 || rep2.Circulating != 300 {
			t.Errorf("ledger report %+v", rep2)
		}
		if err := s.SetSettings(ctx, street, f.district.ID, 200, 50); keyOf(err) != "vol.unit_not_found" {
			t.Errorf("street staff setting the rate: %v", err)
		}
		if err := s.SetSettings(ctx, admin, f.district.ID, 200, 50); err != nil {
			t.Fatal(err)
		}
		if rate, _ := s.Rate(ctx, d, f.community.Path); rate != 200 {
			t.Errorf("rate = %v", rate)
		}
	})
}

func TestInServiceHours(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		s := f.s
		organiser := f.user(t, "organiser", auth.CommunityStaff, f.community)
		h, err := s.People.CreateHousehold(ctx, organiser, f.building.ID, "101")
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.People.CreateResident(ctx, organiser, people.ResidentInput{HouseholdID: h.ID, Name: "王在职", IDNumber: idNumber("36040319850505123"), Phone: "13912345678"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.CreateVolunteer(ctx, organiser, VolunteerInput{ResidentID: r.ID})
		if err != nil || v.UnitID != f.community.ID || v.Name != "王在职" || v.IDNumber != "" {
			t.Fatalf("resident volunteer: %v %+v", err, v)
		}
		if _, err := s.CreateVolunteer(ctx, organiser, VolunteerInput{ResidentID: r.ID}); keyOf(err) != "vol.resident_registered" {
			t.Errorf("registering a resident twice: %v", err)
		}
		rec, _ := s.Record(ctx, organiser, v.ID)
		if rec.Volunteer.IDNumber == "" || strings.Contains(rec.Volunteer.IDNumber, "19850505") {
			t.Errorf("record shows the identity number as %q", rec.Volunteer.IDNumber)
		}
		// Hours at the home community count; hours in the neighbour's do not.
		day := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
		home, _ := s.CreateActivity(ctx, organiser, ActivityInput{UnitID: f.community.ID, Title: "楼道清扫", Category: "environment",
			Shifts: []ShiftInput{{StartsAt: day, EndsAt: day.Add(2 * time.Hour), Capacity: 9}}})
		streetStaff := f.user(t, "street", auth.StreetStaff, f.street)
		away, _ := s.CreateActivity(ctx, streetStaff, ActivityInput{UnitID: f.neighbour.ID, Title: "邻社区活动", Category: "culture",
			Shifts: []ShiftInput{{StartsAt: day.Add(3 * time.Hour), EndsAt: day.Add(4 * time.Hour), Capacity: 9}}})
		for _, a := range []*Activity{home, away} {
			g, err := s.SignUp(ctx, streetStaff, a.Shifts[0].ID, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Set(a.Shifts[0].EndsAt.Add(time.Minute))
			in, out := a.Shifts[0].StartsAt, a.Shifts[0].EndsAt
			if _, err := s.Mark(ctx, streetStaff, g.ID, &in, &out); err != nil {
				t.Fatal(err)
			}
			if _, err := s.VerifyHours(ctx, streetStaff, g.ID, nil); err != nil {
				t.Fatal(err)
			}
		}
		total, lines, err := s.HoursFor(ctx, r.ID, "2026-01-01", "2026-03-31")
		if err != nil || total != 120 || len(lines) != 1 || lines[0].What != "楼道清扫" || lines[0].On != date.Date("2026-03-03") {
			t.Errorf("hours for the feedback sheet: %v %d %+v", err, total, lines)
		}
		if total, _, _ := s.HoursFor(ctx, r.ID, "2026-04-01", "2026-06-30"); total != 0 {
			t.Errorf("next quarter has %d minutes", total)
		}
		if total, _, err := s.HoursFor(ctx, 999999, "", ""); total != 0 || err != nil {
			t.Errorf("a resident who is no volunteer: %d %v", total, err)
		}
		c, err := s.IssueCertificate(ctx, organiser, v.ID, "", "")
		if err != nil || c.IDNumber == "" || strings.Contains(c.IDNumber, "19850505") || c.Services != 2 {
			t.Errorf("a resident's certificate: %v %+v", err, c)
		}
		_ = fmt.Sprint()
	})
}
