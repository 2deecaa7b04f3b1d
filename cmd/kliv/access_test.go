package main

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/forum/avatar"
	"kliv/moderation"
)

// access is who may use a route.
type access int

const (
	// open: anyone, signed in or not (signing in, joining, setup,
	// password reset, static files); only "no 5xx" is checked.
	open access = iota
	// signedIn: anyone signed in, applicants too.
	signedIn
	// memberOnly: approved members.
	memberOnly
	// modOnly: moderators and admins; also a member's action on another
	// member's object that a moderator may take (editing her post).
	modOnly
	// adminOnly: admins.
	adminOnly
	// ownOnly: the route acts on another member's own object (her
	// token, her notification): every signed-in reader is refused.
	ownOnly
	// byToken: the URL carries its proof (feeds, unsubscribe); without
	// it everyone is refused.
	byToken
)

// routeAccess is who may use each route of the real router, grouped by
// access. Every route must have its row and every row its route: a new
// route fails TestEveryRouteChecksAccess until it is given one here.
var routeAccess = map[access]string{
	open: `
		GET / | GET /rules | POST /lang | GET /login | POST /login | POST /logout | GET /join | POST /join | POST /join/again
		GET /setup | POST /setup | GET /password/forgot | POST /password/forgot | GET /password/reset | POST /password/reset
		GET /healthz | HEAD /healthz | GET /s/*path | GET /favicon.ico
		POST /api/v1/session | POST /api/v1/join-requests | GET /privacy | GET /invite | POST /invite`,
	byToken: `
		GET /feeds/latest.atom | HEAD /feeds/latest.atom | GET /feeds/categories/:file | HEAD /feeds/categories/:file
		GET /feeds/topics/:file | HEAD /feeds/topics/:file | GET /unsubscribe | POST /unsubscribe
		GET /feeds/events.ics | HEAD /feeds/events.ics`,
	signedIn: `
		GET /settings | POST /settings/language | POST /settings/password | POST /settings/logout-everywhere
		GET /api/v1/session | DELETE /api/v1/session
		GET /settings/privacy | GET /settings/privacy/export | POST /settings/privacy/delete
		GET /api/v1/me/export | GET /api/v1/me/sessions | DELETE /api/v1/me
		POST /join/complete | POST /join/withdraw | POST /api/v1/join-requests/withdraw`,
	memberOnly: `
		GET /categories | GET /c/:slug | POST /c/:slug/follow | POST /c/:slug/read-all | GET /new | POST /new
		GET /t/:id | GET /t/:id/reply | POST /t/:id/reply | POST /t/:id/follow | POST /read-all
		GET /p/:id | GET /p/:id/revisions | GET /p/:id/thanks | POST /p/:id/thanks | POST /p/:id/unthank
		GET /p/:id/bookmark | POST /p/:id/bookmark | POST /p/:id/bookmark/delete | GET /p/:id/report | POST /p/:id/report
		GET /u/:username | GET /search | GET /following | GET /bookmarks | GET /notifications | POST /notifications/read-all
		GET /settings/following | POST /settings/following | GET /settings/mail | POST /settings/mail | POST /settings/feed-token
		POST /settings/tokens
		GET /api/v1/categories | POST /api/v1/categories/:id/follow | DELETE /api/v1/categories/:id/follow
		POST /api/v1/categories/:id/mute | DELETE /api/v1/categories/:id/mute | POST /api/v1/categories/:id/read-all
		GET /api/v1/topics | POST /api/v1/topics | GET /api/v1/topics/:id | POST /api/v1/topics/:id/posts
		POST /api/v1/topics/:id/follow | DELETE /api/v1/topics/:id/follow | POST /api/v1/topics/:id/mute | DELETE /api/v1/topics/:id/mute
		GET /api/v1/posts/:id | GET /api/v1/posts/:id/revisions | GET /api/v1/posts/:id/reactions | POST /api/v1/posts/:id/reactions
		DELETE /api/v1/posts/:id/reactions | POST /api/v1/posts/:id/bookmark | DELETE /api/v1/posts/:id/bookmark
		POST /api/v1/posts/:id/reports | POST /api/v1/preview | GET /api/v1/search | POST /api/v1/read-all
		GET /api/v1/following | GET /api/v1/following/settings | PUT /api/v1/following/settings
		GET /api/v1/notifications | POST /api/v1/notifications/read-all | GET /api/v1/bookmarks
		GET /api/v1/me | GET /api/v1/me/tokens | POST /api/v1/me/tokens | POST /api/v1/me/feed-token
		GET /api/v1/me/mail-prefs | PUT /api/v1/me/mail-prefs
		GET /members | GET /settings/profile | POST /settings/profile | POST /settings/profile/avatar
		POST /settings/profile/avatar/delete | GET /u/:username/avatar | HEAD /u/:username/avatar
		GET /api/v1/members | GET /api/v1/members/:username | GET /api/v1/profile-choices
		PATCH /api/v1/me | PUT /api/v1/me/avatar | DELETE /api/v1/me/avatar
		GET /messages | GET /messages/new | POST /messages | GET /api/v1/messages | POST /api/v1/messages
		GET /settings/blocks | POST /settings/blocks | POST /settings/blocks/:username/delete
		GET /u/:username/block | POST /u/:username/block | POST /u/:username/unblock
		GET /api/v1/me/blocks | POST /api/v1/me/blocks | DELETE /api/v1/me/blocks/:username
		GET /events | GET /events/archive | GET /events/new | POST /events/new | GET /events/:id | GET /events/:id/attendees
		POST /events/:id/rsvp | GET /api/v1/events | POST /api/v1/events | GET /api/v1/events/:id
		GET /api/v1/events/:id/attendees | POST /api/v1/events/:id/rsvp | GET /confirm-role | POST /confirm-role`,
	modOnly: `
		GET /mod/join-requests | POST /mod/join-requests | GET /mod/reports | GET /mod/posts/:id
		POST /mod/posts/:id/dismiss | POST /mod/posts/:id/hide | POST /mod/posts/:id/unhide | POST /mod/posts/:id/delete
		POST /mod/members/:username/:action
		GET /p/:id/edit | POST /p/:id/edit | GET /p/:id/delete | POST /p/:id/delete | POST /t/:id/answer | POST /t/:id/lock
		GET /api/v1/join-requests | POST /api/v1/join-requests/:id/approve | POST /api/v1/join-requests/:id/reject
		GET /api/v1/reports | POST /api/v1/reports/:id/dismiss | POST /api/v1/posts/:id/hide | POST /api/v1/posts/:id/unhide
		GET /api/v1/members/:username/sanctions | POST /api/v1/members/:username/warn | POST /api/v1/members/:username/suspend
		POST /api/v1/members/:username/unsuspend | POST /api/v1/members/:username/remove
		PATCH /api/v1/posts/:id | DELETE /api/v1/posts/:id | POST /api/v1/topics/:id/answer | POST /api/v1/topics/:id/lock
		GET /mod | GET /api/v1/mod/dashboard
		POST /t/:id/pin | POST /t/:id/unpin | POST /t/:id/close | GET /t/:id/move | POST /t/:id/move | GET /t/:id/split | POST /t/:id/split
		POST /api/v1/topics/:id/pin | POST /api/v1/topics/:id/unpin | POST /api/v1/topics/:id/close
		POST /api/v1/topics/:id/move | POST /api/v1/topics/:id/split
		GET /events/:id/edit | POST /events/:id/edit | GET /events/:id/message | POST /events/:id/message
		GET /events/:id/attendees.csv | POST /events/:id/official | POST /events/:id/cancel
		PATCH /api/v1/events/:id | POST /api/v1/events/:id/message | POST /api/v1/events/:id/official
		DELETE /api/v1/events/:id/official | POST /api/v1/events/:id/cancel
		GET /mod/join-requests/:id | GET /mod/lapsed | POST /mod/join-requests/:id/ask | POST /mod/join-requests/:id/claim
		POST /mod/join-requests/:id/verify | GET /api/v1/join-requests/:id | POST /api/v1/join-requests/:id/ask
		POST /api/v1/join-requests/:id/claim | DELETE /api/v1/join-requests/:id/claim
		POST /api/v1/join-requests/:id/verifications`,
	adminOnly: `
		GET /admin | POST /admin/roles | GET /admin/audit | GET /admin/categories | POST /admin/categories
		POST /admin/categories/:id | POST /admin/categories/:id/move | POST /admin/categories/:id/archive
		GET /api/v1/audit | PUT /api/v1/members/:username/role
		GET /admin/members | GET /admin/settings | POST /admin/settings
		GET /api/v1/admin/members | GET /api/v1/admin/settings | PUT /api/v1/admin/settings
		GET /admin/invitations | POST /admin/invitations | POST /api/v1/invitations
		GET /admin/join-questions | POST /admin/join-questions | POST /admin/join-questions/:id
		POST /admin/reject-reasons | POST /admin/reject-reasons/:id`,
	ownOnly: `
		POST /settings/tokens/:id/revoke | DELETE /api/v1/me/tokens/:id | GET /notifications/:id | POST /api/v1/notifications/:id/read
		POST /settings/sessions/:id/revoke | DELETE /api/v1/me/sessions/:id
		GET /messages/:id | POST /messages/:id | GET /api/v1/messages/:id | POST /api/v1/messages/:id`,
}

// persona is one kind of reader the walk sends.
type persona struct {
	name     string
	username string // "" for anonymous
	level    access // the highest access she has (open for anonymous)
}

var personas = []persona{
	{"anonymous", "", open},
	{"applicant", "pia", signedIn},
	{"suspended", "sus", open}, // her old cookie signs her out
	{"member", "mia", memberOnly},
	{"moderator", "mona", modOnly},
	{"admin", "ada", adminOnly},
}

// accessApp is a forum where every :id of the routes is 1 and belongs
// to olga, a member none of the personas is: topic, post, category,
// join request (pia's), notification, API token and report.
func accessApp(t *testing.T) (*app, string) {
	t.Helper()
	a := newTestApp(t)
	ctx := context.Background()
	ada := mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	olga := mustCreateMember(t, a, "olga", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	mia := mustCreateMember(t, a, "mia", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "sus", forum.RoleMember, forum.StatusApproved)
	mustApply(t, a, "pia", "")
	tp := mustTopic(t, a, olga, forum.NewTopic{Title: "Ett ämne av Olga", Kind: forum.KindQuestion})
	mustTopic(t, a, olga, forum.NewTopic{Title: "Ett ämne att låsa"})
	mustReply(t, a, ada, tp.ID, "Ett svar till @olga", 0)
	if _, err := a.store.CreateAPIToken(ctx, olga.ID, "olgas"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.mod.ReportPost(ctx, mia, 1, "spam", ""); err != nil {
		t.Fatal(err)
	}
	// Conversation 1 is olga's with pam, none of the personas; olga has
	// a picture.
	mustCreateMember(t, a, "pam", forum.RoleMember, forum.StatusApproved)
	if _, err := a.store.StartConversation(ctx, olga, forum.NewConversation{To: []string{"pam"}, Body: "Hej Pam, ett privat ord."}); err != nil {
		t.Fatal(err)
	}
	img, err := avatar.ProcessBytes(testPNG(t, 64, 64))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.SetAvatar(ctx, olga, img); err != nil {
		t.Fatal(err)
	}
	// Olga's event, an organiser's object: its paths take its id.
	ev, err := a.store.CreateEvent(ctx, olga, forum.NewEvent{CategoryID: catLedarskap, Title: "Olgas nätverksträff",
		Body: "Vi ses och pratar schema.", StartsAt: time.Now().Add(72 * time.Hour).Format(time.RFC3339),
		EndsAt: time.Now().Add(75 * time.Hour).Format(time.RFC3339), Location: "Stadshuset, Mölndal"})
	if err != nil {
		t.Fatal(err)
	}
	if ev.TopicID != accessEventID {
		t.Fatalf("olga's event is topic %d, the walk's paths say %d", ev.TopicID, accessEventID)
	}
	// Session 1 is olga's, so no persona's own session takes its id.
	if _, _, err := a.store.CreateSession(ctx, olga.ID); err != nil {
		t.Fatal(err)
	}
	// sus signs in, then is suspended: her cookie is left in the browser.
	sus := clientFor(t, a, "sus")
	cookie := sus.cookies[sessionCookie].Value
	if err := a.mod.Suspend(ctx, ada, "sus", moderation.MemberAction{Reason: "spam", Until: time.Now().Add(48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return a, cookie
}

// routeBodies are the bodies the walk sends where a handler reads its
// input before the domain judges who may act, so the walk reaches that
// judgement.
var routeBodies = map[string]url.Values{
	"POST /admin/categories/:id/move":       {"direction": {"down"}},
	"POST /mod/join-requests":               {"id": {"1"}, "action": {"reject"}, "reason": {"no_staff"}},
	"POST /api/v1/join-requests/:id/reject": {"reason": {"no_staff"}},
	"POST /t/:id/lock":                      {"locked": {"1"}},
	"POST /api/v1/topics/:id/lock":          {"locked": {"true"}},
}

// accessEventID is the topic id of olga's event in accessApp.
const accessEventID = 3

// walkTopicTools are the moderators' tools that change a topic for all that
// follow; the walk uses them on topic 2, so topic 1 stays open to replies.
var walkTopicTools = []string{"/:id/lock", "/:id/pin", "/:id/unpin", "/:id/close", "/:id/move", "/:id/split"}

// routePath fills a route's parameters: every id is 1, but for the topic
// tools.
func routePath(method, p string) string {
	if strings.HasPrefix(p, "/events/:id") || strings.HasPrefix(p, "/api/v1/events/:id") {
		return strings.Replace(p, ":id", strconv.Itoa(accessEventID), 1)
	}
	for _, tool := range walkTopicTools {
		if strings.HasSuffix(p, tool) {
			return strings.Replace(p, ":id", "2", 1)
		}
	}
	r := strings.NewReplacer(":id", "1", ":slug", "ledarskap", ":username", "olga", ":action", "warn", ":file", "1.atom", "*path", "x")
	return r.Replace(p)
}

func parseRouteAccess(t *testing.T) map[string]access {
	t.Helper()
	out := map[string]access{}
	for acc, list := range routeAccess {
		for _, line := range strings.Split(list, "\n") {
			for _, r := range strings.Split(line, "|") {
				r = strings.Join(strings.Fields(r), " ")
				if r == "" {
					continue
				}
				if _, dup := out[r]; dup {
					t.Errorf("route %s has two rows", r)
				}
				out[r] = acc
			}
		}
	}
	return out
}

// Every route of the real router, walked as each persona: each gets what
// her access allows, and the refusal fits the reader (sign-in for the
// anonymous and the suspended, the status page or 403 for applicants,
// 403/404 for members without the right).
func TestEveryRouteChecksAccess(t *testing.T) {
	want := parseRouteAccess(t)
	probe := newTestApp(t)
	var routes []gin.RouteInfo
	seen := map[string]bool{}
	for _, r := range probe.routes().(*gin.Engine).Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		if _, ok := want[key]; !ok {
			t.Errorf("route %s has no row in routeAccess", key)
			continue
		}
		routes = append(routes, r)
	}
	for key := range want {
		if !seen[key] {
			t.Errorf("routeAccess lists %s, which the router does not have", key)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	for _, who := range personas {
		t.Run(who.name, func(t *testing.T) {
			a, oldCookie := accessApp(t)
			ctx := context.Background()
			for _, r := range routes {
				acc := want[r.Method+" "+r.Path]
				c := newTestClient(t, a)
				switch {
				case who.name == "suspended":
					c.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: oldCookie}
				case who.username != "":
					m := member(t, a, who.username)
					tok, _, err := a.store.CreateSession(ctx, m.ID)
					if err != nil {
						t.Fatal(err)
					}
					c.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: tok}
				}
				path := routePath(r.Method, r.Path)
				body := routeBodies[r.Method+" "+r.Path]
				var res *testResponse
				api := strings.HasPrefix(path, "/api/")
				switch {
				case r.Method == http.MethodGet || r.Method == http.MethodHead:
					res = c.do(newRequest(r.Method, path))
				case api:
					j := map[string]any{}
					for k, v := range body {
						j[k] = v[0]
						if v[0] == "true" {
							j[k] = true
						}
					}
					res = c.api(r.Method, path, j)
				default:
					res = c.postForm(path, body)
				}
				checkAccess(t, who, acc, r.Method, path, res)
			}
		})
	}
}

func newRequest(method, path string) *http.Request {
	req, _ := http.NewRequest(method, path, nil)
	return req
}

// checkAccess judges one answer: allowed or refused as it should be.
func checkAccess(t *testing.T, who persona, acc access, method, path string, res *testResponse) {
	t.Helper()
	api := strings.HasPrefix(path, "/api/")
	read := method == http.MethodGet || method == http.MethodHead
	loc := res.location()
	toLogin := read && res.Code == http.StatusSeeOther && strings.HasPrefix(loc, "/login")
	what := who.name + " " + method + " " + path
	switch {
	case acc == open:
		return
	case acc == byToken:
		if res.Code != http.StatusNotFound && res.Code != http.StatusBadRequest {
			t.Errorf("%s without its token: %d, want 404 or 400", what, res.Code)
		}
		return
	case who.level == open: // anonymous, or signed out by her sanction
		switch {
		case api && res.Code != http.StatusUnauthorized:
			t.Errorf("%s: %d, want 401", what, res.Code)
		case !api && read && !toLogin:
			t.Errorf("%s: %d %s, want a redirect to sign in", what, res.Code, loc)
		case !api && !read && res.Code != http.StatusUnauthorized:
			t.Errorf("%s: %d, want 401", what, res.Code)
		}
	case acc == ownOnly || acc > who.level:
		refused := res.Code == http.StatusForbidden || res.Code == http.StatusNotFound
		if who.level == signedIn && !api && read {
			// An applicant is sent to her status page.
			refused = res.Code == http.StatusSeeOther && loc == "/"
		}
		if !refused {
			t.Errorf("%s: %d %s, want it refused (403/404%s)", what, res.Code, loc, map[bool]string{true: " or the status page"}[who.level == signedIn])
		}
	default:
		// Undoing what is not there (a thanks never given) is a 404.
		missing := res.Code == http.StatusNotFound && method != http.MethodDelete
		if res.Code == http.StatusUnauthorized || res.Code == http.StatusForbidden || missing || toLogin ||
			(read && !api && res.Code == http.StatusSeeOther && loc == "/") {
			t.Errorf("%s: %d %s, want it allowed", what, res.Code, loc)
		}
	}
	if who.name == "suspended" && res.cookie(sessionCookie) != nil && res.cookie(sessionCookie).MaxAge >= 0 {
		t.Errorf("%s: the old cookie was not cleared", what)
	}
}
