package main

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/i18n"
)

// settingsMailKinds are the kinds the settings page offers. Join
// decisions are left out: the decision is mailed by the moderation
// package whatever the setting, and a member has had hers already.
var settingsMailKinds = func() []string {
	var ks []string
	for _, k := range forum.MailKinds {
		if k != forum.NotifyJoinDecision {
			ks = append(ks, k)
		}
	}
	return ks
}()

// feedLink is one feed address with its label.
type feedLink struct {
	Label string
	URL   string
}

type mailSettingsPage struct {
	Page
	Kinds  []string
	Modes  []string
	Prefs  forum.MailPrefs
	Latest string
	// Categories are the feed addresses of each category.
	Categories []feedLink
	// TopicPattern is a topic feed's address with NUMMER for the id.
	TopicPattern string
}

// feedURL is the absolute address of a feed path with the token.
func (a *app) feedURL(path, token string) string {
	return a.cfg.BaseURL + path + "?token=" + url.QueryEscape(token)
}

func (a *app) renderMailSettings(c *gin.Context, code int, f *Form) error {
	ctx := c.Request.Context()
	m := viewer(c)
	p := &mailSettingsPage{Page: a.base(c, "mailprefs.title"), Kinds: settingsMailKinds, Modes: forum.MailModes}
	p.Form = f
	prefs, err := a.store.MailPrefs(ctx, m.ID)
	if err != nil {
		return err
	}
	if f != nil {
		// Show what she chose, not what is stored, when it failed.
		for _, k := range forum.MailKinds {
			if v := f.Get(k); v != "" {
				prefs[k] = v
			}
		}
	}
	p.Prefs = prefs
	tok, err := a.store.FeedToken(ctx, m.ID)
	if err != nil {
		return err
	}
	p.Latest = a.feedURL("/feeds/latest.atom", tok)
	cats, err := a.store.Categories(ctx, false)
	if err != nil {
		return err
	}
	for _, cat := range cats {
		p.Categories = append(p.Categories, feedLink{Label: cat.Name,
			URL: a.feedURL("/feeds/categories/"+strconv.FormatInt(cat.ID, 10)+".atom", tok)})
	}
	p.TopicPattern = a.feedURL("/feeds/topics/"+p.L.T("feeds.number")+".atom", tok)
	return a.render(c, code, "settings_mail", p)
}

func (a *app) pageMailSettings(c *gin.Context) error {
	return a.renderMailSettings(c, http.StatusOK, nil)
}

// postMailSettings saves the radio groups; a kind not in the form keeps
// its mode.
func (a *app) postMailSettings(c *gin.Context) error {
	f := newForm(c, forum.MailKinds...)
	prefs := map[string]string{}
	for _, k := range forum.MailKinds {
		if v, ok := c.GetPostForm(k); ok {
			prefs[k] = v
		}
	}
	if err := a.store.SetMailPrefs(c.Request.Context(), viewer(c).ID, prefs); err != nil {
		if !f.fill(a.loc(c), err) {
			return err
		}
		for name := range f.Labels {
			f.Labels[name] = a.loc(c).T("mailprefs.kind." + name)
		}
		return a.renderMailSettings(c, formStatus(err), f)
	}
	a.flash(c, "mailprefs.saved")
	return redirect(c, "/settings/mail")
}

// postFeedToken replaces the feed token; the old feed addresses stop
// working.
func (a *app) postFeedToken(c *gin.Context) error {
	if _, err := a.store.RegenerateFeedToken(c.Request.Context(), viewer(c).ID); err != nil {
		return err
	}
	a.flash(c, "feeds.regenerated")
	return redirect(c, "/settings/mail#feeds")
}

type unsubscribePage struct {
	Page
	Token string
	// Question is the confirmation asked, Done the result told.
	Question string
	Done     string
	// Scoped is whether the token is for less than all mail, so that
	// "stop all" is offered as well.
	Scoped bool
}

// unsubscribeLang shows the unsubscribe pages in the member's language
// when she chose one.
func (a *app) unsubscribeLang(c *gin.Context, m *forum.Member) {
	if i18n.Supported(m.Lang) {
		c.Set(keyLang, m.Lang)
	}
}

// pageUnsubscribe asks before unsubscribing: mail scanners fetch links,
// so a GET changes nothing.
func (a *app) pageUnsubscribe(c *gin.Context) error {
	tok := c.Query("t")
	u, err := a.store.CheckUnsubscribe(c.Request.Context(), tok)
	if err != nil {
		return err
	}
	a.unsubscribeLang(c, u.Member)
	p := &unsubscribePage{Page: a.base(c, "unsubscribe.title"), Token: tok, Scoped: u.Scope != forum.ScopeAll}
	p.NoIndex = true
	email := maskEmail(u.Member.Email)
	switch u.Scope {
	case forum.ScopeAll:
		p.Question = p.L.T("unsubscribe.confirm.all", email)
	case forum.ScopeDigest:
		p.Question = p.L.T("unsubscribe.confirm.digest", email)
	default:
		p.Question = p.L.T("unsubscribe.confirm.kind", p.L.T("mail.kind."+u.Scope), email)
	}
	return a.render(c, http.StatusOK, "unsubscribe", p)
}

// postUnsubscribe unsubscribes: from the confirmation page (token in the
// form, scope=all for everything) or as an RFC 8058 one-click POST from a
// mail program (token in the URL, body List-Unsubscribe=One-Click). The
// signed token is the proof, so no CSRF token is asked for.
func (a *app) postUnsubscribe(c *gin.Context) error {
	tok := c.PostForm("t")
	if tok == "" {
		tok = c.Query("t")
	}
	oneClick := c.PostForm("List-Unsubscribe") == "One-Click"
	all := !oneClick && c.PostForm("scope") == forum.ScopeAll
	u, err := a.store.Unsubscribe(c.Request.Context(), tok, all)
	if err != nil {
		return err
	}
	a.log.Info("unsubscribed", "member", u.Member.ID, "scope", u.Scope, "one_click", oneClick)
	a.unsubscribeLang(c, u.Member)
	p := &unsubscribePage{Page: a.base(c, "unsubscribe.done_title")}
	p.NoIndex = true
	switch u.Scope {
	case forum.ScopeAll:
		p.Done = p.L.T("unsubscribe.done.all")
	case forum.ScopeDigest:
		p.Done = p.L.T("unsubscribe.done.digest")
	default:
		p.Done = p.L.T("unsubscribe.done.kind", p.L.T("mail.kind."+u.Scope))
	}
	return a.render(c, http.StatusOK, "unsubscribe", p)
}

// maskEmail shows enough of an address to recognise it (a•••@example.se)
// to whoever holds an unsubscribe link, and no more.
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "•••"
	}
	r := []rune(local)
	return string(r[0]) + "•••@" + domain
}
