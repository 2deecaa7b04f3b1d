package main

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

func (a *app) apiLogin(c *gin.Context) error {
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := a.signIn(c, in.Login, in.Password)
	if err != nil {
		return err
	}
	sess, err := a.startSession(c, m)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"username": m.Username, "csrf_token": sess.CSRFToken, "role": m.Role, "status": m.Status})
	return nil
}

func (a *app) apiSession(c *gin.Context) error {
	m := viewer(c)
	out := gin.H{"username": m.Username, "display_name": m.DisplayName, "role": m.Role, "status": m.Status, "csrf_token": nil, "lang": a.loc(c).Lang}
	if s := session(c); s != nil {
		out["csrf_token"] = s.CSRFToken
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (a *app) apiLogout(c *gin.Context) error {
	if s := session(c); s != nil {
		if err := a.store.DeleteSession(c.Request.Context(), s.ID); err != nil {
			return err
		}
		a.setCookie(c, sessionCookie, "", -1)
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (a *app) apiTokens(c *gin.Context) error {
	ts, err := a.store.APITokens(c.Request.Context(), viewer(c).ID)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []forum.APIToken{}
	}
	c.JSON(http.StatusOK, gin.H{"tokens": ts, "next_page": nil})
	return nil
}

func (a *app) apiCreateToken(c *gin.Context) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	tok, err := a.store.CreateAPIToken(c.Request.Context(), viewer(c).ID, in.Name)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"token": tok})
	return nil
}

func (a *app) apiRevokeToken(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.RevokeAPIToken(c.Request.Context(), viewer(c).ID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// rfc3339 formats a time for the API.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
