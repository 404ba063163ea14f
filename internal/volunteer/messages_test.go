package volunteer

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	_ "grassroots/internal/people" // registers the words this module borrows (gender, ...)
	"grassroots/internal/platform/i18n"
)

// TestMessagesExist checks that every message key this module names, in
// its Go code and templates, has a Chinese and an English text.
func TestMessagesExist(t *testing.T) {
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\bT "([a-z][a-z0-9_.]*)"`),
		regexp.MustCompile(`i18n\.(?:T|M)\([a-zA-Z.()]*,? ?"([a-z][a-z0-9_.]*)"`),
		regexp.MustCompile(`Key: "([a-z][a-z0-9_.]*)"`),
		regexp.MustCompile(`(?:done|SetFlash)\(w, (?:r, )?[^,]+, "([a-z][a-z0-9_.]*)"\)`),
		regexp.MustCompile(`flash = "([a-z][a-z0-9_.]*)"`),
		regexp.MustCompile(`apperr\.(?:New|NotFoundf)\(apperr\.[A-Za-z]+, "([a-z][a-z0-9_.]*)"`),
		regexp.MustCompile(`(?:FieldInvalid|\.Add|\.Field)\("[a-z_.]+", "([a-z][a-z0-9_.]*)"`),
		regexp.MustCompile(`choiceOptions\(lang, [A-Za-z]+, "([a-z][a-z0-9_.]*)"\)`),
		regexp.MustCompile(`return "(vol\.[a-z_]+)"`),
	}
	files, _ := filepath.Glob("*.go")
	tmpl, _ := filepath.Glob("templates/*.html")
	missing := map[string]string{}
	for _, f := range append(files, tmpl...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				if !strings.HasSuffix(m[1], ".") && !i18n.Has(m[1]) {
					missing[m[1]] = f
				}
			}
		}
	}
	var keys []string
	for k := range missing {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Errorf("message %q (%s) has no text in both languages", k, missing[k])
	}
}
