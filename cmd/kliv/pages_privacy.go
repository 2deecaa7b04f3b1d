package main

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

// pagePrivacy says what Kliv stores, why, for how long, and how to get
// it or delete it. Anyone may read it.
func (a *app) pagePrivacy(c *gin.Context) error {
	return a.render(c, http.StatusOK, "privacy_page", &simplePage{a.base(c, "privacy.page.title")})
}

type privacySettingsPage struct {
	Page
	Sessions []forum.SessionInfo
	Tokens   []forum.APIToken
}

func (a *app) renderPrivacySettings(c *gin.Context, code int, f *Form) error {
	m := viewer(c)
	p := &privacySettingsPage{Page: a.base(c, "privacy.settings.title")}
	p.Form = f
	var current int64
	if s := session(c); s != nil {
		current = s.ID
	}
	ss, err := a.store.Sessions(c.Request.Context(), m.ID, current)
	if err != nil {
		return err
	}
	p.Sessions = ss
	ts, err := a.store.APITokens(c.Request.Context(), m.ID)
	if err != nil {
		return err
	}
	p.Tokens = ts
	return a.render(c, code, "privacy_settings", p)
}

func (a *app) pagePrivacySettings(c *gin.Context) error {
	return a.renderPrivacySettings(c, http.StatusOK, nil)
}

// writeExport sends her archive as a download. It is built in memory
// first, so a failure is an error page, never half a zip.
func (a *app) writeExport(c *gin.Context) error {
	m := viewer(c)
	var buf bytes.Buffer
	if err := a.store.Export(c.Request.Context(), m, &buf); err != nil {
		return err
	}
	name := fmt.Sprintf("kliv-%s-%s.zip", safeFileName(m.Username), a.store.Now().UTC().Format("2006-01-02"))
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/zip", buf.Bytes())
	return nil
}

// safeFileName keeps the letters, digits and ._- of a username.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return -1
	}, s)
}

func (a *app) getExport(c *gin.Context) error { return a.writeExport(c) }

// postDeleteAccount deletes her account, then signs her out.
func (a *app) postDeleteAccount(c *gin.Context) error {
	f := newForm(c, "posts", "confirm")
	v := &forum.ValidationError{}
	if c.PostForm("confirm") == "" {
		v.Add("confirm", "privacy.error.confirm")
	}
	err := v.Err()
	if err == nil {
		err = a.store.DeleteAccount(c.Request.Context(), viewer(c), c.PostForm("password"), c.PostForm("posts"))
	}
	if err != nil {
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderPrivacySettings(c, formStatus(err), f)
	}
	a.setCookie(c, sessionCookie, "", -1)
	a.flash(c, "privacy.deleted")
	return redirect(c, "/")
}

// postRevokeSession ends one of her sessions; ending the current one
// signs her out here.
func (a *app) postRevokeSession(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.RevokeSession(c.Request.Context(), viewer(c).ID, id); err != nil {
		return err
	}
	if s := session(c); s != nil && s.ID == id {
		a.setCookie(c, sessionCookie, "", -1)
		return redirect(c, "/login")
	}
	a.flash(c, "privacy.session_revoked")
	return redirect(c, "/settings/privacy")
}

// apiExport is GET /api/v1/me/export: her archive, application/zip.
func (a *app) apiExport(c *gin.Context) error { return a.writeExport(c) }

// apiDeleteMe is DELETE /api/v1/me {"password","posts":"keep"/"remove"}.
func (a *app) apiDeleteMe(c *gin.Context) error {
	var in struct {
		Password string `json:"password"`
		Posts    string `json:"posts"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.store.DeleteAccount(c.Request.Context(), viewer(c), in.Password, in.Posts); err != nil {
		return err
	}
	if session(c) != nil {
		a.setCookie(c, sessionCookie, "", -1)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// apiSessions lists her sessions and tokens, the current one marked.
func (a *app) apiSessions(c *gin.Context) error {
	ctx, m := c.Request.Context(), viewer(c)
	var current int64
	if s := session(c); s != nil {
		current = s.ID
	}
	ss, err := a.store.Sessions(ctx, m.ID, current)
	if err != nil {
		return err
	}
	ts, err := a.store.APITokens(ctx, m.ID)
	if err != nil {
		return err
	}
	var currentToken int64
	if c.GetBool(keyBearer) {
		currentToken = a.store.APITokenID(ctx, strings.TrimSpace(strings.TrimPrefix(c.GetHeader("Authorization"), "Bearer ")))
	}
	type tokenJSON struct {
		forum.APIToken
		Current bool `json:"current"`
	}
	tokens := make([]tokenJSON, 0, len(ts))
	for _, t := range ts {
		tokens = append(tokens, tokenJSON{APIToken: t, Current: t.ID == currentToken})
	}
	if ss == nil {
		ss = []forum.SessionInfo{}
	}
	c.JSON(http.StatusOK, gin.H{"sessions": ss, "tokens": tokens, "next_page": nil})
	return nil
}

// apiRevokeSession is DELETE /api/v1/me/sessions/{id}: 204.
func (a *app) apiRevokeSession(c *gin.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound
	}
	if err := a.store.RevokeSession(c.Request.Context(), viewer(c).ID, id); err != nil {
		return err
	}
	if s := session(c); s != nil && s.ID == id {
		a.setCookie(c, sessionCookie, "", -1)
	}
	c.Status(http.StatusNoContent)
	return nil
}
