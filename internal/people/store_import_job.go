package people

// Imports that run in the background. An upload is stored in the imports
// table (the file sealed by the pii vault: it holds identity numbers) and
// runs at once, in the instance that received it, while its page polls for
// progress. The import itself is one transaction, so a crash leaves nothing
// half-written; what it leaves is a row saying "running". On start-up, and
// whenever a page finds such a row that no live instance is working on,
// the row is marked failed. On PostgreSQL the working instance holds an
// advisory lock named after the import for as long as it runs (released
// by the server when the instance dies), which is how another instance
// tells a live import from a dead one; SQLite has one instance, so any
// import it is not running itself is dead.
//
// Progress lives in memory while the import runs (on SQLite the import's
// transaction holds the one writer, so it could not be written down), and
// is copied to the row about once a second where the database allows,
// for pages served by other instances. The file is deleted from the row
// when the import ends; the report (row, column, masked content, reason)
// is kept.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/sheet"
)

// The states of an import.
const (
	ImportQueued   = "queued"
	ImportRunning  = "running"
	ImportDone     = "done"     // every row written
	ImportRejected = "rejected" // problems found; nothing written
	ImportFailed   = "failed"   // the file could not be read, or the import was interrupted
)

// ImportJob is an uploaded import as the imports table keeps it.
type ImportJob struct {
	ID         int64
	Kind       SheetKind
	Filename   string
	Status     string
	TotalRows  int
	DoneRows   int
	Imported   int
	ActorID    int64
	CreatedAt  time.Time
	FinishedAt *time.Time
	// Stage and Percent say how far a running import is.
	Stage   Stage
	Percent int
	// Message says why a failed import failed, in both languages.
	Message Problem
	// Report is a finished import's report.
	Report *ImportReport
}

// Running reports whether the import has not finished.
func (j *ImportJob) Running() bool { return j.Status == ImportQueued || j.Status == ImportRunning }

// importSlots bounds how many imports one instance runs at once; more wait.
var importSlots = make(chan struct{}, 2)

// liveImport is the progress of an import running in this instance.
type liveImport struct {
	mu          sync.Mutex
	stage       Stage
	done, total int
	saved       time.Time
}

type liveKey struct {
	s  *Store
	id int64
}

var live sync.Map // liveKey -> *liveImport

func (s *Store) liveProgress(id int64) (*liveImport, bool) {
	v, ok := live.Load(liveKey{s, id})
	if !ok {
		return nil, false
	}
	return v.(*liveImport), true
}

// percent maps a stage's progress onto one bar: reading to 10%, checking
// to 30%, writing to 100%.
func percent(stage Stage, done, total int) int {
	frac := 0.0
	if total > 0 {
		frac = min(float64(done)/float64(total), 1)
	}
	switch stage {
	case StageReading:
		return 5
	case StageChecking:
		return 10 + int(20*frac)
	case StageWriting:
		return 30 + int(70*frac)
	}
	return 0
}

// cleanFilename keeps the base name of an uploaded file, without control
// characters, at most 100 characters.
func cleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '<' || r == '>' {
			return -1
		}
		return r
	}, name)
	if utf8.RuneCountInString(name) > 100 {
		name = string([]rune(name)[:100])
	}
	if name == "." || name == "/" || name == "" {
		name = "upload"
	}
	return name
}

// sniffSheet refuses at upload what is plainly not a spreadsheet, so that
// the form can say so at once; the import reads the file fully later. A zip
// is checked whole (its directory is at its end); a text file by its first
// 64 KB, cut at a line's end.
func sniffSheet(data []byte) error {
	if int64(len(data)) > sheet.MaxBytes {
		return sheet.ErrTooLarge()
	}
	sample := data
	if len(data) > 64<<10 && !bytes.HasPrefix(data, []byte("PK")) && !bytes.HasPrefix(data, []byte("\xff\xfe")) && !bytes.HasPrefix(data, []byte("\xfe\xff")) {
		sample = data[:64<<10]
		if i := bytes.LastIndexByte(sample, '\n'); i > 0 {
			sample = sample[:i+1]
		}
	}
	_, err := sheet.Read(sample, func(*sheet.Info, sheet.Row) error { return errStop })
	switch {
	case err == nil, errors.Is(err, errStop):
		return nil
	case len(sample) < len(data) && apperr.As(err).Msg.Key == "sheet.bad_csv":
		return nil // a quoted cell cut by the sample
	}
	return err
}

// StartImport stores an uploaded file as an import and starts it in the
// background in this instance.
func (s *Store) StartImport(ctx context.Context, actor *auth.Actor, kind SheetKind, filename string, data []byte) (*ImportJob, error) {
	if !actor.Has(PermBulk) {
		return nil, apperr.New(apperr.Forbidden, "sheet.no_bulk")
	}
	if LayoutOf(kind) == nil {
		return nil, apperr.FieldInvalid("kind", "field.bad_choice")
	}
	if err := sniffSheet(data); err != nil {
		return nil, err
	}
	filename = cleanFilename(filename)
	sealed, err := s.Vault.Encrypt("imports.data", string(data))
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	var id int64
	now := s.now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO imports (kind, filename, data, status, total_rows, done_rows, imported, report, message, actor_id, created_at)
			VALUES (?, ?, ?, ?, 0, 0, 0, '', ?, ?, ?) RETURNING id`, string(kind), filename, []byte(sealed), ImportQueued, string(StageQueued), actor.UserID, now).Scan(&id); err != nil {
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("import.upload", "import", fmt.Sprint(id), map[string]any{"kind": kind, "filename": filename, "bytes": len(data)}))
	})
	if err != nil {
		return nil, err
	}
	lp := &liveImport{stage: StageQueued}
	live.Store(liveKey{s, id}, lp)
	done := make(chan struct{})
	runningImports.Store(liveKey{s, id}, done)
	go func() {
		defer close(done)
		s.runImport(id, kind, filename, actor, lp)
	}()
	return s.ImportJob(ctx, actor, id)
}

// runningImports holds, per import running in this instance, a channel
// closed when it ends (tests wait on it).
var runningImports sync.Map

// WaitImport waits until an import running in this instance ends.
func (s *Store) WaitImport(ctx context.Context, id int64) error {
	v, ok := runningImports.Load(liveKey{s, id})
	if !ok {
		return nil
	}
	select {
	case <-v.(chan struct{}):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Store) runImport(id int64, kind SheetKind, filename string, actor *auth.Actor, lp *liveImport) {
	ctx := context.Background()
	defer live.Delete(liveKey{s, id})
	defer runningImports.Delete(liveKey{s, id})
	unlock, err := s.lockImport(ctx, id)
	if err != nil {
		s.finishImport(ctx, id, nil, err)
		return
	}
	defer unlock()
	importSlots <- struct{}{}
	defer func() { <-importSlots }()
	var rep *ImportReport
	defer func() {
		if p := recover(); p != nil {
			slog.Error("import panicked", "import", id, "panic", p)
			s.finishImport(ctx, id, nil, fmt.Errorf("panic: %v", p))
		}
	}()
	if _, err := s.db.Exec(ctx, `UPDATE imports SET status = ?, message = ? WHERE id = ? AND status = ?`, ImportRunning, string(StageReading), id, ImportQueued); err != nil {
		s.finishImport(ctx, id, nil, err)
		return
	}
	var sealed []byte
	if err := s.db.QueryRow(ctx, `SELECT data FROM imports WHERE id = ?`, id).Scan(&sealed); err != nil {
		s.finishImport(ctx, id, nil, err)
		return
	}
	data, err := s.Vault.Decrypt("imports.data", string(sealed))
	if err != nil {
		s.finishImport(ctx, id, nil, err)
		return
	}
	progress := func(stage Stage, done, total int) {
		lp.mu.Lock()
		lp.stage, lp.done, lp.total = stage, done, total
		save := time.Since(lp.saved) > time.Second
		if save {
			lp.saved = time.Now()
		}
		lp.mu.Unlock()
		// On SQLite the import's own transaction holds the writer while it writes.
		if save && (stage != StageWriting || s.db.Engine() == db.Postgres) {
			if _, err := s.db.Exec(ctx, `UPDATE imports SET total_rows = ?, done_rows = ?, message = ? WHERE id = ?`, total, done, string(stage), id); err != nil {
				slog.Warn("import progress", "import", id, "err", err)
			}
		}
	}
	rep, err = s.ImportSheet(ctx, actor, kind, []byte(data), ImportOptions{Filename: filename, ImportID: id, Progress: progress})
	s.finishImport(ctx, id, rep, err)
}

// finishImport writes an import's outcome and forgets its file.
func (s *Store) finishImport(ctx context.Context, id int64, rep *ImportReport, err error) {
	status, msg := ImportDone, Problem{}
	var report []byte
	total, imported := 0, 0
	switch {
	case err != nil:
		status = ImportFailed
		ae := apperr.As(err)
		if apperr.IsFault(ae) {
			slog.Error("import failed", "import", id, "err", err)
		}
		msg = newProblem(0, "", "", ae.Msg)
	case !rep.OK():
		status = ImportRejected
	}
	if rep != nil {
		total, imported = rep.Rows, rep.Imported
		report, _ = json.Marshal(rep)
	}
	message, _ := json.Marshal(msg)
	if _, err := s.db.Exec(ctx, `UPDATE imports SET status = ?, total_rows = ?, done_rows = ?, imported = ?, report = ?, message = ?, data = NULL, finished_at = ? WHERE id = ?`,
		status, total, total, imported, string(report), string(message), s.now(), id); err != nil {
		slog.Error("import outcome not saved", "import", id, "err", err)
	}
}

// importLockClass is the first key of the advisory locks held by running
// imports (the second is the import's id).
const importLockClass int32 = 0x67720001

// lockImport holds the import's advisory lock on PostgreSQL until the
// returned function runs.
func (s *Store) lockImport(ctx context.Context, id int64) (func(), error) {
	if s.db.Pool == nil {
		return func() {}, nil
	}
	conn, err := s.db.Pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, $2)`, importLockClass, int32(id)); err != nil {
		conn.Release()
		return nil, err
	}
	return func() {
		_, _ = conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1, $2)`, importLockClass, int32(id))
		conn.Release()
	}, nil
}

// abandoned reports whether no instance is working on an unfinished
// import. A queued import gets a minute to be picked up.
func (s *Store) abandoned(ctx context.Context, j *ImportJob) (bool, error) {
	if _, ok := s.liveProgress(j.ID); ok {
		return false, nil
	}
	if s.db.Pool == nil {
		return true, nil
	}
	if j.Status == ImportQueued && s.now().Sub(j.CreatedAt) < time.Minute {
		return false, nil
	}
	conn, err := s.db.Pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Release()
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, importLockClass, int32(j.ID)).Scan(&got); err != nil {
		return false, err
	}
	if got {
		_, _ = conn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, importLockClass, int32(j.ID))
	}
	return got, nil
}

var errInterrupted = apperr.New(apperr.Invalid, "sheet.interrupted")

// failAbandoned marks an unfinished import that no instance works on as
// failed, and reports whether it did.
func (s *Store) failAbandoned(ctx context.Context, j *ImportJob) (bool, error) {
	dead, err := s.abandoned(ctx, j)
	if err != nil || !dead {
		return false, err
	}
	msg, _ := json.Marshal(newProblem(0, "", "", errInterrupted.Msg))
	res, err := s.db.Exec(ctx, `UPDATE imports SET status = ?, message = ?, data = NULL, finished_at = ? WHERE id = ? AND status IN (?, ?)`,
		ImportFailed, string(msg), s.now(), j.ID, ImportQueued, ImportRunning)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// RecoverImports marks as failed the imports left unfinished by an
// instance that stopped (a crash, a restart); their transactions were
// rolled back, so nothing of them was written. It returns how many.
func (s *Store) RecoverImports(ctx context.Context) (int, error) {
	jobs, err := s.queryJobs(ctx, `status IN (?, ?)`, []any{ImportQueued, ImportRunning}, 1000)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range jobs {
		ok, err := s.failAbandoned(ctx, &jobs[i])
		if err != nil {
			return n, apperr.Wrap(err)
		}
		if ok {
			n++
		}
	}
	return n, nil
}

const jobCols = `id, kind, filename, status, total_rows, done_rows, imported, report, message, actor_id, created_at, finished_at`

func (s *Store) queryJobs(ctx context.Context, where string, args []any, limit int) ([]ImportJob, error) {
	rows, err := s.db.Query(ctx, `SELECT `+jobCols+` FROM imports WHERE `+where+` ORDER BY created_at DESC, id DESC LIMIT `+fmt.Sprint(limit), args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []ImportJob
	for rows.Next() {
		var j ImportJob
		var kind, report, message string
		var finished sql.NullTime
		if err := rows.Scan(&j.ID, &kind, &j.Filename, &j.Status, &j.TotalRows, &j.DoneRows, &j.Imported, &report, &message, &j.ActorID, &j.CreatedAt, &finished); err != nil {
			return nil, apperr.Wrap(err)
		}
		j.Kind = SheetKind(kind)
		if finished.Valid {
			t := finished.Time
			j.FinishedAt = &t
		}
		if j.Running() {
			j.Stage = Stage(message)
			j.Percent = percent(j.Stage, j.DoneRows, j.TotalRows)
		} else {
			_ = json.Unmarshal([]byte(message), &j.Message)
			if report != "" {
				j.Report = &ImportReport{}
				if err := json.Unmarshal([]byte(report), j.Report); err != nil {
					j.Report = nil
				}
			}
			j.Percent = 100
		}
		out = append(out, j)
	}
	return out, apperr.Wrap(rows.Err())
}

// fillLive puts the live progress of an import running here on j.
func (s *Store) fillLive(j *ImportJob) {
	lp, ok := s.liveProgress(j.ID)
	if !ok || !j.Running() {
		return
	}
	lp.mu.Lock()
	defer lp.mu.Unlock()
	j.Stage, j.DoneRows, j.TotalRows = lp.stage, lp.done, lp.total
	j.Percent = percent(lp.stage, lp.done, lp.total)
}

const importWord = "导入记录"

// ImportJob returns one of the actor's imports, with its live progress.
// Only the account that uploaded a file sees its import.
func (s *Store) ImportJob(ctx context.Context, actor *auth.Actor, id int64) (*ImportJob, error) {
	if !actor.Has(PermBulk) {
		return nil, apperr.New(apperr.Forbidden, "sheet.no_bulk")
	}
	jobs, err := s.queryJobs(ctx, `id = ? AND actor_id = ?`, []any{id, actor.UserID}, 1)
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, apperr.NotFoundf(importWord)
	}
	j := &jobs[0]
	if j.Running() {
		failed, err := s.failAbandoned(ctx, j)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		if failed {
			return s.ImportJob(ctx, actor, id)
		}
		s.fillLive(j)
	}
	return j, nil
}

// ListImportJobs returns the actor's latest imports.
func (s *Store) ListImportJobs(ctx context.Context, actor *auth.Actor, limit int) ([]ImportJob, error) {
	if !actor.Has(PermBulk) {
		return nil, apperr.New(apperr.Forbidden, "sheet.no_bulk")
	}
	jobs, err := s.queryJobs(ctx, `actor_id = ?`, []any{actor.UserID}, clampLimit(limit))
	if err != nil {
		return nil, err
	}
	for i := range jobs {
		s.fillLive(&jobs[i])
	}
	return jobs, nil
}

// Reason is why a failed import failed, in lang.
func (j *ImportJob) Reason(lang i18n.Lang) string { return j.Message.Reason(lang) }
