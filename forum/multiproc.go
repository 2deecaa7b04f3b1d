package forum

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Several kliv processes on one PostgreSQL database. SQLite runs one
// writer at a time (BEGIN IMMEDIATE), so a chore's "select what is due,
// then mark it done" cannot race another; PostgreSQL runs transactions
// side by side. Each chore that claims work therefore (1) marks a row
// with a conditional UPDATE whose rows-affected count says whether this
// run got it (PostgreSQL re-checks the WHERE after waiting on a row
// another transaction holds), and (2) on PostgreSQL selects its batch
// with FOR UPDATE SKIP LOCKED, so a second process takes the next rows
// instead of waiting for, and then skipping, the first one's.

// SkipLocked is the locking clause a claiming SELECT ends with: FOR
// UPDATE [OF table] SKIP LOCKED on PostgreSQL, nothing on SQLite.
func SkipLocked(db *sqlx.DB, of string) string {
	if !IsPG(db) {
		return ""
	}
	if of == "" {
		return " FOR UPDATE SKIP LOCKED"
	}
	return " FOR UPDATE OF " + of + " SKIP LOCKED"
}

// Copies a process keeps of what the database holds, and how each stays
// right when another process changes it:
//
//   - sessions and their CSRF tokens, unread marks, notifications, rate
//     limits (rate_buckets on PostgreSQL): read from the database on each
//     request, nothing kept;
//   - rendered post cards and list rows (cmd/kliv/postcache.go): keyed by
//     a hash of everything they show, read from the database on each
//     view, so another process's edit makes a new key at once;
//   - the site settings (name, descriptions, rules): kept in memory,
//     reloaded when a process changes them (PostgreSQL NOTIFY on
//     ChannelSiteSettings, sent on commit) and once a minute whatever
//     happens (a listener that lost its connection misses nothing for
//     longer).

// ChannelSiteSettings is the NOTIFY channel of site settings changes.
const ChannelSiteSettings = "kliv_site_settings"

// NotifyChanged tells every process listening on channel, when tx
// commits, that what it caches has changed. Nothing on SQLite (one
// process).
func NotifyChanged(ctx context.Context, tx sqlx.ExtContext, channel string) error {
	if !IsPG(tx) {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify(?, '')`, channel); err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}
