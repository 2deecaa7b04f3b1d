package main

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/forum/markdown"
	"kliv/i18n"
)

// handler is a page or API handler that returns its error instead of
// writing it, so every error is handled once, here.
type handler func(c *gin.Context) error

// h adapts a handler to gin.
func (a *app) h(fn handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := fn(c); err != nil {
			a.fail(c, err)
		}
	}
}

// errBadJSON marks a body that is not the JSON asked for.
var errBadJSON = errors.New("malformed JSON")

// status maps a domain error to an HTTP status and a catalog key.
func status(err error) (int, string) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), errors.Is(err, forum.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, "error.too_large"
	case forum.IsUnavailable(err):
		return http.StatusServiceUnavailable, "rel.error.unavailable"
	case errors.Is(err, errBadJSON):
		return http.StatusBadRequest, "error.bad_json"
	case errors.Is(err, markdown.ErrBusy):
		return http.StatusServiceUnavailable, "error.busy"
	case errors.Is(err, markdown.ErrTooComplex):
		return http.StatusUnprocessableEntity, "error.markdown.complex"
	case errors.Is(err, forum.ErrInvalid), forum.IsBadText(err):
		return http.StatusBadRequest, "error.invalid"
	case errors.Is(err, forum.ErrUnauthenticated):
		return http.StatusUnauthorized, "error.unauthenticated"
	case errors.Is(err, forum.ErrForbidden):
		return http.StatusForbidden, "error.forbidden"
	case errors.Is(err, forum.ErrNotFound):
		return http.StatusNotFound, "error.not_found"
	case errors.Is(err, forum.ErrConflict):
		return http.StatusConflict, "error.conflict"
	case errors.Is(err, forum.ErrRateLimited):
		return http.StatusTooManyRequests, "error.rate_limited"
	}
	return http.StatusInternalServerError, "error.internal"
}

// isAPI reports whether the request is to the JSON API.
func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }

// fail writes err as JSON under /api/ and as an error page elsewhere, in
// the reader's language. Only server errors are logged.
func (a *app) fail(c *gin.Context, err error) {
	if c.Request.Context().Err() != nil && errors.Is(err, context.Canceled) {
		// The client went away mid-request: nobody reads the answer and
		// nothing went wrong on our side.
		c.AbortWithStatus(499)
		return
	}
	code, key := status(err)
	l := a.loc(c)
	msg := l.T(key)
	var ue *forum.UserError
	if errors.As(err, &ue) {
		msg = l.T(ue.Msg.Key, ue.Msg.Args...)
	}
	var ve *forum.ValidationError
	fields := map[string]string{}
	if errors.As(err, &ve) {
		for _, f := range ve.Order {
			m := ve.Fields[f]
			fields[f] = l.T(m.Key, m.Args...)
		}
		if len(ve.Order) == 1 {
			msg = fields[ve.Order[0]]
			if a.i18n.Has("field." + ve.Order[0]) {
				msg = labelled(l.T("field."+ve.Order[0]), msg)
			}
		}
	}
	if code >= 500 {
		a.log.Error("request failed", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
	}
	if (code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable) && c.Writer.Header().Get("Retry-After") == "" {
		c.Header("Retry-After", retryAfter(err))
	}
	if isAPI(c) {
		body := gin.H{"error": msg}
		if len(fields) > 0 {
			body["fields"] = fields
		}
		c.AbortWithStatusJSON(code, body)
		return
	}
	if code == http.StatusUnauthorized && (c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead) {
		c.Redirect(http.StatusSeeOther, "/login?next="+urlQueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	p := &errorPage{Page: a.base(c, "error.page.title"), Status: code, Message: msg}
	if err := a.render(c, code, "error", p); err != nil {
		a.log.Error("render error page", "err", err)
		c.String(code, msg)
	}
	c.Abort()
}

// retryAfter is the Retry-After of a 429 or 503: a full disk or a held
// lock clears in seconds, the other limits in a minute.
func retryAfter(err error) string {
	if forum.IsUnavailable(err) {
		return unavailableRetry
	}
	return "60"
}

// unavailableRetry is the Retry-After, in seconds, of a write the
// database could not take (forum.ErrUnavailable).
const unavailableRetry = "10"

type errorPage struct {
	Page
	Status  int
	Message string
}

// errText is an error's message in the reader's language.
func errText(l i18n.Localizer, err error) string {
	var ue *forum.UserError
	if errors.As(err, &ue) {
		return l.T(ue.Msg.Key, ue.Msg.Args...)
	}
	_, key := status(err)
	return l.T(key)
}

// loc0 is a localizer outside a request.
func (a *app) loc0(lang string) i18n.Localizer { return i18n.Localizer{B: a.i18n, Lang: lang} }
