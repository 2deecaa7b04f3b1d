package main

import (
	"fmt"
	"testing"

	"kliv/forum"
)

// The key pages at 320, 390, 800 and 1280 px, as a visitor, a member and a
// moderator: no sideways scrolling, a small header, controls of at least
// 24 × 24 px, no serious axe violation; screenshots of each.
func TestBrowserPages(t *testing.T) {
	env := needBrowser(t)
	a := newTestApp(t)
	mod := mustCreateMember(t, a, "moa", forum.RoleModerator, forum.StatusApproved)
	anna := mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mustApply(t, a, "pia", "")
	q := mustTopic(t, a, anna, forum.NewTopic{Title: "Hur planerar ni semesterschemat i hemtjänsten?", Kind: forum.KindQuestion,
		Body: "Vi har svårt att få ihop sommaren. Hur gör ni?\n\n    Vecka 27–32: halva gruppen"})
	for i := 0; i < 3; i++ {
		mustReply(t, a, mod, q.ID, fmt.Sprintf("Svar nummer %d: vi lägger schemat i mars.", i+1), 0)
	}
	long := mustTopic(t, a, anna, forum.NewTopic{Title: "Ett långt ämne om arbetsmiljö", Kind: forum.KindDiscussion})
	for i := 0; i < 40; i++ {
		mustReply(t, a, anna, long.ID, fmt.Sprintf("Inlägg %d om arbetsmiljön i äldreomsorgen.", i+1), 0)
	}
	srv := browserServer(t, a)

	for _, vp := range []viewport{phone320, phone390, tablet800, desk1280} {
		t.Run(vp.name, func(t *testing.T) {
			v := env.newTab(t, srv, vp, false)
			v.open("/")
			v.check("visitor-home")
			v.open("/join")
			v.check("join")
			v.submit(`form[action="/join"] button[type=submit]`)
			v.check("join-errors")

			m := env.newTab(t, srv, vp, true)
			m.signIn("moa")
			m.open("/")
			m.check("home")
			if vp.width < 992 {
				m.click(".nav-menu > summary")
				m.check("home-menu-open")
			}
			m.open(fmt.Sprintf("/t/%d", q.ID))
			m.check("topic")
			m.open("/new")
			m.check("new-topic")
			m.submit(`form[action="/new"] button.primary`)
			m.check("new-topic-errors")
			m.open("/search?q=semester")
			m.check("search")
			m.open(fmt.Sprintf("/t/%d?page=2", long.ID))
			m.check("long-topic-page2")
			if vp == phone320 {
				// Every other page a member reaches from the menu, at the
				// narrowest width.
				for _, path := range []string{"/categories", "/c/ledarskap", "/notifications", "/following", "/bookmarks",
					"/settings", "/settings/mail", "/settings/following", "/u/anna", fmt.Sprintf("/t/%d/reply", q.ID),
					"/mod/join-requests", "/rules"} {
					m.open(path)
					m.check("page" + path)
				}
				v.open("/login")
				v.check("login")
				v.open("/password/forgot")
				v.check("forgot")
			}
		})
	}
}

// signIn signs the tab in as username through the sign-in page.
func (tb *tab) signIn(username string) {
	tb.t.Helper()
	tb.open("/login")
	tb.fill("#f-login", username)
	tb.fill("#f-password", testPassword)
	tb.submit(`form[action="/login"] button[type=submit]`)
}
