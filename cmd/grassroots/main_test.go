package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
)

// instance is a database and a data folder (which holds the personal-data key).
type instance struct{ dbURL, dataDir string }

// run runs one command line against the instance.
func (in instance) run(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
	err := m.Run(context.Background(), append(args, "--db", in.dbURL, "--data", in.dataDir))
	return out.String(), err
}

func TestCommands(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dbURL := dbtest.URL(t, engine)
			in := instance{dbURL, t.TempDir()}
			run := in.run
			out, err := run(t, "", "demo", "--residents", "12000")
			if err != nil || !strings.Contains(out, "admin") {
				t.Fatalf("demo: %v\n%s", err, out)
			}
			if _, err := run(t, "", "demo", "--residents", "12000"); err == nil {
				t.Errorf("a second demo load succeeded")
			}
			// A street user, then a token for it, printed as the last line.
			if out, err := run(t, "a-long-password\n", "user", "add", "wang", "--role", "street-staff", "--unit", "360403002"); err != nil {
				t.Fatalf("user add: %v %s", err, out)
			}
			if _, err := run(t, "short\n", "user", "add", "li", "--role", "street-staff", "--unit", "360403002"); err == nil {
				t.Errorf("a short password was accepted")
			}
			if _, err := run(t, "a-long-password\n", "user", "add", "li", "--role", "street-staff", "--unit", "999999"); err == nil {
				t.Errorf("an unknown unit was accepted")
			}
			out, err = run(t, "", "token", "create", "--user", "wang")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if err != nil || !strings.HasPrefix(lines[len(lines)-1], "grt_") {
				t.Fatalf("token create: %v %q", err, out)
			}
			// Listed without the token itself; revoked once, and only once.
			out, err = run(t, "", "token", "list", "--user", "wang")
			listed := strings.Split(strings.TrimSpace(out), "\n")
			if err != nil || len(listed) != 2 || strings.Contains(out, "grt_") || !strings.HasSuffix(listed[1], "-") {
				t.Fatalf("token list: %v %q", err, out)
			}
			id := strings.Fields(listed[1])[0]
			if out, err := run(t, "", "token", "revoke", id); err != nil || !strings.Contains(out, "revoked") {
				t.Errorf("token revoke: %v %s", err, out)
			}
			if out, err := run(t, "", "token", "list", "--user", "wang"); err != nil || strings.HasSuffix(strings.TrimSpace(out), "-") {
				t.Errorf("token list after revoking: %v %q", err, out)
			}
			if _, err := run(t, "", "token", "revoke", id); err == nil {
				t.Errorf("a token was revoked twice")
			}
			if out, err := run(t, "", "user", "list"); err != nil || !strings.Contains(out, "wang") {
				t.Errorf("user list: %v %s", err, out)
			}
			if out, err := run(t, "", "pii", "rotate-key"); err != nil || !strings.Contains(out, "re-encrypted under key") {
				t.Fatalf("rotate key: %v %s", err, out)
			}
			if out, err := run(t, "", "verify"); err != nil || !strings.Contains(out, "chain intact") {
				t.Fatalf("verify: %v %s", err, out)
			}
			tamper(t, engine, dbURL)
			_, err = run(t, "", "verify")
			if err == nil || !strings.Contains(err.Error(), "audit entry 2") {
				t.Errorf("verify after tampering: %v", err)
			}
		})
	}
}

// tamper changes the second audit entry by hand, as someone with direct
// access to the database would, getting past the append-only trigger.
func tamper(t *testing.T, engine db.Engine, dbURL string) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, dbURL, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	drop := `DROP TRIGGER audit_log_no_update`
	if engine == db.Postgres {
		drop = `DROP TRIGGER audit_log_no_change ON audit_log`
	}
	if _, err := d.Exec(ctx, `UPDATE audit_log SET actor = 'nobody' WHERE seq = 2`); err == nil {
		t.Errorf("the audit log accepted an update")
	}
	if _, err := d.Exec(ctx, drop); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `UPDATE audit_log SET actor = 'nobody' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
}

func TestServe(t *testing.T) {
	dbURL := dbtest.URL(t, db.SQLite)
	ready := make(chan string, 1)
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: io.Discard, Getenv: func(string) string { return "" }, Ready: func(a string) { ready <- a }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, []string{"serve", "--demo", "--residents", "12000", "--addr", "127.0.0.1:0", "--db", dbURL, "--data", t.TempDir()})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not become ready")
	}
	resp, err := http.Get(fmt.Sprintf("http://%s/healthz", addr))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v", err)
	}
	if !strings.Contains(out.String(), "grassroots-demo") {
		t.Errorf("serve --demo did not say how to log in:\n%s", out.String())
	}
}

// TestServeBasemap serves with two tile layers (天地图's vector map and
// its labels) and their attribution: every page carries them for the maps,
// and the Content-Security-Policy lets the browser fetch the tiles. Tiles
// without an attribution, or a template without {z}, are refused.
func TestServeBasemap(t *testing.T) {
	const (
		vec  = "https://t0.tianditu.gov.cn/vec_w/wmts?LAYER=vec&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=K"
		cva  = "https://t0.tianditu.gov.cn/cva_w/wmts?LAYER=cva&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=K"
		osm  = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
		attr = "天地图 © 国家地理信息公共服务平台"
	)
	for _, c := range []struct {
		args []string
		env  map[string]string
		err  string
	}{
		{args: []string{"--tiles", vec}, err: "--tiles needs --tiles-attribution"},
		{args: []string{"--tiles", "https://tile.example/{x}/{y}.png", "--tiles-attribution", "x"}, err: "no {z}"},
		{args: []string{"--tiles", "tile.example/{z}/{x}/{y}.png", "--tiles-attribution", "x"}, err: "not an http(s) URL"},
		{args: []string{"--tiles-attribution", attr}, err: "--tiles-attribution needs --tiles"},
		{env: map[string]string{"GRASSROOTS_TILES": osm}, err: "--tiles needs --tiles-attribution"},
	} {
		m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return c.env[k] }}
		err := m.Run(t.Context(), append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, c.args...))
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("serve %q %v: %v, want %q", c.args, c.env, err, c.err)
		}
	}
	ready := make(chan string, 1)
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Ready: func(a string) { ready <- a },
		Getenv: func(k string) string { return map[string]string{"GRASSROOTS_TILES": osm}[k] }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		// The flags replace the environment's tiles.
		done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dbtest.URL(t, db.SQLite), "--data", t.TempDir(),
			"--tiles", vec, "--tiles", cva, "--tiles-attribution", attr})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not become ready")
	}
	defer func() {
		cancel()
		<-done
	}()
	resp, err := http.Get(fmt.Sprintf("http://%s/login", addr))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `data-tiles="` + strings.ReplaceAll(vec+" "+cva, "&", "&amp;") + `" data-tiles-attribution="` + attr + `"`
	if !strings.Contains(string(body), want) {
		t.Errorf("the login page lacks %s:\n%s", want, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: blob: https://t0.tianditu.gov.cn;") {
		t.Errorf("Content-Security-Policy: %s", csp)
	}
	if strings.Contains(string(body), "openstreetmap") {
		t.Error("the environment's tiles stayed beside the flags'")
	}
}
