package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"kliv/forum"
)

// journeyRun is one way through the newcomer's journey: a device size,
// JavaScript on or off.
type journeyRun struct {
	vp viewport
	js bool
}

// The newcomer's journey in a real browser, with JavaScript on and off,
// on phones and a desktop: she applies, a moderator approves, she signs
// in, starts a question with a preview, gets a reply, thanks it, follows
// a topic, searches and reads her notifications. Every key page is
// checked (no sideways scrolling, header size, axe) and photographed.
func TestBrowserJourney(t *testing.T) {
	env := needBrowser(t)
	a := newTestApp(t)
	mustCreateMember(t, a, "moa", forum.RoleModerator, forum.StatusApproved)
	other := mustTopic(t, a, member(t, a, "moa"), forum.NewTopic{Title: "Hur planerar ni semesterschemat?", Kind: forum.KindDiscussion,
		Body: "Vi lägger semesterschemat i mars. Hur gör ni i hemtjänsten?"})
	// A network meeting in a week, official, with room for everyone.
	meeting, err := a.store.CreateEvent(t.Context(), member(t, a, "moa"), forum.NewEvent{CategoryID: catLedarskap,
		Title: "Nätverksträff i Mölndal", Body: "Föreläsning och mingel.", Official: true,
		StartsAt: time.Now().Add(7 * 24 * time.Hour).Format(time.RFC3339), EndsAt: time.Now().Add(7*24*time.Hour + 3*time.Hour).Format(time.RFC3339),
		Location: "Mölndals stadshus"})
	if err != nil {
		t.Fatal(err)
	}
	srv := browserServer(t, a)

	runs := []journeyRun{{phone320, false}, {phone390, true}, {desk1280, true}, {desk1280, false}}
	if os.Getenv("KLIV_JOURNEY") == "quick" {
		runs = runs[2:3]
	}
	for _, run := range runs {
		name := run.vp.name + map[bool]string{true: "-js", false: "-nojs"}[run.js]
		t.Run(name, func(t *testing.T) {
			user := "ny" + strings.ReplaceAll(name, "-", "")
			her := env.newTab(t, srv, run.vp, run.js)
			mod := env.newTab(t, srv, run.vp, run.js)
			mod.signIn("moa")

			stepApply(her, user)
			stepApprove(mod, user)
			her = env.newTab(t, srv, run.vp, run.js) // another day, another browser
			stepSignIn(her, user)
			topic := stepNewTopic(her)
			reply := stepReply(mod, topic)
			stepNotifications(her, topic)
			stepThanks(her, topic, reply)
			stepFollow(her, other.Path())
			stepSearch(her, other.Title)
			stepRSVP(her, meeting)
		})
	}
}

// stepApply: a visitor (her browser in English) switches to Swedish and
// applies through "Bli medlem", first with a mistake.
func stepApply(tb *tab, user string) {
	tb.t.Helper()
	tb.open("/join")
	if tb.has("button.lang-suggest") {
		tb.submit("button.lang-suggest")
	}
	tb.wantText("join page", "Bli medlem")
	tb.check("join")
	tb.fill("#f-display_name", "Nyfiken "+user)
	tb.fill("#f-username", user)
	tb.fill("#f-email", user+"@molndal.se")
	tb.fill("#f-password", testPassword)
	tb.fill("#f-workplace", "Mölndals stad")
	tb.fill("#f-role", "Enhetschef hemtjänst")
	tb.click(`input[name=staff_responsibility][value=yes]`)
	tb.click(`input[name=sector][value=municipality]`)
	tb.fill("#f-motivation", "Jag vill lära av andra chefer i hemtjänsten.")
	// The rules are not accepted yet: the form says so and keeps the rest.
	tb.submit(`form[action="/join"] button[type=submit]`)
	tb.wantText("join without the rules", "Du behöver godkänna gemenskapens regler.")
	tb.check("join-error")
	tb.fill("#f-password", testPassword)
	tb.click("#f-accept_rules")
	tb.submit(`form[action="/join"] button[type=submit]`)
	tb.wantText("applied", "Din ansökan väntar på en moderator.")
	tb.check("applied")
}

// stepApprove: the moderator sees the count in the header, opens the
// queue and approves her. (The queue page belongs to the screening work;
// only this step knows its buttons.)
func stepApprove(tb *tab, user string) {
	tb.t.Helper()
	tb.open("/")
	if !tb.has(`.nav-quick a[href="/mod/join-requests"] .count`) {
		tb.t.Errorf("the moderator's header shows no queue count (%s)", tb.name)
	}
	tb.open("/mod/join-requests")
	tb.check("queue")
	id := eval[string](tb, fmt.Sprintf(`(() => { for (const h of document.querySelectorAll("article.request h2")) { if (h.textContent.includes("@%s")) return h.id; } return ""; })()`, user))
	if id == "" {
		tb.t.Fatalf("%s is not in the queue", user)
	}
	tb.submit(fmt.Sprintf(`article[aria-labelledby=%q] button[value=approve]`, id))
}

// stepSignIn: she signs in on a new browser and lands on the forum.
func stepSignIn(tb *tab, user string) {
	tb.t.Helper()
	tb.signIn(user)
	tb.wantText("signed in", "Senaste")
	tb.check("home")
}

// stepNewTopic: she writes a question, previews it (live with
// JavaScript, by the button without), and posts it. It returns the
// topic's path.
func stepNewTopic(tb *tab) string {
	tb.t.Helper()
	tb.open("/new")
	tb.fill("#f-title", "Hur får ni ihop hemtjänstens scheman?")
	tb.click(`input[name=kind][value=question]`)
	if tb.has("#f-url") && eval[bool](tb, `document.querySelector("#f-url").offsetParent !== null`) {
		tb.t.Errorf("the link field shows for a question (%s)", tb.name)
	}
	eval[bool](tb, `(() => { const s = document.querySelector("#f-category_id"); s.value = s.options[1].value; return true; })()`)
	tb.fill("#f-body", "Vi har **svårt** att få ihop helgerna.\n\n    Vecka 27–32: halva gruppen")
	if tb.js {
		// The live preview shows it without a round trip.
		tb.do("live preview", waitFor(`!document.querySelector("[data-preview-region]").hidden && document.querySelector("[data-preview-target] strong") !== null`))
	} else {
		tb.submit(`form[action="/new"] button[name=preview]`)
	}
	if got := eval[string](tb, `document.querySelector("[data-preview-target]").innerHTML`); !strings.Contains(got, "<strong>svårt</strong>") || !strings.Contains(got, "<pre><code>Vecka 27") {
		tb.t.Errorf("preview (%s): %s", tb.name, got)
	}
	tb.check("new-topic-preview")
	tb.submit(`form[action="/new"] button.primary`)
	tb.wantText("topic posted", "Hur får ni ihop hemtjänstens scheman?", "Fråga")
	tb.check("topic")
	return tb.url()
}

// stepReply: the moderator answers her question from the reply box.
// It returns the reply's anchor.
func stepReply(tb *tab, topic string) string {
	tb.t.Helper()
	tb.open(topic)
	tb.fill("#f-body", "Vi lägger helgerna först, sedan resten.")
	tb.submit(`.reply-box form button.primary`)
	anchor := eval[string](tb, `location.hash`)
	if !strings.HasPrefix(anchor, "#p") {
		tb.t.Fatalf("after replying at %s", tb.url())
	}
	return anchor
}

// stepNotifications: she sees the reply in her notifications and opens it.
func stepNotifications(tb *tab, topic string) {
	tb.t.Helper()
	tb.open("/")
	if !tb.has(`.nav-quick a[href="/notifications"] .count`) {
		tb.t.Errorf("no notification count in the header (%s)", tb.name)
	}
	tb.open("/notifications")
	tb.wantText("notifications", "Hur får ni ihop hemtjänstens scheman?")
	tb.check("notifications")
}

// stepThanks: she thanks the reply and is back at it, not at the top.
func stepThanks(tb *tab, topic, anchor string) {
	tb.t.Helper()
	if i := strings.IndexByte(topic, '#'); i >= 0 {
		topic = topic[:i]
	}
	tb.open(topic)
	if !tb.has(anchor + ` form[action$="/thanks"] button`) {
		tb.t.Fatalf("no Tack on %s: %s", anchor, eval[string](tb, fmt.Sprintf(`(document.querySelector(%q) || {outerHTML: "no post"}).outerHTML`, anchor)))
	}
	tb.submit(anchor + ` form[action$="/thanks"] button`)
	if got := eval[string](tb, `location.hash`); got != anchor {
		tb.t.Errorf("after Tack at %s, want %s", tb.url(), anchor)
	}
	if top := eval[float64](tb, fmt.Sprintf(`document.querySelector(%q).getBoundingClientRect().top`, anchor)); top < -1 || top > 200 {
		tb.t.Errorf("after Tack the post is %.0f px from the top of the window (%s)", top, tb.name)
	}
	tb.check("thanked")
}

// stepFollow: she follows another topic.
func stepFollow(tb *tab, path string) {
	tb.t.Helper()
	tb.open(path)
	tb.submit(`form.follow-form button[value=watching]`)
	tb.wantText("followed", "Du bevakar ämnet")
}

// stepSearch: she searches for a word whose compound is in a title.
func stepSearch(tb *tab, title string) {
	tb.t.Helper()
	tb.open("/")
	tb.fill("#q", "semester")
	tb.submit(`form.search button[type=submit]`)
	tb.wantText("search", title)
	tb.check("search")
}

// stepRSVP: she finds the network meeting on the events page, opens it
// and signs up ("Jag kommer"); the page says she is going, and the
// calendar file is there for her.
func stepRSVP(tb *tab, meeting *forum.Event) {
	tb.t.Helper()
	tb.open("/events")
	tb.wantText("events page", meeting.Title)
	tb.check("events")
	tb.open(fmt.Sprintf("/t/%d", meeting.TopicID))
	tb.wantText("event page", meeting.Title, "Jag kommer")
	if st := tb.submit(`form.rsvp button[value=going]`); st >= 400 {
		tb.t.Fatalf("sign-up answered %d", st)
	}
	tb.wantText("signed up", "Du är anmäld: du kommer.")
	tb.check("event")
	if !tb.has(fmt.Sprintf(`a[href="/events/%d.ics"]`, meeting.TopicID)) {
		tb.t.Errorf("the event page has no calendar file link")
	}
}
