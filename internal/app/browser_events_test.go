package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"grassroots/internal/app/apptest"
	"grassroots/internal/platform/db"
)

// TestBrowserEventWorkflow takes one event through every stage in Chromium
// as three users: the grid member reports it from the phone page (photo,
// place tapped on the map), the street accepts and dispatches it to the
// department, the department signs for it and reports its handling with a
// photo, and the grid member verifies it and rates it. The history shows
// each step.
func TestBrowserEventWorkflow(t *testing.T) {
	ctx := browser(t)
	e := apptest.Start(t, db.SQLite)
	base := e.Server.URL
	photo := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(photo, apptest.PNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, err := e.Events.CategoryByCode(context.Background(), "0101")
	if err != nil {
		t.Fatal(err)
	}
	login := func(user, target string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
				return err
			}),
			chromedp.Navigate(base+target),
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
	// The grid member reports on a phone.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	login("grid1", "/events/new")
	err = chromedp.Do(ctx,
		chromedp.WaitVisible(css(`.map.pick.leaflet-container`)),
		chromedp.SetValue(css(`#f-category_id`), strconv.FormatInt(cat.ID, 10)),
		chromedp.SendKeys(css(`#f-description`), "建设路口有一堆生活垃圾无人清运"),
		chromedp.SetUploadFiles(css(`#f-photo`), []string{photo}),
		// A tap on the map puts the place there.
		chromedp.Click(css(`.map.pick`)),
		ignore(chromedp.Poll[bool](`document.getElementById("f-lon").value !== ""`)),
	)
	if err != nil {
		t.Fatalf("fill in the report: %v", err)
	}
	screenshot(t, ctx, "event-report-phone")
	err = chromedp.Do(ctx,
		chromedp.Click(css(`form.report button[type=submit]`)),
		chromedp.WaitVisible(css(`#history`)),
	)
	if err != nil {
		t.Fatalf("send the report: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := loc[strings.LastIndex(loc, "/")+1:]
	if _, err := strconv.Atoi(id); err != nil {
		t.Fatalf("after reporting the page is %s", loc)
	}
	eventPath := "/events/" + id
	screenshot(t, ctx, "event-reported-phone")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}

	// step opens an action's form, fills it with fill and sends it.
	step := func(action string, fill ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		actions := []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(base + eventPath),
			chromedp.WaitVisible(css(fmt.Sprintf(`summary[data-action=%s]`, action))),
			chromedp.Click(css(fmt.Sprintf(`summary[data-action=%s]`, action))),
		}
		actions = append(actions, fill...)
		actions = append(actions,
			chromedp.Click(css(fmt.Sprintf(`details:has(summary[data-action=%s]) button[type=submit]`, action))),
			chromedp.WaitVisible(css(`.flash`)),
		)
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	state := func() string {
		s, err := chromedp.Run(ctx, chromedp.Text(css(`h1 .state`)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	login("street1", eventPath)
	step("accept")
	if s := state(); s != "已立案待派遣" {
		t.Errorf("after accepting: %q", s)
	}
	step("dispatch", chromedp.SetValue(css(`details:has(summary[data-action=dispatch]) select[name=handling_unit_id]`), strconv.FormatInt(e.Dept.ID, 10)))
	if s := state(); s != "已派遣待签收" {
		t.Errorf("after dispatching: %q", s)
	}
	screenshot(t, ctx, "event-dispatched-desktop")

	login("dept1", eventPath)
	step("sign")
	step("handle",
		chromedp.SendKeys(css(`details:has(summary[data-action=handle]) textarea[name=note]`), "已组织清运，现场已清理干净"),
		chromedp.SetUploadFiles(css(`details:has(summary[data-action=handle]) input[type=file]`), []string{photo}),
	)
	if s := state(); s != "待核查" {
		t.Errorf("after handling: %q", s)
	}

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	login("grid1", eventPath)
	step("pass")
	if s := state(); s != "已结案" {
		t.Errorf("after verifying: %q", s)
	}
	step("rate")
	screenshot(t, ctx, "event-closed-phone")
	history, err := chromedp.Run(ctx, chromedp.Text(css(`#history`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"上报", "立案", "派遣", "浔阳区城市管理局", "签收", "处置反馈", "已组织清运", "核查通过", "满意度评价", "★★★★★"} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
	photos, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#history img").length`))
	if err != nil || photos != 2 {
		t.Errorf("%d photos in the history (%v), want 2", photos, err)
	}
	// The map shows the event over the grids; the indicators count it.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	login("street1", "/events/map?state=closed")
	err = chromedp.Do(ctx, chromedp.WaitVisible(css(`.map.leaflet-container path`)))
	if err != nil {
		t.Fatalf("map: %v", err)
	}
	screenshot(t, ctx, "events-map-desktop")
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/events/indicators"), chromedp.WaitVisible(css(`#indicators`)), chromedp.Sleep(200*time.Millisecond))
	if err != nil {
		t.Fatalf("indicators: %v", err)
	}
	screenshot(t, ctx, "events-indicators-desktop")
}

// ignore drops an action's value, so that it can run among others in Do.
func ignore[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}
