package forum

import (
	"context"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// Read marks are written behind, as Discourse writes its timings: a page
// view records the mark in memory and returns; FlushReads writes what is
// pending in one short transaction, and the server calls it every second
// and on shutdown, so a crash loses at most about a second of marks.
// Everything that reads read state (Unread, UnreadTopics, TopicReading,
// the notifications a view marks read) overlays the pending marks, so a
// member sees her own marks at once. Session extensions ride along: a
// page view never waits for a write in the steady state.

// maxPendingReads bounds the buffer: a view that finds it full flushes
// it first (and so waits for a write, under a burst only).
const maxPendingReads = 20000

// pendingMark is a read mark not yet written.
type pendingMark struct {
	seq int
	at  time.Time
}

// pendingSession is a session extension not yet written.
type pendingSession struct {
	seen, expires time.Time
}

// readBuffer holds the pending marks per member and topic. The zero
// value is ready to use.
type readBuffer struct {
	mu sync.Mutex
	// marks are pending; flushing are being written by FlushReads and
	// count until its transaction commits.
	marks, flushing map[int64]map[int64]pendingMark
	n               int
	sessions        map[int64]pendingSession
	flushingSess    map[int64]pendingSession
	// flush lets one FlushReads run at a time.
	flush sync.Mutex
}

// add records a mark; the mark never moves backwards and the newest
// wins. It reports false when the buffer is full and took nothing.
func (b *readBuffer) add(memberID, topicID int64, seq int, at time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.marks == nil {
		b.marks = map[int64]map[int64]pendingMark{}
	}
	ts := b.marks[memberID]
	if old, ok := ts[topicID]; ok {
		if seq > old.seq {
			ts[topicID] = pendingMark{seq, at}
		}
		return true
	}
	if f, ok := b.flushing[memberID][topicID]; ok && f.seq >= seq {
		return true
	}
	if b.n >= maxPendingReads {
		return false
	}
	if ts == nil {
		ts = map[int64]pendingMark{}
		b.marks[memberID] = ts
	}
	ts[topicID] = pendingMark{seq, at}
	b.n++
	return true
}

// get returns her pending mark for a topic (0: none).
func (b *readBuffer) get(memberID, topicID int64) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(b.marks[memberID][topicID].seq, b.flushing[memberID][topicID].seq)
}

// member returns a copy of her pending marks (nil: none).
func (b *readBuffer) member(memberID int64) map[int64]pendingMark {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.marks[memberID]) == 0 && len(b.flushing[memberID]) == 0 {
		return nil
	}
	out := map[int64]pendingMark{}
	for _, src := range []map[int64]pendingMark{b.flushing[memberID], b.marks[memberID]} {
		for t, m := range src {
			if m.seq > out[t].seq {
				out[t] = m
			}
		}
	}
	return out
}

// overlay raises a read mark read from the database to her pending one.
func (b *readBuffer) overlay(memberID, topicID int64, seq *int) *int {
	p := b.get(memberID, topicID)
	if p > 0 && (seq == nil || p > *seq) {
		return &p
	}
	return seq
}

// touchSession records a session extension, and returns the pending one
// (zero: none).
func (b *readBuffer) session(id int64) pendingSession {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, f := b.sessions[id], b.flushingSess[id]
	if f.seen.After(p.seen) {
		return f
	}
	return p
}

func (b *readBuffer) touchSession(id int64, p pendingSession) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sessions == nil {
		b.sessions = map[int64]pendingSession{}
	}
	if p.seen.After(b.sessions[id].seen) {
		b.sessions[id] = p
	}
}

// take moves the pending marks to flushing and returns them.
func (b *readBuffer) take() (map[int64]map[int64]pendingMark, map[int64]pendingSession) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushing, b.flushingSess = b.marks, b.sessions
	b.marks, b.sessions, b.n = nil, nil, 0
	return b.flushing, b.flushingSess
}

// done ends a flush: written, the marks are forgotten; on a failure they
// go back to pending (merged, monotonic) to be tried again.
func (b *readBuffer) done(ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !ok {
		if b.marks == nil {
			b.marks = map[int64]map[int64]pendingMark{}
		}
		for mid, ts := range b.flushing {
			cur := b.marks[mid]
			if cur == nil {
				cur = map[int64]pendingMark{}
				b.marks[mid] = cur
			}
			for tid, m := range ts {
				if old, had := cur[tid]; !had {
					cur[tid] = m
					b.n++
				} else if m.seq > old.seq {
					cur[tid] = m
				}
			}
		}
		if b.sessions == nil {
			b.sessions = map[int64]pendingSession{}
		}
		for id, p := range b.flushingSess {
			if p.seen.After(b.sessions[id].seen) {
				b.sessions[id] = p
			}
		}
	}
	b.flushing, b.flushingSess = nil, nil
}

// PendingReads is how many read marks wait to be written.
func (s *Store) PendingReads() int {
	s.reads.mu.Lock()
	defer s.reads.mu.Unlock()
	return s.reads.n
}

// FlushReads writes the pending read marks (and the notifications they
// mark read) and session extensions in one transaction, and returns how
// many marks it wrote. On a failure they stay pending.
func (s *Store) FlushReads(ctx context.Context) (int, error) {
	s.reads.flush.Lock()
	defer s.reads.flush.Unlock()
	marks, sessions := s.reads.take()
	if len(marks) == 0 && len(sessions) == 0 {
		s.reads.done(true)
		return 0, nil
	}
	n := 0
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		n = 0
		for mid, ts := range marks {
			for tid, m := range ts {
				changed, err := s.writeMark(ctx, tx, mid, tid, m.seq, m.at)
				if err != nil {
					return err
				}
				if changed {
					if err := s.readPostNotifications(ctx, tx, mid, tid, m.seq, m.at); err != nil {
						return err
					}
				}
				n++
			}
		}
		for id, p := range sessions {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ? AND last_seen_at < ?`,
				p.seen, p.expires, id, p.seen); err != nil {
				return err
			}
		}
		return nil
	})
	s.reads.done(err == nil)
	if err != nil {
		return 0, err
	}
	return n, nil
}

// writeMark moves a read mark forward in the database (never back, never
// past the topic's posts) and reports whether it moved. A topic or member
// deleted meanwhile takes no mark.
func (s *Store) writeMark(ctx context.Context, ext sqlx.ExtContext, memberID, topicID int64, seq int, at time.Time) (bool, error) {
	res, err := ext.ExecContext(ctx, `INSERT INTO topic_reads (member_id, topic_id, last_read_seq, read_at)
		SELECT m.id, t.id, `+s.Dialect().Least("?", "t.post_count")+`, ? FROM topics t JOIN members m ON m.id = ? WHERE t.id = ?
		ON CONFLICT (member_id, topic_id) DO UPDATE SET last_read_seq = excluded.last_read_seq, read_at = excluded.read_at
		WHERE excluded.last_read_seq > topic_reads.last_read_seq`, seq, at, memberID, topicID)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
