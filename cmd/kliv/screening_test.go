package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kliv/forum"
)

// scrSetup is a forum with an admin (ada) and two moderators (mona, maja),
// each signed in.
func scrSetup(t *testing.T) (a *app, ad, mona, maja *testClient) {
	t.Helper()
	a = newTestApp(t)
	mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	mustCreateMember(t, a, "maja", forum.RoleModerator, forum.StatusApproved)
	return a, clientFor(t, a, "ada"), clientFor(t, a, "mona"), clientFor(t, a, "maja")
}

func jrPath(id int64, rest string) string { return fmt.Sprintf("/api/v1/join-requests/%d%s", id, rest) }

// Be om komplettering: the moderator asks, the applicant is mailed and
// completes her answers on her status page, the request is back in the
// queue marked as completed, and its history keeps both versions.
func TestScreeningAskForMoreInformation(t *testing.T) {
	a, _, mona, _ := scrSetup(t)
	jr := mustApply(t, a, "bea", "")
	bea := clientFor(t, a, "bea")

	// Bad input first: no question, a request that does not exist, and
	// no one but a moderator.
	mona.api("POST", jrPath(jr.ID, "/ask"), map[string]any{"question": ""}).wantStatus(http.StatusBadRequest)
	mona.api("POST", jrPath(999, "/ask"), map[string]any{"question": "Vilken enhet leder du?"}).wantStatus(http.StatusNotFound)
	bea.api("POST", jrPath(jr.ID, "/ask"), map[string]any{"question": "Vilken enhet leder du?"}).wantStatus(http.StatusForbidden)

	r := mona.api("POST", jrPath(jr.ID, "/ask"), map[string]any{"question": "Hur många medarbetare leder du?"}).wantStatus(http.StatusOK).json()
	if r["status"] != "needs_info" || num(t, r["id"]) != jr.ID {
		t.Fatalf("ask: %v", r)
	}
	// Asked twice: it waits for her now.
	mona.api("POST", jrPath(jr.ID, "/ask"), map[string]any{"question": "Och var?"}).wantStatus(http.StatusConflict)
	// It cannot be decided while it waits for her.
	mona.api("POST", jrPath(jr.ID, "/approve"), map[string]any{}).wantStatus(http.StatusConflict)
	ms := mailsTo(t, a, "bea@example.se")
	if len(ms) != 1 || ms[0].Kind != "join_needs_info" || !strings.Contains(ms[0].Body, "Hur många medarbetare leder du?") ||
		!strings.Contains(ms[0].Body, testBaseURL+"/") {
		t.Fatalf("the applicant's mail: %+v", ms)
	}
	list := mona.api("GET", "/api/v1/join-requests?status=needs_info", nil).wantStatus(http.StatusOK).json()["join_requests"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["question"] != "Hur många medarbetare leder du?" {
		t.Fatalf("needs_info list: %v", list)
	}
	mona.get("/mod/join-requests").contains("Inga ansökningar här.")

	// Her status page shows the question and a form with her answers.
	bea.get("/").wantStatus(http.StatusOK).contains("En moderator behöver veta mer.", "Hur många medarbetare leder du?",
		`action="/join/complete"`, `value="Mölndals stad"`)
	// Bad answers keep her text and name the field.
	bad := url.Values{"message": {"Tolv"}, "workplace": {""}, "role": {"Enhetschef"}, "staff_responsibility": {"yes"}, "sector": {"municipality"},
		"motivation": {"Jag vill utbyta erfarenheter."}}
	bea.postForm("/join/complete", bad).wantStatus(http.StatusBadRequest).contains("Arbetsplats (organisation)", "Tolv")
	good := cloneValues(bad)
	good.Set("workplace", "Mölndals stad, hemtjänsten")
	good.Set("message", "Jag leder tolv medarbetare i hemtjänsten.")
	bea.postForm("/join/complete", good).wantStatus(http.StatusSeeOther)
	bea.get("/").contains("Din ansökan väntar på en moderator.")
	// Only once.
	bea.postForm("/join/complete", good).wantStatus(http.StatusConflict)

	list = mona.api("GET", "/api/v1/join-requests?status=completed", nil).wantStatus(http.StatusOK).json()["join_requests"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["answers"].(map[string]any)["workplace"] != "Mölndals stad, hemtjänsten" {
		t.Fatalf("completed list: %v", list)
	}
	mona.get("/mod/join-requests").contains("Kompletterad", "Mölndals stad, hemtjänsten")
	// The whole history, with the answers as they were.
	page := mona.get(fmt.Sprintf("/mod/join-requests/%d", jr.ID)).wantStatus(http.StatusOK)
	page.contains("Ansökan skickad", "Bad om komplettering", "Hur många medarbetare leder du?", "Kompletterad",
		"Jag leder tolv medarbetare i hemtjänsten.", "Mölndals stad, hemtjänsten")
	if strings.Count(unamp(page.Body), "Mölndals stad</dd>") < 1 {
		t.Errorf("the first answers are not kept in the history")
	}
	h := mona.api("GET", jrPath(jr.ID, ""), nil).wantStatus(http.StatusOK).json()["join_request"].(map[string]any)
	hist := h["history"].([]any)
	if len(hist) != 3 || hist[0].(map[string]any)["answers"].(map[string]any)["workplace"] != "Mölndals stad" ||
		hist[1].(map[string]any)["kind"] != "asked" || hist[2].(map[string]any)["message"] != "Jag leder tolv medarbetare i hemtjänsten." {
		t.Fatalf("history: %v", hist)
	}
	// Members and applicants do not read it.
	if r := bea.get(fmt.Sprintf("/mod/join-requests/%d", jr.ID)); r.Code != http.StatusSeeOther || r.location() != "/" {
		t.Errorf("an applicant reached the request page: %d", r.Code)
	}
	bea.api("GET", jrPath(jr.ID, ""), nil).wantStatus(http.StatusForbidden)
	mona.api("POST", jrPath(jr.ID, "/approve"), map[string]any{}).wantStatus(http.StatusOK)
}

func unamp(s string) string { return strings.ReplaceAll(s, "&amp;", "&") }

// Claims: one moderator holds a request, the others see it and cannot
// decide it; the claim ends when she lets go or after the claim time.
func TestScreeningClaims(t *testing.T) {
	a, _, mona, maja := scrSetup(t)
	clock := useTestClock(a)
	jr := mustApply(t, a, "bea", "")

	r := mona.api("POST", jrPath(jr.ID, "/claim"), map[string]any{}).wantStatus(http.StatusOK).json()
	if r["claimed_by"] != "mona" {
		t.Fatalf("claim: %v", r)
	}
	mona.api("POST", jrPath(jr.ID, "/claim"), map[string]any{}).wantStatus(http.StatusOK) // renewing is fine
	maja.api("POST", jrPath(jr.ID, "/claim"), map[string]any{}).wantStatus(http.StatusConflict).contains("@mona")
	maja.api("POST", jrPath(jr.ID, "/approve"), map[string]any{}).wantStatus(http.StatusConflict)
	maja.api("POST", jrPath(jr.ID, "/reject"), map[string]any{"reason": "no_staff"}).wantStatus(http.StatusConflict)
	maja.api("DELETE", jrPath(jr.ID, "/claim"), nil).wantStatus(http.StatusConflict)
	maja.get("/mod/join-requests").contains("@mona har den här ansökan just nu.").lacks(fmt.Sprintf(`name="id" value="%d"`, jr.ID))
	mona.get("/mod/join-requests").contains("Du har den här ansökan", "Släpp")

	// Let go: anyone may take it.
	mona.api("DELETE", jrPath(jr.ID, "/claim"), nil).wantStatus(http.StatusOK)
	maja.postForm(fmt.Sprintf("/mod/join-requests/%d/claim", jr.ID), url.Values{"action": {"claim"}}).wantStatus(http.StatusSeeOther)
	mona.api("POST", jrPath(jr.ID, "/claim"), map[string]any{}).wantStatus(http.StatusConflict)
	// A claim expires.
	clock.Add(31 * time.Minute)
	mona.api("POST", jrPath(jr.ID, "/claim"), map[string]any{}).wantStatus(http.StatusOK)
	mona.api("POST", jrPath(jr.ID, "/approve"), map[string]any{}).wantStatus(http.StatusOK)
	// A decided request cannot be claimed.
	mona.api("POST", jrPath(jr.ID, "/claim"), map[string]any{}).wantStatus(http.StatusConflict)
	mona.api("POST", jrPath(999, "/claim"), map[string]any{}).wantStatus(http.StatusNotFound)
	clientFor(t, a, "bea").api("POST", jrPath(jr.ID, "/claim"), map[string]any{}).wantStatus(http.StatusForbidden)
}

// A claim time from the configuration.
func TestScreeningClaimMinutesConfigured(t *testing.T) {
	a := newTestApp(t, func(c *Config) {
		c.Screening = ScreeningConfig{ClaimMinutes: 5, RetentionDays: 30, QueueAlertHours: 48, ConfirmGraceDays: 30, InviteDays: 14}
	})
	clock := useTestClock(a)
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	mustCreateMember(t, a, "maja", forum.RoleModerator, forum.StatusApproved)
	jr := mustApply(t, a, "bea", "")
	clientFor(t, a, "mona").api("POST", jrPath(jr.ID, "/claim"), map[string]any{}).wantStatus(http.StatusOK)
	maja := clientFor(t, a, "maja")
	maja.api("POST", jrPath(jr.ID, "/claim"), map[string]any{}).wantStatus(http.StatusConflict)
	clock.Add(6 * time.Minute)
	maja.api("POST", jrPath(jr.ID, "/claim"), map[string]any{}).wantStatus(http.StatusOK)
	if a.mod.ConfirmEvery >= 0 {
		t.Errorf("confirm-role-months 0 should turn the confirmation off: %v", a.mod.ConfirmEvery)
	}
}

// Waiting times: the queue says how long each request has waited, the
// applicant sees the typical wait, and moderators are mailed once about
// requests that waited too long.
func TestScreeningWaitingTimes(t *testing.T) {
	a, _, mona, _ := scrSetup(t)
	clock := useTestClock(a)
	jr := mustApply(t, a, "bea", "")
	mona.get("/mod/join-requests").contains("Kom in just nu").lacks("i 0 minuter")
	clock.Add(3 * time.Hour)
	mona.get("/mod/join-requests").contains("Har väntat i 3 timmar")

	// Three decisions that took about two days: that is the typical wait.
	for _, name := range []string{"cia", "dora", "eva"} {
		j := mustApply(t, a, name, "")
		clock.Add(50 * time.Hour)
		mona.api("POST", jrPath(j.ID, "/approve"), map[string]any{}).wantStatus(http.StatusOK)
	}
	newTestClient(t, a).get("/join").wantStatus(http.StatusOK).contains("Det brukar ta ungefär 2 dagar.")
	clientFor(t, a, "bea").get("/").contains("Det brukar ta ungefär 2 dagar.")

	// bea has waited 153 hours: one alert to each moderator, and only once.
	n, err := a.mod.AlertWaiting(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("alert: %d %v", n, err)
	}
	if n, _ := a.mod.AlertWaiting(context.Background()); n != 0 {
		t.Fatalf("alerted again: %d", n)
	}
	for _, to := range []string{"mona@example.se", "maja@example.se", "ada@example.se"} {
		ms := mailsTo(t, a, to)
		if len(ms) != 1 || ms[0].Kind != "queue_alert" || !strings.Contains(ms[0].Body, testBaseURL+"/mod/join-requests") {
			t.Fatalf("alert to %s: %+v", to, ms)
		}
	}
	if len(mailsTo(t, a, "cia@example.se")) != 1 { // only her welcome
		t.Error("a member got the moderators' alert")
	}
	_ = jr
	// The chore line runs it too, without mailing again.
	a.chores(context.Background())
	if len(mailsTo(t, a, "mona@example.se")) != 1 {
		t.Error("the chore alerted again")
	}
}

// Verification notes are kept with the request, for moderators only;
// the organisation field suggests Swedish public-sector organisations.
func TestScreeningVerificationAndOrganisations(t *testing.T) {
	a, _, mona, _ := scrSetup(t)
	jr := mustApply(t, a, "bea", "")
	join := newTestClient(t, a).get("/join").wantStatus(http.StatusOK)
	join.contains(`list="orgs"`, `<datalist id="orgs">`, `<option value="Mölndals stad">`, `<option value="Gotlands kommun">`,
		`<option value="Region Gotland">`, `<option value="Västra Götalandsregionen">`, `<option value="Socialstyrelsen">`)
	mona.get("/mod/join-requests").contains("example.se", "känd organisation (Kommun)")

	p := fmt.Sprintf("/mod/join-requests/%d/verify", jr.ID)
	mona.get(fmt.Sprintf("/mod/join-requests/%d", jr.ID)).contains("Inga kontroller antecknade än.")
	mona.postForm(p, url.Values{"question_key": {"workplace"}, "method": {"other"}, "note": {""}}).wantStatus(http.StatusBadRequest).
		contains("Anteckning")
	mona.postForm(p, url.Values{"question_key": {"nope"}, "method": {"phone"}}).wantStatus(http.StatusBadRequest)
	mona.postForm(p, url.Values{"question_key": {"workplace"}, "method": {"staff_page"}, "note": {"molndal.se/hemtjanst listar henne"}}).
		wantStatus(http.StatusSeeOther)
	mona.api("POST", jrPath(jr.ID, "/verifications"), map[string]any{"question": "email", "method": "email_domain"}).wantStatus(http.StatusNoContent)
	mona.get(fmt.Sprintf("/mod/join-requests/%d", jr.ID)).contains("Personalsida eller organisationens webbplats",
		"molndal.se/hemtjanst listar henne", "E-postens domän stämmer med organisationen", "@mona")
	mona.api("POST", jrPath(jr.ID, "/approve"), map[string]any{}).wantStatus(http.StatusOK)
	// Kept with the decision; the applicant, now a member, never sees them.
	v := mona.api("GET", jrPath(jr.ID, ""), nil).json()["join_request"].(map[string]any)["verifications"].([]any)
	if len(v) != 2 {
		t.Fatalf("verifications: %v", v)
	}
	bea := clientFor(t, a, "bea")
	bea.get(fmt.Sprintf("/mod/join-requests/%d", jr.ID)).wantStatus(http.StatusForbidden)
	bea.api("GET", jrPath(jr.ID, ""), nil).wantStatus(http.StatusForbidden)
	bea.api("POST", jrPath(jr.ID, "/verifications"), map[string]any{"question": "email", "method": "phone"}).wantStatus(http.StatusForbidden)
}

// A rejection marked for a second opinion takes effect only when another
// moderator agrees; the applicant hears nothing until then.
func TestScreeningSecondOpinion(t *testing.T) {
	a, _, mona, maja := scrSetup(t)
	jr := mustApply(t, a, "bea", "")
	mona.api("POST", jrPath(jr.ID, "/reject"), map[string]any{"second_opinion": true}).wantStatus(http.StatusBadRequest)
	r := mona.api("POST", jrPath(jr.ID, "/reject"), map[string]any{"reason": "not_leader", "second_opinion": true}).wantStatus(http.StatusOK).json()
	if r["status"] != "pending" || r["proposed"] != true {
		t.Fatalf("proposal: %v", r)
	}
	if ms := mailsTo(t, a, "bea@example.se"); len(ms) != 0 {
		t.Fatalf("the applicant was told: %+v", ms)
	}
	clientFor(t, a, "bea").get("/").contains("Din ansökan väntar på en moderator.").lacks("nekats")
	// The same moderator cannot be the second.
	mona.api("POST", jrPath(jr.ID, "/reject"), map[string]any{"reason": "not_leader"}).wantStatus(http.StatusConflict)
	mona.get("/mod/join-requests").contains("@mona föreslår att neka.").lacks("Neka, jag instämmer")
	maja.get("/mod/join-requests").contains("@mona föreslår att neka.", "Neka, jag instämmer")
	// The other agrees through the queue's button: it takes effect, with
	// the proposed reason.
	maja.postForm("/mod/join-requests", url.Values{"id": {fmt.Sprint(jr.ID)}, "action": {"reject"}, "agree": {"1"}}).wantStatus(http.StatusSeeOther)
	ms := mailsTo(t, a, "bea@example.se")
	if len(ms) != 1 || ms[0].Kind != "join_rejected" || !strings.Contains(ms[0].Body, "Nätverket är för kvinnor i chefsroller.") {
		t.Fatalf("the rejection mail: %+v", ms)
	}
	var lines []string
	for _, r := range auditRows(t, a) {
		lines = append(lines, r.Action+" "+r.Reason)
	}
	if strings.Join(lines, "|") != "join_request.reject_proposed preset:not_leader|join_request.reject preset:not_leader" {
		t.Errorf("audit: %v", lines)
	}

	// Bulk with a second opinion: the flash says it waits.
	jr2 := mustApply(t, a, "cia", "")
	res := mona.postForm("/mod/join-requests", url.Values{"ids": {fmt.Sprint(jr2.ID)}, "action": {"reject"}, "reason": {"no_staff"},
		"second_opinion": {"1"}}).wantStatus(http.StatusSeeOther)
	mona.get(res.location()).contains("Förslaget att neka Test cia (@cia) väntar på en andra moderator.")
	// Another moderator can still approve instead.
	maja.api("POST", jrPath(jr2.ID, "/approve"), map[string]any{}).wantStatus(http.StatusOK)
}

// The queue's wording: the bulk list tells same names apart by username,
// the reason belongs to rejecting, and approving names the person.
func TestScreeningQueueWording(t *testing.T) {
	a, _, mona, _ := scrSetup(t)
	mustApply(t, a, "bea", "")
	jr := mustApply(t, a, "bea2", "")
	q := mona.get("/mod/join-requests").wantStatus(http.StatusOK)
	q.contains("Test bea <span class=\"muted\">@bea</span> (Mölndals stad)", "@bea2</span> (Mölndals stad)")
	// "Godkänn de valda" stands apart from the reject group with its reason.
	bulk := q.Body[strings.Index(q.Body, `class="card bulk"`):]
	approve := strings.Index(bulk, "Godkänn de valda")
	group := strings.Index(bulk, `<fieldset class="reject-group"><legend>Neka de valda</legend>`)
	reason := strings.Index(bulk, `for="bulk-reason"`)
	if approve < 0 || group < 0 || !(approve < group && group < reason) {
		t.Errorf("bulk form order: approve %d, reject group %d, reason %d", approve, group, reason)
	}
	r := mona.postForm("/mod/join-requests", url.Values{"id": {fmt.Sprint(jr.ID)}, "action": {"approve"}}).wantStatus(http.StatusSeeOther)
	mona.get(r.location()).contains("Test bea2 (@bea2) är godkänd och får ett mejl.")
	ids := pendingIDs(t, mona.get("/mod/join-requests"))
	r = mona.postForm("/mod/join-requests", url.Values{"ids": ids, "action": {"reject"}, "reason": {"incomplete"}}).wantStatus(http.StatusSeeOther)
	mona.get(r.location()).contains("Test bea (@bea) är nekad och får ett mejl med skälet.")
	// A made-up id in the notice names nobody.
	mona.get("/mod/join-requests?done=approved&ids=999,abc").lacks("är godkänd")
}

// Invitations: an admin invites a list in one go; each link works once
// and lets the invited person in at once, through the same questions.
func TestScreeningInvitations(t *testing.T) {
	a, ad, mona, _ := scrSetup(t)
	clock := useTestClock(a)
	mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)

	// Bad addresses: 400 naming them, nothing made.
	r := ad.api("POST", "/api/v1/invitations", map[string]any{"emails": []string{"eva@kommun.se", "inte-en-adress", "x@"}}).wantStatus(http.StatusBadRequest)
	r.contains("inte-en-adress", "x@")
	if countRows(t, a, "invitations") != 0 || countRows(t, a, "outbox") != 0 {
		t.Fatal("a refused list left invitations or mail")
	}
	ad.api("POST", "/api/v1/invitations", map[string]any{"emails": []string{}}).wantStatus(http.StatusBadRequest)
	mona.api("POST", "/api/v1/invitations", map[string]any{"emails": []string{"eva@kommun.se"}}).wantStatus(http.StatusForbidden)

	out := ad.api("POST", "/api/v1/invitations", map[string]any{"emails": []string{"eva@kommun.se", "Eva@Kommun.se", "bea@example.se", "fia@region.se"}}).
		wantStatus(http.StatusCreated).json()
	inv := out["invitations"].([]any)
	if len(inv) != 2 || fmt.Sprint(out["skipped"]) != "[bea@example.se]" {
		t.Fatalf("invitations: %v", out)
	}
	first := inv[0].(map[string]any)
	link := first["url"].(string)
	if first["email"] != "eva@kommun.se" || !strings.HasPrefix(link, testBaseURL+"/invite?t=") {
		t.Fatalf("invitation: %v", first)
	}
	ms := mailsTo(t, a, "eva@kommun.se")
	if len(ms) != 1 || ms[0].Kind != "invitation" || !strings.Contains(ms[0].Body, link) {
		t.Fatalf("invitation mail: %+v", ms)
	}

	// The paste-and-upload form: one a line, commas, a CSV column.
	ad.get("/admin/invitations").wantStatus(http.StatusOK).contains("eva@kommun.se", "Gäller till")
	ad.postForm("/admin/invitations", url.Values{"emails": {"Gun Berg <gun@skola.se>, hanna@stat.se\n\"Ida\";ida@region.se"}}).
		wantStatus(http.StatusCreated).contains("3 inbjudningar skickade.")
	ad.postForm("/admin/invitations", url.Values{"emails": {"nej@"}}).wantStatus(http.StatusBadRequest).contains("nej@", "Ingen inbjudan skickades.")

	// The invited person answers the same questions and is a member at once.
	tok := strings.TrimPrefix(link, testBaseURL)
	eva := newTestClient(t, a)
	eva.get(tok).wantStatus(http.StatusOK).contains("Du är inbjuden till Kliv.", "eva@kommun.se", "Har du medarbetaransvar?")
	f := joinForm("eva")
	f.Del("email")
	f.Set("t", strings.TrimPrefix(tok, "/invite?t="))
	f.Del("staff_responsibility")
	eva.postForm("/invite", f).wantStatus(http.StatusBadRequest).contains("Har du medarbetaransvar?")
	f.Set("staff_responsibility", "yes")
	eva.postForm("/invite", f).wantStatus(http.StatusSeeOther)
	me := eva.api("GET", "/api/v1/session", nil).wantStatus(http.StatusOK).json()
	if me["status"] != "approved" {
		t.Fatalf("invited member: %v", me)
	}
	var jr struct {
		ID     int64  `db:"id"`
		Status string `db:"status"`
		Inv    *int64 `db:"invitation_id"`
	}
	if err := a.db.Get(&jr, `SELECT id, status, invitation_id FROM join_requests j WHERE member_id = (SELECT id FROM members WHERE username = 'eva')`); err != nil ||
		jr.Status != "approved" || jr.Inv == nil || *jr.Inv != num(t, first["id"]) {
		t.Fatalf("her request: %+v %v", jr, err)
	}
	var detail string
	if err := a.db.Get(&detail, `SELECT detail FROM audit_log WHERE action = 'join_request.approve' AND target_id = ?`, jr.ID); err != nil ||
		detail != fmt.Sprintf("invitation:%d", *jr.Inv) {
		t.Fatalf("audit detail %q %v", detail, err)
	}
	mona.get("/mod/join-requests?status=approved").contains("via inbjudan")
	// Once only, and not after it expired.
	newTestClient(t, a).get(tok).wantStatus(http.StatusNotFound).contains("redan använd eller har gått ut")
	f.Set("username", "eva2")
	newTestClient(t, a).postForm("/invite", f).wantStatus(http.StatusNotFound)
	clock.Add(15 * 24 * time.Hour)
	second := strings.TrimPrefix(inv[1].(map[string]any)["url"].(string), testBaseURL)
	newTestClient(t, a).get(second).wantStatus(http.StatusNotFound)
	newTestClient(t, a).get("/invite?t=made-up").wantStatus(http.StatusNotFound)
	// Unused invitations are deleted after the retention time, with
	// their mail; the used one stays with its member.
	if _, err := a.db.Exec(`UPDATE outbox SET status = 'sent'`); err != nil { // the worker's part
		t.Fatal(err)
	}
	clock.Add(30 * 24 * time.Hour)
	if _, err := a.mod.Purge(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, a, "invitations"); n != 1 {
		t.Errorf("%d invitations left, want the used one", n)
	}
	if ms := mailsTo(t, a, "fia@region.se"); len(ms) != 0 {
		t.Errorf("the unused invitation's mail is kept: %d", len(ms))
	}
	if ms := mailsTo(t, a, "eva@kommun.se"); len(ms) != 1 {
		t.Errorf("the member's invitation mail: %d", len(ms))
	}
}

// Every way into the forum passes the gate and the log: each approved
// member has a join request or an invitation, and an audit line.
func TestScreeningEveryDoorIsLogged(t *testing.T) {
	t.Chdir(t.TempDir())
	a := newTestApp(t)
	// The first admin through the setup link.
	tok, err := a.store.NewSetupToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	setup := newTestClient(t, a)
	setup.get("/setup?token=" + tok).wantStatus(http.StatusOK)
	setup.postForm("/setup", url.Values{"token": {tok}, "username": {"ada"}, "email": {"ada@kliv.se"}, "display_name": {"Ada"},
		"password": {testPassword}}).wantStatus(http.StatusSeeOther)
	ad := clientFor(t, a, "ada")
	// The operator's command line.
	if _, stderr, err := runKliv(t, "", "admin", "create", "--db", a.cfg.DB, "--username", "ops", "--email", "ops@kliv.se", "--password", testPassword); err != nil {
		t.Fatalf("admin create: %v %s", err, stderr)
	}
	// The join form, then approved in the queue.
	mod := ad
	web := newTestClient(t, a)
	web.postForm("/join", joinForm("webb")).wantStatus(http.StatusSeeOther)
	// The API.
	newTestClient(t, a).api("POST", "/api/v1/join-requests", apiJoinBody("api")).wantStatus(http.StatusCreated)
	for _, id := range pendingIDs(t, mod.get("/mod/join-requests")) {
		mod.postForm("/mod/join-requests", url.Values{"id": {id}, "action": {"approve"}}).wantStatus(http.StatusSeeOther)
	}
	// An invitation.
	link := ad.api("POST", "/api/v1/invitations", map[string]any{"emails": []string{"inv@kommun.se"}}).wantStatus(http.StatusCreated).
		json()["invitations"].([]any)[0].(map[string]any)["url"].(string)
	f := joinForm("inv")
	f.Set("t", strings.TrimPrefix(link, testBaseURL+"/invite?t="))
	newTestClient(t, a).postForm("/invite", f).wantStatus(http.StatusSeeOther)
	checkDoors(t, a, 5)

	// The seed.
	s := newTestApp(t)
	if _, stderr, err := runKliv(t, "", "seed", "--db", s.cfg.DB, "--members", "30", "--topics", "10", "--posts", "30", "--quiet"); err != nil {
		t.Fatalf("seed: %v %s", err, stderr)
	}
	checkDoors(t, s, 30)
}

// checkDoors fails unless each of the want approved members came in by a
// join request or an invitation, or by a logged operator's door, and has
// an audit line.
func checkDoors(t *testing.T, a *app, want int) {
	t.Helper()
	var rows []struct {
		Username string `db:"username"`
		Gate     int    `db:"gate"`
		Logged   int    `db:"logged"`
	}
	err := a.db.Select(&rows, `SELECT m.username,
			(SELECT COUNT(*) FROM join_requests j WHERE j.member_id = m.id AND j.status = 'approved')
			+ (SELECT COUNT(*) FROM invitations i WHERE i.member_id = m.id) AS gate,
			(SELECT COUNT(*) FROM audit_log l WHERE (l.target_type = 'member' AND l.target_id = m.id AND l.action = 'member.create')
				OR (l.target_type = 'join_request' AND l.action = 'join_request.approve'
					AND l.target_id IN (SELECT id FROM join_requests j WHERE j.member_id = m.id))) AS logged
		FROM members m WHERE m.status = 'approved'`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != want {
		t.Errorf("%d approved members, want %d", len(rows), want)
	}
	for _, r := range rows {
		var created int
		a.db.Get(&created, `SELECT COUNT(*) FROM audit_log WHERE action = 'member.create' AND target_id = (SELECT id FROM members WHERE username = ?)`, r.Username)
		if r.Gate == 0 && created == 0 {
			t.Errorf("%s came in by no join request, invitation or logged operator's door", r.Username)
		}
		if r.Logged == 0 {
			t.Errorf("%s has no audit line", r.Username)
		}
	}
}

var personal = regexp.MustCompile(`(?i)@|bea|Test |Mölndal|Enhetschef|erfarenheter|Fritext`)

// Retention: rejected and withdrawn requests go after the retention
// time, with their applicants; the audit log keeps the decisions without
// personal data.
func TestScreeningRetentionAndWithdrawal(t *testing.T) {
	a, _, mona, _ := scrSetup(t)
	clock := useTestClock(a)
	rej := mustApply(t, a, "bea", "")
	wd := mustApply(t, a, "cia", "")
	keep := mustApply(t, a, "dora", "")
	again := mustApply(t, a, "eva", "")
	mona.api("POST", jrPath(rej.ID, "/reject"), map[string]any{"reason": "Fritext om Test bea på Mölndal"}).wantStatus(http.StatusOK)
	mona.api("POST", jrPath(again.ID, "/reject"), map[string]any{"reason": "incomplete"}).wantStatus(http.StatusOK)

	// cia withdraws on her status page.
	cia := clientFor(t, a, "cia")
	cia.get("/").contains("Ta tillbaka ansökan")
	cia.postForm("/join/withdraw", nil).wantStatus(http.StatusSeeOther)
	cia.get("/").contains("Du tog tillbaka din ansökan.", "Skicka en ny ansökan")
	cia.postForm("/join/withdraw", nil).wantStatus(http.StatusConflict)
	mona.get("/mod/join-requests?status=withdrawn").contains("Test cia")
	mona.api("POST", jrPath(wd.ID, "/approve"), map[string]any{}).wantStatus(http.StatusConflict)
	// eva sends a new request: her account stays, her old request goes.
	eva := clientFor(t, a, "eva")
	eva.postForm("/join/again", url.Values{"workplace": {"Region Skåne"}, "role": {"Verksamhetschef"}, "staff_responsibility": {"yes"},
		"sector": {"region"}, "motivation": {"Nu leder jag en verksamhet."}, "accept_rules": {"1"}}).wantStatus(http.StatusSeeOther)

	clock.Add(29 * 24 * time.Hour)
	if n, err := a.mod.Purge(context.Background()); err != nil || n != 0 {
		t.Fatalf("purged early: %d %v", n, err)
	}
	clock.Add(2 * 24 * time.Hour)
	a.chores(context.Background())
	var left []string
	if err := a.db.Select(&left, `SELECT username FROM members ORDER BY username`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(left, ",") != "ada,dora,eva,maja,mona" {
		t.Errorf("members left: %v", left)
	}
	var reqs []int64
	a.db.Select(&reqs, `SELECT id FROM join_requests ORDER BY id`)
	if len(reqs) != 2 || reqs[0] != keep.ID {
		t.Errorf("requests left: %v", reqs)
	}
	for _, tbl := range []string{"join_request_events", "join_answers", "sessions"} {
		var n int
		a.db.Get(&n, `SELECT COUNT(*) FROM `+tbl+` WHERE `+map[string]string{"sessions": "member_id NOT IN (SELECT id FROM members)"}[tbl]+
			map[string]string{"join_request_events": "request_id NOT IN (SELECT id FROM join_requests)", "join_answers": "request_id NOT IN (SELECT id FROM join_requests)"}[tbl])
		if n != 0 {
			t.Errorf("%s: %d orphans", tbl, n)
		}
	}
	for _, addr := range []string{"bea@example.se", "cia@example.se"} {
		if ms := mailsTo(t, a, addr); len(ms) != 0 {
			t.Errorf("mail to %s kept: %d", addr, len(ms))
		}
	}
	var audit []struct {
		Action string `db:"action"`
		Reason string `db:"reason"`
		Detail string `db:"detail"`
	}
	a.db.Select(&audit, `SELECT action, reason, detail FROM audit_log ORDER BY id`)
	purged := 0
	for _, l := range audit {
		if personal.MatchString(l.Reason + " " + l.Detail) {
			t.Errorf("personal data in the audit log: %+v", l)
		}
		if l.Action == "join_request.purge" {
			purged++
		}
	}
	if purged != 3 {
		t.Errorf("%d purge lines, want 3: %+v", purged, audit)
	}
	// Old sessions are gone with the accounts.
	cia.get("/").contains("Bli medlem")
}

// Admins edit the join questions and the ready-made reasons without a
// code change; answers to added questions travel everywhere.
func TestScreeningEditableQuestions(t *testing.T) {
	a, ad, mona, _ := scrSetup(t)
	mona.get("/admin/join-questions").wantStatus(http.StatusForbidden)
	page := ad.get("/admin/join-questions").wantStatus(http.StatusOK)
	page.contains("Arbetsplats (organisation)", "Varför vill du gå med?", "grundfråga")

	// Add a free-text and a yes/no question; a bad one keeps its text.
	ad.postForm("/admin/join-questions", url.Values{"kind": {"text"}, "label_sv": {"Ko"}, "label_en": {"Which unit?"}}).
		wantStatus(http.StatusBadRequest).contains("Fråga på svenska")
	ad.postForm("/admin/join-questions", url.Values{"kind": {"text"}, "label_sv": {"Vilken enhet leder du?"}, "label_en": {"Which unit do you lead?"},
		"required": {"1"}}).wantStatus(http.StatusSeeOther)
	ad.postForm("/admin/join-questions", url.Values{"kind": {"yesno"}, "label_sv": {"Är du med i Facebookgruppen?"},
		"label_en": {"Are you in the Facebook group?"}}).wantStatus(http.StatusSeeOther)
	qs, err := a.mod.Questions(context.Background(), false)
	if err != nil || len(qs) != 7 {
		t.Fatalf("questions: %d %v", len(qs), err)
	}
	unit, fb := qs[5], qs[6]
	// Reword a built-in question, make motivation optional, move the unit up.
	mot := qs[4]
	ad.postForm(fmt.Sprintf("/admin/join-questions/%d", mot.ID), url.Values{"label_sv": {"Berätta gärna om dig"}, "label_en": {"Tell us about you"}}).
		wantStatus(http.StatusSeeOther)
	ad.postForm(fmt.Sprintf("/admin/join-questions/%d", qs[0].ID), url.Values{"label_sv": {"Organisation"}}).wantStatus(http.StatusBadRequest).
		contains("Den här frågan måste alltid besvaras.")
	ad.postForm(fmt.Sprintf("/admin/join-questions/%d", qs[0].ID), url.Values{"action": {"remove"}}).wantStatus(http.StatusConflict)
	ad.postForm(fmt.Sprintf("/admin/join-questions/%d", unit.ID), url.Values{"action": {"up"}}).wantStatus(http.StatusSeeOther)

	// The join form shows them in order, in both languages.
	join := newTestClient(t, a).get("/join").wantStatus(http.StatusOK)
	join.contains("Vilken enhet leder du?", "Är du med i Facebookgruppen?", "Berätta gärna om dig", "(frivillig)")
	if strings.Index(join.Body, "Vilken enhet leder du?") > strings.Index(join.Body, "Berätta gärna om dig") {
		t.Error("the moved question is not above motivation")
	}
	en := newTestClient(t, a)
	en.Lang = "en"
	en.get("/join").contains("Which unit do you lead?", "Tell us about you")
	// A required added question is required; motivation is not any more.
	f := joinForm("bea")
	f.Del("motivation")
	newTestClient(t, a).postForm("/join", f).wantStatus(http.StatusBadRequest).contains("Vilken enhet leder du?")
	f.Set(unit.Key, "Hemtjänsten Centrum")
	f.Set(fb.Key, "yes")
	newTestClient(t, a).postForm("/join", f).wantStatus(http.StatusSeeOther)
	// The API takes them as answers too; unknown ones are refused.
	b := apiJoinBody("cia")
	b["answers"].(map[string]any)[unit.Key] = "Skolan"
	b["answers"].(map[string]any)[fb.Key] = false
	b["answers"].(map[string]any)["q999"] = "x"
	newTestClient(t, a).api("POST", "/api/v1/join-requests", b).wantStatus(http.StatusBadRequest)
	delete(b["answers"].(map[string]any), "q999")
	newTestClient(t, a).api("POST", "/api/v1/join-requests", b).wantStatus(http.StatusCreated)

	// The queue, the API list, the status page and the history show them.
	mona.get("/mod/join-requests").contains("Vilken enhet leder du?", "Hemtjänsten Centrum", "Är du med i Facebookgruppen?", "Skolan")
	list := mona.api("GET", "/api/v1/join-requests?status=pending", nil).json()["join_requests"].([]any)
	if ans := list[0].(map[string]any)["answers"].(map[string]any); ans[unit.Key] != "Hemtjänsten Centrum" || ans[fb.Key] != "yes" || ans["motivation"] != "" {
		t.Fatalf("API answers: %v", ans)
	}
	if ans := list[1].(map[string]any)["answers"].(map[string]any); ans[fb.Key] != "no" {
		t.Fatalf("API yes/no: %v", ans)
	}
	bea := newTestClient(t, a)
	bea.login("bea", "ett långt lösenord")
	bea.get("/").contains("Hemtjänsten Centrum", "Vilken enhet leder du?")
	id := num(t, list[0].(map[string]any)["id"])
	mona.get(fmt.Sprintf("/mod/join-requests/%d", id)).contains("Hemtjänsten Centrum")

	// Removed: off the form, still on the requests that answered it.
	ad.postForm(fmt.Sprintf("/admin/join-questions/%d", fb.ID), url.Values{"action": {"remove"}}).wantStatus(http.StatusSeeOther)
	newTestClient(t, a).get("/join").lacks("Är du med i Facebookgruppen?")
	mona.get("/mod/join-requests").contains("Är du med i Facebookgruppen?")

	// Ready-made reasons: reword a built-in one, add one, remove one.
	rs, _ := a.mod.Reasons(context.Background(), false)
	ad.postForm(fmt.Sprintf("/admin/reject-reasons/%d", rs[0].ID), url.Values{"text_sv": {"Kliv är för chefer i stat, region och kommun."}}).
		wantStatus(http.StatusSeeOther)
	ad.postForm("/admin/reject-reasons", url.Values{"text_sv": {"Vi når dig inte på jobbet."}, "text_en": {"We cannot reach you at work."}}).
		wantStatus(http.StatusSeeOther)
	ad.postForm(fmt.Sprintf("/admin/reject-reasons/%d", rs[4].ID), url.Values{"action": {"remove"}}).wantStatus(http.StatusSeeOther)
	q := mona.get("/mod/join-requests")
	q.contains("Kliv är för chefer i stat, region och kommun.", "Vi når dig inte på jobbet.").lacks("Du har redan ett konto hos oss.")
	mona.api("POST", jrPath(id, "/reject"), map[string]any{"reason": "r6"}).wantStatus(http.StatusOK)
	if ms := mailsTo(t, a, "bea@molndal.se"); len(ms) != 1 || !strings.Contains(ms[0].Body, "Vi når dig inte på jobbet.") {
		t.Fatalf("the added reason's mail: %+v", ms)
	}
}

// The yearly confirmation: asked by mail, lapsed after the grace time,
// back when she confirms; moderators see who lapsed.
func TestScreeningRoleConfirmation(t *testing.T) {
	a, _, mona, _ := scrSetup(t)
	clock := useTestClock(a)
	jr := mustApply(t, a, "bea", "")
	mona.api("POST", jrPath(jr.ID, "/approve"), map[string]any{}).wantStatus(http.StatusOK)
	bea := clientFor(t, a, "bea")
	bea.get("/confirm-role").wantStatus(http.StatusOK).contains("Enhetschef äldreomsorg")

	clock.Add(200 * 24 * time.Hour)
	if n, _ := a.mod.AskConfirmations(context.Background()); n != 0 {
		t.Fatalf("asked too early: %d", n)
	}
	clock.Add(170 * 24 * time.Hour)
	a.chores(context.Background())
	ms := mailsTo(t, a, "bea@example.se")
	if last := ms[len(ms)-1]; last.Kind != "confirm_role" || !strings.Contains(last.Body, testBaseURL+"/confirm-role") {
		t.Fatalf("confirmation mail: %+v", last)
	}
	if n, _ := a.mod.AskConfirmations(context.Background()); n != 0 {
		t.Fatalf("asked twice: %d", n)
	}
	// The moderator confirms hers; bea does not.
	if err := a.mod.ConfirmRole(context.Background(), member(t, a, "mona"), "Enhetschef", "Mölndals stad", "municipality"); err != nil {
		t.Fatal(err)
	}
	bea = clientFor(t, a, "bea") // a year on: a new session
	r := bea.get("/confirm-role")
	r.contains("Det är dags att bekräfta")
	clock.Add(31 * 24 * time.Hour)
	a.chores(context.Background())
	bea = clientFor(t, a, "bea")
	bea.api("GET", "/api/v1/session", nil).wantStatus(http.StatusOK).contains(`"status":"lapsed"`)
	bea.api("POST", "/api/v1/topics", map[string]any{"category_id": 1, "title": "Hej", "body": "Hej", "kind": "discussion"}).wantStatus(http.StatusForbidden)
	// She reads, with the banner and its link, but writes nothing.
	home := bea.get("/").wantStatus(http.StatusOK)
	home.contains("Ditt medlemskap är vilande: du kan läsa men inte skriva", `href="/confirm-role"`)
	tp := mustTopic(t, a, member(t, a, "mona"), forum.NewTopic{Title: "Läses av en alumn", Body: "Text"})
	bea.get(fmt.Sprintf("/t/%d", tp.ID)).wantStatus(http.StatusOK).contains("Läses av en alumn", "Ditt medlemskap är vilande")
	bea.api("GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil).wantStatus(http.StatusOK)
	bea.postForm(fmt.Sprintf("/t/%d/reply", tp.ID), url.Values{"body": {"Ett svar"}}).wantStatus(http.StatusForbidden)
	bea.api("POST", fmt.Sprintf("/api/v1/posts/%d/reactions", *tp.FirstPostID), map[string]any{}).wantStatus(http.StatusForbidden)
	bea.get("/confirm-role").contains("Ditt medlemskap är vilande.", `action="/confirm-role"`)
	mona = clientFor(t, a, "mona")
	mona.get("/mod/lapsed").contains("Test bea", "Enhetschef äldreomsorg")
	// A bad confirmation keeps her text.
	bea.postForm("/confirm-role", url.Values{"role": {"Enhetschef hemtjänst"}, "workplace": {""}, "sector": {"municipality"}}).
		wantStatus(http.StatusBadRequest).contains("Enhetschef hemtjänst")
	bea.postForm("/confirm-role", url.Values{"role": {"Enhetschef hemtjänst"}, "workplace": {"Mölndals stad"}, "sector": {"municipality"}}).
		wantStatus(http.StatusSeeOther)
	bea.api("GET", "/api/v1/session", nil).contains(`"status":"approved"`)
	mona.get("/mod/lapsed").lacks("Test bea") // ada and maja, who did not confirm, are still there
	var detail string
	a.db.Get(&detail, `SELECT detail FROM audit_log WHERE action = 'member.confirm_role'`)
	if detail != "changed" {
		t.Errorf("confirm audit: %q", detail)
	}
	// Applicants have no role to confirm.
	mustApply(t, a, "cia", "")
	cia := clientFor(t, a, "cia")
	if loc := cia.get("/confirm-role").wantStatus(http.StatusSeeOther).location(); loc != "/" {
		t.Errorf("an applicant on /confirm-role is sent to %q, want her status page", loc)
	}
	cia.postForm("/confirm-role", url.Values{"role": {"Chef"}, "workplace": {"Borås stad"}, "sector": {"municipality"}}).wantStatus(http.StatusForbidden)
}

// The verified role line stands by her name on her posts, as approved;
// she can hide it on a post in the composer, the reply and edit forms
// and the API.
func TestScreeningRoleOnPosts(t *testing.T) {
	a, _, mona, _ := scrSetup(t)
	jr := mustApply(t, a, "bea", "")
	mona.api("POST", jrPath(jr.ID, "/approve"), map[string]any{}).wantStatus(http.StatusOK)
	bea := clientFor(t, a, "bea")
	line := "Enhetschef äldreomsorg · Kommun · Mölndals stad"

	shown := bea.api("POST", "/api/v1/topics", map[string]any{"category_id": 1, "title": "Schemaläggning", "body": "Hur gör ni?", "kind": "question"}).
		wantStatus(http.StatusCreated).json()
	hidden := bea.api("POST", "/api/v1/topics", map[string]any{"category_id": 1, "title": "Anonymt om lön", "body": "Vad tjänar ni?",
		"kind": "question", "hide_role": true}).wantStatus(http.StatusCreated).json()
	bea.get(shown["url"].(string)).wantStatus(http.StatusOK).contains(line)
	bea.get(hidden["url"].(string)).wantStatus(http.StatusOK).lacks(line)
	posts := bea.api("GET", fmt.Sprintf("/api/v1/topics/%d", num(t, hidden["id"])), nil).json()["posts"].([]any)
	if p := posts[0].(map[string]any); p["hide_role"] != true || p["author_role_line"] != nil {
		t.Fatalf("hidden post JSON: %v", p)
	}
	posts = bea.api("GET", fmt.Sprintf("/api/v1/topics/%d", num(t, shown["id"])), nil).json()["posts"].([]any)
	if p := posts[0].(map[string]any); p["hide_role"] != false || p["author_role_line"].(map[string]any)["workplace"] != "Mölndals stad" {
		t.Fatalf("shown post JSON: %v", p)
	}

	// A reply through the form with the box ticked.
	tid := num(t, shown["id"])
	bea.get(fmt.Sprintf("/t/%d", tid)).contains(`name="hide_role"`, "Visa inte min roll")
	bea.postForm(fmt.Sprintf("/t/%d/reply", tid), url.Values{"body": {"Ett svar utan roll"}, "hide_role": {"1"}}).wantStatus(http.StatusSeeOther)
	page := bea.get(fmt.Sprintf("/t/%d", tid)).Body
	if strings.Count(page, "Enhetschef äldreomsorg") != 1 {
		t.Errorf("role lines on the topic page: %d, want 1 (the first post)", strings.Count(page, "Enhetschef äldreomsorg"))
	}
	// The edit form turns it off and on; the cached card follows.
	pid := num(t, posts[0].(map[string]any)["id"])
	bea.get(fmt.Sprintf("/p/%d/edit", pid)).wantStatus(http.StatusOK).lacks(`name="hide_role" value="1" checked`)
	bea.postForm(fmt.Sprintf("/p/%d/edit", pid), url.Values{"body": {"Hur gör ni med scheman?"}, "version": {"1"}, "hide_role": {"1"}}).
		wantStatus(http.StatusSeeOther)
	bea.get(fmt.Sprintf("/t/%d", tid)).lacks(line)
	bea.get(fmt.Sprintf("/p/%d/edit", pid)).contains(`name="hide_role" value="1" checked`)
	bea.api("PATCH", fmt.Sprintf("/api/v1/posts/%d", pid), map[string]any{"body": "Hur gör ni med scheman?", "version": 2, "hide_role": false}).
		wantStatus(http.StatusOK)
	bea.get(fmt.Sprintf("/t/%d", tid)).contains(line)
	// Only the author decides.
	mona.api("PATCH", fmt.Sprintf("/api/v1/posts/%d", pid), map[string]any{"body": "Städat", "version": 3, "hide_role": true}).
		wantStatus(http.StatusForbidden)
	bea.get(fmt.Sprintf("/t/%d", tid)).contains(line).lacks("Städat")
}
