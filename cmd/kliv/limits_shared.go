package main

import (
	"context"
	"time"

	"kliv/forum"
)

// Rate limits across processes. One process on SQLite counts in memory
// (limiter's buckets). Several processes on one PostgreSQL database
// count in the database's rate_buckets table (forum.TakeRateToken), one
// row per limit and key, so a member or an address gets the same budget
// whichever process answers: each limiter is given a name and takes its
// tokens there. Should the database not answer the take, the limiter
// falls back to its in-memory bucket for that request (a limit per
// process still slows a guesser down) rather than failing the request.

// sharedTakeTimeout bounds one take; a limit must not hold a page up.
const sharedTakeTimeout = 2 * time.Second

// shareLimits moves every limiter's buckets into the database when it
// is PostgreSQL.
func (a *app) shareLimits() {
	if !forum.IsPG(a.db) {
		return
	}
	for name, l := range map[string]*limiter{
		"login_ip":       a.loginIP,
		"login_account":  a.loginAccount,
		"join_ip":        a.joinIP,
		"reset_ip":       a.resetIP,
		"report_member":  a.reportMember,
		"report_ip":      a.reportIP,
		"message_member": a.messageMember,
		"message_ip":     a.messageIP,
		"topics_member":  a.limits.topics.member,
		"topics_ip":      a.limits.topics.ip,
		"replies_member": a.limits.replies.member,
		"replies_ip":     a.limits.replies.ip,
		"edits_member":   a.limits.edits.member,
		"edits_ip":       a.limits.edits.ip,
	} {
		if l == nil {
			continue
		}
		name, l := name, l
		l.shared = func(key string) (bool, time.Duration, error) {
			ctx, cancel := context.WithTimeout(context.Background(), sharedTakeTimeout)
			defer cancel()
			return forum.TakeRateToken(ctx, a.db, name, key, l.rate, l.burst, l.now())
		}
	}
}

// pruneRateBuckets deletes the shared buckets untouched for a day (every
// limit is full again long before); nothing to do on SQLite.
func (a *app) pruneRateBuckets(ctx context.Context) (int, error) {
	if !forum.IsPG(a.db) {
		return 0, nil
	}
	n, err := forum.PruneRateBuckets(ctx, a.db, a.store.Now().Add(-24*time.Hour))
	return int(n), err
}
