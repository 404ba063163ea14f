package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// dbCalls are the methods of a connection or transaction that run SQL,
// with the fewest arguments a call of theirs has (so that a URL's Query()
// is not taken for one).
var dbCalls = map[string]int{
	"Query": 2, "QueryContext": 2, "QueryRow": 2, "QueryRowContext": 2,
	"Exec": 2, "ExecContext": 2, "Begin": 0, "BeginTx": 1, "InTx": 2,
}

// isHandlerFile reports whether the file at rel (slash-separated, from the
// repository) is a module's handler file: a page, API or Open311 file of a
// package under internal other than app and the platform.
func isHandlerFile(rel string) bool {
	dir, name := path.Split(rel)
	parts := strings.Split(strings.Trim(dir, "/"), "/")
	if len(parts) < 2 || parts[0] != "internal" || parts[1] == "app" || parts[1] == "platform" {
		return false
	}
	if strings.HasSuffix(name, "_test.go") || !strings.HasSuffix(name, ".go") {
		return false
	}
	return strings.HasPrefix(name, "ui") || strings.HasPrefix(name, "api") || name == "open311.go"
}

// goFiles calls fn for each non-test Go file under root/internal, with its
// path from root (slash-separated) and its syntax.
func goFiles(t *testing.T, root string, fn func(rel string, f *ast.File)) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fn(filepath.ToSlash(rel), f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// handlerSQL lists where a module's handler file touches the database
// itself: a call that runs SQL, or a store's connection field (.DB, .db)
// reached for.
func handlerSQL(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	goFiles(t, root, func(rel string, f *ast.File) {
		if !isHandlerFile(rel) {
			return
		}
		pkgs := map[string]bool{}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			name := path.Base(p)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			pkgs[name] = true
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if min, isDB := dbCalls[sel.Sel.Name]; isDB && len(n.Args) >= min && !isPackage(sel.X, pkgs) {
					out = append(out, rel+" calls "+sel.Sel.Name)
				}
			case *ast.SelectorExpr:
				if (n.Sel.Name == "DB" || n.Sel.Name == "db") && !isPackage(n.X, pkgs) {
					out = append(out, rel+" reaches for ."+n.Sel.Name)
				}
			}
			return true
		})
	})
	return out
}

// isPackage reports whether x names an imported package (db.DB is a type,
// not a connection).
func isPackage(x ast.Expr, pkgs map[string]bool) bool {
	id, ok := x.(*ast.Ident)
	return ok && pkgs[id.Name]
}

var (
	createTable = regexp.MustCompile(`(?i)CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)`)
	tableRef    = regexp.MustCompile(`\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+(\w+)`)
)

// tableOwners maps each table to the package (its folder from root) whose
// migrations create it.
func tableOwners(t *testing.T, root string) map[string]string {
	t.Helper()
	owners := map[string]string{}
	files, err := filepath.Glob(filepath.Join(root, "internal", "*", "migrations", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	more, err := filepath.Glob(filepath.Join(root, "internal", "platform", "*", "migrations", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append(files, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, filepath.Dir(filepath.Dir(p)))
		for _, m := range createTable.FindAllStringSubmatch(string(b), -1) {
			owners[strings.ToLower(m[1])] = filepath.ToSlash(rel)
		}
	}
	return owners
}

// foreignTables lists where a package under internal (app aside, which
// composes the modules) names in an SQL string a table that another
// package's migrations create.
func foreignTables(t *testing.T, root string) []string {
	t.Helper()
	owners := tableOwners(t, root)
	seen := map[string]bool{}
	var out []string
	goFiles(t, root, func(rel string, f *ast.File) {
		if strings.HasPrefix(rel, "internal/app/") {
			return
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, m := range tableRef.FindAllStringSubmatch(s, -1) {
				owner, ok := owners[strings.ToLower(m[1])]
				if !ok || strings.HasPrefix(rel, owner+"/") {
					continue
				}
				v := rel + " reads " + m[1] + " of " + owner
				if !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
			return true
		})
	})
	sort.Strings(out)
	return out
}

// TestHandlersRunNoSQL checks that no module's page, API or Open311 file
// runs SQL or holds a store's connection: handlers ask stores.
func TestHandlersRunNoSQL(t *testing.T) {
	for _, v := range handlerSQL(t, filepath.Join("..", "..")) {
		t.Errorf("%s: a handler asks its store instead", v)
	}
}

// notYetWalled are the reads of another module's tables still to move
// behind the owner's store: mostly joins on the unit tree for names, codes
// and scope, the party organisations behind party members, and notify's
// check that a user still exists. The list only shrinks: a read not on
// it fails, and so does an entry no longer read.
var notYetWalled = []string{
	"internal/events/store.go reads units of internal/org",                    // events' joins for grid, handler and parents' names
	"internal/events/store_category.go reads units of internal/org",           // a category's handling unit's name; default handlers
	"internal/platform/notify/store.go reads users of internal/platform/auth", // passes over users that no longer exist
	"internal/people/export.go reads units of internal/org",                   // unit codes in the sheets
	"internal/people/import.go reads units of internal/org",                   // units locked while an import writes below them
	"internal/people/store.go reads units of internal/org",                    // households' buildings
	"internal/people/store_import.go reads party_orgs of internal/org",
	"internal/people/store_import.go reads units of internal/org",
	"internal/people/store_party.go reads party_orgs of internal/org",
	"internal/people/store_party.go reads units of internal/org",
	"internal/people/store_staff.go reads units of internal/org",
	"internal/volunteer/store.go reads units of internal/org",
	"internal/volunteer/store_activity.go reads units of internal/org",
	"internal/volunteer/store_bank.go reads units of internal/org",
	"internal/volunteer/store_record.go reads units of internal/org",
}

// TestModulesReadOwnTables checks that each package's SQL names only the
// tables its own migrations create, but for the reads still listed in
// notYetWalled; what another module keeps is asked of that module's store.
func TestModulesReadOwnTables(t *testing.T) {
	pending := map[string]bool{}
	for _, v := range notYetWalled {
		pending[v] = true
	}
	for _, v := range foreignTables(t, filepath.Join("..", "..")) {
		if pending[v] {
			delete(pending, v)
			continue
		}
		t.Errorf("%s: ask its store instead", v)
	}
	for v := range pending {
		t.Errorf("%s no longer: take it off notYetWalled", v)
	}
}

// TestWallsCatchAHandlerQueryAndAForeignTable checks the checks: a page
// that queries through its store's connection, and a module that reads a
// table another module creates, are named; a page that asks its store and
// reads a URL's query is not.
func TestWallsCatchAHandlerQueryAndAForeignTable(t *testing.T) {
	root := t.TempDir()
	write := func(p, src string) {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("internal/org/migrations/0001.sql", "CREATE TABLE units (id BIGINT);\n")
	write("internal/events/migrations/0001.sql", "CREATE TABLE IF NOT EXISTS events (id BIGINT);\n")
	write("internal/events/ui.go", `package events
func (u *UI) page(r *http.Request) {
	u.Store.DB.QueryRow(r.Context(), "SELECT id FROM events WHERE id = ?", 1)
}
`)
	write("internal/events/api_good.go", `package events
import "grassroots/internal/platform/db"
func (a *API) list(r *http.Request, d *db.DB) { a.Store.List(r.Context(), r.URL.Query().Get("q")) }
`)
	write("internal/events/store.go", "package events\nconst q = `SELECT e.id FROM events e JOIN units g ON g.id = e.grid_id`\n")
	write("internal/org/store.go", "package org\nconst q = `SELECT id FROM units`\n")

	got := strings.Join(append(handlerSQL(t, root), foreignTables(t, root)...), "\n")
	for _, want := range []string{
		"internal/events/ui.go calls QueryRow",
		"internal/events/ui.go reaches for .DB",
		"internal/events/store.go reads units of internal/org",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("not caught: %s (got %q)", want, got)
		}
	}
	for _, wrong := range []string{"api_good.go", "internal/org/store.go", "reads events"} {
		if strings.Contains(got, wrong) {
			t.Errorf("named wrongly (%s): %q", wrong, got)
		}
	}
}
