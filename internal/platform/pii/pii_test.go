package pii_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/pii"
)

// checkChar computes the GB 11643 check character of 17 digits from the
// standard's definition (weight of position i, counted from the right
// starting at 1 for the check character, is 2^(i-1) mod 11; the check
// character makes the weighted sum 1 mod 11), independently of the
// package's tables.
func checkChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		w := 1
		for j := 0; j < 17-i; j++ { // 2^(18-(i+1)) mod 11
			w = w * 2 % 11
		}
		sum += int(first17[i]-'0') * w
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

func makeID(first17 string) string { return first17 + string(checkChar(first17)) }

func TestCheckCharFromStandard(t *testing.T) {
	// The standard's worked example, and a widely published sample.
	for _, id := range []string{"11010519491231002X", "440524188001010014"} {
		if got := checkChar(id[:17]); got != id[17] {
			t.Fatalf("test helper: check of %s = %c", id, got)
		}
		if got := pii.IDCheckChar(id[:17]); got != id[17] {
			t.Errorf("IDCheckChar(%s) = %c, want %c", id[:17], got, id[17])
		}
	}
	// Every residue must be reachable, and agree with the definition.
	seen := map[byte]bool{}
	for i := 0; i < 2000; i++ {
		first17 := fmt.Sprintf("3604%013d", i*7919)
		want := checkChar(first17)
		seen[want] = true
		if got := pii.IDCheckChar(first17); got != want {
			t.Fatalf("IDCheckChar(%s) = %c, want %c", first17, got, want)
		}
	}
	if len(seen) != 11 {
		t.Errorf("only %d distinct check characters seen", len(seen))
	}
}

// checkDay is the day the table tests check numbers on.
const checkDay date.Date = "2026-06-15"

func TestIDNumberProblem(t *testing.T) {
	valid := []string{
		"11010519491231002X",
		makeID("36040319000101123"), // the earliest birth the system keeps
		makeID("36040319900101123"),
		makeID("36040320000229004"), // leap day
		makeID("36040319991231999"),
	}
	for _, id := range valid {
		if p := pii.IDNumberProblem(id, checkDay); p != "" {
			t.Errorf("IDNumberProblem(%s) = %q, want valid", id, p)
		}
	}

	good := makeID("36040319900101123")
	var wrongChecks []string
	for _, c := range "0123456789X" {
		if byte(c) != good[17] {
			wrongChecks = append(wrongChecks, good[:17]+string(c))
		}
	}
	bad := []struct {
		id, want string
	}{
		{"", "pii.id_length"},
		{good[:17], "pii.id_length"},
		{good + "1", "pii.id_length"},
		{"36040319900101123", "pii.id_length"},
		{"3604031990010112", "pii.id_length"},
		{"36040319900101 12X", "pii.id_digits"}, // 18 bytes with a space
		// Full-width digits are longer than 18 bytes.
		{"３６０４０３１９９００１０１１２３X", "pii.id_length"},
		{"A6040319900101123X", "pii.id_digits"},
		{"3604031990010112X3", "pii.id_digits"},
		{"36040319900101-123", "pii.id_digits"},
		// A lower-case x is not accepted until normalised.
		{"11010519491231002x", "pii.id_check"},
		// Dates that do not exist, with the right check character.
		{makeID("36040319900230123"), "pii.id_birth"},
		{makeID("36040319901301123"), "pii.id_birth"},
		{makeID("36040319900100123"), "pii.id_birth"},
		{makeID("36040319900132123"), "pii.id_birth"},
		{makeID("36040319010229123"), "pii.id_birth"},
		{makeID("36040319000229123"), "pii.id_birth"}, // 1900 is not a leap year
		{makeID("36040300000101123"), "pii.id_birth"}, // year 0
		{makeID("36040318991231123"), "pii.id_birth"},
		{"440524188001010014", "pii.id_birth"}, // the standard's example, born 1880
		// Not born yet.
		{makeID("36040320260616123"), "pii.id_born_later"},
		{makeID("36040320270101123"), "pii.id_born_later"},
	}
	for _, id := range wrongChecks {
		bad = append(bad, struct{ id, want string }{id, "pii.id_check"})
	}
	for _, b := range bad {
		if got := pii.IDNumberProblem(b.id, checkDay); got != b.want {
			t.Errorf("IDNumberProblem(%q) = %q, want %q", b.id, got, b.want)
		}
	}
}

// TestIDNumberBornToday checks a newborn's number against the district's
// day, whatever the hour in UTC: at 00:30 in Shanghai (16:30 UTC the day
// before) and at 23:30 UTC (07:30 the next day in Shanghai) a baby born
// that day in Shanghai is accepted, and one born the day after is not.
func TestIDNumberBornToday(t *testing.T) {
	for _, tc := range []struct {
		clock           time.Time
		today, tomorrow string
	}{
		{time.Date(2026, 6, 14, 16, 30, 0, 0, time.UTC), "20260615", "20260616"}, // 00:30 on the 15th in Shanghai
		{time.Date(2026, 6, 15, 0, 30, 0, 0, date.Shanghai), "20260615", "20260616"},
		{time.Date(2026, 6, 14, 23, 30, 0, 0, time.UTC), "20260615", "20260616"},  // 07:30 on the 15th in Shanghai
		{time.Date(2026, 6, 14, 15, 59, 0, 0, time.UTC), "20260614", "20260615"},  // 23:59 on the 14th in Shanghai
		{time.Date(2024, 2, 28, 16, 30, 0, 0, time.UTC), "20240229", "20240301"},  // a leap day
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "20270101", "20270102"}, // New Year's Day in Shanghai
	} {
		today := date.Today(tc.clock)
		if born := makeID("360403" + tc.today + "123"); pii.IDNumberProblem(born, today) != "" {
			t.Errorf("at %v (%s in Shanghai) a baby born %s is refused: %s", tc.clock, today, tc.today, pii.IDNumberProblem(born, today))
		}
		if later := makeID("360403" + tc.tomorrow + "123"); pii.IDNumberProblem(later, today) != "pii.id_born_later" {
			t.Errorf("at %v (%s in Shanghai) a birth on %s is %q, want pii.id_born_later", tc.clock, today, tc.tomorrow, pii.IDNumberProblem(later, today))
		}
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	for in, want := range map[string]string{
		"11010519491231002x":         "11010519491231002X",
		" 110105 19491231 002x\t":    "11010519491231002X",
		"110105\u300019491231002X":   "11010519491231002X", // ideographic space
		"11010519491231002X":         "11010519491231002X",
		"":                           "",
		"  ":                         "",
		"440524 1880 0101 0014\r\n ": "440524188001010014",
	} {
		got := pii.NormalizeIDNumber(in)
		if got != want {
			t.Errorf("NormalizeIDNumber(%q) = %q, want %q", in, got, want)
		}
		if again := pii.NormalizeIDNumber(got); again != got {
			t.Errorf("NormalizeIDNumber not stable on %q: %q", got, again)
		}
	}
	if p := pii.IDNumberProblem(pii.NormalizeIDNumber(" 110105 19491231 002x "), checkDay); p != "" {
		t.Errorf("a normalised valid number is refused: %s", p)
	}
}

func TestIDBirthDate(t *testing.T) {
	for _, c := range []struct {
		id    string
		birth string
		male  bool
	}{
		{"11010519491231002X", "1949-12-31", false}, // 17th digit 2
		{"440524188001010014", "1880-01-01", true},  // 17th digit 1
		{makeID("36040320000229005"), "2000-02-29", true},
		{makeID("36040319751108998"), "1975-11-08", false},
	} {
		birth, male := pii.IDBirthDate(c.id)
		if birth != c.birth || male != c.male {
			t.Errorf("IDBirthDate(%s) = %s, %v; want %s, %v", c.id, birth, male, c.birth, c.male)
		}
	}
	if birth, _ := pii.IDBirthDate("12345"); birth != "" {
		t.Errorf("IDBirthDate of a short number = %q", birth)
	}
}

func TestMasks(t *testing.T) {
	for in, want := range map[string]string{
		"11010519491231002X": "1101**********002X",
		"123456789":          "1234*6789",
		"12345678":           "********",
		"1234":               "****",
		"":                   "",
	} {
		if got := pii.MaskID(in); got != want {
			t.Errorf("MaskID(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"13812345678":    "138****5678",
		"+8613812345678": "+86*******5678",
		"12345678":       "123*5678",
		"1234567":        "*******",
		"":               "",
	} {
		if got := pii.MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	// Masks work on characters, so a multi-byte value is not cut inside a character.
	if got := pii.MaskID("张三李四王五赵六钱七"); got != "张三李四**赵六钱七" {
		t.Errorf("MaskID of runes = %q", got)
	}
	// The hidden middle really is hidden.
	if m := pii.MaskID("11010519491231002X"); strings.Contains(m, "19491231") {
		t.Errorf("MaskID shows the birth date: %s", m)
	}
}

func TestPhone(t *testing.T) {
	for in, want := range map[string]string{
		"138 1234 5678":        "13812345678",
		"+86 138-1234-5678":    "+8613812345678",
		"  +86 (0792) 8221234": "+8607928221234",
		"0792-8221234":         "07928221234",
		"1+38":                 "138",
		"":                     "",
	} {
		if got := pii.NormalizePhone(in); got != want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"13812345678":      "",
		"+8613812345678":   "",
		"8221234":          "",
		"822123":           "pii.phone_length",
		"+822123":          "pii.phone_length",
		"1234567890123456": "pii.phone_length",
		"138123456ab":      "pii.phone_length",
		"+86+13812345678":  "pii.phone_length",
		"":                 "pii.phone_length",
	} {
		if got := pii.PhoneProblem(in); got != want {
			t.Errorf("PhoneProblem(%q) = %q, want %q", in, got, want)
		}
	}
}

var testMigrations = []db.Migrations{pii.Migrations, {Module: "piitest", FS: fstest.MapFS{
	"0001_secrets.sql": {Data: []byte(`CREATE TABLE secrets (
    id {{ID}},
    value_sealed TEXT NOT NULL DEFAULT '',
    value_index TEXT NOT NULL DEFAULT '',
    note_sealed TEXT NOT NULL DEFAULT ''
);`)},
}}}

func keyText(t *testing.T) string {
	t.Helper()
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

func TestVaultSealOpen(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		v, err := pii.Open(ctx, d, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(filepath.Join(dir, pii.KeyFile))
		if err != nil {
			t.Fatalf("no key file made: %v", err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("key file mode %o, want 600", perm)
		}

		const id = "11010519491231002X"
		a, err := v.Encrypt("residents.id_number_sealed", id)
		if err != nil {
			t.Fatal(err)
		}
		b, err := v.Encrypt("residents.id_number_sealed", id)
		if err != nil {
			t.Fatal(err)
		}
		if a == b {
			t.Errorf("two seals of one value are equal (no fresh nonce): %s", a)
		}
		if strings.Contains(a, id) || strings.Contains(a, "19491231") {
			t.Errorf("sealed value shows the plain text: %s", a)
		}
		if !strings.HasPrefix(a, "v1:"+v.KeyID()+":") {
			t.Errorf("sealed value %s does not name key %s", a, v.KeyID())
		}
		for _, s := range []string{a, b} {
			got, err := v.Decrypt("residents.id_number_sealed", s)
			if err != nil || got != id {
				t.Errorf("Decrypt = %q, %v; want %q", got, err, id)
			}
		}

		// A value moved to another column does not open.
		if got, err := v.Decrypt("workers.id_number_sealed", a); err == nil {
			t.Errorf("a value sealed for residents opened for workers: %q", got)
		}
		if got, err := v.Decrypt("residents.phone_sealed", a); err == nil {
			t.Errorf("a value sealed for id_number opened for phone: %q", got)
		}

		// Changed, cut or foreign values do not open.
		parts := strings.SplitN(a, ":", 3)
		ct, err := base64.RawStdEncoding.DecodeString(parts[2])
		if err != nil {
			t.Fatal(err)
		}
		for i := range ct {
			flipped := append([]byte(nil), ct...)
			flipped[i] ^= 0x01
			s := parts[0] + ":" + parts[1] + ":" + base64.RawStdEncoding.EncodeToString(flipped)
			if got, err := v.Decrypt("residents.id_number_sealed", s); err == nil {
				t.Fatalf("a value with byte %d changed opened: %q", i, got)
			}
		}
		for _, s := range []string{
			"v1:" + parts[1] + ":" + base64.RawStdEncoding.EncodeToString(ct[:len(ct)-1]),
			"v1:" + parts[1] + ":" + base64.RawStdEncoding.EncodeToString(ct[:5]),
			"v1:" + parts[1] + ":",
			"v1:" + parts[1] + ":!!!",
			"v1:00000000:" + parts[2],
			"v2:" + parts[1] + ":" + parts[2],
			id,
			"v1:" + parts[1],
		} {
			if got, err := v.Decrypt("residents.id_number_sealed", s); err == nil {
				t.Errorf("Decrypt(%q) = %q, want an error", s, got)
			}
		}

		// The empty value stays empty both ways.
		if s, err := v.Encrypt("residents.phone_sealed", ""); s != "" || err != nil {
			t.Errorf("Encrypt of empty = %q, %v", s, err)
		}
		if s, err := v.Decrypt("residents.phone_sealed", ""); s != "" || err != nil {
			t.Errorf("Decrypt of empty = %q, %v", s, err)
		}

		// A second start reads the same key and opens old values.
		v2, err := pii.Open(ctx, d, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		if v2.KeyID() != v.KeyID() {
			t.Errorf("key changed across starts: %s then %s", v.KeyID(), v2.KeyID())
		}
		if got, err := v2.Decrypt("residents.id_number_sealed", a); err != nil || got != id {
			t.Errorf("after restart Decrypt = %q, %v", got, err)
		}
		if v2.Index("id_number", id) != v.Index("id_number", id) {
			t.Errorf("blind index changed across starts")
		}
	})
}

func TestBlindIndex(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		v, err := pii.Open(ctx, d, t.TempDir(), "")
		if err != nil {
			t.Fatal(err)
		}
		id := pii.NormalizeIDNumber("11010519491231002X")
		x := v.Index("id_number", id)
		if x == "" || strings.Contains(x, id) {
			t.Fatalf("Index = %q", x)
		}
		if y := v.Index("id_number", pii.NormalizeIDNumber(" 110105 19491231 002x")); y != x {
			t.Errorf("equal normalised values index differently: %s, %s", x, y)
		}
		if y := v.Index("id_number", "440524188001010014"); y == x {
			t.Errorf("different values index the same: %s", y)
		}
		if y := v.Index("phone", id); y == x {
			t.Errorf("the kind of value does not change the index")
		}
		// kind and value are separated, not just concatenated.
		if v.Index("ab", "c") == v.Index("a", "bc") {
			t.Errorf("Index(ab, c) == Index(a, bc)")
		}
		if v.Index("phone", "") != "" {
			t.Errorf("the empty value has an index")
		}
		if p := v.Index("phone", pii.NormalizePhone("138 1234 5678")); p != v.Index("phone", pii.NormalizePhone("138-1234-5678")) {
			t.Errorf("normalised phones index differently")
		}

		// Another key (another district's database) gives another index.
		d2 := dbtest.Open(t, d.Engine(), testMigrations)
		other, err := pii.Open(ctx, d2, t.TempDir(), "")
		if err != nil {
			t.Fatal(err)
		}
		if other.KeyID() == v.KeyID() {
			t.Fatalf("two fresh key files have one key id")
		}
		if other.Index("id_number", id) == x {
			t.Errorf("the blind index does not depend on the key")
		}
		// Nor does a value sealed under one key open under the other.
		s, err := v.Encrypt("c", "secret")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := other.Decrypt("c", s); err == nil {
			t.Errorf("a value opened under a foreign key: %q", got)
		}
	})
}

func TestKeyFilePermissions(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		v, err := pii.Open(ctx, d, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		main := filepath.Join(dir, pii.KeyFile)
		for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
			if err := os.Chmod(main, mode); err != nil {
				t.Fatal(err)
			}
			if _, err := pii.Open(ctx, d, dir, ""); err == nil {
				t.Errorf("a key file with mode %o was accepted", mode)
			} else if !strings.Contains(err.Error(), "chmod 600") {
				t.Errorf("mode %o: error %v does not say what to do", mode, err)
			}
		}
		if err := os.Chmod(main, 0o600); err != nil {
			t.Fatal(err)
		}
		// A kept (rotated-out) key is held to the same rule.
		kept := filepath.Join(dir, pii.KeyFile+".0badc0de")
		if err := os.WriteFile(kept, []byte(keyText(t)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(kept, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := pii.Open(ctx, d, dir, ""); err == nil {
			t.Errorf("a kept key file readable by others was accepted")
		}
		if err := os.Chmod(kept, 0o600); err != nil {
			t.Fatal(err)
		}
		v2, err := pii.Open(ctx, d, dir, "")
		if err != nil {
			t.Fatalf("open with good modes: %v", err)
		}
		if v2.KeyID() != v.KeyID() {
			t.Errorf("a kept key became current: %s, want %s", v2.KeyID(), v.KeyID())
		}

		// A damaged key file is refused, not replaced.
		if err := os.WriteFile(main, []byte("not base64 at all\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := pii.Open(ctx, d, dir, ""); err == nil {
			t.Errorf("a damaged key file was accepted")
		}
		short := base64.StdEncoding.EncodeToString(make([]byte, 16))
		if err := os.WriteFile(main, []byte(short+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := pii.Open(ctx, d, dir, ""); err == nil {
			t.Errorf("a 16-byte key was accepted")
		}
	})
}

func TestKeyFromEnvironment(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k1 := keyText(t)
		dir := t.TempDir()
		v, err := pii.Open(ctx, d, dir, k1)
		if err != nil {
			t.Fatal(err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("a key from the environment wrote files: %v", entries)
		}
		s, err := v.Encrypt("c", "13812345678")
		if err != nil {
			t.Fatal(err)
		}
		// The same key opens it again; a different key is refused, since the
		// database records which key its data is under.
		again, err := pii.Open(ctx, d, "", " "+k1+" ")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := again.Decrypt("c", s); err != nil || got != "13812345678" {
			t.Errorf("Decrypt = %q, %v", got, err)
		}
		if _, err := pii.Open(ctx, d, "", keyText(t)); err == nil {
			t.Errorf("a key that is not the database's was accepted")
		}
		if _, err := pii.Open(ctx, d, t.TempDir(), ""); err == nil {
			t.Errorf("a fresh key file was accepted for a database under another key")
		}
		for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString(make([]byte, 31)), k1 + ",", k1 + ",xyz"} {
			if _, err := pii.Open(ctx, d, "", bad); err == nil {
				t.Errorf("key text %q was accepted", bad)
			}
		}
	})
}

func insertSecret(t *testing.T, d *db.DB, v *pii.Vault, value, note string) int64 {
	t.Helper()
	ctx := context.Background()
	vs, err := v.Encrypt("secrets.value_sealed", value)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := v.Encrypt("secrets.note_sealed", note)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	err = d.InTx(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO secrets (value_sealed, value_index, note_sealed) VALUES (?, ?, ?) RETURNING id`,
			vs, v.Index("phone", pii.NormalizePhone(value)), ns).Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

type secretRow struct {
	id                      int64
	valueSealed, valueIndex string
	noteSealed              string
	value, note             string
}

func readSecrets(t *testing.T, d *db.DB, v *pii.Vault) map[int64]secretRow {
	t.Helper()
	rows, err := d.Query(context.Background(), `SELECT id, value_sealed, value_index, note_sealed FROM secrets ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]secretRow{}
	for rows.Next() {
		var r secretRow
		if err := rows.Scan(&r.id, &r.valueSealed, &r.valueIndex, &r.noteSealed); err != nil {
			t.Fatal(err)
		}
		if r.value, err = v.Decrypt("secrets.value_sealed", r.valueSealed); err != nil {
			t.Errorf("row %d value: %v", r.id, err)
		}
		if r.note, err = v.Decrypt("secrets.note_sealed", r.noteSealed); err != nil {
			t.Errorf("row %d note: %v", r.id, err)
		}
		out[r.id] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

var secretColumns = []pii.Column{
	{Table: "secrets", Sealed: "value_sealed", Index: "value_index", Kind: "phone", Normalize: pii.NormalizePhone},
	{Table: "secrets", Sealed: "note_sealed"},
}

func TestRotateKeyFiles(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		v, err := pii.Open(ctx, d, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		oldKid := v.KeyID()
		plain := map[string]string{"138 1234 5678": "first", "+86 139-0000-1111": "", "0792-8221234": "third"}
		ids := map[int64]string{}
		for value, note := range plain {
			ids[insertSecret(t, d, v, value, note)] = value
		}
		// One row with no value at all: nothing to re-encrypt.
		emptyID := insertSecret(t, d, v, "", "")
		before := readSecrets(t, d, v)
		var oldSealed string
		for _, r := range before {
			if r.valueSealed != "" {
				oldSealed = r.valueSealed
			}
		}
		oldIndex := v.Index("phone", "13812345678")

		var recordedKid string
		var recordedN int
		kid, text, n, err := v.Rotate(ctx, d, secretColumns, func(tx *db.Tx, kid string, n int) error {
			recordedKid, recordedN = kid, n
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if kid == oldKid || v.KeyID() != kid {
			t.Errorf("Rotate returned %s (old %s), vault now uses %s", kid, oldKid, v.KeyID())
		}
		// 3 values and 2 non-empty notes.
		if n != 5 || recordedN != 5 || recordedKid != kid {
			t.Errorf("Rotate counted %d (recorded %d under %s), want 5 under %s", n, recordedN, recordedKid, kid)
		}
		if raw, err := base64.StdEncoding.DecodeString(text); err != nil || len(raw) != 32 {
			t.Errorf("returned key text %q is not a 32-byte key", text)
		}

		after := readSecrets(t, d, v)
		if len(after) != len(before) {
			t.Fatalf("%d rows after rotation, %d before", len(after), len(before))
		}
		for id, r := range after {
			b := before[id]
			if r.value != b.value || r.note != b.note {
				t.Errorf("row %d changed: %q/%q, was %q/%q", id, r.value, r.note, b.value, b.note)
			}
			if id == emptyID {
				if r.valueSealed != "" || r.noteSealed != "" || r.valueIndex != "" {
					t.Errorf("the empty row got values: %+v", r)
				}
				continue
			}
			if r.value != ids[id] {
				t.Errorf("row %d value %q, want %q", id, r.value, ids[id])
			}
			if !strings.HasPrefix(r.valueSealed, "v1:"+kid+":") {
				t.Errorf("row %d value still under the old key: %s", id, r.valueSealed)
			}
			if r.noteSealed != "" && !strings.HasPrefix(r.noteSealed, "v1:"+kid+":") {
				t.Errorf("row %d note still under the old key: %s", id, r.noteSealed)
			}
			if r.valueIndex != v.Index("phone", pii.NormalizePhone(r.value)) {
				t.Errorf("row %d index not re-made under the new key", id)
			}
			if r.valueIndex == b.valueIndex {
				t.Errorf("row %d index did not change", id)
			}
		}
		if v.Index("phone", "13812345678") == oldIndex {
			t.Errorf("the index did not change with the key")
		}
		// Values sealed before the rotation (a backup, another instance's
		// in-flight write) still open.
		if got, err := v.Decrypt("secrets.value_sealed", oldSealed); err != nil || got == "" {
			t.Errorf("an old value does not open after rotation: %q, %v", got, err)
		}

		// The files: pii.key is the new key, the old one kept beside it.
		mainText, err := os.ReadFile(filepath.Join(dir, pii.KeyFile))
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(string(mainText)) != text {
			t.Errorf("pii.key does not hold the new key")
		}
		keptInfo, err := os.Stat(filepath.Join(dir, pii.KeyFile+"."+oldKid))
		if err != nil {
			t.Fatalf("old key not kept: %v", err)
		}
		if keptInfo.Mode().Perm() != 0o600 {
			t.Errorf("kept key mode %o", keptInfo.Mode().Perm())
		}
		if _, err := os.Stat(filepath.Join(dir, pii.KeyFile+"."+kid)); err == nil {
			t.Errorf("the new key is also left as a kept file")
		}

		// A restart reads both keys and uses the new one.
		v2, err := pii.Open(ctx, d, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		if v2.KeyID() != kid {
			t.Errorf("after restart the key is %s, want %s", v2.KeyID(), kid)
		}
		if got, err := v2.Decrypt("secrets.value_sealed", oldSealed); err != nil || got == "" {
			t.Errorf("after restart an old value does not open: %q, %v", got, err)
		}
		readSecrets(t, d, v2)

		// A second rotation keeps both earlier keys.
		kid3, _, _, err := v2.Rotate(ctx, d, secretColumns, nil)
		if err != nil {
			t.Fatal(err)
		}
		v3, err := pii.Open(ctx, d, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		if v3.KeyID() != kid3 {
			t.Errorf("after two rotations key is %s, want %s", v3.KeyID(), kid3)
		}
		if got, err := v3.Decrypt("secrets.value_sealed", oldSealed); err != nil || got == "" {
			t.Errorf("after two rotations the first key's value does not open: %v", err)
		}
	})
}

func TestRotateFailureChangesNothing(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		v, err := pii.Open(ctx, d, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		oldKid := v.KeyID()
		insertSecret(t, d, v, "13812345678", "a note")
		before := readSecrets(t, d, v)

		// The audit record fails: the whole rotation rolls back.
		failing := fmt.Errorf("audit down")
		if _, _, _, err := v.Rotate(ctx, d, secretColumns, func(*db.Tx, string, int) error { return failing }); err == nil {
			t.Fatal("Rotate succeeded although its record failed")
		}
		if v.KeyID() != oldKid {
			t.Errorf("the vault switched keys after a failed rotation")
		}
		after := readSecrets(t, d, v)
		for id, r := range after {
			if r.valueSealed != before[id].valueSealed || r.valueIndex != before[id].valueIndex || r.noteSealed != before[id].noteSealed {
				t.Errorf("row %d changed by a failed rotation", id)
			}
		}
		v2, err := pii.Open(ctx, d, dir, "")
		if err != nil {
			t.Fatalf("restart after a failed rotation: %v", err)
		}
		if v2.KeyID() != oldKid {
			t.Errorf("after a failed rotation the key is %s, want %s", v2.KeyID(), oldKid)
		}
		readSecrets(t, d, v2)

		// A value that does not open (moved from another column) stops the rotation.
		moved, err := v.Encrypt("elsewhere", "x")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `INSERT INTO secrets (value_sealed) VALUES (?)`, moved); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := v.Rotate(ctx, d, secretColumns, nil); err == nil {
			t.Errorf("Rotate re-encrypted a value that does not open")
		}
		if v.KeyID() != oldKid {
			t.Errorf("the vault switched keys after a failed rotation")
		}
		var kid string
		if err := d.QueryRow(ctx, `SELECT current_kid FROM pii_state WHERE id = 1`).Scan(&kid); err != nil || kid != oldKid {
			t.Errorf("the database records key %s after a failed rotation, want %s (%v)", kid, oldKid, err)
		}
	})
}

func TestRotateEnvironmentKeys(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k1 := keyText(t)
		v, err := pii.Open(ctx, d, "", k1)
		if err != nil {
			t.Fatal(err)
		}
		insertSecret(t, d, v, "13812345678", "n")
		kid, k2, n, err := v.Rotate(ctx, d, secretColumns, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("re-encrypted %d values, want 2", n)
		}
		// The operator must add the new key: without it the start is refused.
		if _, err := pii.Open(ctx, d, "", k1); err == nil {
			t.Errorf("start with only the old key was accepted after rotation")
		}
		for _, env := range []string{k2, k2 + "," + k1, k1 + ", " + k2} {
			v2, err := pii.Open(ctx, d, "", env)
			if err != nil {
				t.Fatalf("open with %q: %v", env, err)
			}
			if v2.KeyID() != kid {
				t.Errorf("env %q: key %s, want %s", env, v2.KeyID(), kid)
			}
			rows := readSecrets(t, d, v2)
			for _, r := range rows {
				if r.value != "13812345678" || r.note != "n" {
					t.Errorf("row after rotation = %+v", r)
				}
			}
		}
	})
}
