package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
)

// TestAllReadsEveryRowAndCloses checks the row helpers on both engines: the
// rows come back in the query's order, an empty answer is no error, and a
// failing scan or callback stops the reading, is returned as it is, and
// leaves the rows closed.
func TestAllReadsEveryRowAndCloses(t *testing.T) {
	ctx := context.Background()
	dbtest.Each(t, nil, func(t *testing.T, d *db.DB) {
		if _, err := d.Exec(ctx, `CREATE TABLE rows_demo (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		for i, n := range []string{"甲", "乙", "丙"} {
			if _, err := d.Exec(ctx, `INSERT INTO rows_demo (id, name) VALUES (?, ?)`, i+1, n); err != nil {
				t.Fatal(err)
			}
		}
		type row struct {
			ID   int64
			Name string
		}
		scan := func(r db.Scanner) (row, error) {
			var v row
			err := r.Scan(&v.ID, &v.Name)
			return v, err
		}
		got, err := db.All(ctx, d, scan, `SELECT id, name FROM rows_demo WHERE id >= ? ORDER BY id DESC`, 2)
		if err != nil || len(got) != 2 || got[0] != (row{3, "丙"}) || got[1] != (row{2, "乙"}) {
			t.Errorf("All = %v, %v; want [{3 丙} {2 乙}]", got, err)
		}
		if got, err := db.All(ctx, d, scan, `SELECT id, name FROM rows_demo WHERE id > 9`); err != nil || len(got) != 0 {
			t.Errorf("All on no rows = %v, %v", got, err)
		}
		if _, err := db.All(ctx, d, scan, `SELECT id FROM no_such_table`); err == nil {
			t.Error("a broken query gave no error")
		}

		stop := errors.New("stop")
		rows, err := d.Query(ctx, `SELECT id, name FROM rows_demo ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		err = db.EachRow(rows, func(r db.Scanner) error {
			seen++
			return stop
		})
		if err != stop || seen != 1 {
			t.Errorf("EachRow = %v after %d rows, want the callback's error after 1", err, seen)
		}
		var id int64
		if err := rows.Scan(&id); err == nil || !strings.Contains(err.Error(), "closed") {
			t.Errorf("rows left open after a failed callback: %v", err)
		}

		rows, err = d.Query(ctx, `SELECT name FROM rows_demo`)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.Collect(rows, func(r db.Scanner) (int64, error) {
			var n int64
			err := r.Scan(&n)
			return n, err
		}); err == nil || got != nil {
			t.Errorf("Collect with a scan into the wrong type = %v, %v", got, err)
		}
		if err := rows.Scan(&id); err == nil || !strings.Contains(err.Error(), "closed") {
			t.Errorf("rows left open after a failed scan: %v", err)
		}

		sum := int64(0)
		if err := db.Each(ctx, d, func(r db.Scanner) error {
			var n int64
			err := r.Scan(&n)
			sum += n
			return err
		}, `SELECT id FROM rows_demo`); err != nil || sum != 6 {
			t.Errorf("Each summed %d, %v; want 6", sum, err)
		}
	})
}
