package main

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"kliv/forum"
)

// joinForm is a complete, valid join form for username.
func joinForm(username string) url.Values {
	return url.Values{
		"display_name": {"Anna Andersson"}, "username": {username}, "email": {username + "@molndal.se"},
		"password": {"ett långt lösenord"}, "workplace": {"Mölndals stad"}, "role": {"Enhetschef hemtjänst"},
		"staff_responsibility": {"yes"}, "sector": {"municipality"},
		"motivation": {"Jag vill lära av andra chefer i välfärden."}, "accept_rules": {"1"},
	}
}

// outboxMail is one queued mail as the tests read it.
type outboxMail struct {
	Kind    string `db:"kind"`
	To      string `db:"to_addr"`
	Subject string `db:"subject"`
	Body    string `db:"body"`
}

// mailsTo lists the outbox rows for an address, oldest first.
func mailsTo(t *testing.T, a *app, to string) []outboxMail {
	t.Helper()
	var ms []outboxMail
	if err := a.db.Select(&ms, `SELECT kind, to_addr, subject, body FROM outbox WHERE to_addr = ? ORDER BY id`, to); err != nil {
		t.Fatal(err)
	}
	return ms
}

type auditRow struct {
	ActorID    *int64 `db:"actor_id"`
	Action     string `db:"action"`
	TargetType string `db:"target_type"`
	TargetID   int64  `db:"target_id"`
	Reason     string `db:"reason"`
}

func auditRows(t *testing.T, a *app) []auditRow {
	t.Helper()
	var rs []auditRow
	if err := a.db.Select(&rs, `SELECT actor_id, action, target_type, target_id, reason FROM audit_log ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return rs
}

// pendingIDs reads the ids of the queue's cards.
func pendingIDs(t *testing.T, r *testResponse) []string {
	t.Helper()
	var ids []string
	for _, part := range strings.Split(r.Body, `name="id" value="`)[1:] {
		ids = append(ids, part[:strings.IndexByte(part, '"')])
	}
	return ids
}

// The "done when": apply on the web, wait, get approved in the
// queue, read the forum; every step leaves its mail and audit line.
func TestJoinThroughFormAndApproveInQueue(t *testing.T) {
	a := newTestApp(t)
	mod := mustCreateMember(t, a, "moa", forum.RoleModerator, forum.StatusApproved)
	_ = mod

	// A visitor applies through the form.
	anna := newTestClient(t, a)
	anna.get("/join").wantStatus(http.StatusOK).contains("Bli medlem", `name="accept_rules"`)
	r := anna.postForm("/join", joinForm("anna")).wantStatus(http.StatusSeeOther)
	if r.location() != "/" {
		t.Fatalf("join redirects to %q", r.location())
	}
	if !anna.hasSession() {
		t.Fatal("no session after joining")
	}

	// She is signed in and sees her status, nothing of the forum.
	home := anna.get("/").wantStatus(http.StatusOK)
	home.contains("Din medlemsansökan", "Din ansökan väntar på en moderator.", "Tack! Din ansökan är skickad.", "Mölndals stad")
	home.lacks("Senaste</h1>", `href="/new"`)
	// A second click on "send" makes no second account.
	if r := anna.postForm("/join", joinForm("anna2")); r.Code != http.StatusSeeOther || r.location() != "/" {
		t.Fatalf("second join: %d %q", r.Code, r.location())
	}
	if n := countRows(t, a, "members"); n != 2 {
		t.Fatalf("%d members after a second join", n)
	}
	if r := anna.get("/mod/join-requests"); r.Code != http.StatusSeeOther || r.location() != "/" {
		t.Fatalf("applicant on a member page: %d %q", r.Code, r.location())
	}
	anna.api("GET", "/api/v1/me/tokens", nil).wantStatus(http.StatusForbidden)
	for _, p := range []string{"/api/v1/categories", "/api/v1/topics", "/api/v1/search?q=a"} {
		if r := anna.api("GET", p, nil); r.Code == http.StatusOK {
			t.Errorf("applicant reads %s: %d", p, r.Code)
		}
	}
	s := anna.api("GET", "/api/v1/session", nil).wantStatus(http.StatusOK).json()
	if s["status"] != "pending" || s["username"] != "anna" {
		t.Fatalf("session of applicant: %v", s)
	}

	// A member cannot see the queue; the moderator can.
	mustCreateMember(t, a, "mia", forum.RoleMember, forum.StatusApproved)
	clientFor(t, a, "mia").get("/mod/join-requests").wantStatus(http.StatusForbidden)
	mc := clientFor(t, a, "moa")
	q := mc.get("/mod/join-requests").wantStatus(http.StatusOK)
	q.contains("Anna Andersson", "@anna", "molndal.se", "Enhetschef hemtjänst", "Jag vill lära av andra chefer")
	ids := pendingIDs(t, q)
	if len(ids) != 1 {
		t.Fatalf("queue cards: %v", ids)
	}
	mc.get("/").contains(`<span class="visually-hidden">(</span>1<span class="visually-hidden"> väntar)</span>`)

	r = mc.postForm("/mod/join-requests", url.Values{"id": {ids[0]}, "action": {"approve"}, "reason": {"no_staff"}}).wantStatus(http.StatusSeeOther)
	mc.get(r.location()).wantStatus(http.StatusOK).contains("Anna Andersson (@anna) är godkänd och får ett mejl.", "Inga ansökningar här.")

	// She is a member now: the forum home, not the status page.
	home = anna.get("/").wantStatus(http.StatusOK)
	home.lacks("Din ansökan väntar").contains(`href="/new"`)
	anna.api("GET", "/api/v1/me/tokens", nil).wantStatus(http.StatusOK)

	// The welcome mail waits in the outbox, in Swedish.
	ms := mailsTo(t, a, "anna@molndal.se")
	if len(ms) != 1 || ms[0].Kind != "join_approved" || ms[0].Subject != "Välkommen till Kliv" ||
		!strings.Contains(ms[0].Body, "Hej Anna Andersson!") || !strings.Contains(ms[0].Body, testBaseURL+"/") {
		t.Fatalf("outbox: %+v", ms)
	}
	// One audit line, by the moderator, on the request.
	rows := auditRows(t, a)
	if len(rows) != 1 || rows[0].Action != "join_request.approve" || rows[0].ActorID == nil || *rows[0].ActorID != mod.ID ||
		rows[0].TargetType != "join_request" || strconv.FormatInt(rows[0].TargetID, 10) != ids[0] {
		t.Fatalf("audit: %+v", rows)
	}
}

func TestQueueBulkApproveAndReject(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "moa", forum.RoleModerator, forum.StatusApproved)
	var ids []string
	for _, u := range []string{"ada", "bea", "cia", "dora"} {
		ids = append(ids, strconv.FormatInt(mustApply(t, a, u, "").ID, 10))
	}
	mc := clientFor(t, a, "moa")
	q := mc.get("/mod/join-requests").wantStatus(http.StatusOK)
	if got := pendingIDs(t, q); strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Fatalf("queue order %v, want oldest first %v", got, ids)
	}
	// Nothing ticked.
	mc.postForm("/mod/join-requests", url.Values{"action": {"approve"}}).wantStatus(http.StatusBadRequest).contains("Välj minst en ansökan.")

	mc.postForm("/mod/join-requests", url.Values{"ids": ids[:2], "action": {"approve"}}).wantStatus(http.StatusSeeOther)
	mc.postForm("/mod/join-requests", url.Values{"ids": ids[2:], "action": {"reject"}, "reason": {"other"},
		"reason_text": {"Vi tar bara emot chefer just nu."}}).wantStatus(http.StatusSeeOther)
	for i, u := range []string{"ada", "bea", "cia", "dora"} {
		m, err := a.store.MemberByUsername(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		want := forum.StatusApproved
		if i >= 2 {
			want = forum.StatusRejected
		}
		if m.Status != want {
			t.Errorf("%s: %s, want %s", u, m.Status, want)
		}
		if ms := mailsTo(t, a, u+"@example.se"); len(ms) != 1 || ms[0].Kind != "join_"+string(want) {
			t.Errorf("%s: mails %+v", u, ms)
		}
	}
	if n := len(auditRows(t, a)); n != 4 {
		t.Errorf("%d audit rows, want 4", n)
	}
	// The decided lists show them; deciding again is a conflict, reported per request.
	mc.get("/mod/join-requests?status=rejected").wantStatus(http.StatusOK).contains("@cia", "@dora", "Vi tar bara emot chefer just nu.")
	mc.get("/mod/join-requests?status=approved").wantStatus(http.StatusOK).contains("@ada", "@bea", "@moa")
	mc.postForm("/mod/join-requests", url.Values{"ids": ids[:1], "action": {"approve"}}).wantStatus(http.StatusConflict).
		contains("Ansökan " + ids[0] + ": Ansökan är redan avgjord.")
	// A rejection needs a reason, checked before anything changes.
	id := strconv.FormatInt(mustApply(t, a, "eva", "").ID, 10)
	mc.postForm("/mod/join-requests", url.Values{"id": {id}, "action": {"reject"}, "reason": {"other"}, "reason_text": {"  "}}).
		wantStatus(http.StatusBadRequest)
	if m, _ := a.store.MemberByUsername(t.Context(), "eva"); m.Status != forum.StatusPending {
		t.Errorf("eva: %s after a refused rejection", m.Status)
	}
}

func TestRejectWithReasonThenApplyAgain(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "moa", forum.RoleModerator, forum.StatusApproved)
	mc := clientFor(t, a, "moa")

	// Emma applies in English; Sara in Swedish.
	emma := newTestClient(t, a)
	emma.Lang = "en-GB,en;q=0.9"
	emma.get("/join").contains("<html lang=\"en\">")
	emma.postForm("/join", joinForm("emma")).wantStatus(http.StatusSeeOther)
	emma.get("/").contains("Your request is waiting for a moderator.")
	sara := newTestClient(t, a)
	sara.postForm("/join", joinForm("sara")).wantStatus(http.StatusSeeOther)

	ids := pendingIDs(t, mc.get("/mod/join-requests"))
	if len(ids) != 2 {
		t.Fatalf("queue: %v", ids)
	}
	// A preset reason for Emma, free text for Sara.
	mc.postForm("/mod/join-requests", url.Values{"id": {ids[0]}, "action": {"reject"}, "reason": {"no_staff"}}).wantStatus(http.StatusSeeOther)
	mc.postForm("/mod/join-requests", url.Values{"id": {ids[1]}, "action": {"reject"}, "reason": {"other"},
		"reason_text": {"Vi hittar inte din arbetsplats."}}).wantStatus(http.StatusSeeOther)

	// Each sees the reason in her language and may send a new request.
	emma.get("/").wantStatus(http.StatusOK).contains("Your request has been rejected.",
		"The network is for those with staff responsibility.", `action="/join/again"`).lacks("preset:")
	sara.get("/").wantStatus(http.StatusOK).contains("Din ansökan har nekats.", "Vi hittar inte din arbetsplats.", "Skicka en ny ansökan")

	// The mails are in the outbox in each one's language, with the reason.
	em := mailsTo(t, a, "emma@molndal.se")
	if len(em) != 1 || em[0].Kind != "join_rejected" || em[0].Subject != "About your request to join Kliv" ||
		!strings.Contains(em[0].Body, "The network is for those with staff responsibility.") {
		t.Fatalf("emma's mail: %+v", em)
	}
	sm := mailsTo(t, a, "sara@molndal.se")
	if len(sm) != 1 || sm[0].Subject != "Besked om din ansökan till Kliv" || !strings.Contains(sm[0].Body, "Skäl: Vi hittar inte din arbetsplats.") {
		t.Fatalf("sara's mail: %+v", sm)
	}
	rows := auditRows(t, a)
	if len(rows) != 2 || rows[0].Reason != "preset:no_staff" || rows[1].Reason != "free_text" {
		t.Fatalf("audit: %+v", rows)
	}

	// A new request with bad answers shows the errors next to the fields.
	again := url.Values{"workplace": {"Region Skåne"}, "role": {"Verksamhetschef"}, "staff_responsibility": {"yes"},
		"sector": {"region"}, "motivation": {"Nu har jag medarbetaransvar i regionen."}, "accept_rules": {"1"}}
	bad := cloneValues(again)
	bad.Del("accept_rules")
	emma.postForm("/join/again", bad).wantStatus(http.StatusBadRequest).contains("You need to accept the community rules.")
	emma.postForm("/join/again", again).wantStatus(http.StatusSeeOther)
	emma.get("/").contains("Your request is waiting for a moderator.", "Region Skåne")
	// Only one open request at a time.
	emma.postForm("/join/again", again).wantStatus(http.StatusConflict)
	q := mc.get("/mod/join-requests")
	if got := pendingIDs(t, q); len(got) != 1 {
		t.Fatalf("queue after the new request: %v", got)
	}
	q.contains("Region Skåne")
	// Approving the new one lets her in.
	mc.postForm("/mod/join-requests", url.Values{"id": {pendingIDs(t, q)[0]}, "action": {"approve"}}).wantStatus(http.StatusSeeOther)
	emma.api("GET", "/api/v1/session", nil).wantStatus(http.StatusOK)
	if s := emma.api("GET", "/api/v1/session", nil).json(); s["status"] != "approved" {
		t.Fatalf("emma after approval: %v", s)
	}
	if em := mailsTo(t, a, "emma@molndal.se"); len(em) != 2 || em[1].Subject != "Welcome to Kliv" {
		t.Fatalf("emma's mails: %+v", em)
	}
}

func TestAuditLogIsForAdminsOnly(t *testing.T) {
	a := newTestApp(t)
	admin := mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	mustCreateMember(t, a, "moa", forum.RoleModerator, forum.StatusApproved)
	mustCreateMember(t, a, "mia", forum.RoleMember, forum.StatusApproved)
	jr := mustApply(t, a, "pia", "")
	if _, err := a.mod.Reject(t.Context(), admin, jr.ID, "not_leader"); err != nil {
		t.Fatal(err)
	}
	ac := clientFor(t, a, "ada")
	ac.postForm("/admin/roles", url.Values{"username": {"mia"}, "role": {"moderator"}}).wantStatus(http.StatusSeeOther)

	page := ac.get("/admin/audit").wantStatus(http.StatusOK)
	page.contains("Logg över beslut", "Nekade ansökan", "@pia", "Nätverket är för kvinnor i chefsroller.", "Ändrade roll", "@mia", "member → moderator", "@ada")
	j := ac.api("GET", "/api/v1/audit", nil).wantStatus(http.StatusOK).json()
	if es, _ := j["entries"].([]any); len(es) != 2 {
		t.Fatalf("audit API: %v", j)
	}

	clientFor(t, a, "moa").get("/admin/audit").wantStatus(http.StatusForbidden)
	clientFor(t, a, "moa").api("GET", "/api/v1/audit", nil).wantStatus(http.StatusForbidden)
	clientFor(t, a, "mia").get("/admin/audit").wantStatus(http.StatusForbidden) // now a moderator
	clientFor(t, a, "pia").get("/admin/audit").wantStatus(http.StatusSeeOther)
	if r := newTestClient(t, a).get("/admin/audit"); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login?next=") {
		t.Fatalf("visitor on the audit log: %d %q", r.Code, r.location())
	}
	newTestClient(t, a).api("GET", "/api/v1/audit", nil).wantStatus(http.StatusUnauthorized)
}
