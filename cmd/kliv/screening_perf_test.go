package main

import (
	"context"
	"fmt"
	"kliv/forum/dbtest"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
)

// fillQueue writes n join requests straight into the tables, as a busy
// year would leave them: most decided, a few hundred waiting, some sent
// back, some withdrawn. It returns the moderator's client.
func fillQueue(tb testing.TB, a *app, n int) {
	tb.Helper()
	now := a.store.Now().UTC()
	statuses := []string{"approved", "approved", "approved", "rejected", "withdrawn", "needs_info", "completed", "pending", "pending", "pending"}
	err := forum.InTx(context.Background(), a.db, func(tx *sqlx.Tx) error {
		for i := 0; i < n; i++ {
			st := statuses[i%len(statuses)]
			mst := map[string]string{"approved": "approved", "rejected": "rejected", "withdrawn": "withdrawn"}[st]
			if mst == "" {
				mst = "pending"
			}
			created := now.Add(-time.Duration(n-i) * time.Hour)
			res, err := tx.Exec(`INSERT INTO members (username, email, display_name, password_hash, role, status, created_at)
				VALUES (?, ?, ?, 'x', 'member', ?, ?)`, fmt.Sprintf("sokande%d", i), fmt.Sprintf("sokande%d@kommun.se", i), fmt.Sprintf("Sökande %d", i), mst, created)
			if err != nil {
				return err
			}
			mid, _ := res.LastInsertId()
			var decided any
			if st == "approved" || st == "rejected" || st == "withdrawn" {
				decided = created.Add(30 * time.Hour)
			}
			if _, err := tx.Exec(`INSERT INTO join_requests (member_id, workplace, role_title, staff_responsibility, sector, motivation,
					rules_accepted_at, status, reason, decided_at, created_at, queued_at)
				VALUES (?, 'Mölndals stad', 'Enhetschef', 1, 'municipality', 'Jag vill utbyta erfarenheter med andra.', ?, ?, '', ?, ?, ?)`,
				mid, created, st, decided, created, created); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// The queue's queries, with 10,000 requests in it, are answered from
// indexes: no SCAN of a table but the few rows of the questions and
// reasons an admin keeps.
func TestScreeningQueriesUseIndexes(t *testing.T) {
	dbtest.SkipOnPG(t, "reads SQLite's EXPLAIN QUERY PLAN of the recorded queries")
	a := newTestApp(t)
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	mona := clientFor(t, a, "mona")
	fillQueue(t, a, 10000)
	jr := mustApply(t, a, "bea", "")
	bea := clientFor(t, a, "bea")
	rec := recordQueries(t, a)
	ctx := context.Background()
	for _, path := range []string{"/mod/join-requests", "/mod/join-requests?status=needs_info", "/mod/join-requests?status=approved",
		"/mod/join-requests?status=completed&after=100", fmt.Sprintf("/mod/join-requests/%d", jr.ID), "/api/v1/join-requests?status=pending",
		"/api/v1/join-requests?status=rejected", fmt.Sprintf("/api/v1/join-requests/%d", jr.ID), "/mod/lapsed"} {
		mona.get(path).wantStatus(http.StatusOK)
	}
	bea.get("/").wantStatus(http.StatusOK)
	newTestClient(t, a).get("/join").wantStatus(http.StatusOK)
	for _, job := range []func(context.Context) (int, error){a.mod.AlertWaiting, a.mod.Purge, a.mod.AskConfirmations, a.mod.LapseUnconfirmed} {
		if _, err := job(ctx); err != nil {
			t.Fatal(err)
		}
	}
	queries := rec.take()
	small := map[string]bool{"join_questions": true, "reject_reasons": true}
	explained := 0
	defer func() {
		if explained < 20 {
			t.Errorf("only %d queries explained", explained)
		}
	}()
	for _, q := range queries {
		if !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), "SELECT") || !strings.Contains(q, "join_") && !strings.Contains(q, "members") {
			continue
		}
		var plan []struct {
			ID, Parent, NotUsed int
			Detail              string
		}
		args := make([]any, strings.Count(q, "?"))
		if err := sqlx.Select(a.db, &plan, "EXPLAIN QUERY PLAN "+q, args...); err != nil {
			t.Fatalf("explain %s: %v", q, err)
		}
		explained++
		for _, step := range plan {
			m := scanRE.FindStringSubmatch(step.Detail)
			if m == nil || small[m[1]] {
				continue
			}
			t.Errorf("a full scan (%s) in\n%s", step.Detail, q)
		}
	}
}

// BenchmarkQueuePage is the moderators' queue page with 10,000 requests
// in the database, about 3,000 of them waiting.
func BenchmarkQueuePage(b *testing.B) {
	a := newTestApp(b)
	mustCreateMember(b, a, "mona", forum.RoleModerator, forum.StatusApproved)
	mona := clientFor(b, a, "mona")
	fillQueue(b, a, 10000)
	for _, path := range []string{"/mod/join-requests", "/api/v1/join-requests?status=pending"} {
		b.Run(strings.TrimPrefix(path, "/"), func(b *testing.B) {
			for b.Loop() {
				if r := mona.get(path); r.Code != http.StatusOK {
					b.Fatal(r.Code)
				}
			}
		})
	}
}
