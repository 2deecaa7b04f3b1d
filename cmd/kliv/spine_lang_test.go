package main

import (
	"context"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"kliv/forum"
	"kliv/templates"
)

// Swedish is the site's language: English only by a choice (the
// member's setting, the footer switch's cookie), or for a visitor who has
// chosen nothing and whose browser lists English and no Swedish at all;
// she is then offered Swedish prominently.
func TestLanguageChoice(t *testing.T) {
	a := newTestApp(t)
	c := newTestClient(t, a)
	c.get("/login").contains(`<html lang="sv">`, "<h1>Logga in</h1>").lacks(`class="lang-suggest"`)
	for accept, want := range map[string]string{
		"en":                      "en",
		"en-US,en;q=0.9":          "en",
		"sv-SE,sv;q=0.9,en;q=0.8": "sv",
		"de-DE,de;q=0.9,en;q=0.5": "en",
		"nb-NO":                   "sv",
		"fr":                      "sv",
		"en;q=0.3,sv;q=0.7":       "sv",
		"en-GB,en;q=0.9,sv;q=0.1": "sv", // any Swedish at all wins
		"en,sv;q=0":               "en", // refused is not listed
		"garbage;;q=x,,":          "sv",
	} {
		c.AcceptLanguage = accept
		r := c.get("/login").contains(`<html lang="` + want + `">`)
		if want == "en" {
			// Only guessed: the footer offers Swedish as a button, in Swedish.
			r.contains(`<button class="lang-suggest" name="lang" value="sv" lang="sv">På svenska</button>`)
		} else {
			r.lacks(`class="lang-suggest"`)
		}
	}
	c.AcceptLanguage = "en"
	c.get("/login").contains("<h1>Sign in</h1>")
	if msg := c.api("GET", "/api/v1/session", nil).json()["error"]; msg != "You need to sign in." {
		t.Errorf("API error in English: %v", msg)
	}

	// A visitor's switch is a cookie that beats the browser.
	c.AcceptLanguage = "en"
	r := c.postForm("/lang", url.Values{"lang": {"sv"}, "next": {"/rules"}}).wantStatus(http.StatusSeeOther)
	if r.location() != "/rules" {
		t.Errorf("lang switch went to %q", r.location())
	}
	c.get("/login").contains(`<html lang="sv">`)
	if r := c.postForm("/lang", url.Values{"lang": {"en"}, "next": {"https://evil.example/"}}); r.location() != "/" {
		t.Errorf("lang switch went off site: %q", r.location())
	}
	c.AcceptLanguage = "sv"
	c.get("/login").contains(`<html lang="en">`, "På svenska").lacks(`class="lang-suggest"`)
	c.postForm("/lang", url.Values{"lang": {"de"}}).wantStatus(http.StatusBadRequest)
	c.postForm("/lang", url.Values{"lang": {"sv"}, "csrf_token": {"wrong"}}).wantStatus(http.StatusForbidden)

	// A member who has chosen nothing reads Swedish, whatever her phone says.
	m := mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mc := clientFor(t, a, "anna")
	mc.AcceptLanguage = "en-US,en;q=0.9"
	mc.get("/settings").contains(`<html lang="sv">`, `value="sv" checked`).lacks(`class="lang-suggest"`)
	mc.get("/").contains(`<html lang="sv">`)
	if msg := mc.api("GET", "/api/v1/topics/999999", nil).wantStatus(http.StatusNotFound).json()["error"]; msg != "Sidan eller saken finns inte." {
		t.Errorf("API error for a member without a choice: %v", msg)
	}
	// Her setting beats the cookie and the browser.
	mc.postForm("/settings/language", url.Values{"lang": {"en"}}).wantStatus(http.StatusSeeOther)
	mc.get("/settings").contains(`<html lang="en">`, "Saved.", `value="en" checked`)
	mc.cookies[langCookie] = &http.Cookie{Name: langCookie, Value: "sv"}
	mc.AcceptLanguage = "sv"
	mc.get("/settings").contains(`<html lang="en">`)
	if s := mc.api("GET", "/api/v1/session", nil).json(); s["lang"] != "en" {
		t.Errorf("session lang %v", s["lang"])
	}
	mc.postForm("/settings/language", url.Values{"lang": {"sv"}}).wantStatus(http.StatusSeeOther)
	mc.AcceptLanguage = "en"
	mc.get("/settings").contains(`<html lang="sv">`)
	// The old "as the browser" value means the site's language now.
	mc.postForm("/settings/language", url.Values{"lang": {"auto"}}).wantStatus(http.StatusSeeOther)
	mc.AcceptLanguage = "en"
	mc.get("/settings").contains(`<html lang="sv">`)
	mc.postForm("/settings/language", url.Values{"lang": {"xx"}}).wantStatus(http.StatusBadRequest)
	// The footer switch stores it for a member.
	mc.postForm("/lang", url.Values{"lang": {"en"}}).wantStatus(http.StatusSeeOther)
	got, err := a.store.Member(context.Background(), m.ID)
	if err != nil || got.Lang != "en" {
		t.Fatalf("member lang after the switch: %v %q", err, got.Lang)
	}
	mc.AcceptLanguage = "sv"
	mc.get("/").contains(`<html lang="en">`)
}

// keyShapeRE finds text that looks like a catalog key of one of the
// catalog's prefixes (filled in by the test), not inside a URL or address.
func keyShapeRE(prefixes []string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^/\w.@-])((?:` + strings.Join(prefixes, "|") + `)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)`)
}

// Every page template renders in both languages without a raw catalog
// key showing, and every key a template names literally exists.
func TestTemplatesHaveNoRawKeys(t *testing.T) {
	a := newTestApp(t)

	// Keys named in the templates' source.
	literal := regexp.MustCompile(`(?:\.L\.T|\.L\.N|\.P\.L\.T|"Label"|"Hint") "([a-z0-9_.]+)"`)
	files, _ := fs.Glob(templates.FS, "*.html")
	for _, f := range files {
		src, _ := fs.ReadFile(templates.FS, f)
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			key := m[1]
			if strings.Contains(m[0], ".L.N") {
				key += ".other"
			}
			if !a.i18n.Has(key) {
				t.Errorf("%s names %q, which no catalog has", f, m[1])
			}
		}
	}

	// Keys built at run time.
	for _, prefix := range []string{"role.", "sector.", "audit.action.", "join.reason."} {
		var list []string
		switch prefix {
		case "role.":
			list = []string{string(forum.RoleMember), string(forum.RoleModerator), string(forum.RoleAdmin)}
		case "sector.":
			list = []string{"state", "region", "municipality", "other"}
		case "audit.action.":
			list = []string{"join_request.approve", "join_request.reject", "member.role"}
		case "join.reason.":
			list = []string{"not_public_sector", "no_staff", "not_leader", "incomplete", "duplicate"}
		}
		for _, k := range list {
			if !a.i18n.Has(prefix + k) {
				t.Errorf("missing key %s%s", prefix, k)
			}
		}
	}

	prefixSet := map[string]bool{}
	for _, k := range a.i18n.Keys() {
		p, _, _ := strings.Cut(k, ".")
		prefixSet[regexp.QuoteMeta(p)] = true
	}
	var prefixes []string
	for p := range prefixSet {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	keyRE := keyShapeRE(prefixes)

	// One of each kind of reader, and data for every page.
	admin := mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	mustCreateMember(t, a, "moa", forum.RoleModerator, forum.StatusApproved)
	for _, u := range []string{"pia", "rut"} {
		mustApply(t, a, u, "")
	}
	jr := mustApply(t, a, "sol", "")
	if _, err := a.mod.Reject(context.Background(), admin, jr.ID, "no_staff"); err != nil {
		t.Fatal(err)
	}
	jr = mustApply(t, a, "tea", "")
	mustApprove(t, a, admin, jr.ID)
	if err := a.mod.SetRole(context.Background(), admin, "tea", forum.RoleModerator); err != nil {
		t.Fatal(err)
	}
	var setupOut strings.Builder
	resetTok := func() string {
		_, tok, err := a.store.CreatePasswordReset(context.Background(), a.db, "tea@example.se")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}()

	type visit struct {
		who    string // "" visitor, else a username
		method string
		path   string
		form   url.Values
		code   int
	}
	var visits []visit
	// The setup page needs a pending setup: a second, empty app.
	empty := newTestApp(t)
	if err := empty.announceSetup(context.Background(), &setupOut); err != nil {
		t.Fatal(err)
	}
	setupTok := setupLinkRE.FindStringSubmatch(setupOut.String())[1]

	visits = append(visits,
		visit{"", "GET", "/", nil, 200},
		visit{"", "GET", "/login", nil, 200},
		visit{"", "POST", "/login", url.Values{"login": {"x"}, "password": {"y"}}, 401},
		visit{"", "GET", "/join", nil, 200},
		visit{"", "POST", "/join", url.Values{"username": {"a"}}, 400},
		visit{"", "GET", "/rules", nil, 200},
		visit{"", "GET", "/password/forgot", nil, 200},
		visit{"", "POST", "/password/forgot", url.Values{"email": {"x"}}, 400},
		visit{"", "POST", "/password/forgot", url.Values{"email": {"x@example.se"}}, 200},
		visit{"", "GET", "/password/reset?token=" + resetTok, nil, 200},
		visit{"", "POST", "/password/reset", url.Values{"token": {resetTok}, "password": {"x"}}, 400},
		visit{"", "GET", "/password/reset?token=nope", nil, 404},
		visit{"", "GET", "/setup?token=nope", nil, 409},
		visit{"", "GET", "/no/such/page", nil, 404},
		visit{"pia", "GET", "/", nil, 200},
		visit{"pia", "GET", "/settings", nil, 200},
		visit{"sol", "GET", "/", nil, 200},
		visit{"sol", "POST", "/join/again", url.Values{"sector": {"x"}}, 400},
		visit{"tea", "GET", "/", nil, 200},
		visit{"tea", "GET", "/settings", nil, 200},
		visit{"tea", "POST", "/settings/tokens", url.Values{"name": {"laptop"}}, 200},
		visit{"tea", "POST", "/settings/password", url.Values{"current_password": {"x"}}, 400},
		visit{"tea", "GET", "/admin", nil, 403},
		visit{"moa", "GET", "/mod/join-requests", nil, 200},
		visit{"moa", "GET", "/mod/join-requests?status=approved", nil, 200},
		visit{"moa", "GET", "/mod/join-requests?status=rejected", nil, 200},
		visit{"moa", "POST", "/mod/join-requests", url.Values{"action": {"approve"}, "ids": {"999"}}, 409},
		visit{"ada", "GET", "/admin", nil, 200},
		visit{"ada", "POST", "/admin/roles", url.Values{"username": {"nobody"}, "role": {"moderator"}}, 404},
		visit{"ada", "POST", "/admin/roles", url.Values{"username": {"ada"}, "role": {"member"}}, 409},
		visit{"ada", "GET", "/admin/audit", nil, 200},
	)
	for _, lang := range []string{"sv", "en"} {
		clients := map[string]*testClient{}
		for _, v := range visits {
			c := clients[v.who]
			if c == nil {
				c = newTestClient(t, a)
				if v.who != "" {
					c.login(v.who, testPassword)
				}
				clients[v.who] = c
			}
			c.AcceptLanguage = lang
			// A member reads English only by her choice: the footer
			// switch's cookie; a visitor by her browser.
			c.cookies[langCookie] = &http.Cookie{Name: langCookie, Value: lang}
			var r *testResponse
			if v.method == "GET" {
				r = c.get(v.path)
			} else {
				r = c.postForm(v.path, v.form)
			}
			check := func(r *testResponse, what string) {
				if r.Code != v.code {
					t.Errorf("%s %s as %q (%s): %d, want %d", v.method, v.path, v.who, lang, r.Code, v.code)
				}
				if !strings.Contains(r.Body, `<html lang="`+lang+`">`) {
					t.Errorf("%s as %q: not in %s", what, v.who, lang)
				}
				for _, m := range keyRE.FindAllStringSubmatch(r.Body, -1) {
					t.Errorf("%s as %q (%s): raw key %q on the page", what, v.who, lang, m[1])
				}
				if n := strings.Count(r.Body, "<h1"); n != 1 {
					t.Errorf("%s as %q: %d h1 headings", what, v.who, n)
				}
			}
			check(r, v.method+" "+v.path)
		}
		sc := newTestClient(t, empty)
		sc.AcceptLanguage = lang
		for _, r := range []*testResponse{sc.get("/"), sc.get("/setup?token=" + setupTok),
			sc.postForm("/setup", url.Values{"token": {setupTok}, "username": {"x"}})} {
			for _, m := range keyRE.FindAllStringSubmatch(r.Body, -1) {
				t.Errorf("%s (%s): raw key %q on the page", r.req, lang, m[1])
			}
		}
	}
}
