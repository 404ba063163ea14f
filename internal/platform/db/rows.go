package db

import (
	"context"
	"database/sql"
)

// Scanner is one row to read: *sql.Row and *sql.Rows both are, so that one
// scan function serves a lookup and a list.
type Scanner = interface{ Scan(dest ...any) error }

// Collect reads every row left in rows with scan and closes rows. It returns
// the values read, or the first error of a scan, of the iteration or of the
// close.
func Collect[T any](rows *sql.Rows, scan func(Scanner) (T, error)) ([]T, error) {
	var out []T
	err := EachRow(rows, func(r Scanner) error {
		v, err := scan(r)
		if err == nil {
			out = append(out, v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EachRow calls fn on every row left in rows, stopping at the first error
// fn returns, and closes rows. It returns that error, or the iteration's or
// the close's.
func EachRow(rows *sql.Rows, fn func(Scanner) error) (err error) {
	defer func() {
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// All runs query on q and reads every row of the answer with scan.
func All[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return Collect(rows, scan)
}

// Each runs query on q and calls fn on every row of the answer, stopping at
// the first error fn returns.
func Each(ctx context.Context, q Querier, fn func(Scanner) error, query string, args ...any) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	return EachRow(rows, fn)
}
