package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	_ "grassroots/internal/app/demo" // the demo's actions and their words
	"grassroots/internal/events"
	"grassroots/internal/people"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/i18n"
)

// auditAction is how an action is written: a kind of record and a verb.
var auditAction = regexp.MustCompile(`^[a-z_]+(\.[a-z_-]+)?$`)

// recordedActions finds the actions the code under root records: the
// literal first argument of every actor.Entry call, every Action field of
// an audit.Entry, every literal given to a variable named action or to a
// call whose name starts with audit or change (auditLogin, changeSignup),
// and every prefix of an action built by concatenation ("event."+action),
// which the caller must list whole.
func recordedActions(t *testing.T, root string) (actions, prefixes, entities, fields map[string]string) {
	t.Helper()
	actions, prefixes, entities, fields = map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
	lit := func(e ast.Expr, where string) {
		switch x := e.(type) {
		case *ast.BasicLit:
			if v, err := strconv.Unquote(x.Value); err == nil && x.Kind == token.STRING && auditAction.MatchString(v) {
				actions[v] = where
			}
		case *ast.BinaryExpr:
			if b, ok := x.X.(*ast.BasicLit); ok && b.Kind == token.STRING {
				v, _ := strconv.Unquote(b.Value)
				prefixes[v] = where
			}
		}
	}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			where := func() string { return fset.Position(n.Pos()).String() }
			switch x := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := x.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				switch {
				case name == "Entry" && len(x.Args) == 4:
					lit(x.Args[0], where())
					if b, ok := x.Args[1].(*ast.BasicLit); ok {
						v, _ := strconv.Unquote(b.Value)
						entities[v] = where()
					}
					ast.Inspect(x.Args[3], func(n ast.Node) bool {
						if kv, ok := n.(*ast.KeyValueExpr); ok {
							if b, ok := kv.Key.(*ast.BasicLit); ok && b.Kind == token.STRING {
								v, _ := strconv.Unquote(b.Value)
								fields[v] = where()
							}
						}
						return true
					})
				case strings.HasPrefix(name, "audit") || strings.HasPrefix(name, "change"):
					for _, a := range x.Args {
						if b, ok := a.(*ast.BasicLit); ok && strings.Contains(b.Value, ".") {
							lit(a, where())
						}
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := x.Key.(*ast.Ident); ok && k.Name == "Action" {
					if c, ok := n.(*ast.KeyValueExpr); ok {
						lit(c.Value, where())
					}
				}
			case *ast.AssignStmt:
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == "action" && i < len(x.Rhs) {
						lit(x.Rhs[i], where())
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return actions, prefixes, entities, fields
}

// TestEveryAuditActionHasWords checks that each action the code records,
// each kind of record it names and each field of its details is in words
// in both languages, so that the audit page never shows an
// auditor a code. Actions built at run time are listed here by family.
func TestEveryAuditActionHasWords(t *testing.T) {
	actions, prefixes, entities, fields := recordedActions(t, filepath.Join("..", ".."))
	families := map[string][]string{
		"event.":            nil,
		"vol_signup.check_": {"in", "out"},
		"volunteer.record_": {"training", "award", "evaluation"},
		"import.":           nil,
		"export.":           {"residents", "party_members", "workers", "feedback", "import_report", "volunteers"},
		"volunteer.":        {"link", "unlink"},
		"category.":         {"create", "update"},
		"worker.":           {"create", "update"},
		"grid_staff.":       {"create", "update"},
		"vol_signup.":       {"decide", "mark", "verify", "reject_hours"},
		"login.":            {"failed", "locked"},
		"lovebank.":         nil,
		"token.":            nil,
		"calendar.":         nil,
		"setting.":          nil,
		"demo.":             nil,
	}
	for _, a := range append(events.UserActions, events.ActReport, events.ActWarn, events.ActEscalate) {
		families["event."] = append(families["event."], string(a))
	}
	for _, k := range people.SheetKinds {
		families["import."] = append(families["import."], string(k))
	}
	for p, where := range prefixes {
		if _, ok := families[p]; !ok {
			t.Errorf("%s builds actions starting %q: list them in this test", where, p)
		}
	}
	for p, verbs := range families {
		for _, v := range verbs {
			actions[p+v] = "listed in this test"
		}
	}
	for a, where := range actions {
		if !strings.Contains(a, ".") && a != "login" && a != "logout" {
			continue // not an action (a bare word given to an audit helper)
		}
		if !i18n.Has(audit.ActionKey(a)) {
			t.Errorf("%s records %q, which has no words (%s)", where, a, audit.ActionKey(a))
		}
	}
	for e, where := range entities {
		if !i18n.Has(audit.EntityKey(e)) {
			t.Errorf("%s records on %q, which has no words (%s)", where, e, audit.EntityKey(e))
		}
	}
	for _, e := range families["export."] {
		if !i18n.Has(audit.EntityKey(e)) {
			t.Errorf("exports of %q have no words (%s)", e, audit.EntityKey(e))
		}
	}
	for f, where := range fields {
		if !i18n.Has(audit.FieldKey(f)) {
			t.Errorf("%s writes the detail %q, which has no words (%s)", where, f, audit.FieldKey(f))
		}
	}
	if len(actions) < 80 {
		t.Errorf("only %d actions found: the scan has lost its way", len(actions))
	}
}
