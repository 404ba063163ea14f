package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"grassroots/internal/app/apptest"
	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
)

// BrowserEnv turns the browser test on; CI sets it. ScreenshotsEnv names a
// folder to keep the screenshots in.
const (
	BrowserEnv     = "GRASSROOTS_BROWSER"
	ScreenshotsEnv = "GRASSROOTS_SCREENSHOTS"
)

// browser starts headless Chromium for a test, or skips the test when the
// browser test is not asked for.
func browser(t *testing.T) context.Context {
	t.Helper()
	if os.Getenv(BrowserEnv) == "" {
		t.Skip(BrowserEnv + " is not set")
	}
	path := os.Getenv("CHROMIUM")
	if path == "" {
		var err error
		if path, err = exec.LookPath("chromium"); err != nil {
			t.Fatalf("%s is set but chromium is not installed: %v", BrowserEnv, err)
		}
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// screenshot saves the page if screenshots are asked for.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv(ScreenshotsEnv)
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

type css = chromedp.CSS

func TestBrowserLogInAndOpenTree(t *testing.T) {
	ctx := browser(t)
	e := apptest.Start(t, db.SQLite)
	base := e.Server.URL
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/units"),
		chromedp.WaitVisible(css(`input[name=username]`)),
		chromedp.SendKeys(css(`input[name=username]`), "street1"),
		chromedp.SendKeys(css(`input[name=password]`), apptest.Password),
		chromedp.Submit(css(`input[name=password]`)),
		// The login returns to the page asked for: the tree.
		chromedp.WaitVisible(css(`ul.tree.root`)),
	)
	if err != nil {
		t.Fatalf("log in: %v", err)
	}
	tree, err := chromedp.Run(ctx, chromedp.Text(css(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tree, "湓浦街道") || strings.Contains(tree, "人民路街道") {
		t.Errorf("street1's tree shows: %q", tree)
	}
	// Opening the community loads its grids into the tree.
	err = chromedp.Do(ctx,
		chromedp.Click(css(fmt.Sprintf(`details:has(> summary a[href="/units/%d"]) > summary`, e.Community1.ID))),
		chromedp.WaitVisible(css(fmt.Sprintf(`a[href="/units/%d"]`, e.Grid1.ID))),
	)
	if err != nil {
		t.Fatalf("open the community in the tree: %v", err)
	}
	screenshot(t, ctx, "tree-desktop")
	// The home page charts the street's party organisations (and has no
	// chart comparing streets, having one).
	if _, err := e.Orgs.CreatePartyOrg(t.Context(), auth.SystemActor("test"), org.PartyOrgInput{UnitID: e.Community1.ID, Type: org.School, Name: "浔阳小学党支部"}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css(`.figures`)),
		chromedp.WaitVisible(css(`.chart canvas`)),
	)
	if err != nil {
		t.Fatalf("home page: %v", err)
	}
	home, err := chromedp.Run(ctx, chromedp.Text(css(`.figures`)))
	if err != nil {
		t.Fatal(err)
	}
	canvases, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".chart canvas").length`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(home, "社区") || canvases != 1 {
		t.Errorf("home figures %q, %d charts drawn", home, canvases)
	}
	screenshot(t, ctx, "home-desktop")
	// On a phone the menu folds away behind its button.
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(fmt.Sprintf("%s/units/%d", base, e.Community1.ID)),
		chromedp.WaitVisible(css(`h1`)),
	)
	if err != nil {
		t.Fatalf("phone: %v", err)
	}
	navShown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("nav")).display !== "none"`))
	if err != nil {
		t.Fatal(err)
	}
	if navShown {
		t.Errorf("navigation is open on a phone before the menu button is pressed")
	}
	screenshot(t, ctx, "community-phone")
	err = chromedp.Do(ctx,
		chromedp.Click(css(`.menu-toggle`)),
		chromedp.WaitVisible(css(`#nav a[href="/units"]`)),
	)
	if err != nil {
		t.Fatalf("phone menu: %v", err)
	}
	screenshot(t, ctx, "menu-phone")
}
