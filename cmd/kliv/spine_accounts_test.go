package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kliv/forum"
)

func TestSignInRateLimits(t *testing.T) {
	a := newTestApp(t, withRateLimits)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	for _, u := range []string{"bea", "cia", "dora"} {
		mustCreateMember(t, a, u, forum.RoleMember, forum.StatusApproved)
	}

	// Per account: ten wrong guesses, then 429 even with the right
	// password and from another address.
	c := newTestClient(t, a)
	// (By username and by e-mail in turn: it is one account.)
	for i := 0; i < 10; i++ {
		login := "anna"
		if i%2 == 1 {
			login = "ANNA@example.se"
		}
		c.api("POST", "/api/v1/session", map[string]string{"login": login, "password": "wrong"}).wantStatus(http.StatusUnauthorized)
	}
	other := newTestClient(t, a)
	other.IP = "198.51.100.7"
	r := other.api("POST", "/api/v1/session", map[string]string{"login": "Anna", "password": testPassword}).wantStatus(http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if msg := r.json()["error"]; msg != "För många inloggningsförsök. Vänta en minut och försök igen." {
		t.Errorf("429 message: %v", msg)
	}
	// The form says it too.
	other.postForm("/login", url.Values{"login": {"anna"}, "password": {testPassword}}).wantStatus(http.StatusTooManyRequests).
		contains("För många inloggningsförsök.")
	// Other accounts are still open to the first address.
	c.api("POST", "/api/v1/session", map[string]string{"login": "bea", "password": testPassword}).wantStatus(http.StatusOK)

	// Per address: 20 tries a minute across accounts, then 429.
	ip := newTestClient(t, a)
	ip.IP = "203.0.113.9"
	n := 0
	for _, u := range []string{"bea", "cia", "dora"} {
		for i := 0; i < 7 && n < 20; i++ {
			ip.api("POST", "/api/v1/session", map[string]string{"login": u, "password": "wrong"}).wantStatus(http.StatusUnauthorized)
			n++
		}
	}
	ip.api("POST", "/api/v1/session", map[string]string{"login": "dora", "password": testPassword}).wantStatus(http.StatusTooManyRequests)
}

func TestLogoutAndSignOutEverywhere(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)

	// The login form signs in and goes to next (only on this site).
	c := newTestClient(t, a)
	c.get("/login?next=/settings").wantStatus(http.StatusOK)
	c.postForm("/login", url.Values{"login": {"anna"}, "password": {"wrong"}, "next": {"/settings"}}).
		wantStatus(http.StatusUnauthorized).contains("Fel användarnamn, e-postadress eller lösenord.", `value="anna"`)
	r := c.postForm("/login", url.Values{"login": {"anna"}, "password": {testPassword}, "next": {"/settings"}}).wantStatus(http.StatusSeeOther)
	if r.location() != "/settings" {
		t.Fatalf("login went to %q", r.location())
	}
	for _, next := range []string{"//evil.example/x", "https://evil.example", "/\\evil.example"} {
		c2 := newTestClient(t, a)
		if r := c2.postForm("/login", url.Values{"login": {"anna"}, "password": {testPassword}, "next": {next}}); r.location() != "/" {
			t.Errorf("next %q went to %q", next, r.location())
		}
	}
	c.get("/settings").wantStatus(http.StatusOK).contains("Inställningar")
	// Logout needs the CSRF token.
	c.postForm("/logout", url.Values{"csrf_token": {"wrong"}}).wantStatus(http.StatusForbidden)
	c.postForm("/logout", nil).wantStatus(http.StatusSeeOther)
	if c.hasSession() {
		t.Fatal("session cookie kept after logout")
	}
	if r := c.get("/settings"); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login") {
		t.Fatalf("settings after logout: %d %q", r.Code, r.location())
	}
	if n := countRows(t, a, "sessions"); n != 3 { // the three next-tests' sessions
		t.Fatalf("%d sessions after logout, want 3", n)
	}

	// Sign out everywhere ends the other browsers' sessions too.
	b1, b2 := clientFor(t, a, "anna"), clientFor(t, a, "anna")
	b1.get("/settings").wantStatus(http.StatusOK)
	r = b1.postForm("/settings/logout-everywhere", nil).wantStatus(http.StatusSeeOther)
	if r.location() != "/login" {
		t.Errorf("sign out everywhere went to %q", r.location())
	}
	b1.api("GET", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)
	b2.api("GET", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)
	if n := countRows(t, a, "sessions"); n != 0 {
		t.Fatalf("%d sessions left", n)
	}
}

func TestChangePassword(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	c, other := clientFor(t, a, "anna"), clientFor(t, a, "anna")
	c.get("/settings")
	c.postForm("/settings/password", url.Values{"current_password": {"wrong"}, "password": {"ett nytt lösenord"}}).
		wantStatus(http.StatusBadRequest).contains("Det nuvarande lösenordet stämmer inte.")
	c.postForm("/settings/password", url.Values{"current_password": {testPassword}, "password": {"kort"}}).
		wantStatus(http.StatusBadRequest).contains("Lösenordet behöver minst 10 tecken.")
	c.postForm("/settings/password", url.Values{"current_password": {testPassword}, "password": {"ett nytt lösenord"}}).
		wantStatus(http.StatusSeeOther)
	c.get("/settings").wantStatus(http.StatusOK).contains("Lösenordet är bytt.")
	// Her other sessions ended, this one lives on.
	other.api("GET", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)
	c.api("GET", "/api/v1/session", nil).wantStatus(http.StatusOK)
	newTestClient(t, a).api("POST", "/api/v1/session", map[string]string{"login": "anna", "password": testPassword}).wantStatus(http.StatusUnauthorized)
	newTestClient(t, a).login("anna@example.se", "ett nytt lösenord")
}

var resetLinkRE = regexp.MustCompile(`http://kliv\.test/password/reset\?token=[A-Za-z0-9_-]+`)

// resetLink reads the reset link from the newest reset mail to addr.
func resetLink(t *testing.T, a *app, addr string) string {
	t.Helper()
	ms := mailsTo(t, a, addr)
	if len(ms) == 0 || ms[len(ms)-1].Kind != "password_reset" {
		t.Fatalf("no reset mail to %s: %+v", addr, ms)
	}
	link := resetLinkRE.FindString(ms[len(ms)-1].Body)
	if link == "" {
		t.Fatalf("no link in %q", ms[len(ms)-1].Body)
	}
	return strings.TrimPrefix(link, testBaseURL)
}

func TestPasswordReset(t *testing.T) {
	a := newTestApp(t)
	clock := useTestClock(a)
	m := mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	if err := a.store.SetLang(t.Context(), m.ID, "en"); err != nil {
		t.Fatal(err)
	}
	signedIn := clientFor(t, a, "anna")

	// Known or not, the page says the same.
	c := newTestClient(t, a)
	c.get("/password/forgot").wantStatus(http.StatusOK)
	known := c.postForm("/password/forgot", url.Values{"email": {"Anna@example.se"}}).wantStatus(http.StatusOK)
	unknown := c.postForm("/password/forgot", url.Values{"email": {"nobody@example.se"}}).wantStatus(http.StatusOK)
	known.contains("Om adressen finns hos oss har vi skickat en länk.")
	strip := regexp.MustCompile(`name="csrf_token" value="[^"]*"`)
	if strip.ReplaceAllString(known.Body, "") != strip.ReplaceAllString(unknown.Body, "") {
		t.Error("the forgot page differs for a known and an unknown address")
	}
	c.postForm("/password/forgot", url.Values{"email": {"not an address"}}).wantStatus(http.StatusBadRequest).contains("Skriv en e-postadress")
	if n := countRows(t, a, "outbox"); n != 1 {
		t.Fatalf("%d mails queued, want 1", n)
	}
	// The mail is in her language.
	if ms := mailsTo(t, a, "anna@example.se"); ms[0].Subject != "Change your Kliv password" {
		t.Errorf("reset mail subject %q", ms[0].Subject)
	}
	link := resetLink(t, a, "anna@example.se")
	tok := link[strings.Index(link, "=")+1:]

	c.get(link).wantStatus(http.StatusOK).contains(`name="token" value="` + tok + `"`)
	c.postForm("/password/reset", url.Values{"token": {tok}, "password": {"kort"}}).wantStatus(http.StatusBadRequest).contains("minst 10 tecken")
	r := c.postForm("/password/reset", url.Values{"token": {tok}, "password": {"ett helt nytt lösenord"}}).wantStatus(http.StatusSeeOther)
	if r.location() != "/login" {
		t.Errorf("after reset: %q", r.location())
	}
	c.get("/login").contains("Lösenordet är bytt.")
	// Sessions ended; the new password works, the old does not.
	signedIn.api("GET", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)
	newTestClient(t, a).api("POST", "/api/v1/session", map[string]string{"login": "anna", "password": testPassword}).wantStatus(http.StatusUnauthorized)
	newTestClient(t, a).login("anna", "ett helt nytt lösenord")

	// Once only.
	c.get(link).wantStatus(http.StatusNotFound).contains("Länken för att byta lösenord är ogiltig")
	c.postForm("/password/reset", url.Values{"token": {tok}, "password": {"ännu ett lösenord"}}).wantStatus(http.StatusNotFound)

	// A fresh link dies after an hour.
	c.postForm("/password/forgot", url.Values{"email": {"anna@example.se"}}).wantStatus(http.StatusOK)
	link = resetLink(t, a, "anna@example.se")
	tok = link[strings.Index(link, "=")+1:]
	clock.Add(59 * time.Minute)
	c.get(link).wantStatus(http.StatusOK)
	clock.Add(2 * time.Minute)
	c.get(link).wantStatus(http.StatusNotFound)
	c.postForm("/password/reset", url.Values{"token": {tok}, "password": {"ännu ett lösenord"}}).wantStatus(http.StatusNotFound)
	newTestClient(t, a).login("anna", "ett helt nytt lösenord")
	c.get("/password/reset?token=").wantStatus(http.StatusNotFound)
}

func TestCookies(t *testing.T) {
	for _, base := range []string{"http://kliv.test", "https://kliv.example.se"} {
		a := newTestApp(t, withBaseURL(base))
		mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
		c := newTestClient(t, a)
		first := c.get("/login")
		r := c.postForm("/login", url.Values{"login": {"anna"}, "password": {testPassword}})
		secure := strings.HasPrefix(base, "https")
		for _, ck := range append(first.Cookies, r.Cookies...) {
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure != secure || ck.Path != "/" {
				t.Errorf("%s: cookie %s: HttpOnly %v SameSite %v Secure %v Path %q", base, ck.Name, ck.HttpOnly, ck.SameSite, ck.Secure, ck.Path)
			}
		}
		if first.cookie(csrfCookie) == nil || r.cookie(sessionCookie) == nil {
			t.Errorf("%s: cookies %v / %v", base, first.Cookies, r.Cookies)
		}
		if got := r.cookie(sessionCookie).MaxAge; got != int(forum.SessionLifetime.Seconds()) {
			t.Errorf("session cookie max age %d", got)
		}
		if secure != (r.Header.Get("Strict-Transport-Security") != "") {
			t.Errorf("%s: HSTS %q", base, r.Header.Get("Strict-Transport-Security"))
		}
		// Logout and language cookies carry the same attributes.
		c.get("/settings")
		for _, ck := range append(c.postForm("/lang", url.Values{"lang": {"en"}}).Cookies, c.postForm("/logout", nil).Cookies...) {
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure != secure {
				t.Errorf("%s: cookie %s: HttpOnly %v SameSite %v Secure %v", base, ck.Name, ck.HttpOnly, ck.SameSite, ck.Secure)
			}
		}
	}
}

// A session that is not used for its lifetime ends; one that is used
// lives on.
func TestSessionExpiry(t *testing.T) {
	a := newTestApp(t)
	clock := useTestClock(a)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	idle, busy := clientFor(t, a, "anna"), clientFor(t, a, "anna")
	for i := 0; i < 4; i++ {
		clock.Add(10 * 24 * time.Hour)
		r := busy.api("GET", "/api/v1/session", nil).wantStatus(http.StatusOK)
		// The cookie slides on with the session.
		if ck := r.cookie(sessionCookie); ck == nil || ck.MaxAge != int(forum.SessionLifetime.Seconds()) {
			t.Fatalf("session cookie not renewed on use: %v", ck)
		}
		if r := busy.api("GET", "/api/v1/session", nil); r.cookie(sessionCookie) != nil {
			t.Fatal("session cookie renewed on every request")
		}
	}
	idle.api("GET", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)
	if idle.hasSession() {
		t.Error("an expired session cookie was not cleared")
	}
}

func TestJoinAndResetRateLimits(t *testing.T) {
	a := newTestApp(t, withRateLimits)
	c := newTestClient(t, a)
	for i := 0; i < 10; i++ {
		c.postForm("/join", url.Values{"username": {"x"}}).wantStatus(http.StatusBadRequest)
	}
	c.postForm("/join", joinForm("anna")).wantStatus(http.StatusTooManyRequests)
	c.api("POST", "/api/v1/join-requests", apiJoinBody("anna")).wantStatus(http.StatusTooManyRequests)
	other := newTestClient(t, a)
	other.IP = "198.51.100.7"
	other.api("POST", "/api/v1/join-requests", apiJoinBody("anna")).wantStatus(http.StatusCreated)

	for i := 0; i < 5; i++ {
		c.postForm("/password/forgot", url.Values{"email": {"nobody@example.se"}}).wantStatus(http.StatusOK)
	}
	c.postForm("/password/forgot", url.Values{"email": {"anna@region.se"}}).wantStatus(http.StatusTooManyRequests)
	if n := countRows(t, a, "outbox"); n != 0 {
		t.Errorf("%d mails queued past the limit", n)
	}
	// With the limits off (the default in tests, and --rate-limits off) nothing is limited.
	b := newTestApp(t)
	mustCreateMember(t, b, "anna", forum.RoleMember, forum.StatusApproved)
	d := newTestClient(t, b)
	for i := 0; i < 30; i++ {
		d.api("POST", "/api/v1/session", map[string]string{"login": "anna", "password": "x"}).wantStatus(http.StatusUnauthorized)
	}
}
