package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
)

// The event pages' queries are answered from indexes, like the topic
// page's (TestHotQueriesUseIndexes): no SCAN of a table.
func TestEventQueriesUseIndexes(t *testing.T) {
	a, anna, bea := forumApp(t)
	clock := useTestClock(a)
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	mona := clientFor(t, a, "mona")
	var id int64
	for i := 0; i < 5; i++ {
		id = mustEvent(t, a, anna, map[string]any{"capacity": 2, "region": "Uppsala län"})
		rsvp(t, bea, id, "going")
		rsvp(t, mona, id, "going")
	}
	clock.Add(-30 * 24 * time.Hour) // some events in the past, seen from now
	past := mustEvent(t, a, anna, nil)
	clock.Add(30 * 24 * time.Hour)
	month := clock.Now().Add(7 * 24 * time.Hour).Format("2006-01")
	rec := recordQueries(t, a)
	for _, c := range []*testClient{anna, bea, mona} {
		for _, path := range []string{"/", "/events", "/events?official=1", "/events?online=1&region=Uppsala+l%C3%A4n",
			"/events/archive", "/events?month=" + month, fmt.Sprintf("/t/%d", id), fmt.Sprintf("/t/%d", past),
			fmt.Sprintf("/api/v1/events/%d", id), "/api/v1/events", "/api/v1/events?past=1", fmt.Sprintf("/events/%d.ics", id)} {
			c.get(path).wantStatus(http.StatusOK)
		}
	}
	queries := rec.take()
	checked := 0
	for _, q := range queries {
		if !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), "SELECT") || !strings.Contains(q, "event") {
			continue
		}
		checked++
		var plan []struct {
			ID, Parent, NotUsed int
			Detail              string
		}
		args := make([]any, strings.Count(q, "?"))
		if err := sqlx.Select(a.db, &plan, "EXPLAIN QUERY PLAN "+q, args...); err != nil {
			t.Fatalf("explain %s: %v", q, err)
		}
		// A subquery's result (a co-routine or materialized) is walked
		// whole, and is small by its own LIMIT: that is no table scan.
		sub := map[string]bool{}
		for _, step := range plan {
			for _, p := range []string{"CO-ROUTINE ", "MATERIALIZE "} {
				if name, ok := strings.CutPrefix(step.Detail, p); ok {
					sub[name] = true
				}
			}
		}
		for _, step := range plan {
			if m := scanRE.FindStringSubmatch(step.Detail); m != nil && !sub[m[1]] {
				// The latest-topics list of the home page (see
				// TestHotQueriesUseIndexes).
				if m[4] == "topics_latest" {
					continue
				}
				t.Errorf("a full scan (%s) in\n%s", step.Detail, q)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("only %d event queries checked", checked)
	}
}
