package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
)

// countMaxAge bounds how long a count is kept when nothing was written:
// figures that move with the clock alone (events turning overdue, the
// last 30 days' on-time rate) are never older than this.
const countMaxAge = 30 * time.Second

// countCacheSize bounds the cache: beyond it, it starts again empty.
const countCacheSize = 10000

// countCache keeps each user's last count (their overview, their inbox)
// with the audit log's last sequence number when it was counted. Every write in Grassroots appends
// to the audit log in its transaction, so an unchanged sequence number
// means the rows behind the figures are unchanged, on this instance and on
// every other one sharing the database. Counting the overview reads every
// row in the user's scope (hundreds of milliseconds for a whole district);
// checking the sequence number reads one row, and the entries since, when
// it moved, only to see whether they were all sign-ins.
type countCache[T any] struct {
	db  *db.DB
	now func() time.Time
	// counting lets requests that arrive while a user's count is being
	// made wait for that count instead of starting their own.
	counting singleflight.Group

	mu      sync.Mutex
	entries map[string]cachedCount[T]
}

type cachedCount[T any] struct {
	seq     int64
	counted time.Time
	value   T
}

func newCountCache[T any](d *db.DB) *countCache[T] {
	return &countCache[T]{db: d, now: time.Now, entries: map[string]cachedCount[T]{}}
}

// get returns the actor's count, counting it with count unless the kept
// one is still true.
func (c *countCache[T]) get(ctx context.Context, actor *auth.Actor, count func(context.Context) (T, error)) (T, error) {
	var zero T
	seq, err := audit.Head(ctx, c.db)
	if err != nil {
		return zero, err
	}
	key := actorKey(actor)
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Sub(e.counted) < countMaxAge {
		if e.seq == seq {
			return e.value, nil
		}
		// Sign-ins and sign-outs (which anyone can cause, failing to sign
		// in) change no figure: what came after only them keeps the count.
		writes, err := audit.CountBetween(ctx, c.db, e.seq, seq, auth.SessionActions...)
		if err != nil {
			return zero, err
		}
		if writes == 0 {
			c.mu.Lock()
			if cur, ok := c.entries[key]; ok && cur.seq < seq {
				cur.seq = seq
				c.entries[key] = cur
			}
			c.mu.Unlock()
			return e.value, nil
		}
	}
	v, err, _ := c.counting.Do(fmt.Sprintf("%s#%d", key, seq), func() (any, error) {
		// The count serves every request waiting on it: it does not stop
		// when the first of them goes away.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		o, err := count(cctx)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if len(c.entries) >= countCacheSize {
			clear(c.entries)
		}
		c.entries[key] = cachedCount[T]{seq: seq, counted: now, value: o}
		c.mu.Unlock()
		return o, nil
	})
	if err != nil {
		return zero, err
	}
	return v.(T), nil
}

// actorKey names what an actor's overview depends on: who they are
// (residents count the events they reported) and the roles they hold where.
func actorKey(actor *auth.Actor) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%t", actor.UserID, actor.System)
	for _, g := range actor.Grants {
		fmt.Fprintf(&b, "|%s@%s", g.Role, g.UnitPath)
	}
	return b.String()
}
