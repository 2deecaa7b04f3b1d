package main

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"kliv/forum"
)

// memberNames is the usernames of the admins' member list API.
func memberNames(t *testing.T, c *testClient, query string) []string {
	t.Helper()
	j := c.api("GET", "/api/v1/admin/members?"+query, nil).wantStatus(http.StatusOK).json()
	out := []string{}
	for _, m := range j["members"].([]any) {
		out = append(out, m.(map[string]any)["username"].(string))
	}
	sort.Strings(out)
	return out
}

func TestAdminMemberList(t *testing.T) {
	a := newTestApp(t)
	clock := useTestClock(a)
	now := clock.Now()
	ada := mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	for _, u := range []string{"anna", "bea", "cia"} {
		mustCreateMember(t, a, u, forum.RoleMember, forum.StatusApproved)
	}
	mustCreateMember(t, a, "dora", forum.RoleMember, forum.StatusSuspended)
	mustApply(t, a, "eva", "")
	set := func(q string, args ...any) {
		t.Helper()
		if _, err := a.db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	day := func(n int) time.Time { return now.AddDate(0, 0, n) }
	set(`UPDATE members SET sector = 'region' WHERE username IN ('anna', 'bea')`)
	set(`UPDATE members SET sector = 'municipality' WHERE username = 'cia'`)
	// anna and cia work in Västra Götaland; cia hides her region.
	set(`UPDATE members SET region = '14' WHERE username IN ('anna', 'cia')`)
	set(`UPDATE members SET show_region = FALSE WHERE username = 'cia'`)
	set(`UPDATE members SET approved_at = ? WHERE username = 'anna'`, day(-100))
	set(`UPDATE members SET approved_at = ? WHERE username = 'bea'`, day(-40))
	set(`UPDATE members SET approved_at = ? WHERE username = 'cia'`, day(-2))
	set(`UPDATE members SET last_seen_at = ? WHERE username = 'anna'`, day(-120))
	set(`UPDATE members SET last_seen_at = ? WHERE username = 'bea'`, day(-20))
	set(`UPDATE members SET last_seen_at = ? WHERE username = 'cia'`, day(-1))

	ad := clientFor(t, a, "ada")
	mod := clientFor(t, a, "mona")
	mod.get("/admin/members").wantStatus(http.StatusForbidden)
	mod.api("GET", "/api/v1/admin/members", nil).wantStatus(http.StatusForbidden)

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"ada", "anna", "bea", "cia", "dora", "eva", "mona"}},
		{"role=moderator", []string{"mona"}},
		{"role=admin", []string{"ada"}},
		{"status=suspended", []string{"dora"}},
		{"status=pending", []string{"eva"}},
		{"sector=region", []string{"anna", "bea"}},
		{"sector=region&role=member&status=approved", []string{"anna", "bea"}},
		{"joined_from=" + day(-50).Format("2006-01-02") + "&joined_to=" + day(-30).Format("2006-01-02"), []string{"bea"}},
		{"joined_to=" + day(-50).Format("2006-01-02"), []string{"anna"}},
		// ada and mona signed in just now (clientFor): seen.
		{"seen=7", []string{"ada", "cia", "mona"}},
		{"seen=30", []string{"ada", "bea", "cia", "mona"}},
		{"seen=90%2B", []string{"anna", "dora", "eva"}},
		{"seen=never", []string{"dora", "eva"}},
		{"q=ANNA", []string{"anna"}},
		{"q=%25", []string{}},
		{"q=example.se&sector=municipality", []string{"cia"}},
		{"region=14", []string{"anna"}},
		{"region=14&sector=municipality", []string{}},
	} {
		if got := memberNames(t, ad, tc.query); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
		}
	}
	for _, bad := range []string{"role=king", "status=x", "sector=moon", "seen=3", "region=99", "joined_from=igår", "joined_to=2025-02-30", "page=0"} {
		ad.api("GET", "/api/v1/admin/members?"+bad, nil).wantStatus(http.StatusBadRequest)
		ad.get("/admin/members?" + bad).wantStatus(http.StatusBadRequest)
	}
	ad.get("/admin/members?joined_from=igår").contains("Skriv datumet som 2025-03-14.", "Gick med från och med")

	// The page: filters kept, rows with role forms that come back here.
	body := ad.get("/admin/members?sector=region").wantStatus(http.StatusOK).contains("2 medlemmar", "Test anna", "Test bea", "Region").lacks("Test cia").Body
	if !strings.Contains(body, `<option value="region" selected>`) {
		t.Error("the sector filter is not kept")
	}
	r := ad.postForm("/admin/roles", url.Values{"username": {"bea"}, "role": {"moderator"}, "next": {"/admin/members?sector=region"}}).
		wantStatus(http.StatusSeeOther)
	if r.location() != "/admin/members?sector=region" {
		t.Errorf("role form goes back to %q", r.location())
	}
	ad.get("/admin/members?sector=region").contains("Rollen är sparad.")
	if got := memberNames(t, ad, "role=moderator"); fmt.Sprint(got) != "[bea mona]" {
		t.Errorf("moderators now %v", got)
	}
	// A next elsewhere stays on the site.
	if loc := ad.postForm("/admin/roles", url.Values{"username": {"bea"}, "role": {"member"}, "next": {"//evil.example"}}).location(); loc != "/" {
		t.Errorf("next to another site: %q", loc)
	}
	// The last admin cannot step down, from the list either.
	ad.postForm("/admin/roles", url.Values{"username": {"ada"}, "role": {"member"}, "next": {"/admin/members"}}).wantStatus(http.StatusConflict)
	if m := member(t, a, "ada"); m.Role != forum.RoleAdmin || m.ID != ada.ID {
		t.Error("the last admin stepped down")
	}

	// Paging: 50 a page, filters kept in the links.
	for i := 0; i < 55; i++ {
		mustCreateMember(t, a, fmt.Sprintf("m%02d", i), forum.RoleMember, forum.StatusApproved)
	}
	body = ad.get("/admin/members?role=member").wantStatus(http.StatusOK).contains("60 medlemmar", "Sida 1 av 2").Body
	if !strings.Contains(body, `href="/admin/members?page=2&amp;role=member"`) {
		t.Error("no link to page 2 with the filter")
	}
	ad.get("/admin/members?role=member&page=2").wantStatus(http.StatusOK).contains("Sida 2 av 2")
	ad.get("/admin/members?role=member&page=3").wantStatus(http.StatusNotFound)
	j := ad.api("GET", "/api/v1/admin/members?role=member", nil).json()
	if len(j["members"].([]any)) != 50 || j["next_page"] != "2" || num(t, j["total"]) != 60 {
		t.Errorf("API page 1: %d members, next %v, total %v", len(j["members"].([]any)), j["next_page"], j["total"])
	}
}

// A page view writes down that she was seen at most once an hour.
func TestLastSeenAtMostHourly(t *testing.T) {
	a := newTestApp(t)
	clock := useTestClock(a)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	c := clientFor(t, a, "anna")
	seen := func() time.Time {
		t.Helper()
		var at *time.Time
		if err := a.db.Get(&at, `SELECT last_seen_at FROM members WHERE username = 'anna'`); err != nil {
			t.Fatal(err)
		}
		if at == nil {
			t.Fatal("never seen")
		}
		return *at
	}
	c.get("/").wantStatus(http.StatusOK)
	first := seen()
	rec := recordQueries(t, a)
	clock.Add(30 * time.Minute)
	c.get("/").wantStatus(http.StatusOK)
	for _, q := range rec.take() {
		if strings.Contains(q, "UPDATE members SET last_seen_at") || strings.Contains(q, "member_weeks") {
			t.Errorf("a view within the hour wrote: %s", q)
		}
	}
	if !seen().Equal(first) {
		t.Error("last_seen_at moved within the hour")
	}
	clock.Add(31 * time.Minute)
	c.get("/").wantStatus(http.StatusOK)
	if got := seen(); !got.After(first) {
		t.Errorf("last_seen_at not moved after an hour: %v", got)
	}
	// Anonymous visitors and applicants write nothing.
	mustApply(t, a, "bea", "")
	b := clientFor(t, a, "bea")
	b.get("/").wantStatus(http.StatusOK)
	if n := countRows(t, a, "member_weeks WHERE member_id = (SELECT id FROM members WHERE username = 'bea')"); n != 0 {
		t.Errorf("an applicant has %d activity rows", n)
	}
}

func TestModeratorDashboard(t *testing.T) {
	a := newTestApp(t)
	clock := useTestClock(a)
	// Wednesday noon, Swedish time.
	start := time.Date(2026, 3, 18, 12, 0, 0, 0, time.UTC)
	clock.Add(start.Sub(clock.Now()))
	mod := mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	anna := mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	bea := mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	cia := mustCreateMember(t, a, "cia", forum.RoleMember, forum.StatusApproved)
	set := func(q string, args ...any) {
		t.Helper()
		if _, err := a.db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	// Approved: mona and anna this week, bea two weeks ago, cia ten weeks ago.
	set(`UPDATE members SET approved_at = ? WHERE id IN (?, ?)`, start.Add(-time.Hour), mod.ID, anna.ID)
	set(`UPDATE members SET approved_at = ? WHERE id = ?`, start.AddDate(0, 0, -14), bea.ID)
	set(`UPDATE members SET approved_at = ? WHERE id = ?`, start.AddDate(0, 0, -70), cia.ID)
	// Waiting: 5 days, 3 hours and 1 hour; one request is waiting for the
	// applicant (needs_info) and does not count.
	for i, age := range []time.Duration{5 * 24 * time.Hour, 3 * time.Hour, time.Hour, 2 * time.Hour} {
		jr := mustApply(t, a, fmt.Sprintf("app%d", i), "")
		set(`UPDATE join_requests SET created_at = ? WHERE id = ?`, start.Add(-age), jr.ID)
		if i == 3 {
			set(`UPDATE join_requests SET status = 'needs_info' WHERE id = ?`, jr.ID)
		}
	}
	// Activity: anna seen this week and three weeks ago; bea posted two
	// weeks ago without being seen (a seeded post); cia seen nine weeks
	// ago (outside the eight weeks).
	ctx := t.Context()
	at := func(d time.Duration, f func()) {
		clock.Add(d)
		f()
		clock.Add(-d)
	}
	at(-21*24*time.Hour, func() {
		if err := a.store.NoteSeen(ctx, anna.ID); err != nil {
			t.Fatal(err)
		}
	})
	at(0, func() {
		if err := a.store.NoteSeen(ctx, anna.ID); err != nil {
			t.Fatal(err)
		}
	})
	at(-63*24*time.Hour, func() {
		if err := a.store.NoteSeen(ctx, cia.ID); err != nil {
			t.Fatal(err)
		}
	})
	var tp *forum.Topic
	at(-14*24*time.Hour, func() { tp = mustTopic(t, a, bea, forum.NewTopic{Title: "Gammalt ämne"}) })
	// Two open reports on bea's post.
	for _, who := range []*forum.Member{anna, cia} {
		if _, err := a.mod.ReportPost(ctx, who, *tp.FirstPostID, "spam", ""); err != nil {
			t.Fatal(err)
		}
	}

	mc := clientFor(t, a, "anna")
	mc.get("/mod").wantStatus(http.StatusForbidden)
	mc.api("GET", "/api/v1/mod/dashboard", nil).wantStatus(http.StatusForbidden)

	c := clientFor(t, a, "mona") // mona is seen now, this week
	j := c.api("GET", "/api/v1/mod/dashboard", nil).wantStatus(http.StatusOK).json()
	if num(t, j["pending_join_requests"]) != 3 || num(t, j["oldest_wait_seconds"]) != 5*24*3600 || num(t, j["median_wait_seconds"]) != 3*3600 {
		t.Errorf("queue: %v", j)
	}
	if num(t, j["open_reports"]) != 1 { // reported posts, as the header counts them
		t.Errorf("open reports: %v, want 1 post", j["open_reports"])
	}
	weeks := j["weeks"].([]any)
	if len(weeks) != 8 {
		t.Fatalf("%d weeks", len(weeks))
	}
	type wk struct{ new, active int64 }
	got := []wk{}
	for _, w := range weeks {
		m := w.(map[string]any)
		got = append(got, wk{num(t, m["new_members"]), num(t, m["active_members"])})
	}
	// Oldest first: weeks -7 … 0.
	want := []wk{{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 1}, {1, 1}, {0, 0}, {2, 2}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("weeks %v, want %v", got, want)
	}
	if ws := weeks[7].(map[string]any)["week_start"]; ws != "2026-03-15T23:00:00Z" {
		t.Errorf("this week starts %v (Monday 00:00 in Stockholm)", ws)
	}
	c.get("/mod").wantStatus(http.StatusOK).contains("Översikt för moderatorer", "Väntande ansökningar", "5 dagar", "3 timmar",
		"v. 12 (från 16 mars)", "Aktiva medlemmar", "Öppna rapporter")
	c.get("/").contains(`href="/mod"`)
	mc.get("/").lacks(`href="/mod"`)
}
