package main

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

// feedURLs are the absolute feed addresses of a token, for API clients.
func (a *app) feedURLs(tok string) gin.H {
	return gin.H{
		"latest":   a.feedURL("/feeds/latest.atom", tok),
		"category": a.feedURL("/feeds/categories/{id}.atom", tok),
		"topic":    a.feedURL("/feeds/topics/{id}.atom", tok),
	}
}

// apiMe is her own account and settings. lang is her stored choice: ""
// means the browser's.
func (a *app) apiMe(c *gin.Context) error {
	me, err := a.store.Me(c.Request.Context(), viewer(c))
	if err != nil {
		return err
	}
	m := me.Member
	prof, err := a.store.MyProfile(c.Request.Context(), m)
	if err != nil {
		return err
	}
	profile, visible := meProfileJSON(prof)
	c.JSON(http.StatusOK, gin.H{
		"id":           m.ID,
		"username":     m.Username,
		"email":        m.Email,
		"display_name": m.DisplayName,
		"role":         m.Role,
		"status":       m.Status,
		"lang":         m.Lang,
		"created_at":   m.CreatedAt.UTC().Format(time.RFC3339),
		"feed_token":   me.FeedToken,
		"feeds":        a.feedURLs(me.FeedToken),
		"profile":      profile,
		"visible":      visible,
		"mail_prefs":   me.MailPrefs,
		"auto_follow":  me.AutoFollow,
	})
	return nil
}

func (a *app) apiMailPrefs(c *gin.Context) error {
	prefs, err := a.store.MailPrefs(c.Request.Context(), viewer(c).ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"mail_prefs": prefs})
	return nil
}

// apiSetMailPrefs changes the modes named in the body, either
// {"mail_prefs":{"reply":"daily",…}} (the shape GET answers) or the bare
// {"reply":"daily",…}; kinds not named keep theirs. It answers with all
// of them.
func (a *app) apiSetMailPrefs(c *gin.Context) error {
	var raw map[string]json.RawMessage
	if err := decodeJSON(c, &raw); err != nil {
		return err
	}
	if inner, ok := raw["mail_prefs"]; ok && len(raw) == 1 {
		raw = nil
		if err := json.Unmarshal(inner, &raw); err != nil || raw == nil {
			return forum.Invalid("mail_prefs", "error.field.type")
		}
	}
	prefs := make(map[string]string, len(raw))
	v := &forum.ValidationError{}
	for k, val := range raw {
		var mode string
		if err := json.Unmarshal(val, &mode); err != nil {
			v.Add(k, "error.field.type")
			continue
		}
		prefs[k] = mode
	}
	if err := v.Err(); err != nil {
		return err
	}
	ctx := c.Request.Context()
	m := viewer(c)
	if err := a.store.SetMailPrefs(ctx, m.ID, prefs); err != nil {
		return err
	}
	all, err := a.store.MailPrefs(ctx, m.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"mail_prefs": all})
	return nil
}

// apiFeedToken replaces her feed token; the old one stops working.
func (a *app) apiFeedToken(c *gin.Context) error {
	tok, err := a.store.RegenerateFeedToken(c.Request.Context(), viewer(c).ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"feed_token": tok, "feeds": a.feedURLs(tok)})
	return nil
}
