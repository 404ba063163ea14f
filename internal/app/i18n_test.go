package app_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"grassroots/internal/app" // registers every module's messages
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/module"
)

// keyPatterns find message keys written literally in templates and Go code.
var keyPatterns = []*regexp.Regexp{
	regexp.MustCompile(`\bT "([a-z][a-z0-9_]*\.[a-z0-9_.]*)"`),
	regexp.MustCompile(`i18n\.(?:T|M)\([a-zA-Z.()]*,? ?"([a-z][a-z0-9_]*\.[a-z0-9_.]*)"`),
	regexp.MustCompile(`Key: "([a-z][a-z0-9_]*\.[a-z0-9_.]*)"`),
	regexp.MustCompile(`SetFlash\(w, "([a-z][a-z0-9_]*\.[a-z0-9_.]*)"`),
	regexp.MustCompile(`apperr\.(?:New|NotFoundf)\(apperr\.[A-Za-z]+, "([a-z][a-z0-9_]*\.[a-z0-9_.]*)"`),
	regexp.MustCompile(`(?:FieldInvalid\(|\bf\.Add\(|\)\.Field\()"[a-z_]+", "([a-z][a-z0-9_]*\.[a-z0-9_.]*)"`),
}

// TestMessagesExist checks that every message key the code and templates
// name has a Chinese and an English text, so no page shows a bare key.
func TestMessagesExist(t *testing.T) {
	// Only the packages the server is built from: their messages are registered.
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.Dir}}", "grassroots/internal/app").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	linked := map[string]bool{}
	for _, dir := range strings.Fields(string(out)) {
		linked[dir] = true
	}
	root := filepath.Join("..", "..")
	seen := map[string]string{}
	err = filepath.Walk(filepath.Join(root, "internal"), func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.HasSuffix(path, "_test.go") {
			return err
		}
		dir, _ := filepath.Abs(filepath.Dir(path))
		if strings.HasSuffix(dir, "templates") {
			dir = filepath.Dir(dir)
		}
		if !linked[dir] {
			return nil
		}
		if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".html") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range keyPatterns {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				seen[m[1]] = path
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 100 {
		t.Fatalf("found only %d keys; the patterns are broken", len(seen))
	}
	// Keys built from closed lists, as each module lists them.
	for _, m := range app.Modules() {
		if k, ok := m.(module.Keyer); ok {
			for _, key := range k.MessageKeys() {
				seen[key] = "closed lists of module " + m.Name()
			}
		}
	}
	for _, r := range auth.Roles() {
		seen["role."+string(r)] = "roles"
	}
	for key, where := range seen {
		if strings.HasSuffix(key, ".") || strings.HasSuffix(key, "_") {
			continue // the start of a key built at run time, checked above through its list
		}
		if !i18n.Has(key) {
			t.Errorf("message %q (used in %s) has no text in both languages", key, where)
		}
	}
}
