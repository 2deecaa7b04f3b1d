package main

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"kliv/forum"
	"kliv/i18n"
)

// The topic page's attendee list and organisers are cached, keyed by the
// event's sign-up version (eventShared, migration 0100): every change to
// what they show must show at once to every reader, and the personal
// parts stay each reader's own.
func TestEventBlockCacheFresh(t *testing.T) {
	a, anna, bea := forumApp(t)
	mustCreateMember(t, a, "cara", forum.RoleMember, forum.StatusApproved)
	cara := clientFor(t, a, "cara")
	id := mustEvent(t, a, anna, map[string]any{"capacity": 2})
	path := fmt.Sprintf("/t/%d", id)
	people := func(c *testClient) string {
		t.Helper()
		body := c.get(path).wantStatus(http.StatusOK).Body
		i := strings.Index(body, `id="event"`)
		if i < 0 {
			t.Fatalf("no event block:\n%s", body)
		}
		return body[i:]
	}
	version := func() int64 {
		t.Helper()
		// The count columns (migration 0101) agree with the sign-ups.
		var off int
		if err := a.db.Get(&off, `SELECT COUNT(*) FROM events e WHERE e.going_count != (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = e.topic_id AND r.status = 'going')
			OR e.waitlisted_count != (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = e.topic_id AND r.status = 'waitlisted')
			OR e.maybe_count != (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = e.topic_id AND r.status = 'maybe')`); err != nil || off != 0 {
			t.Errorf("sign-up counts off: %d %v", off, err)
		}
		var v int64
		if err := a.db.Get(&v, `SELECT signups_version FROM events WHERE topic_id = ?`, id); err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Warm the cache as cara, then bea signs up: both see her at once.
	if b := people(cara); strings.Contains(b, "Test bea") || !strings.Contains(b, "Test anna") {
		t.Fatalf("before bea's sign-up:\n%s", b)
	}
	v0 := version()
	rsvp(t, bea, id, "going")
	if version() == v0 {
		t.Error("a sign-up did not raise the version")
	}
	if b := people(cara); !strings.Contains(b, "Test bea") || !strings.Contains(b, "2 kommer av 2 platser") {
		t.Errorf("cara does not see bea's sign-up at once:\n%s", b)
	}
	// Each reader's own state and token, though the list is shared.
	if b := people(bea); !strings.Contains(b, "Du är anmäld: du kommer.") {
		t.Errorf("bea's own state:\n%s", b)
	}
	if b := people(cara); strings.Contains(b, "Du är anmäld") || !strings.Contains(b, "Ställ mig på väntelistan") {
		t.Errorf("cara's own state:\n%s", b)
	}
	tokens := map[string]bool{}
	for _, c := range []*testClient{bea, cara} {
		ms := csrfValueRE.FindAllStringSubmatch(c.get(path).Body, -1)
		if len(ms) < 2 {
			t.Fatalf("no forms: %v", ms)
		}
		for _, m := range ms {
			if m[1] != ms[0][1] {
				t.Errorf("a form with another reader's token: %s, %s", m[1], ms[0][1])
			}
		}
		tokens[ms[0][1]] = true
	}
	if len(tokens) != 2 {
		t.Error("bea and cara got the same token")
	}
	// The full event puts cara on the waiting list: shown at once.
	rsvp(t, cara, id, "going")
	if b := people(anna); !strings.Contains(b, "Väntelista") || !strings.Contains(b, "Test cara") {
		t.Errorf("the waiting list is stale:\n%s", b)
	}
	// Bea leaves: cara moves up, the list follows.
	rsvp(t, bea, id, "not_going")
	version()
	rsvp(t, bea, id, "maybe")
	version()
	rsvp(t, bea, id, "not_going")
	if b := people(anna); strings.Contains(b, "Test bea") || strings.Contains(b, "Väntelista") {
		t.Errorf("after bea left:\n%s", b)
	}
	// A new name or workplace shows at once.
	if _, err := a.db.Exec(`UPDATE members SET display_name = 'Cara Nyberg', workplace = 'Region Gävleborg' WHERE username = 'cara'`); err != nil {
		t.Fatal(err)
	}
	if b := people(bea); !strings.Contains(b, "Cara Nyberg") || !strings.Contains(b, "Region Gävleborg") {
		t.Errorf("cara's new name is not shown:\n%s", b)
	}
	// So does a new organiser's name.
	if _, err := a.db.Exec(`UPDATE members SET display_name = 'Anna Arrangör' WHERE username = 'anna'`); err != nil {
		t.Fatal(err)
	}
	if b := people(bea); !strings.Contains(b, "Anna Arrangör") {
		t.Errorf("the organiser's new name is not shown:\n%s", b)
	}
	// A suspended member leaves the list (only approved members show).
	if _, err := a.db.Exec(`UPDATE members SET status = 'deleted' WHERE username = 'cara'`); err != nil {
		t.Fatal(err)
	}
	if b := people(bea); strings.Contains(b, "Cara Nyberg") {
		t.Errorf("a deleted member is still listed:\n%s", b)
	}
	// Deleting a sign-up by a cascade raises the version too.
	v1 := version()
	if _, err := a.db.ExecContext(context.Background(), `DELETE FROM event_rsvps WHERE topic_id = ? AND member_id = (SELECT id FROM members WHERE username = 'cara')`, id); err != nil {
		t.Fatal(err)
	}
	if version() == v1 {
		t.Error("a deleted sign-up did not raise the version")
	}
	version()
}

// TestEventBlockKeyCovers fails when a field is added to an event or its
// view: add it to eventBlock's cache key (if the block shows it), then
// here.
func TestEventBlockKeyCovers(t *testing.T) {
	// The Event fields the block does not show: the description and the
	// topic's facts shown elsewhere on the page.
	notShown := map[string]bool{"CategoryID": true, "CategorySlug": true, "CategoryName": true, "AuthorID": true,
		"AuthorUsername": true, "AuthorName": true, "PostCount": true, "FirstPostID": true, "Body": true, "BodyHTML": true,
		"Sequence": true, "CreatedAt": true, "UpdatedAt": true}
	keyed := map[string]bool{"TopicID": true, "Title": true, "StartsAt": true, "EndsAt": true, "Location": true, "OnlineURL": true,
		"Region": true, "Capacity": true, "Official": true, "CancelledAt": true, "Going": true, "Waitlisted": true, "Maybe": true,
		// eventView's own.
		"Event": true, "When": true, "MyStatus": true, "Position": true, "CanOrganise": true, "CanModerate": true, "Open": true,
		"Past": true, "OrganisersHTML": true, "PeopleHTML": true, "HTML": true,
		// In the shared fragments, keyed by the sign-up version.
		"GoingList": true, "WaitingList": true, "MaybeList": true, "Organisers": true, "More": true}
	for _, typ := range []reflect.Type{reflect.TypeFor[forum.Event](), reflect.TypeFor[eventView]()} {
		for f := range typ.Fields() {
			if !notShown[f.Name] && !keyed[f.Name] {
				t.Errorf("%s.%s is not in the event block's cache key", typ.Name(), f.Name)
			}
		}
	}
}

// The topic page's attendee list is rendered in Go (eventPeopleHTML,
// eventOrganisersHTML): it must be what the templates make of the same
// names, escaping included.
func TestEventPeopleHTMLMatchesTemplate(t *testing.T) {
	a := newTestApp(t)
	for _, lang := range []string{"sv", "en"} {
		l := i18n.Localizer{B: a.i18n, Lang: lang}
		att := func(user, name, work, status string) forum.Attendee {
			return forum.Attendee{Username: user, DisplayName: name, Workplace: work, Status: status}
		}
		v := &eventView{Event: &forum.Event{TopicID: 42},
			GoingList:   []forum.Attendee{att("anna", `Anna "A" <b>&</b> Öberg`, "Region <Skåne> & 'Co'", "going"), att("bea", "Bea", "", "going")},
			WaitingList: []forum.Attendee{att("cara_x", "Cära ' \u00e9", "Kommun & stad", "waitlisted")},
			MaybeList:   []forum.Attendee{att("dora", "Dora <script>", "Syns inte", "maybe")},
			Organisers:  []forum.Organiser{{Username: "anna", DisplayName: `Anna "A" <b>&</b>`}, {Username: "bea", DisplayName: "Bea & co"}}}
		p := &Page{L: l}
		var want strings.Builder
		if err := a.views.pages["topic"].ExecuteTemplate(&want, "eventpeople", map[string]any{"P": p, "E": v}); err != nil {
			t.Fatal(err)
		}
		got := eventPeopleHTML(l, v)
		if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(want.String()), " ") {
			t.Errorf("%s: Go rendering\n%s\nwant (template)\n%s", lang, got, want.String())
		}
		tmpl := template.Must(template.New("o").Parse(`{{range $i, $o := .}}{{if $i}}, {{end}}<a href="/u/{{$o.Username}}">{{$o.DisplayName}}</a>{{end}}`))
		var orgs strings.Builder
		if err := tmpl.Execute(&orgs, v.Organisers); err != nil {
			t.Fatal(err)
		}
		if got := eventOrganisersHTML(v.Organisers); got != orgs.String() {
			t.Errorf("organisers %q, want %q", got, orgs.String())
		}
		v.More = 3
		if got := eventPeopleHTML(l, v); !strings.HasSuffix(got, `<p><a href="/events/42/attendees">`+template.HTMLEscapeString(l.N("events.more_attendees", 3))+`</a></p>`) {
			t.Errorf("no link to the rest: %s", got)
		}
	}
}

// The events page and month view are cached under the events lists'
// version in the database (migration 0102): a sign-up, an edit or a
// cancel shows at once, on this process and on a second one on the same
// database, and a refused filter is never cached.
func TestEventListCacheFresh(t *testing.T) {
	a, anna, bea := forumApp(t)
	id := mustEvent(t, a, anna, map[string]any{"title": "Vårträffen", "capacity": 10})
	month := a.store.Now().Add(7 * 24 * time.Hour).In(i18n.Stockholm).Format("2006-01")
	second, err := openApp(context.Background(), a.cfg, a.log)
	if err != nil {
		t.Fatal(err)
	}
	defer second.close()
	second.store.Now = a.store.Now
	other := clientFor(t, second, "bea")
	for _, c := range []*testClient{bea, other} {
		c.get("/events").wantStatus(http.StatusOK).contains("Vårträffen", "1 kommer av 10")
		c.get("/events?month=" + month).wantStatus(http.StatusOK).contains("Vårträffen")
	}
	rsvp(t, bea, id, "going")
	anna.api("PATCH", fmt.Sprintf("/api/v1/events/%d", id), map[string]any{"title": "Sommarträffen"}).wantStatus(http.StatusOK)
	for _, c := range []*testClient{bea, other} {
		c.get("/events").wantStatus(http.StatusOK).contains("Sommarträffen", "2 kommer av 10").lacks("Vårträffen")
		c.get("/events?month=" + month).wantStatus(http.StatusOK).contains("Sommarträffen").lacks("Vårträffen")
	}
	anna.api("POST", fmt.Sprintf("/api/v1/events/%d/cancel", id), map[string]any{}).wantStatus(http.StatusOK)
	for _, c := range []*testClient{bea, other} {
		c.get("/events").wantStatus(http.StatusOK).contains("Sommarträffen", "Inställd")
	}
	bea.get("/events?region=Narnia").wantStatus(http.StatusBadRequest)
	bea.get("/events?region=Narnia").wantStatus(http.StatusBadRequest)
	bea.get("/events?page=garbage").wantStatus(http.StatusBadRequest)
	bea.Lang = "en"
	bea.get("/events").wantStatus(http.StatusOK).contains("2 going")
}
