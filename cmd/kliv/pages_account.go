package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"kliv/forum"
	"kliv/i18n"
	"kliv/moderation"
)

type landingPage struct {
	Page
	SetupPending bool
}

type statusPage struct {
	Page
	screeningForm
	Request *moderation.JoinRequest
	Reason  string
	Rows    []answerRow
	Wait    string
}

// pageHome is the front page: the forum for members, her request's
// status for an applicant, and what the network is for a visitor.
func (a *app) pageHome(c *gin.Context) error {
	m := viewer(c)
	switch {
	case m == nil:
		pending, err := a.store.SetupPending(c.Request.Context())
		if err != nil {
			return err
		}
		return a.render(c, http.StatusOK, "landing", &landingPage{Page: a.base(c, ""), SetupPending: pending})
	case m.Status == forum.StatusLapsed:
		readOnly(c, m)
	case !m.IsMember():
		return a.renderStatus(c, nil)
	}
	return a.pageForumHome(c)
}

func (a *app) renderStatus(c *gin.Context, f *Form) error {
	m := viewer(c)
	if m.Status == forum.StatusLapsed {
		return a.renderConfirm(c, http.StatusOK, nil)
	}
	ctx := c.Request.Context()
	p := &statusPage{Page: a.base(c, "status.title")}
	p.Form = f
	var err error
	if p.screeningForm, err = a.screeningForm(ctx, p.L); err != nil {
		return err
	}
	jr, err := a.mod.LatestRequest(ctx, m.ID)
	if err != nil && !errors.Is(err, forum.ErrNotFound) {
		return err
	}
	p.Request = jr
	if jr != nil {
		p.Reason = a.mod.ReasonText(ctx, p.L.Lang, jr.Reason)
		qs, err := a.mod.Questions(ctx, true)
		if err != nil {
			return err
		}
		ans := jr.Answers()
		p.Rows = a.answerRows(p.L, qs, &ans)
		if jr.Status == moderation.JoinNeedsInfo && !f.HasErrors() {
			// The completion form starts from her answers as they are.
			p.Form = answersForm(&ans)
		}
		if jr.InQueue() {
			if p.Wait, err = a.typicalWait(ctx, p.L); err != nil {
				return err
			}
		}
	}
	code := http.StatusOK
	if f.HasErrors() {
		code = http.StatusBadRequest
	}
	return a.render(c, code, "status", p)
}

type simplePage struct{ Page }

// postLang switches the language: stored for a signed-in person, a
// cookie for a visitor.
func (a *app) postLang(c *gin.Context) error {
	lang := c.PostForm("lang")
	if !i18n.Supported(lang) {
		return forum.Invalid("lang", "error.field.choice")
	}
	if m := viewer(c); m != nil {
		if err := a.store.SetLang(c.Request.Context(), m.ID, lang); err != nil {
			return err
		}
	}
	a.setCookie(c, langCookie, lang, 365*24*3600)
	return redirect(c, safeNext(c.PostForm("next")))
}

type loginPage struct {
	Page
	Next string
}

func (a *app) pageLogin(c *gin.Context) error {
	if viewer(c) != nil {
		return redirect(c, safeNext(c.Query("next")))
	}
	return a.render(c, http.StatusOK, "login", &loginPage{Page: a.base(c, "login.title"), Next: safeNext(c.Query("next"))})
}

// signIn checks the limits and the password, shared by the page and the
// API.
func (a *app) signIn(c *gin.Context, login, password string) (*forum.Member, error) {
	// The account's limit is kept per member, so guessing by username
	// and by e-mail in turn does not double it.
	account := strings.ToLower(strings.TrimSpace(login))
	if m, err := a.store.MemberByLogin(c.Request.Context(), login); err == nil {
		account = "member:" + strconv.FormatInt(m.ID, 10)
	}
	if !a.loginIP.allow(clientIP(c)) || !a.loginAccount.allow(account) {
		return nil, forum.Refuse(forum.ErrRateLimited, "error.login.rate")
	}
	m, err := a.store.Authenticate(c.Request.Context(), login, password)
	if errors.Is(err, forum.ErrUnauthenticated) {
		return nil, forum.Refuse(forum.ErrUnauthenticated, "error.login.failed")
	}
	return m, err
}

// startSession sets the session cookie for m.
func (a *app) startSession(c *gin.Context, m *forum.Member) (*forum.Session, error) {
	tok, sess, err := a.store.CreateSession(c.Request.Context(), m.ID)
	if err != nil {
		return nil, err
	}
	a.setCookie(c, sessionCookie, tok, int(forum.SessionLifetime.Seconds()))
	c.Set(keyViewer, m)
	c.Set(keySession, sess)
	c.Set(keyCSRF, sess.CSRFToken)
	return sess, nil
}

func (a *app) postLogin(c *gin.Context) error {
	f := newForm(c, "login")
	next := safeNext(c.PostForm("next"))
	m, err := a.signIn(c, c.PostForm("login"), c.PostForm("password"))
	if err != nil {
		if !f.fill(a.loc(c), err) {
			return err
		}
		p := &loginPage{Page: a.base(c, "login.title"), Next: next}
		p.Form = f
		return a.render(c, formStatus(err), "login", p)
	}
	if _, err := a.startSession(c, m); err != nil {
		return err
	}
	return redirect(c, next)
}

func (a *app) postLogout(c *gin.Context) error {
	if s := session(c); s != nil {
		if err := a.store.DeleteSession(c.Request.Context(), s.ID); err != nil {
			return err
		}
	}
	a.setCookie(c, sessionCookie, "", -1)
	return redirect(c, "/")
}

func (a *app) postLogoutEverywhere(c *gin.Context) error {
	if err := a.store.DeleteSessions(c.Request.Context(), viewer(c).ID); err != nil {
		return err
	}
	a.setCookie(c, sessionCookie, "", -1)
	return redirect(c, "/login")
}

type setupPage struct {
	Page
	Token string
}

func (a *app) pageSetup(c *gin.Context) error {
	tok := c.Query("token")
	if err := a.store.CheckSetupToken(c.Request.Context(), tok); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "setup", &setupPage{Page: a.base(c, "setup.title"), Token: tok})
}

func (a *app) postSetup(c *gin.Context) error {
	tok := c.PostForm("token")
	f := newForm(c, "username", "email", "display_name")
	m, err := a.store.CompleteSetup(c.Request.Context(), tok, forum.NewMember{
		Username: c.PostForm("username"), Email: c.PostForm("email"), DisplayName: c.PostForm("display_name"),
		Password: c.PostForm("password"), Lang: c.GetString(keyLang),
	})
	if err != nil {
		var ve *forum.ValidationError
		if !errors.As(err, &ve) || !f.fill(a.loc(c), err) {
			return err
		}
		p := &setupPage{Page: a.base(c, "setup.title"), Token: tok}
		p.Form = f
		return a.render(c, http.StatusBadRequest, "setup", p)
	}
	a.log.Info("first admin created", "username", m.Username)
	if _, err := a.startSession(c, m); err != nil {
		return err
	}
	a.flash(c, "setup.done")
	return redirect(c, "/")
}

// announceSetup prints the one-time setup link while no admin exists.
func (a *app) announceSetup(ctx context.Context, stdout io.Writer) error {
	pending, err := a.store.SetupPending(ctx)
	if err != nil || !pending {
		return err
	}
	tok, err := a.store.NewSetupToken(ctx)
	if err != nil {
		return err
	}
	link := a.cfg.BaseURL + "/setup?token=" + tok
	fmt.Fprintf(stdout, "\nKliv has no admin yet. Create the first one in your browser:\n\n    %s\n\n(or run: kliv admin create --username U --email E)\n\n", link)
	a.log.Info("setup pending: open the setup link printed above to create the first admin")
	return nil
}

type forgotPage struct {
	Page
	Sent bool
}

func (a *app) pageForgot(c *gin.Context) error {
	return a.render(c, http.StatusOK, "forgot", &forgotPage{Page: a.base(c, "forgot.title")})
}

// postForgot mails a reset link. It says the same whether or not the
// address is known, so it reveals nothing about who is a member.
func (a *app) postForgot(c *gin.Context) error {
	f := newForm(c, "email")
	p := &forgotPage{Page: a.base(c, "forgot.title")}
	v := &forum.ValidationError{}
	email := forum.CheckEmail(v, "email", c.PostForm("email"))
	if err := v.Err(); err != nil {
		f.fill(p.L, err)
		p.Form = f
		return a.render(c, http.StatusBadRequest, "forgot", p)
	}
	if !a.resetIP.allow(clientIP(c)) {
		return forum.Refuse(forum.ErrRateLimited, "error.rate_limited")
	}
	ctx := c.Request.Context()
	err := forum.InTx(ctx, a.db, func(tx *sqlx.Tx) error {
		m, tok, err := a.store.CreatePasswordReset(ctx, tx, email)
		if err != nil {
			return err
		}
		lang := m.Lang
		if lang == "" {
			lang = p.L.Lang
		}
		return a.store.Enqueue(ctx, tx, forum.Mail{MemberID: m.ID, Kind: "password_reset", To: m.Email,
			Subject: a.i18n.T(lang, "mail.reset.subject"),
			Body:    a.i18n.T(lang, "mail.reset.body", m.DisplayName, a.cfg.BaseURL+"/password/reset?token="+tok)})
	})
	if err != nil && !errors.Is(err, forum.ErrNotFound) {
		return err
	}
	a.mail.Notify()
	p.Sent = true
	return a.render(c, http.StatusOK, "forgot", p)
}

type resetPage struct {
	Page
	Token string
}

func (a *app) pageReset(c *gin.Context) error {
	tok := c.Query("token")
	if err := a.store.CheckPasswordReset(c.Request.Context(), tok); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "reset", &resetPage{Page: a.base(c, "reset.title"), Token: tok})
}

func (a *app) postReset(c *gin.Context) error {
	tok := c.PostForm("token")
	_, err := a.store.ResetPassword(c.Request.Context(), tok, c.PostForm("password"))
	if err != nil {
		var ve *forum.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		p := &resetPage{Page: a.base(c, "reset.title"), Token: tok}
		p.Form = newForm(c)
		p.Form.fill(p.L, err)
		return a.render(c, http.StatusBadRequest, "reset", p)
	}
	a.setCookie(c, sessionCookie, "", -1)
	a.flash(c, "reset.done")
	return redirect(c, "/login")
}

type settingsPage struct {
	Page
	Tokens   []forum.APIToken
	NewToken string
}

func (a *app) renderSettings(c *gin.Context, code int, f *Form, newToken string) error {
	m := viewer(c)
	p := &settingsPage{Page: a.base(c, "settings.title"), NewToken: newToken}
	p.Form = f
	if m.IsMember() {
		ts, err := a.store.APITokens(c.Request.Context(), m.ID)
		if err != nil {
			return err
		}
		p.Tokens = ts
	}
	return a.render(c, code, "settings", p)
}

func (a *app) pageSettings(c *gin.Context) error { return a.renderSettings(c, http.StatusOK, nil, "") }

func (a *app) postSettingsLang(c *gin.Context) error {
	lang := c.PostForm("lang")
	if lang == "auto" {
		lang = "" // the site's language, Swedish (the setting of old forms)
	}
	if err := a.store.SetLang(c.Request.Context(), viewer(c).ID, lang); err != nil {
		return err
	}
	if lang != "" {
		a.setCookie(c, langCookie, lang, 365*24*3600)
	} else {
		a.setCookie(c, langCookie, "", -1)
	}
	a.flash(c, "settings.saved")
	return redirect(c, "/settings")
}

func (a *app) postSettingsPassword(c *gin.Context) error {
	m := viewer(c)
	var keep int64
	if s := session(c); s != nil {
		keep = s.ID
	}
	err := a.store.ChangePassword(c.Request.Context(), m, c.PostForm("current_password"), c.PostForm("password"), keep)
	if err != nil {
		f := newForm(c)
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderSettings(c, http.StatusBadRequest, f, "")
	}
	a.flash(c, "settings.password_changed")
	return redirect(c, "/settings")
}

func (a *app) postToken(c *gin.Context) error {
	tok, err := a.store.CreateAPIToken(c.Request.Context(), viewer(c).ID, c.PostForm("name"))
	if err != nil {
		f := newForm(c, "name")
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderSettings(c, http.StatusBadRequest, f, "")
	}
	return a.renderSettings(c, http.StatusOK, nil, tok)
}

func (a *app) postRevokeToken(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.RevokeAPIToken(c.Request.Context(), viewer(c).ID, id); err != nil {
		return err
	}
	a.flash(c, "settings.token_revoked")
	return redirect(c, "/settings")
}
