package forum

import "github.com/jmoiron/sqlx"

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
