package db

import (
	"strconv"
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"none", `SELECT 1`, `SELECT 1`},
		{"one", `SELECT * FROM units WHERE id = ?`, `SELECT * FROM units WHERE id = $1`},
		{"in order", `UPDATE units SET name = ?, updated_at = ? WHERE id = ?`, `UPDATE units SET name = $1, updated_at = $2 WHERE id = $3`},
		{"in single quotes", `SELECT '?', x FROM t WHERE a = ?`, `SELECT '?', x FROM t WHERE a = $1`},
		{"in double quotes", `SELECT "a?b" FROM t WHERE a = ?`, `SELECT "a?b" FROM t WHERE a = $1`},
		{"doubled quote", `SELECT 'it''s ?' WHERE a = ? AND b = 'x?'`, `SELECT 'it''s ?' WHERE a = $1 AND b = 'x?'`},
		{"quote in identifier", `SELECT "it's" WHERE a = ?`, `SELECT "it's" WHERE a = $1`},
		{"like escape", `WHERE name LIKE ? ESCAPE '\' OR code LIKE ? ESCAPE '\'`, `WHERE name LIKE $1 ESCAPE '\' OR code LIKE $2 ESCAPE '\'`},
		{"cast", `SELECT ?::text || ?`, `SELECT $1::text || $2`},
		{"adjacent", `VALUES (?,?)`, `VALUES ($1,$2)`},
		{"ten and more", `VALUES (` + Placeholders(12) + `)`, `VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`},
		{"unicode", `SELECT '网格?' WHERE name = ?`, `SELECT '网格?' WHERE name = $1`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Rebind(Postgres, c.in); got != c.want {
				t.Errorf("Rebind(Postgres, %q) = %q, want %q", c.in, got, c.want)
			}
			if got := Rebind(SQLite, c.in); got != c.in {
				t.Errorf("Rebind(SQLite, %q) = %q, want it untouched", c.in, got)
			}
		})
	}
}

// outsideQuotes calls f for each byte of query that lies outside quoted
// strings and identifiers ('...' and "...", a doubled quote being two
// strings side by side), with its index.
func outsideQuotes(query string, f func(i int)) {
	var quote byte
	for i := 0; i < len(query); i++ {
		switch c := query[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		default:
			f(i)
		}
	}
}

// countOutside counts the `?` placeholders and the `$n` parameters outside
// quotes in query.
func countOutside(query string) (questions, dollars int) {
	outsideQuotes(query, func(i int) {
		switch {
		case query[i] == '?':
			questions++
		case query[i] == '$' && i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9':
			dollars++
		}
	})
	return questions, dollars
}

// unbind undoes Rebind on a query that held no `$` of its own: each `$n`
// outside quotes must be the next number, and becomes `?` again.
func unbind(t *testing.T, query string) string {
	t.Helper()
	var b strings.Builder
	next, skip := 1, 0
	outside := map[int]bool{}
	outsideQuotes(query, func(i int) { outside[i] = true })
	for i := 0; i < len(query); i++ {
		if skip > 0 {
			skip--
			continue
		}
		if query[i] == '$' && outside[i] {
			n := strconv.Itoa(next)
			if !strings.HasPrefix(query[i+1:], n) {
				t.Fatalf("parameter at %d of %q is not $%s", i, query, n)
			}
			b.WriteByte('?')
			next++
			skip = len(n)
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// FuzzRebind checks that Rebind never panics, leaves SQLite queries alone,
// and on PostgreSQL turns every `?` outside quotes, and nothing else, into
// `$1, $2, ...` in order.
func FuzzRebind(f *testing.F) {
	for _, s := range []string{
		`SELECT * FROM units WHERE id = ?`,
		`SELECT '?', "?" FROM t WHERE a = ? AND b = 'it''s ?'`,
		`WHERE name LIKE ? ESCAPE '\' OR code LIKE ? ESCAPE '\'`,
		`VALUES (` + Placeholders(12) + `)`,
		`SELECT $1, ?`, `SELECT 'unterminated ?`, `"`, `?`, `??`, `?1`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		if got := Rebind(SQLite, query); got != query {
			t.Fatalf("Rebind(SQLite, %q) = %q", query, got)
		}
		out := Rebind(Postgres, query)
		inQ, inD := countOutside(query)
		outQ, outD := countOutside(out)
		if outQ != 0 || outD != inD+inQ {
			t.Fatalf("Rebind(Postgres, %q) = %q: %d ? and %d $n outside quotes, from %d ? and %d $n", query, out, outQ, outD, inQ, inD)
		}
		if !strings.Contains(query, "$") {
			if back := unbind(t, out); back != query {
				t.Fatalf("Rebind(Postgres, %q) = %q, which reads back as %q", query, out, back)
			}
		}
	})
}

func TestPrefixRange(t *testing.T) {
	paths := []string{"/", "/1/", "/1/6/", "/1/7", "/1/7/", "/1/7/3/", "/1/7/99/", "/1/70/", "/1/71/3/", "/1/8/", "/10/", "/2/"}
	for _, prefix := range []string{"/", "/1/", "/1/7/", "/1/70/", "/1/8/", "/10/"} {
		lo, hi := PrefixRange(prefix)
		if lo != prefix {
			t.Errorf("PrefixRange(%q) starts at %q", prefix, lo)
		}
		for _, p := range paths {
			if in, want := p >= lo && p < hi, strings.HasPrefix(p, prefix); in != want {
				t.Errorf("PrefixRange(%q) = [%q, %q): holds %q is %v, want %v", prefix, lo, hi, p, in, want)
			}
		}
	}
	// The bound steps past the last byte that can be raised.
	for prefix, hi := range map[string]string{"/1/7/": "/1/70", "a~": "a\x7f", "a\x7f": "b"} {
		if _, got := PrefixRange(prefix); got != hi {
			t.Errorf("PrefixRange(%q) ends at %q, want %q", prefix, got, hi)
		}
	}
}
