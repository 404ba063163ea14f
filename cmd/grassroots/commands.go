package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"grassroots/internal/org"
	"grassroots/internal/people"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"grassroots/internal/app"
	"grassroots/internal/app/demo"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/web"
	"grassroots/internal/volunteer"
)

// Main runs one command line; tests drive it with their own streams.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, when set, is called with the server's address once it serves.
	Ready func(addr string)
}

const usage = `usage: grassroots <command> [flags]

commands:
  serve [--addr 127.0.0.1:8080] [--demo [--scale S | --residents N]]
                                           run the web server (applies migrations first)
  migrate                                  apply pending database migrations
  demo [--seed N] [--password P] [--scale default|district | --residents N]
                                           load the demo district into an empty database
  user add NAME --role ROLE --unit CODE    create a user (password read from standard input)
  user list                                list users
  user passwd NAME                         set a user's password (read from standard input)
  token create --user NAME [--name LABEL]  create an API token (printed as the last line)
  token list --user NAME                   list a user's API tokens (never the tokens themselves)
  token revoke ID                          stop an API token from working
  verify                                   check the audit log's hash chain and the love bank ledger's sums and chain
  import residents|party-members|grid-staff FILE [--as USER] [--report FILE]
                                           import an .xlsx or CSV file: every row checked, all or nothing
  export residents|party-members|grid-staff -o FILE [--as USER] [--under CODE]
                                           export what the user may see, masked, to .xlsx or CSV
  pii rotate-key                           re-encrypt personal data under a new key

every command takes --data DIR (default ./data, or $GRASSROOTS_DATA) and
--db URL (postgres://... or a SQLite file; default a SQLite file in the data
folder, or $GRASSROOTS_DB).
`

// Run runs the command in args.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return m.serve(ctx, rest)
	case "migrate":
		return m.migrate(ctx, rest)
	case "demo":
		return m.demo(ctx, rest)
	case "user":
		if len(rest) == 0 {
			return errors.New("user: add, list or passwd")
		}
		switch rest[0] {
		case "add":
			return m.userAdd(ctx, rest[1:])
		case "list":
			return m.userList(ctx, rest[1:])
		case "passwd":
			return m.userPasswd(ctx, rest[1:])
		}
		return fmt.Errorf("user %s: unknown; use add, list or passwd", rest[0])
	case "token":
		if len(rest) > 0 {
			switch rest[0] {
			case "create":
				return m.tokenCreate(ctx, rest[1:])
			case "list":
				return m.tokenList(ctx, rest[1:])
			case "revoke":
				return m.tokenRevoke(ctx, rest[1:])
			}
		}
		return errors.New("token: `token create --user NAME`, `token list --user NAME` or `token revoke ID`")
	case "verify":
		return m.verify(ctx, rest)
	case "import":
		return m.importSheet(ctx, rest)
	case "export":
		return m.exportSheet(ctx, rest)
	case "pii":
		if len(rest) == 0 || rest[0] != "rotate-key" {
			return errors.New("pii: only `pii rotate-key`")
		}
		return m.rotateKey(ctx, rest[1:])
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

// flags starts a command's flag set with the shared --data and --db.
func (m *Main) flags(name string, cfg *app.Config) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	data := m.Getenv("GRASSROOTS_DATA")
	if data == "" {
		data = "./data"
	}
	fs.StringVar(&cfg.DataDir, "data", data, "data folder")
	fs.StringVar(&cfg.DBURL, "db", m.Getenv("GRASSROOTS_DB"), "database URL (postgres://...) or SQLite file")
	cfg.PIIKey = m.Getenv(pii.KeyEnv)
	return fs
}

// parse parses flags that may come before or after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func (m *Main) open(ctx context.Context, cfg app.Config) (*app.App, error) {
	return app.Open(ctx, cfg)
}

// basemap checks the tile URL templates and their attribution: each an
// http(s) URL with {z}, {x} and {y}, and the attribution given with them.
func basemap(tiles []string, attribution string) (web.Basemap, error) {
	attribution = strings.TrimSpace(attribution)
	if len(tiles) == 0 {
		if attribution != "" {
			return web.Basemap{}, errors.New("--tiles-attribution needs --tiles")
		}
		return web.Basemap{}, nil
	}
	for _, t := range tiles {
		u, err := url.Parse(strings.ReplaceAll(t, "{s}", "a"))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return web.Basemap{}, fmt.Errorf("--tiles %q: not an http(s) URL", t)
		}
		for _, v := range []string{"{z}", "{x}", "{y}"} {
			if !strings.Contains(t, v) {
				return web.Basemap{}, fmt.Errorf("--tiles %q: no %s in the URL template", t, v)
			}
		}
	}
	if attribution == "" {
		return web.Basemap{}, errors.New("--tiles needs --tiles-attribution: the text the tile server's terms ask to show on the map, like \"© OpenStreetMap contributors\"")
	}
	return web.Basemap{Tiles: tiles, Attribution: attribution}, nil
}

func (m *Main) serve(ctx context.Context, args []string) error {
	var cfg app.Config
	fs := m.flags("serve", &cfg)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	withDemo := fs.Bool("demo", false, "load the demo district into an empty database")
	scale := fs.String("scale", demo.ScaleDefault, "with --demo: default (tens of thousands of residents) or district (about 430,000)")
	residents := fs.Int("residents", 0, "with --demo: house about this many residents instead (for a quick trial)")
	fs.BoolVar(&cfg.TrustProxy, "trust-proxy", false, "take client addresses from X-Forwarded-For (behind a load balancer)")
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", false, "mark cookies Secure (served over HTTPS)")
	tiles := strings.Fields(m.Getenv("GRASSROOTS_TILES"))
	fromEnv := len(tiles) > 0
	fs.Func("tiles", "map tile URL template with {z}, {x}, {y} (and {s} for subdomains a, b, c); repeat for layers drawn over it, like labels", func(v string) error {
		if fromEnv {
			tiles, fromEnv = nil, false
		}
		tiles = append(tiles, v)
		return nil
	})
	attribution := fs.String("tiles-attribution", m.Getenv("GRASSROOTS_TILES_ATTRIBUTION"), "with --tiles: the attribution the tile server's terms ask for, shown on every map")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	var err error
	if cfg.Basemap, err = basemap(tiles, *attribution); err != nil {
		return err
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if *withDemo {
		if err := m.loadDemo(ctx, a, demo.Options{Scale: *scale, Residents: *residents}, true); err != nil {
			return err
		}
	}
	// Deadline warnings, escalations and notifications run as durable jobs.
	if err := a.Start(ctx); err != nil {
		return err
	}
	h, err := a.Handler()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(m.Stdout, "Grassroots is serving on http://%s (%s)\n", ln.Addr(), a.DB.Engine())
	if m.Ready != nil {
		m.Ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

func (m *Main) migrate(ctx context.Context, args []string) error {
	var cfg app.Config
	if _, err := parse(m.flags("migrate", &cfg), args); err != nil {
		return err
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(m.Stdout, "database is up to date (%s)\n", a.DB.Engine())
	return nil
}

func (m *Main) demo(ctx context.Context, args []string) error {
	var cfg app.Config
	fs := m.flags("demo", &cfg)
	var opt demo.Options
	fs.Int64Var(&opt.Seed, "seed", 1, "random seed; the same seed gives the same district")
	fs.StringVar(&opt.Password, "password", "", "password of every demo user (default grassroots-demo)")
	fs.StringVar(&opt.Scale, "scale", demo.ScaleDefault, "default (tens of thousands of residents) or district (about 430,000)")
	fs.IntVar(&opt.Residents, "residents", 0, "house about this many residents instead (for a quick trial)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	return m.loadDemo(ctx, a, opt, false)
}

// loadDemo loads the demo district; when onlyIfEmpty is set, a database
// that already holds units is left as it is.
func (m *Main) loadDemo(ctx context.Context, a *app.App, opt demo.Options, onlyIfEmpty bool) error {
	var units int
	if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM units`).Scan(&units); err != nil {
		return err
	}
	if units > 0 && onlyIfEmpty {
		fmt.Fprintln(m.Stdout, "The database already holds data; the demo district was not loaded again.")
		return nil
	}
	fmt.Fprintln(m.Stdout, "Loading the demo district (seconds on SQLite, under a minute on PostgreSQL; longer at --scale district)...")
	start := time.Now()
	res, err := demo.Load(ctx, a.DB, app.Get[*org.Store](a), app.Get[*auth.Store](a), app.Get[*people.Store](a), opt)
	if err != nil {
		return m.explain(err)
	}
	fmt.Fprintf(m.Stdout, "Loaded the demo district in %.1fs: %d units, %d party organisations, %d co-building units, %d part-time members.\n",
		time.Since(start).Seconds(), res.Units, res.PartyOrgs, res.CoBuildingUnits, res.PartTimeMembers)
	fmt.Fprintf(m.Stdout, "People: %d residents in %d households, %d party members (%d in service reported to their communities), %d grid members.\n",
		res.Residents, res.Households, res.PartyMembers, res.InServiceReported, res.GridMembers)
	fmt.Fprintf(m.Stdout, "Events: %d reported over the year, %d open. Volunteers: %d in %d teams, %d verified hours.\n",
		res.Events, res.OpenEvents, res.Volunteers, res.Teams, res.VerifiedHours)
	password := opt.Password
	if password == "" {
		password = demo.DefaultPassword
	}
	fmt.Fprintf(m.Stdout, "Log in as one of these users, each with the password %q:\n", password)
	tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
	for _, u := range res.Users {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", u.Username, i18n.T(i18n.En, "role."+u.Role), u.UnitName)
	}
	return tw.Flush()
}

// readPassword reads a password from standard input: without echo from a
// terminal, else the first line.
func (m *Main) readPassword(prompt string) (string, error) {
	if f, ok := m.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(m.Stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (m *Main) userAdd(ctx context.Context, args []string) error {
	var cfg app.Config
	fs := m.flags("user add", &cfg)
	role := fs.String("role", "", "role: "+roleNames())
	unitCode := fs.String("unit", "", "code of the unit the role is held at")
	display := fs.String("name", "", "display name (default: the user name)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *role == "" || *unitCode == "" {
		return errors.New("usage: grassroots user add NAME --role ROLE --unit UNIT_CODE (password on standard input)")
	}
	if !auth.KnownRole(auth.Role(*role)) {
		return fmt.Errorf("unknown role %q; roles: %s", *role, roleNames())
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	system := auth.SystemActor("cli")
	unit, err := app.Get[*org.Store](a).UnitByCode(ctx, system, *unitCode)
	if err != nil {
		return fmt.Errorf("no unit with code %s", *unitCode)
	}
	password, err := m.readPassword("Password: ")
	if err != nil {
		return err
	}
	u, err := app.Get[*auth.Store](a).CreateUser(ctx, system, auth.NewUser{Username: pos[0], DisplayName: *display, Password: password,
		Grants: []auth.GrantSpec{{Role: auth.Role(*role), UnitID: unit.ID}}})
	if err != nil {
		return m.explain(err)
	}
	fmt.Fprintf(m.Stdout, "created user %s (%s at %s %s)\n", u.Username, *role, unit.Code, unit.Name)
	return nil
}

func roleNames() string {
	var names []string
	for _, r := range auth.Roles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// explain turns a store error into a message for the operator.
func (m *Main) explain(err error) error {
	ae := apperr.As(err)
	if apperr.IsFault(ae) {
		return err
	}
	lang := m.lang()
	msg := ae.Msg.In(lang)
	for f, fm := range ae.Fields {
		msg += " " + f + i18n.T(lang, "web.colon") + fm.In(lang)
	}
	return errors.New(msg)
}

// lang is the language the command speaks: the system locale's (see
// i18n.FromLocale), Chinese unless it is English.
func (m *Main) lang() i18n.Lang { return i18n.FromLocale(m.Getenv) }

func (m *Main) userList(ctx context.Context, args []string) error {
	var cfg app.Config
	if _, err := parse(m.flags("user list", &cfg), args); err != nil {
		return err
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	users, err := app.Get[*auth.Store](a).ListUsers(ctx, auth.SystemActor("cli"))
	if err != nil {
		return m.explain(err)
	}
	tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tNAME\tROLES\tSTATE")
	for _, u := range users {
		var roles []string
		for _, g := range u.Grants {
			roles = append(roles, fmt.Sprintf("%s@%s", g.Role, g.UnitName))
		}
		state := "active"
		if u.Disabled {
			state = "disabled"
		} else if u.LockedUntil != nil && u.LockedUntil.After(time.Now()) {
			state = "locked until " + u.LockedUntil.Local().Format("15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.DisplayName, strings.Join(roles, ", "), state)
	}
	return tw.Flush()
}

func (m *Main) userPasswd(ctx context.Context, args []string) error {
	var cfg app.Config
	pos, err := parse(m.flags("user passwd", &cfg), args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: grassroots user passwd NAME (password on standard input)")
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	password, err := m.readPassword("New password: ")
	if err != nil {
		return err
	}
	if err := app.Get[*auth.Store](a).SetPassword(ctx, auth.SystemActor("cli"), pos[0], password); err != nil {
		return m.explain(err)
	}
	fmt.Fprintf(m.Stdout, "password of %s changed; their sessions have ended\n", pos[0])
	return nil
}

func (m *Main) tokenCreate(ctx context.Context, args []string) error {
	var cfg app.Config
	fs := m.flags("token create", &cfg)
	user := fs.String("user", "", "user the token acts as")
	name := fs.String("name", "api", "a label for the token")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *user == "" {
		return errors.New("usage: grassroots token create --user NAME")
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	token, err := app.Get[*auth.Store](a).CreateToken(ctx, auth.SystemActor("cli"), *user, *name)
	if err != nil {
		return m.explain(err)
	}
	fmt.Fprintf(m.Stdout, "API token for %s (shown once; send it as \"Authorization: Bearer <token>\"):\n%s\n", *user, token)
	return nil
}

func (m *Main) tokenList(ctx context.Context, args []string) error {
	var cfg app.Config
	fs := m.flags("token list", &cfg)
	user := fs.String("user", "", "whose tokens")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *user == "" {
		return errors.New("usage: grassroots token list --user NAME")
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	tokens, err := app.Get[*auth.Store](a).Tokens(ctx, auth.SystemActor("cli"), *user)
	if err != nil {
		return m.explain(err)
	}
	tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCREATED\tLAST USED\tREVOKED")
	stamp := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Local().Format("2006-01-02 15:04")
	}
	for _, t := range tokens {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Name, stamp(&t.CreatedAt), stamp(t.LastUsed), stamp(t.RevokedAt))
	}
	return tw.Flush()
}

func (m *Main) tokenRevoke(ctx context.Context, args []string) error {
	var cfg app.Config
	fs := m.flags("token revoke", &cfg)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	var id int64
	if len(rest) != 1 {
		return errors.New("usage: grassroots token revoke ID (the ID from `token list`)")
	}
	if id, err = strconv.ParseInt(rest[0], 10, 64); err != nil {
		return errors.New("usage: grassroots token revoke ID (the ID from `token list`)")
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := app.Get[*auth.Store](a).RevokeToken(ctx, auth.SystemActor("cli"), id); err != nil {
		return m.explain(err)
	}
	fmt.Fprintf(m.Stdout, "Token %d revoked.\n", id)
	return nil
}

func (m *Main) verify(ctx context.Context, args []string) error {
	var cfg app.Config
	if _, err := parse(m.flags("verify", &cfg), args); err != nil {
		return err
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := audit.Verify(ctx, a.DB)
	if err != nil {
		var p *audit.Problem
		if !errors.As(err, &p) {
			return err
		}
		err = fmt.Errorf("audit log is broken: %w (%d entries before it are good)", err, n)
	} else {
		fmt.Fprintf(m.Stdout, "audit log: %d entries, chain intact\n", n)
	}
	// The love bank ledger: every transfer sums to zero, the chain holds,
	// and every balance is the sum of its account's movements.
	rep, lerr := app.Get[*volunteer.Store](a).Ledger.Verify(ctx, a.DB)
	if lerr != nil {
		var p *volunteer.LedgerProblem
		if !errors.As(lerr, &p) {
			return errors.Join(err, lerr)
		}
		return errors.Join(err, fmt.Errorf("love bank ledger is broken: %w (%d transfers before it are good)", lerr, rep.Transfers))
	}
	fmt.Fprintf(m.Stdout, "love bank ledger: %d transfers, %d movements, %d accounts; sums and chain intact, %s points in circulation\n",
		rep.Transfers, rep.Movements, rep.Accounts, rep.Circulating)
	return err
}

// rotateKey re-encrypts every sealed personal field under a new key.
func (m *Main) rotateKey(ctx context.Context, args []string) error {
	var cfg app.Config
	if _, err := parse(m.flags("pii rotate-key", &cfg), args); err != nil {
		return err
	}
	a, err := m.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	old := a.Vault.KeyID()
	kid, keyText, n, err := a.Vault.Rotate(ctx, a.DB, app.SealedColumns(), func(tx *db.Tx, kid string, n int) error {
		return audit.Record(ctx, tx, auth.SystemActor("cli").Entry("pii.rotate_key", "pii_key", kid, map[string]any{"from": old, "values": n}))
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "personal data re-encrypted under key %s (was %s): %d values\n", kid, old, n)
	if cfg.PIIKey != "" {
		fmt.Fprintf(m.Stdout, "the keys come from %s: add this new key to it (comma-separated, keeping the old one) before any instance starts again:\n%s\n", pii.KeyEnv, keyText)
	} else {
		fmt.Fprintf(m.Stdout, "the new key is in %s; the old one is kept beside it as %s.%s\n", filepath.Join(cfg.DataDir, pii.KeyFile), pii.KeyFile, old)
	}
	return nil
}

func init() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
}
