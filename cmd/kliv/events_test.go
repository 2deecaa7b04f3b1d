package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"

	"kliv/forum"
	"kliv/forum/ical"
)

// eventTimes are a start and end days ahead of the clock, in RFC 3339.
func eventTimes(now time.Time, days int) (string, string) {
	s := now.Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Hour)
	return s.Format(time.RFC3339), s.Add(3 * time.Hour).Format(time.RFC3339)
}

// mustEvent creates an event through the API as c and returns its id.
func mustEvent(t testing.TB, a *app, c *testClient, fields map[string]any) int64 {
	t.Helper()
	start, end := eventTimes(a.store.Now(), 7)
	body := map[string]any{"title": "Nätverksträff", "body": "Föreläsning och mingel.", "starts_at": start, "ends_at": end,
		"location": "Kulturhuset, Stockholm"}
	for k, v := range fields {
		body[k] = v
	}
	r := c.api("POST", "/api/v1/events", body).wantStatus(http.StatusCreated)
	j := r.json()
	if j["url"] != fmt.Sprintf("/t/%d", num(t, j["id"])) || j["topic_id"] != j["id"] {
		t.Fatalf("create answer: %v", j)
	}
	return num(t, j["id"])
}

func eventJSONOf(t testing.TB, c *testClient, id int64) map[string]any {
	t.Helper()
	return c.api("GET", fmt.Sprintf("/api/v1/events/%d", id), nil).wantStatus(http.StatusOK).json()["event"].(map[string]any)
}

func rsvp(t testing.TB, c *testClient, id int64, status string) string {
	t.Helper()
	r := c.api("POST", fmt.Sprintf("/api/v1/events/%d/rsvp", id), map[string]string{"status": status}).wantStatus(http.StatusOK)
	s, _ := r.json()["status"].(string)
	return s
}

func TestEventCreateAndRead(t *testing.T) {
	a, anna, bea := forumApp(t)
	id := mustEvent(t, a, anna, map[string]any{"capacity": 40, "online_url": "https://Zoom.example/j/123?utm_source=x", "region": "Stockholms län"})
	e := eventJSONOf(t, bea, id)
	for k, want := range map[string]any{"title": "Nätverksträff", "location": "Kulturhuset, Stockholm", "online_url": "https://zoom.example/j/123",
		"region": "Stockholms län", "capacity": float64(40), "going": float64(1), "waitlisted": float64(0), "official": false,
		"cancelled": false, "time_zone": "Europe/Stockholm", "category": "traffar", "author": "anna"} {
		if e[k] != want {
			t.Errorf("event %s = %#v, want %#v", k, e[k], want)
		}
	}
	wantRFC3339(t, "starts_at", e["starts_at"])
	wantRFC3339(t, "ends_at", e["ends_at"])
	if e["my_status"] != nil {
		t.Errorf("bea has no sign-up yet: %v", e["my_status"])
	}
	if eventJSONOf(t, anna, id)["my_status"] != "going" {
		t.Error("the organiser is not going to her own event")
	}
	// The topic page shows the event's block; it is a topic of kind event.
	page := bea.get(fmt.Sprintf("/t/%d", id)).wantStatus(http.StatusOK)
	page.contains("Kulturhuset, Stockholm", "Jag kommer", "(svensk tid)", "av 40 platser", `action="/events/`+fmt.Sprint(id)+`/rsvp"`, "Träff")
	if !strings.Contains(page.Body, "CET") && !strings.Contains(page.Body, "CEST") {
		t.Error("the time zone is not named")
	}
	// In English.
	bea.Lang = "en"
	bea.get(fmt.Sprintf("/t/%d", id)).wantStatus(http.StatusOK).contains("(Swedish time)", "Are you going?", "of 40 seats").lacks("events.block", "events.rsvp", "events.my")
	bea.get("/events").wantStatus(http.StatusOK).contains("Upcoming", "Network meetings only").lacks("events.filter", "events.feed", "events.nav")
	bea.Lang = ""
	tj := bea.api("GET", fmt.Sprintf("/api/v1/topics/%d", id), nil).wantStatus(http.StatusOK).json()
	if tj["topic"].(map[string]any)["kind"] != "event" {
		t.Errorf("topic kind: %v", tj["topic"])
	}
	// The discussion is the topic's replies.
	bea.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", id), map[string]any{"body": "Ser fram emot det!"}).wantStatus(http.StatusCreated)
	bea.get(fmt.Sprintf("/t/%d", id)).contains("Ser fram emot det!")
	// The form too, without JavaScript.
	bea.get("/events/new").wantStatus(http.StatusOK).contains(`name="starts_at"`, `type="datetime-local"`, "Stockholms län")
	start := a.store.Now().Add(10 * 24 * time.Hour).In(ical.Stockholm)
	r := bea.postForm("/events/new", url.Values{"title": {"Fika i Mölndal"}, "body": {"Vi ses!"}, "category_id": {"9"},
		"starts_at": {start.Format("2006-01-02T15:04")}, "ends_at": {start.Add(time.Hour).Format("2006-01-02T15:04")},
		"location": {"Konditoriet"}, "capacity": {""}, "region": {"Västra Götalands län"}})
	r.wantStatus(http.StatusSeeOther)
	bea.get(r.location()).wantStatus(http.StatusOK).contains("Fika i Mölndal", "Konditoriet", "Västra Götalands län", "Träffen är publicerad")
}

func TestEventBadInput(t *testing.T) {
	a, anna, _ := forumApp(t)
	now := a.store.Now()
	start, end := eventTimes(now, 3)
	base := func(kv ...any) map[string]any {
		m := map[string]any{"title": "Träff", "body": "Text", "starts_at": start, "ends_at": end, "location": "Här"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	past := now.Add(-time.Hour).Format(time.RFC3339)
	cases := []struct {
		name  string
		body  map[string]any
		field string
		sv    string
	}{
		{"end before start", base("ends_at", start), "ends_at", "Slutet måste komma efter starten"},
		{"end much before start", base("ends_at", past), "ends_at", "Slutet måste komma efter starten"},
		{"capacity zero", base("capacity", 0), "capacity", "minst 1"},
		{"capacity negative", base("capacity", -5), "capacity", "minst 1"},
		{"capacity fraction", base("capacity", 2.5), "capacity", "heltal"},
		{"in the past", base("starts_at", past, "ends_at", end), "starts_at", "redan passerat"},
		{"bad link", base("online_url", "javascript:alert(1)"), "online_url", "https://"},
		{"ftp link", base("online_url", "ftp://example.se/x"), "online_url", "https://"},
		{"no place", base("location", ""), "location", "plats"},
		{"bad time", base("starts_at", "i morgon"), "starts_at", "2026-12-10 18:00"},
		{"bad region", base("region", "Narnia"), "region", ""},
		{"unknown organiser", base("organisers", []string{"nobody"}), "organisers", "nobody"},
		{"too long", base("ends_at", now.Add(30*24*time.Hour).Format(time.RFC3339)), "ends_at", "14 dagar"},
	}
	before := countRows(t, a, "topics")
	for _, c := range cases {
		r := anna.api("POST", "/api/v1/events", c.body).wantStatus(http.StatusBadRequest)
		j := r.json()
		fields, _ := j["fields"].(map[string]any)
		if _, ok := fields[c.field]; !ok {
			t.Errorf("%s: no error on %s: %s", c.name, c.field, r.Body)
		}
		if !strings.Contains(r.Body, c.sv) {
			t.Errorf("%s: message lacks %q: %s", c.name, c.sv, r.Body)
		}
	}
	// In English too.
	anna.Lang = "en"
	anna.api("POST", "/api/v1/events", base("capacity", 0)).wantStatus(http.StatusBadRequest).contains("at least 1")
	anna.Lang = ""
	// Nothing half-written.
	if n := countRows(t, a, "topics"); n != before {
		t.Errorf("topics %d → %d after refused events", before, n)
	}
	if n := countRows(t, a, "events"); n != 0 {
		t.Errorf("%d event rows after refused events", n)
	}
	// Only moderators mark official network meetings.
	anna.api("POST", "/api/v1/events", base("official", true)).wantStatus(http.StatusForbidden)
	// The form shows errors next to the fields and keeps what was typed.
	r := anna.postForm("/events/new", url.Values{"title": {"Min träff"}, "body": {"x"}, "starts_at": {"2020-01-01T10:00"},
		"ends_at": {"2020-01-01T09:00"}, "location": {"Lokalen"}, "capacity": {"0"}})
	r.wantStatus(http.StatusBadRequest).contains("error-summary", "redan passerat", "minst 1", `value="Min träff"`, `value="Lokalen"`)
}

func TestEventRSVPAndWaitlist(t *testing.T) {
	a, anna, bea := forumApp(t)
	mustCreateMember(t, a, "cara", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "dora", forum.RoleMember, forum.StatusApproved)
	cara, dora := clientFor(t, a, "cara"), clientFor(t, a, "dora")
	id := mustEvent(t, a, anna, map[string]any{"capacity": 2}) // anna takes one seat
	if got := rsvp(t, bea, id, "going"); got != "going" {
		t.Fatalf("bea: %s", got)
	}
	if got := rsvp(t, cara, id, "going"); got != "waitlisted" {
		t.Fatalf("cara past the capacity: %s", got)
	}
	if got := rsvp(t, dora, id, "going"); got != "waitlisted" {
		t.Fatalf("dora: %s", got)
	}
	e := eventJSONOf(t, cara, id)
	if e["going"] != float64(2) || e["waitlisted"] != float64(2) || e["waitlist_position"] != float64(1) || e["my_status"] != "waitlisted" {
		t.Fatalf("after sign-ups: %v", e)
	}
	if eventJSONOf(t, dora, id)["waitlist_position"] != float64(2) {
		t.Error("dora is not second in line")
	}
	// Going again changes nothing; the waiting list keeps its order.
	if got := rsvp(t, cara, id, "going"); got != "waitlisted" {
		t.Errorf("cara again: %s", got)
	}
	cara.get(fmt.Sprintf("/t/%d", id)).contains("Du står på väntelistan, plats 1.", "Väntelista", "Test cara")
	// Bea cancels: cara moves up by herself and is told.
	if got := rsvp(t, bea, id, "not_going"); got != "not_going" {
		t.Fatalf("bea cancels: %s", got)
	}
	e = eventJSONOf(t, cara, id)
	if e["my_status"] != "going" || e["going"] != float64(2) || e["waitlisted"] != float64(1) {
		t.Fatalf("after bea cancelled: %v", e)
	}
	ns := cara.api("GET", "/api/v1/notifications", nil).wantStatus(http.StatusOK).json()["notifications"].([]any)
	if len(ns) == 0 || ns[0].(map[string]any)["kind"] != "event" || num(t, ns[0].(map[string]any)["topic_id"]) != id {
		t.Fatalf("cara was not told: %v", ns)
	}
	cara.get("/notifications").contains("Du har fått en plats på ”Nätverksträff”")
	var mails int
	if err := a.db.Get(&mails, `SELECT COUNT(*) FROM outbox WHERE to_addr = 'cara@example.se' AND kind = 'notification.event'`); err != nil || mails != 1 {
		t.Errorf("cara's mail: %d %v", mails, err)
	}
	// A form sign-up works without JavaScript and shows at once (the
	// event block is not a cached card).
	bea.get(fmt.Sprintf("/t/%d", id)).contains("Ställ mig på väntelistan")
	r := bea.postForm(fmt.Sprintf("/events/%d/rsvp", id), url.Values{"status": {"going"}}).wantStatus(http.StatusSeeOther)
	loc, _, _ := strings.Cut(r.location(), "#")
	bea.get(loc).contains("du står på väntelistan", "Du står på väntelistan, plats 2.")
	bea.postForm(fmt.Sprintf("/events/%d/rsvp", id), url.Values{"status": {"maybe"}}).wantStatus(http.StatusSeeOther)
	bea.get(fmt.Sprintf("/t/%d", id)).contains("Du har svarat kanske.")
	// Bad status.
	bea.api("POST", fmt.Sprintf("/api/v1/events/%d/rsvp", id), map[string]string{"status": "waitlisted"}).wantStatus(http.StatusBadRequest)
	bea.api("POST", "/api/v1/events/99999/rsvp", map[string]string{"status": "going"}).wantStatus(http.StatusNotFound)
	// Members see the attendee list.
	at := dora.api("GET", fmt.Sprintf("/api/v1/events/%d/attendees", id), nil).wantStatus(http.StatusOK).json()["attendees"].([]any)
	if len(at) != 4 || at[0].(map[string]any)["username"] != "anna" || at[2].(map[string]any)["status"] != "waitlisted" {
		t.Errorf("attendees: %v", at)
	}
	dora.get(fmt.Sprintf("/events/%d/attendees", id)).wantStatus(http.StatusOK).contains("Test anna", "Test cara", "Test dora")
}

func TestEventCapacityRaisedMovesListUp(t *testing.T) {
	a, anna, bea := forumApp(t)
	id := mustEvent(t, a, anna, map[string]any{"capacity": 1})
	if got := rsvp(t, bea, id, "going"); got != "waitlisted" {
		t.Fatalf("bea: %s", got)
	}
	r := anna.api("PATCH", fmt.Sprintf("/api/v1/events/%d", id), map[string]any{"capacity": 5}).wantStatus(http.StatusOK)
	if eventJSONOf(t, bea, id)["my_status"] != "going" {
		t.Fatalf("bea did not move up: %s", r.Body)
	}
	anna.api("PATCH", fmt.Sprintf("/api/v1/events/%d", id), map[string]any{"capacity": nil}).wantStatus(http.StatusOK)
	if eventJSONOf(t, bea, id)["capacity"] != nil {
		t.Error("capacity null does not lift the limit")
	}
}

// TestEventLastSeatRace: many members take the last seat at the same
// moment; exactly one gets it, the others are on the waiting list.
func TestEventLastSeatRace(t *testing.T) {
	a, anna, _ := forumApp(t)
	id := mustEvent(t, a, anna, map[string]any{"capacity": 2}) // one seat left
	const n = 12
	clients := make([]*testClient, n)
	for i := range clients {
		name := fmt.Sprintf("racer%02d", i)
		mustCreateMember(t, a, name, forum.RoleMember, forum.StatusApproved)
		tok, err := a.store.CreateAPIToken(context.Background(), member(t, a, name).ID, "race")
		if err != nil {
			t.Fatal(err)
		}
		clients[i] = newTestClient(t, a)
		clients[i].Bearer = tok
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	results := make([]string, n)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := clients[i].api("POST", fmt.Sprintf("/api/v1/events/%d/rsvp", id), map[string]string{"status": "going"})
			if r.Code == http.StatusOK {
				results[i], _ = r.json()["status"].(string)
			} else {
				results[i] = fmt.Sprint(r.Code)
			}
		}()
	}
	close(start)
	wg.Wait()
	counts := map[string]int{}
	for _, s := range results {
		counts[s]++
	}
	if counts["going"] != 1 || counts["waitlisted"] != n-1 {
		t.Fatalf("results %v, want exactly one going", counts)
	}
	var going int
	if err := a.db.Get(&going, `SELECT COUNT(*) FROM event_rsvps WHERE topic_id = ? AND status = 'going'`, id); err != nil || going != 2 {
		t.Fatalf("%d going in the database (%v), want 2", going, err)
	}
}

func TestEventEditCancelAndNotices(t *testing.T) {
	a, anna, bea := forumApp(t)
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	mona := clientFor(t, a, "mona")
	id := mustEvent(t, a, anna, nil)
	rsvp(t, bea, id, "going")
	ics := func() string { return bea.get(fmt.Sprintf("/events/%d.ics", id)).wantStatus(http.StatusOK).Body }
	if !strings.Contains(ics(), "SEQUENCE:0\r\n") {
		t.Fatal("a new event is not SEQUENCE:0")
	}
	// Only organisers (and moderators) edit.
	bea.api("PATCH", fmt.Sprintf("/api/v1/events/%d", id), map[string]any{"location": "Hemma hos mig"}).wantStatus(http.StatusForbidden)
	bea.get(fmt.Sprintf("/events/%d/edit", id)).wantStatus(http.StatusForbidden)
	r := anna.api("PATCH", fmt.Sprintf("/api/v1/events/%d", id), map[string]any{"location": "Stadsbiblioteket, Göteborg", "ends_at": "2000-01-01T00:00:00Z"})
	r.wantStatus(http.StatusBadRequest).contains("Slutet måste komma efter starten")
	r = anna.api("PATCH", fmt.Sprintf("/api/v1/events/%d", id), map[string]any{"location": "Stadsbiblioteket, Göteborg"}).wantStatus(http.StatusOK)
	if ch := r.json()["changed"].([]any); len(ch) != 1 || ch[0] != "location" {
		t.Errorf("changed: %v", ch)
	}
	if !strings.Contains(ics(), "SEQUENCE:1\r\n") {
		t.Error("an edit did not raise SEQUENCE")
	}
	bea.get("/notifications").contains("”Nätverksträff” har ändrats")
	var body string
	if err := a.db.Get(&body, `SELECT body FROM outbox WHERE to_addr = 'bea@example.se' AND kind = 'notification.event' ORDER BY id DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "Ändrat: platsen.") || !strings.Contains(body, "Var: Stadsbiblioteket, Göteborg") {
		t.Errorf("change mail:\n%s", body)
	}
	// The edit form works without JavaScript.
	anna.get(fmt.Sprintf("/events/%d/edit", id)).wantStatus(http.StatusOK).contains("Stadsbiblioteket, Göteborg")
	f := url.Values{"title": {"Nätverksträff i Göteborg"}, "starts_at": {""}, "ends_at": {""}, "location": {"Stadsbiblioteket, Göteborg"}}
	anna.postForm(fmt.Sprintf("/events/%d/edit", id), f).wantStatus(http.StatusBadRequest).contains("error-summary")
	e := eventJSONOf(t, anna, id)
	st, _ := time.Parse(time.RFC3339, e["starts_at"].(string))
	en, _ := time.Parse(time.RFC3339, e["ends_at"].(string))
	f.Set("starts_at", st.In(ical.Stockholm).Format("2006-01-02T15:04"))
	f.Set("ends_at", en.In(ical.Stockholm).Format("2006-01-02T15:04"))
	anna.postForm(fmt.Sprintf("/events/%d/edit", id), f).wantStatus(http.StatusSeeOther)
	if eventJSONOf(t, bea, id)["title"] != "Nätverksträff i Göteborg" {
		t.Error("form edit not saved")
	}
	// Moderators mark official network meetings; members cannot.
	anna.api("PATCH", fmt.Sprintf("/api/v1/events/%d", id), map[string]any{"official": true}).wantStatus(http.StatusForbidden)
	mona.api("POST", fmt.Sprintf("/api/v1/events/%d/official", id), map[string]any{}).wantStatus(http.StatusNoContent)
	if eventJSONOf(t, bea, id)["official"] != true {
		t.Error("not official")
	}
	bea.get("/events?official=1").contains("Nätverksträff i Göteborg", "Nätverksträff")
	// Cancelling tells those going; sign-up is then refused.
	bea.api("POST", fmt.Sprintf("/api/v1/events/%d/cancel", id), map[string]any{}).wantStatus(http.StatusForbidden)
	anna.api("POST", fmt.Sprintf("/api/v1/events/%d/cancel", id), map[string]any{"reason": "Föreläsaren är sjuk."}).wantStatus(http.StatusOK)
	bea.get("/notifications").contains("”Nätverksträff i Göteborg” är inställd")
	if err := a.db.Get(&body, `SELECT body FROM outbox WHERE to_addr = 'bea@example.se' AND kind = 'notification.event' ORDER BY id DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "Föreläsaren är sjuk.") {
		t.Errorf("cancel mail lacks the reason:\n%s", body)
	}
	out := ics()
	if !strings.Contains(out, "STATUS:CANCELLED\r\n") || strings.Contains(out, "SEQUENCE:1\r\n") {
		t.Errorf("cancelled calendar:\n%s", out)
	}
	r = bea.api("POST", fmt.Sprintf("/api/v1/events/%d/rsvp", id), map[string]string{"status": "going"}).wantStatus(http.StatusConflict)
	r.contains("inställd")
	anna.api("POST", fmt.Sprintf("/api/v1/events/%d/cancel", id), map[string]any{}).wantStatus(http.StatusConflict)
	anna.api("PATCH", fmt.Sprintf("/api/v1/events/%d", id), map[string]any{"location": "x"}).wantStatus(http.StatusConflict)
	bea.get(fmt.Sprintf("/t/%d", id)).contains("Träffen är inställd.").lacks("Jag kommer inte")
}

func TestEventPastAndArchive(t *testing.T) {
	a, anna, bea := forumApp(t)
	clock := useTestClock(a)
	id := mustEvent(t, a, anna, map[string]any{"title": "Vårträffen"})
	other := mustEvent(t, a, anna, map[string]any{"title": "Höstträffen", "online_url": "https://meet.example/abc", "location": "",
		"region": "Skåne län", "starts_at": clock.Now().Add(60 * 24 * time.Hour).Format(time.RFC3339), "ends_at": clock.Now().Add(60*24*time.Hour + time.Hour).Format(time.RFC3339)})
	list := bea.api("GET", "/api/v1/events?limit=1", nil).wantStatus(http.StatusOK).json()
	evs := list["events"].([]any)
	if len(evs) != 1 || num(t, evs[0].(map[string]any)["id"]) != id || list["next_page"] == nil {
		t.Fatalf("first page: %v", list)
	}
	list = bea.api("GET", "/api/v1/events?limit=1&page="+url.QueryEscape(list["next_page"].(string)), nil).wantStatus(http.StatusOK).json()
	if evs := list["events"].([]any); len(evs) != 1 || num(t, evs[0].(map[string]any)["id"]) != other || list["next_page"] != nil {
		t.Fatalf("second page: %v", list)
	}
	if evs := bea.api("GET", "/api/v1/events?online=1", nil).json()["events"].([]any); len(evs) != 1 {
		t.Errorf("online filter: %v", evs)
	}
	if evs := bea.api("GET", "/api/v1/events?region="+url.QueryEscape("Skåne län"), nil).json()["events"].([]any); len(evs) != 1 {
		t.Errorf("region filter: %v", evs)
	}
	bea.api("GET", "/api/v1/events?region=Narnia", nil).wantStatus(http.StatusBadRequest)
	bea.api("GET", "/api/v1/events?page=garbage", nil).wantStatus(http.StatusBadRequest)
	bea.api("GET", "/api/v1/events?month=2026-13", nil).wantStatus(http.StatusBadRequest)
	bea.get("/events").wantStatus(http.StatusOK).contains("Vårträffen", "Höstträffen", "Digitalt", "/feeds/events.ics?token=")
	bea.get("/events?online=1").lacks("Vårträffen")
	bea.get("/").contains("Kommande träffar", "Vårträffen")
	month := clock.Now().Add(7 * 24 * time.Hour).In(ical.Stockholm).Format("2006-01")
	bea.get("/events?month="+month).wantStatus(http.StatusOK).contains(`class="month"`, "Vårträffen")
	// A week later the first is over: refused for sign-up, in the archive.
	clock.Add(8 * 24 * time.Hour)
	r := bea.api("POST", fmt.Sprintf("/api/v1/events/%d/rsvp", id), map[string]string{"status": "going"}).wantStatus(http.StatusConflict)
	r.contains("redan börjat")
	bea.get("/events").lacks("Vårträffen")
	bea.get("/events/archive").wantStatus(http.StatusOK).contains("Vårträffen").lacks("Höstträffen")
	bea.get(fmt.Sprintf("/t/%d", id)).wantStatus(http.StatusOK).contains("Träffen är över.")
	past := bea.api("GET", "/api/v1/events?past=1", nil).json()["events"].([]any)
	if len(past) != 1 || past[0].(map[string]any)["past"] != true {
		t.Errorf("archive: %v", past)
	}
	// Editing a past event's start is refused.
	anna.api("PATCH", fmt.Sprintf("/api/v1/events/%d", id), map[string]any{"starts_at": clock.Now().Add(-time.Hour).Format(time.RFC3339)}).wantStatus(http.StatusBadRequest)
}

func TestEventOrganiserTools(t *testing.T) {
	a, anna, bea := forumApp(t)
	mustCreateMember(t, a, "cara", forum.RoleMember, forum.StatusApproved)
	cara := clientFor(t, a, "cara")
	if _, err := a.db.Exec(`UPDATE members SET workplace = '=HYPERLINK("x")', role_title = 'Enhetschef, äldreomsorg' WHERE username = 'bea'`); err != nil {
		t.Fatal(err)
	}
	id := mustEvent(t, a, anna, map[string]any{"organisers": []string{"cara"}})
	rsvp(t, bea, id, "going")
	// Co-organiser cara exports and messages; bea may not.
	bea.get(fmt.Sprintf("/events/%d/attendees.csv", id)).wantStatus(http.StatusForbidden)
	r := cara.get(fmt.Sprintf("/events/%d/attendees.csv", id)).wantStatus(http.StatusOK)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "Namn" || rows[0][1] != "Organisation" || rows[0][2] != "Roll" {
		t.Fatalf("csv: %v", rows)
	}
	if rows[2][0] != "Test bea" || rows[2][1] != `'=HYPERLINK("x")` || rows[2][2] != "Enhetschef, äldreomsorg" {
		t.Errorf("bea's row: %v", rows[2])
	}
	bea.api("POST", fmt.Sprintf("/api/v1/events/%d/message", id), map[string]any{"message": "Hej"}).wantStatus(http.StatusForbidden)
	cara.api("POST", fmt.Sprintf("/api/v1/events/%d/message", id), map[string]any{"message": ""}).wantStatus(http.StatusBadRequest)
	j := cara.api("POST", fmt.Sprintf("/api/v1/events/%d/message", id), map[string]any{"message": "Ta med innetofflor!"}).wantStatus(http.StatusOK).json()
	if j["sent"] != float64(2) {
		t.Errorf("sent: %v", j)
	}
	bea.get("/notifications").contains("Meddelande från arrangörerna av ”Nätverksträff”")
	var body string
	if err := a.db.Get(&body, `SELECT body FROM outbox WHERE to_addr = 'bea@example.se' AND kind = 'notification.event' ORDER BY id DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "Ta med innetofflor!") {
		t.Errorf("message mail:\n%s", body)
	}
	// The page form.
	cara.get(fmt.Sprintf("/events/%d/message", id)).wantStatus(http.StatusOK)
	cara.postForm(fmt.Sprintf("/events/%d/message", id), url.Values{"message": {""}}).wantStatus(http.StatusBadRequest).contains("error-summary")
	cara.postForm(fmt.Sprintf("/events/%d/message", id), url.Values{"message": {"Parkering finns."}}).wantStatus(http.StatusSeeOther)
	// The block shows the organisers' tools only to them.
	cara.get(fmt.Sprintf("/t/%d", id)).contains("Ladda ner deltagarlistan", "Test cara")
	bea.get(fmt.Sprintf("/t/%d", id)).lacks("Ladda ner deltagarlistan")
}

func TestEventReminders(t *testing.T) {
	a, anna, bea := forumApp(t)
	clock := useTestClock(a)
	id := mustEvent(t, a, anna, nil) // a week ahead
	rsvp(t, bea, id, "going")
	ctx := context.Background()
	if n, err := a.store.SendEventReminders(ctx); err != nil || n != 0 {
		t.Fatalf("a week ahead: %d %v", n, err)
	}
	clock.Add(6*24*time.Hour + time.Hour) // under a day to go
	// Several processes at once: every sign-up reminded once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := a.store.SendEventReminders(ctx)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	a.chores(ctx)
	if total != 2 {
		t.Fatalf("%d reminders, want 2 (anna and bea)", total)
	}
	var notes, mails int
	a.db.Get(&notes, `SELECT COUNT(*) FROM notifications WHERE kind = 'event' AND topic_id = ?`, id)
	a.db.Get(&mails, `SELECT COUNT(*) FROM outbox WHERE kind = 'notification.event'`)
	if notes != 2 || mails != 2 {
		t.Errorf("notifications %d, mails %d; want 2 each", notes, mails)
	}
	bea.get("/notifications").contains("Påminnelse: ”Nätverksträff” är i morgon")
	// The mail follows her preference: with "never" there is a
	// notification and no mail.
	id2 := mustEvent(t, a, anna, map[string]any{"title": "Andra träffen"})
	bea.api("PUT", "/api/v1/me/mail-prefs", map[string]string{"event": "never"}).wantStatus(http.StatusOK)
	rsvp(t, bea, id2, "going")
	clock.Add(6*24*time.Hour + time.Hour)
	if _, err := a.store.SendEventReminders(ctx); err != nil {
		t.Fatal(err)
	}
	a.db.Get(&mails, `SELECT COUNT(*) FROM outbox WHERE kind = 'notification.event' AND to_addr = 'bea@example.se'`)
	a.db.Get(&notes, `SELECT COUNT(*) FROM notifications WHERE kind = 'event' AND topic_id = ?`, id2)
	if mails != 1 || notes != 2 {
		t.Errorf("with mail off: bea's mails %d (want 1, the first), notifications %d (want 2)", mails, notes)
	}
}

// parseICS checks RFC 5545's line rules on an answer and parses it with
// a real iCalendar parser.
func parseICS(t *testing.T, body string) *goical.Calendar {
	t.Helper()
	if !strings.HasSuffix(body, "\r\n") {
		t.Fatal("calendar does not end with CRLF")
	}
	for i, l := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") || len(l) > 75 || !utf8.ValidString(l) {
			t.Fatalf("line %d breaks RFC 5545 (%d octets): %q", i, len(l), l)
		}
	}
	cal, err := goical.NewDecoder(bytes.NewReader([]byte(body))).Decode()
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, body)
	}
	return cal
}

func TestEventICS(t *testing.T) {
	a, anna, bea := forumApp(t)
	long := strings.Repeat("Föreläsning om tillitsbaserad styrning, mingel; fika \\ och samtal. ", 5)
	id := mustEvent(t, a, anna, map[string]any{"title": "Träff, med; specialtecken \\ och åäö", "body": long + "\n\nVälkomna!",
		"online_url": "https://teams.example/l/meetup?id=1"})
	r := bea.get(fmt.Sprintf("/events/%d.ics", id)).wantStatus(http.StatusOK)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") {
		t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
	body := r.Body
	cal := parseICS(t, body)
	for _, want := range []string{"BEGIN:VTIMEZONE\r\nTZID:Europe/Stockholm", "DTSTART;TZID=Europe/Stockholm:", "DTEND;TZID=Europe/Stockholm:",
		"UID:event-" + fmt.Sprint(id) + "@kliv.test\r\n", "DTSTAMP:", "SEQUENCE:0", `SUMMARY:Träff\, med\; specialtecken \\ och åäö`} {
		if !strings.Contains(body, want) {
			t.Errorf("calendar lacks %q:\n%s", want, body)
		}
	}
	if !strings.Contains(body, "\r\n ") {
		t.Error("the long description was not folded")
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	ev := evs[0]
	if s, _ := ev.Props.Text(goical.PropSummary); s != "Träff, med; specialtecken \\ och åäö" {
		t.Errorf("summary %q", s)
	}
	desc, _ := ev.Props.Text(goical.PropDescription)
	if !strings.Contains(desc, strings.TrimSpace(long)) || !strings.Contains(desc, "\n") || !strings.Contains(desc, "https://teams.example/l/meetup?id=1") {
		t.Errorf("description %q", desc)
	}
	start, err := ev.DateTimeStart(nil)
	if err != nil {
		t.Fatal(err)
	}
	j := eventJSONOf(t, bea, id)
	want, _ := time.Parse(time.RFC3339, j["starts_at"].(string))
	if !start.Equal(want) {
		t.Errorf("start %v, want %v", start, want)
	}
	// The UID is stable across edits; the same file twice is the same.
	uid, _ := ev.Props.Text(goical.PropUID)
	if again := bea.get(fmt.Sprintf("/events/%d.ics", id)).Body; again != body {
		t.Error("two reads differ")
	}
	anna.api("PATCH", fmt.Sprintf("/api/v1/events/%d", id), map[string]any{"title": "Ny rubrik"}).wantStatus(http.StatusOK)
	ev = parseICS(t, bea.get(fmt.Sprintf("/events/%d.ics", id)).Body).Events()[0]
	if u, _ := ev.Props.Text(goical.PropUID); u != uid {
		t.Errorf("UID changed: %q → %q", uid, u)
	}
	if p := ev.Props.Get(goical.PropSequence); p == nil || p.Value != "1" {
		t.Errorf("sequence after edit: %+v", p)
	}
	// Not for outsiders; unknown events 404.
	newTestClient(t, a).get(fmt.Sprintf("/events/%d.ics", id)).wantStatus(http.StatusSeeOther)
	bea.get("/events/99999.ics").wantStatus(http.StatusNotFound)
	bea.get("/events/abc.ics").wantStatus(http.StatusNotFound)
}

func TestEventFeed(t *testing.T) {
	a, anna, bea := forumApp(t)
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	mona := clientFor(t, a, "mona")
	going := mustEvent(t, a, anna, map[string]any{"title": "Beas träff"})
	mustEvent(t, a, mona, map[string]any{"title": "Nätverksträff 130 deltagare", "official": true})
	mustEvent(t, a, anna, map[string]any{"title": "Annans träff"}) // neither hers nor official: not in her feed
	rsvp(t, bea, going, "going")
	me := bea.api("GET", "/api/v1/me", nil).wantStatus(http.StatusOK).json()
	tok := me["feed_token"].(string)
	if u, _ := me["feeds"].(map[string]any)["events"].(string); u != testBaseURL+"/feeds/events.ics?token="+url.QueryEscape(tok) {
		t.Errorf("me feeds: %v", me["feeds"])
	}
	anon := newTestClient(t, a)
	r := anon.get("/feeds/events.ics?token=" + url.QueryEscape(tok)).wantStatus(http.StatusOK)
	cal := parseICS(t, r.Body)
	names := map[string]bool{}
	for _, e := range cal.Events() {
		s, _ := e.Props.Text(goical.PropSummary)
		names[s] = true
	}
	if !names["Beas träff"] || !names["Nätverksträff 130 deltagare"] || names["Annans träff"] || len(names) != 2 {
		t.Errorf("feed events %v", names)
	}
	// 304 when nothing changed.
	etag := r.Header.Get("ETag")
	req, _ := http.NewRequest("GET", "/feeds/events.ics?token="+url.QueryEscape(tok), nil)
	req.Header.Set("If-None-Match", etag)
	if res := anon.do(req); res.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", res.Code)
	}
	// Cancelled events stay in the feed as cancelled.
	anna.api("POST", fmt.Sprintf("/api/v1/events/%d/cancel", going), map[string]any{}).wantStatus(http.StatusOK)
	if body := anon.get("/feeds/events.ics?token=" + url.QueryEscape(tok)).Body; !strings.Contains(body, "STATUS:CANCELLED") {
		t.Error("the cancelled event is not marked in the feed")
	}
	// Wrong and revoked tokens are 404.
	anon.get("/feeds/events.ics?token=wrong-token-wrong-token-wrong").wantStatus(http.StatusNotFound)
	anon.get("/feeds/events.ics").wantStatus(http.StatusNotFound)
	bea.api("POST", "/api/v1/me/feed-token", map[string]any{}).wantStatus(http.StatusOK)
	anon.get("/feeds/events.ics?token=" + url.QueryEscape(tok)).wantStatus(http.StatusNotFound)
}

func TestEventNotMember(t *testing.T) {
	a, anna, _ := forumApp(t)
	id := mustEvent(t, a, anna, nil)
	mustApply(t, a, "pia", "")
	pia := clientFor(t, a, "pia")
	pia.api("GET", fmt.Sprintf("/api/v1/events/%d", id), nil).wantStatus(http.StatusForbidden)
	pia.api("POST", fmt.Sprintf("/api/v1/events/%d/rsvp", id), map[string]string{"status": "going"}).wantStatus(http.StatusForbidden)
	pia.api("POST", "/api/v1/events", map[string]any{"title": "x"}).wantStatus(http.StatusForbidden)
	newTestClient(t, a).api("GET", "/api/v1/events", nil).wantStatus(http.StatusUnauthorized)
}

// TestEventPrivacyCascade: a member's sign-ups go with a generic delete
// by member_id, and the seat she frees moves the waiting list up (the
// chore).
func TestEventPrivacyCascade(t *testing.T) {
	a, anna, bea := forumApp(t)
	mustCreateMember(t, a, "cara", forum.RoleMember, forum.StatusApproved)
	cara := clientFor(t, a, "cara")
	id := mustEvent(t, a, anna, map[string]any{"capacity": 2})
	rsvp(t, bea, id, "going")
	if got := rsvp(t, cara, id, "going"); got != "waitlisted" {
		t.Fatalf("cara: %s", got)
	}
	for _, table := range []string{"event_rsvps", "event_organisers"} {
		if _, err := a.db.Exec(`DELETE FROM `+table+` WHERE member_id = ?`, member(t, a, "bea").ID); err != nil {
			t.Fatal(err)
		}
	}
	a.chores(context.Background())
	e := eventJSONOf(t, cara, id)
	if e["my_status"] != "going" || e["waitlisted"] != float64(0) {
		t.Errorf("after bea's sign-up was deleted: %v", e)
	}
}

// Every edit that changes what a calendar shows raises the event's
// SEQUENCE by one, in its .ics file and in the private feed alike; a
// sign-up, a change of capacity or an unchanged save do not (RFC 5545
// 3.8.7.4).
func TestEventSequence(t *testing.T) {
	a, anna, bea := forumApp(t)
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	mona := clientFor(t, a, "mona")
	id := mustEvent(t, a, anna, map[string]any{"capacity": 2}) // she and bea
	if got := rsvp(t, bea, id, "going"); got != "going" {
		t.Fatalf("bea: %s", got)
	}
	tok := bea.api("GET", "/api/v1/me", nil).wantStatus(http.StatusOK).json()["feed_token"].(string)
	feedURL := "/feeds/events.ics?token=" + url.QueryEscape(tok)
	uid := ""
	seqOf := func(body string) (int, string) {
		t.Helper()
		for _, ev := range parseICS(t, body).Events() {
			u, _ := ev.Props.Text(goical.PropUID)
			if u != uid && uid != "" {
				continue
			}
			p := ev.Props.Get(goical.PropSequence)
			if p == nil {
				t.Fatalf("no SEQUENCE:\n%s", body)
			}
			n, err := strconv.Atoi(p.Value)
			if err != nil {
				t.Fatalf("SEQUENCE %q", p.Value)
			}
			st, _ := ev.Props.Text(goical.PropStatus)
			return n, u + " " + st
		}
		t.Fatalf("event %s not in\n%s", uid, body)
		return 0, ""
	}
	var ident string
	_, ident = seqOf(bea.get(fmt.Sprintf("/events/%d.ics", id)).wantStatus(http.StatusOK).Body)
	uid = strings.Fields(ident)[0]
	want := 0
	check := func(what string) {
		t.Helper()
		file, _ := seqOf(bea.get(fmt.Sprintf("/events/%d.ics", id)).wantStatus(http.StatusOK).Body)
		feed, _ := seqOf(newTestClient(t, a).get(feedURL).wantStatus(http.StatusOK).Body)
		if file != want || feed != want {
			t.Errorf("after %s: SEQUENCE %d in the file and %d in the feed, want %d", what, file, feed, want)
		}
	}
	check("creating")
	patch := func(fields map[string]any) {
		t.Helper()
		anna.api("PATCH", fmt.Sprintf("/api/v1/events/%d", id), fields).wantStatus(http.StatusOK)
	}
	e := eventJSONOf(t, anna, id)
	st, _ := time.Parse(time.RFC3339, e["starts_at"].(string))
	en, _ := time.Parse(time.RFC3339, e["ends_at"].(string))

	// Sign-ups, the waiting list and an unchanged save change no calendar.
	if got := rsvp(t, mona, id, "going"); got != "waitlisted" {
		t.Fatalf("mona: %s", got)
	}
	rsvp(t, mona, id, "maybe")
	rsvp(t, bea, id, "not_going")
	rsvp(t, bea, id, "going")
	patch(map[string]any{"capacity": 5})
	patch(map[string]any{"location": e["location"]})
	check("sign-ups, a new capacity and an unchanged save")

	for _, c := range []struct {
		what   string
		fields map[string]any
	}{
		{"the title", map[string]any{"title": "Nätverksträff med ny rubrik"}},
		{"the start", map[string]any{"starts_at": st.Add(-time.Hour).Format(time.RFC3339)}},
		{"the end", map[string]any{"ends_at": en.Add(time.Hour).Format(time.RFC3339)}},
		{"the place", map[string]any{"location": "Stadsbiblioteket, Göteborg"}},
		{"the meeting link", map[string]any{"online_url": "https://meet.example/ny-lank"}},
	} {
		patch(c.fields)
		want++
		check(c.what)
	}
	// The description is the topic's first post, edited as posts are.
	post := int64(e["first_post_id"].(float64))
	ver := anna.api("GET", fmt.Sprintf("/api/v1/topics/%d", id), nil).wantStatus(http.StatusOK).json()["posts"].([]any)[0].(map[string]any)["version"]
	r := anna.api("PATCH", fmt.Sprintf("/api/v1/posts/%d", post), map[string]any{"body": "Föreläsning, mingel och middag.", "version": ver}).wantStatus(http.StatusOK)
	want++
	check("the description")
	if desc := bea.get(fmt.Sprintf("/events/%d.ics", id)).Body; !strings.Contains(desc, "middag") {
		t.Error("the .ics does not show the new description")
	}
	// A reply in the discussion is no description.
	bea.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", id), map[string]any{"body": "Jag tar med kaka."}).wantStatus(http.StatusCreated)
	reply := anna.api("PATCH", fmt.Sprintf("/api/v1/posts/%d", post), map[string]any{"body": "Föreläsning, mingel och middag.", "version": r.json()["version"]})
	reply.wantStatus(http.StatusOK) // the same text again: no change
	check("a reply and an unchanged description")
	anna.api("POST", fmt.Sprintf("/api/v1/events/%d/cancel", id), map[string]any{"reason": "Sjukdom."}).wantStatus(http.StatusOK)
	want++
	check("cancelling")
	if _, st := seqOf(bea.get(fmt.Sprintf("/events/%d.ics", id)).Body); !strings.HasSuffix(st, "CANCELLED") {
		t.Errorf("status %q", st)
	}
}

// Bad input the issue names, beyond TestEventBadInput: malformed meeting
// links, and sign-ups for a cancelled or past event, in Swedish and
// English, through the API and the form, with nothing written.
func TestEventBadInputMore(t *testing.T) {
	a, anna, bea := forumApp(t)
	clock := useTestClock(a)
	start, end := eventTimes(clock.Now(), 3)
	for _, link := range []string{"https://", "https:///path", "https://exa mple.se/x", "inte en länk", "//meet.example/x", "https://user:pw@meet.example/x", "http://meet.example/" + strings.Repeat("x", 3000)} {
		r := anna.api("POST", "/api/v1/events", map[string]any{"title": "Träff", "body": "Text", "starts_at": start, "ends_at": end, "online_url": link})
		r.wantStatus(http.StatusBadRequest)
		if f, _ := r.json()["fields"].(map[string]any); f["online_url"] == nil {
			t.Errorf("%q: no error on online_url: %s", link, r.Body)
		}
	}
	if n := countRows(t, a, "events"); n != 0 {
		t.Fatalf("%d events after refused links", n)
	}
	// An edit is checked as a new event is, and a refused one changes
	// nothing.
	edited := mustEvent(t, a, anna, map[string]any{"capacity": 10})
	before := eventJSONOf(t, anna, edited)
	for _, f := range []map[string]any{{"capacity": 0}, {"capacity": -1}, {"online_url": "javascript:alert(1)"}, {"ends_at": before["starts_at"]},
		{"starts_at": clock.Now().Add(-time.Hour).Format(time.RFC3339)}, {"title": ""}, {"title": "Ny", "capacity": 0}} {
		anna.api("PATCH", fmt.Sprintf("/api/v1/events/%d", edited), f).wantStatus(http.StatusBadRequest)
	}
	anna.Lang = "en"
	anna.api("PATCH", fmt.Sprintf("/api/v1/events/%d", edited), map[string]any{"capacity": 0}).wantStatus(http.StatusBadRequest).contains("at least 1")
	anna.Lang = ""
	if after := eventJSONOf(t, anna, edited); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a refused edit changed the event:\n%v\n%v", before, after)
	}
	cancelled := mustEvent(t, a, anna, nil)
	anna.api("POST", fmt.Sprintf("/api/v1/events/%d/cancel", cancelled), map[string]any{}).wantStatus(http.StatusOK)
	soon := mustEvent(t, a, anna, nil)
	clock.Add(8 * 24 * time.Hour) // soon is over
	for _, c := range []struct {
		id     int64
		sv, en string
	}{{cancelled, "inställd", "cancelled"}, {soon, "redan börjat", "already"}} {
		for _, status := range []string{"going", "maybe", "not_going"} {
			bea.Lang = ""
			bea.api("POST", fmt.Sprintf("/api/v1/events/%d/rsvp", c.id), map[string]string{"status": status}).wantStatus(http.StatusConflict).contains(c.sv)
			bea.Lang = "en"
			bea.api("POST", fmt.Sprintf("/api/v1/events/%d/rsvp", c.id), map[string]string{"status": status}).wantStatus(http.StatusConflict).contains(c.en)
		}
		bea.Lang = ""
		bea.postForm(fmt.Sprintf("/events/%d/rsvp", c.id), url.Values{"status": {"going"}}).wantStatus(http.StatusConflict).contains(c.sv)
	}
	bea.api("POST", fmt.Sprintf("/api/v1/events/%d/rsvp", soon), map[string]string{"status": "kanske"}).wantStatus(http.StatusBadRequest)
	var n int
	if err := a.db.Get(&n, `SELECT COUNT(*) FROM event_rsvps WHERE member_id = (SELECT id FROM members WHERE username = 'bea')`); err != nil || n != 0 {
		t.Errorf("%d sign-ups written for refused requests (%v)", n, err)
	}
}
