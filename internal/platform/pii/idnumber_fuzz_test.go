package pii_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"grassroots/internal/platform/pii"
)

// FuzzIDNumber feeds what a user may type into the identity-number path:
// normalise, validate, and on success read the birth date and mask it.
func FuzzIDNumber(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", " 110105 19491231 002x ",
		"440524188001010014", "36040319900230123X", "", "x", "1101051949123100２X",
		"\u3000110105\u300019491231002X", "\xff\xfe11010519491231002X",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := pii.NormalizeIDNumber(s)
		if again := pii.NormalizeIDNumber(n); again != n {
			t.Fatalf("NormalizeIDNumber not stable: %q -> %q -> %q", s, n, again)
		}
		_ = pii.MaskID(s)
		_ = pii.IDCheckChar(s)
		_, _ = pii.IDBirthDate(s)
		p := pii.IDNumberProblem(n, checkDay)
		switch p {
		case "", "pii.id_length", "pii.id_digits", "pii.id_check", "pii.id_birth", "pii.id_born_later":
		default:
			t.Fatalf("IDNumberProblem(%q) = %q, not a known key", n, p)
		}
		if p != "" {
			return
		}
		// An accepted number is 18 ASCII characters: 17 digits and the
		// check character the standard gives them.
		if len(n) != 18 || !utf8.ValidString(n) {
			t.Fatalf("accepted %q of %d bytes", n, len(n))
		}
		for i := 0; i < 17; i++ {
			if n[i] < '0' || n[i] > '9' {
				t.Fatalf("accepted %q with a non-digit at %d", n, i)
			}
		}
		if want := checkChar(n[:17]); n[17] != want {
			t.Fatalf("accepted %q, whose check character should be %c", n, want)
		}
		if c := pii.IDCheckChar(n[:17]); c != n[17] {
			t.Fatalf("IDCheckChar(%q) = %c disagrees with the accepted %c", n[:17], c, n[17])
		}
		birth, male := pii.IDBirthDate(n)
		d, err := time.Parse(time.DateOnly, birth)
		if err != nil {
			t.Fatalf("accepted %q with birth date %q: %v", n, birth, err)
		}
		if d.Format("20060102") != n[6:14] {
			t.Fatalf("birth date %s is not the number's %s", birth, n[6:14])
		}
		if male != ((n[16]-'0')%2 == 1) {
			t.Fatalf("sex of %q is wrong", n)
		}
		m := pii.MaskID(n)
		if len(m) != 18 || m[:4] != n[:4] || m[14:] != n[14:] || m[4:14] != strings.Repeat("*", 10) {
			t.Fatalf("MaskID(%q) = %q", n, m)
		}
		// Validation is a property of the normalised number: it stays valid.
		if pii.IDNumberProblem(pii.NormalizeIDNumber(n), checkDay) != "" {
			t.Fatalf("re-validation of %q fails", n)
		}
	})
}

// FuzzPhone does the same for phone numbers.
func FuzzPhone(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 138-1234-5678", "0792-8221234", "++1", "1+", "", "１３８"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := pii.NormalizePhone(s)
		if again := pii.NormalizePhone(n); again != n {
			t.Fatalf("NormalizePhone not stable: %q -> %q -> %q", s, n, again)
		}
		for i, c := range n {
			if !(c >= '0' && c <= '9') && !(c == '+' && i == 0) {
				t.Fatalf("NormalizePhone(%q) = %q keeps %q", s, n, c)
			}
		}
		digits := len(strings.TrimPrefix(n, "+"))
		if p := pii.PhoneProblem(n); (p == "") != (digits >= 7 && digits <= 15) {
			t.Fatalf("PhoneProblem(%q) = %q with %d digits", n, p, digits)
		}
		m := pii.MaskPhone(n)
		if len(m) != len(n) {
			t.Fatalf("MaskPhone(%q) = %q changes the length", n, m)
		}
		if len(n) > 7 && (m[:3] != n[:3] || m[len(m)-4:] != n[len(n)-4:] || strings.Trim(m[3:len(m)-4], "*") != "") {
			t.Fatalf("MaskPhone(%q) = %q", n, m)
		}
		if len(n) <= 7 && strings.Trim(m, "*") != "" {
			t.Fatalf("MaskPhone(%q) = %q shows a short number", n, m)
		}
		_ = pii.MaskPhone(s)
	})
}
