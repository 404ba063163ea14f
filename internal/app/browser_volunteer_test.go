package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"grassroots/internal/app/apptest"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/volunteer"
)

// TestBrowserVolunteerFlow is the whole volunteer service in the browser,
// as three users: the street's organiser shows the shift's QR codes, the
// volunteer signs up on their phone and checks in and out with the codes
// printed under them (a headless browser has no camera), the organiser
// verifies the hours, the volunteer shows their one-time code, and the
// supermarket's cashier redeems it for an item.
func TestBrowserVolunteerFlow(t *testing.T) {
	ctx := browser(t)
	e := apptest.Start(t, db.SQLite)
	clock := e.VolunteerClock()
	base := e.Server.URL
	bg := context.Background()
	sys := auth.SystemActor("test")
	vs := e.Volunteer

	// The organiser's team and activity, the volunteer's record, the shop.
	team, err := vs.CreateTeam(bg, sys, volunteer.TeamInput{UnitID: e.Community1.ID, Type: "party_service", Name: "白水湖党员志愿服务队"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := vs.CreateVolunteer(bg, sys, volunteer.VolunteerInput{UnitID: e.Community1.ID, Name: "张志愿", IDNumber: "360403199001010010",
		Phone: "13800001111", UserID: e.UserID(t, "volunteer1")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vs.Join(bg, sys, team.ID, v.ID, "", "member"); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(10 * time.Minute).Truncate(time.Minute)
	act, err := vs.CreateActivity(bg, sys, volunteer.ActivityInput{TeamID: team.ID, Title: "楼道清洁日", Category: "environment", Place: "白水湖社区1号楼",
		Shifts: []volunteer.ShiftInput{{StartsAt: start, EndsAt: start.Add(time.Hour), Capacity: 6}}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := vs.CreateMerchant(bg, sys, volunteer.MerchantInput{UnitID: e.Street1.ID, Name: "浔阳爱心超市（湓浦店）"})
	if err != nil {
		t.Fatal(err)
	}
	soap, err := vs.AddItem(bg, sys, m.ID, volunteer.ItemInput{Name: "肥皂", Price: "0.5"})
	if err != nil {
		t.Fatal(err)
	}
	if err := vs.AddStaff(bg, sys, m.ID, "merchant1"); err != nil {
		t.Fatal(err)
	}

	login := func(user string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(css(`input[name=username]`)),
			chromedp.SendKeys(css(`input[name=username]`), user),
			chromedp.SendKeys(css(`input[name=password]`), apptest.Password),
			chromedp.Submit(css(`input[name=password]`)),
			// The sign-out form is only on signed-in pages: waiting for it waits out
			// the login's redirect, which a following navigation would abort.
			chromedp.WaitReady(css(`form[action="/logout"]`)),
		)
		if err != nil {
			t.Fatalf("log in as %s: %v", user, err)
		}
	}
	logout := func() {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Click(css(`form[action="/logout"] button`)), chromedp.WaitVisible(css(`input[name=username]`))); err != nil {
			t.Fatalf("log out: %v", err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	phone := chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)
	desktop := chromedp.EmulateViewport(1280, 900)

	// 1. The organiser opens the shift's check-in and check-out codes.
	login("street1")
	err = chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/volunteer/activities/%d", base, act.ID)),
		chromedp.Click(css(fmt.Sprintf(`a[href="/volunteer/shifts/%d/qr?kind=in"]`, act.Shifts[0].ID))),
		chromedp.WaitVisible(css(`.qr-box svg`)),
	)
	if err != nil {
		t.Fatalf("check-in code: %v", err)
	}
	inCode := text(`.code`)
	screenshot(t, ctx, "volunteer-shift-qr-desktop")
	if err := chromedp.Do(ctx, chromedp.Click(css(`a[href$="qr?kind=out"]`)), chromedp.WaitVisible(css(`.qr-box svg`))); err != nil {
		t.Fatal(err)
	}
	outCode := text(`.code`)
	if inCode == outCode || len(volunteer.NormalizeCode(inCode)) != 8 {
		t.Fatalf("codes %q and %q", inCode, outCode)
	}
	logout()

	// 2. The volunteer, on a phone, signs up and checks in.
	if err := chromedp.Do(ctx, phone); err != nil {
		t.Fatal(err)
	}
	login("volunteer1")
	err = chromedp.Do(ctx,
		chromedp.WaitVisible(css(`#upcoming`)),
		chromedp.Click(css(fmt.Sprintf(`#upcoming form[action="/volunteer/me/signups"] button`))),
		chromedp.WaitVisible(css(`#my-signups`)),
	)
	if err != nil {
		t.Fatalf("sign up: %v", err)
	}
	if s := text(`#my-signups`); !strings.Contains(s, "楼道清洁日") || !strings.Contains(s, "待签到") {
		t.Errorf("my sign-ups: %q", s)
	}
	screenshot(t, ctx, "volunteer-me-phone")
	scan := func(code, want string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/volunteer/me"),
			chromedp.Click(css(`#scan-link`)),
			chromedp.WaitVisible(css(`#f-code`)),
			chromedp.SendKeys(css(`#f-code`), code),
			chromedp.Submit(css(`#f-code`)),
			chromedp.WaitVisible(css(`#scan-result`)),
		)
		if err != nil {
			t.Fatalf("scan %s: %v", code, err)
		}
		if s := text(`#scan-result`); !strings.Contains(s, want) {
			t.Errorf("scan %s: %q", code, s)
		}
	}
	scan(inCode, "签到成功")
	// The shift runs; the volunteer checks out after it.
	clock.Advance(2 * time.Hour)
	scan(outCode, "签退成功")
	screenshot(t, ctx, "volunteer-checked-out-phone")
	logout()

	// 3. The organiser verifies the hour.
	if err := chromedp.Do(ctx, desktop); err != nil {
		t.Fatal(err)
	}
	login("street1")
	err = chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/volunteer/activities/%d", base, act.ID)),
		chromedp.Click(css(`form[action$="/verify"] button`)),
		chromedp.WaitVisible(css(`.flash`)),
	)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if s := text(fmt.Sprintf(`#shift-%d`, act.Shifts[0].ID)); !strings.Contains(s, "已核验") || !strings.Contains(s, "1.00") {
		t.Errorf("after verification: %q", s)
	}
	screenshot(t, ctx, "volunteer-verified-desktop")
	logout()

	// 4. The volunteer has a point and shows their one-time code.
	if err := chromedp.Do(ctx, phone); err != nil {
		t.Fatal(err)
	}
	login("volunteer1")
	if s := text(`#my-points`); s != "1.00" {
		t.Errorf("points after verification: %q", s)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`#pass-button`)), chromedp.WaitVisible(css(`#pass-code`))); err != nil {
		t.Fatalf("pass: %v", err)
	}
	pass := text(`#pass-code`)
	screenshot(t, ctx, "volunteer-pass-phone")
	logout()

	// 5. The cashier redeems it for soap.
	login("merchant1")
	err = chromedp.Do(ctx,
		chromedp.WaitVisible(css(`#redeem-form`)),
		chromedp.SendKeys(css(`#f-code`), pass),
		chromedp.SetValue(css(`select[name=item_id]`), fmt.Sprint(soap.ID)),
		chromedp.Submit(css(`#f-code`)),
		chromedp.WaitVisible(css(`#redeem-result`)),
	)
	if err != nil {
		t.Fatalf("redeem: %v", err)
	}
	if s := text(`#redeem-result`); !strings.Contains(s, "兑换成功") || !strings.Contains(s, "0.50") {
		t.Errorf("redeemed: %q", s)
	}
	screenshot(t, ctx, "merchant-redeemed-phone")
	// The same code again is refused.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css(`#f-code`), pass),
		chromedp.SetValue(css(`select[name=item_id]`), fmt.Sprint(soap.ID)),
		chromedp.Submit(css(`#f-code`)),
		chromedp.WaitVisible(css(`.field.has-error`)),
	)
	if err != nil {
		t.Fatalf("reuse: %v", err)
	}
	if s := text(`.field.has-error .error`); !strings.Contains(s, "已使用") {
		t.Errorf("a reused code: %q", s)
	}
	logout()

	login("volunteer1")
	if s := text(`#my-points`); s != "0.50" {
		t.Errorf("points after the redemption: %q", s)
	}
	if rep, err := vs.Ledger.Verify(bg, e.App.DB); err != nil || rep.Transfers != 2 {
		t.Errorf("ledger: %v %+v", err, rep)
	}
}
