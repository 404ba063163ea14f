package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"grassroots/internal/app/apptest"
	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/geo"
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
	// It draws the street framed, its units' outlines named, the closed
	// event's marker and a scale, with nothing in the console, at 1280 px and
	// on a phone.
	var mu sync.Mutex
	var console []string
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		for m, err := range chromedp.Console(cctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				console = append(console, m.String())
				mu.Unlock()
			}
		}
	}()
	for _, u := range []struct {
		id   int64
		rect *geo.Boundary
	}{{e.Street1.ID, geo.Rect(115.98, 29.69, 116.01, 29.72)}, {e.Community1.ID, geo.Rect(115.99, 29.695, 116.01, 29.715)}} {
		b := u.rect.GeoJSON()
		if _, err := e.Orgs.UpdateUnit(context.Background(), auth.SystemActor("test"), u.id, org.UnitPatch{Boundary: &b}); err != nil {
			t.Fatal(err)
		}
	}
	login("street1", "/events/map?state=closed")
	for _, phone := range []bool{false, true} {
		name := "events-map-desktop"
		if phone {
			name = "events-map-phone"
			err = chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Reload())
		}
		if err == nil {
			err = chromedp.Do(ctx, chromedp.WaitVisible(css(`.map[data-map-ready] .ev-marker.st-closed`)),
				chromedp.WaitVisible(css(`.map[data-map-ready] .leaflet-control-scale`)))
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		drawn, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](`({
			frame: document.querySelectorAll('.map path[stroke="#b8232a"]').length,
			outlines: document.querySelectorAll('.map path').length,
			labels: Array.from(document.querySelectorAll('.map .unit-label')).filter(l => l.textContent.trim() !== '' && l.offsetParent !== null).length,
			legend: document.querySelectorAll('.map-legend .ev-marker').length,
			wide: document.documentElement.scrollWidth > window.innerWidth ? 1 : 0})`))
		if err != nil {
			t.Fatal(err)
		}
		if drawn["frame"] != 1 || drawn["outlines"] < 3 || drawn["labels"] < 1 || drawn["legend"] < 7 || drawn["wide"] != 0 {
			t.Errorf("%s draws %v: want the street framed, outlines, a label, the legend and no sideways scrolling", name, drawn)
		}
		screenshot(t, ctx, name)
	}
	// The heat layer of the closed event's category draws on its canvas.
	err = chromedp.Do(ctx, chromedp.SetValue(css(`select[data-heat-for]`), "0101"),
		ignore(chromedp.Evaluate[bool](`document.querySelector('select[data-heat-for]').dispatchEvent(new Event('change'))`)),
		chromedp.WaitVisible(css(`.map canvas.leaflet-heatmap-layer`)))
	if err != nil {
		t.Errorf("heat layer: %v", err)
	}
	screenshot(t, ctx, "events-map-heat-phone")
	mu.Lock()
	if len(console) > 0 {
		t.Errorf("the map wrote to the console:\n%s", strings.Join(console, "\n"))
	}
	mu.Unlock()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
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
