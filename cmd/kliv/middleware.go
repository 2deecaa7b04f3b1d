package main

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/i18n"
)

const (
	sessionCookie = "kliv_session"
	csrfCookie    = "kliv_csrf"
	langCookie    = "kliv_lang"
	flashCookie   = "kliv_flash"
	// maxBody is the largest request body; a post is at most 50,000
	// characters, which fits with room to spare.
	maxBody = 1 << 20
)

// context keys
const (
	keyViewer  = "kliv.viewer"
	keySession = "kliv.session"
	keyBearer  = "kliv.bearer"
	keyLang    = "kliv.lang"
	// keyLangGuessed marks a language taken from the browser, not chosen.
	keyLangGuessed = "kliv.lang_guessed"
	keyCSRF        = "kliv.csrf"
)

// requestLog writes one line per request; never bodies, tokens or ids
// of sessions.
func (a *app) requestLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	a.log.Info("request", "method", c.Request.Method, "path", c.Request.URL.Path,
		"status", c.Writer.Status(), "ms", float64(time.Since(start).Microseconds())/1000)
}

// recovery turns a panic into a 500 in the reader's language.
func (a *app) recovery(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			if e, ok := p.(error); ok && errors.Is(e, http.ErrAbortHandler) {
				panic(p)
			}
			a.log.Error("panic", "method", c.Request.Method, "path", c.Request.URL.Path, "panic", p)
			a.fail(c, errors.New("panic"))
		}
	}()
	c.Next()
}

// secureHeaders sets the headers every answer carries.
func (a *app) secureHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	if a.cfg.Secure() {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	a.limitBody(c)
	c.Next()
}

// authenticate finds the reader: a bearer token, or the session cookie.
// Neither is fine (an anonymous visitor); a bad bearer token is a 401.
func (a *app) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	if auth := c.GetHeader("Authorization"); auth != "" {
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			a.fail(c, forum.ErrUnauthenticated)
			return
		}
		m, err := a.store.TokenMember(ctx, strings.TrimSpace(tok))
		if err != nil {
			a.fail(c, err)
			return
		}
		c.Set(keyViewer, m)
		c.Set(keyBearer, true)
	} else if tok, err := c.Cookie(sessionCookie); err == nil && tok != "" {
		m, sess, err := a.store.SessionMember(ctx, tok)
		switch {
		case err == nil:
			c.Set(keyViewer, m)
			c.Set(keySession, sess)
			c.Set(keyCSRF, sess.CSRFToken)
			if sess.Extended {
				// The session slides on with use; so must the cookie, or
				// the browser drops it a month after signing in.
				a.setCookie(c, sessionCookie, tok, int(forum.SessionLifetime.Seconds()))
			}
		case errors.Is(err, forum.ErrUnauthenticated):
			a.setCookie(c, sessionCookie, "", -1)
		default:
			a.fail(c, err)
			return
		}
	}
	if _, ok := c.Get(keyCSRF); !ok {
		// Anonymous forms (sign in, join) use a double-submit cookie.
		tok, err := c.Cookie(csrfCookie)
		if err != nil || len(tok) < 20 {
			tok = forum.NewToken()
			a.setCookie(c, csrfCookie, tok, 0)
		}
		c.Set(keyCSRF, tok)
	}
	c.Set(keyLang, a.pickLang(c))
	a.noteSeen(ctx, viewer(c))
	c.Next()
}

// setCookie sets an HttpOnly, SameSite=Lax cookie, Secure on https.
func (a *app) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: url.QueryEscape(value), Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: a.cfg.Secure(), SameSite: http.SameSiteLaxMode})
}

// pickLang chooses the reader's language. Swedish is the site's
// language: a member reads English only when she chose it (her setting,
// or the language cookie of the footer switch); a visitor who has chosen
// nothing gets English only when her browser lists English and no
// Swedish at all (i18n.Match), and is then offered Swedish prominently
// (keyLangGuessed).
func (a *app) pickLang(c *gin.Context) string {
	m := viewer(c)
	if m != nil && i18n.Supported(m.Lang) {
		return m.Lang
	}
	if l, err := c.Cookie(langCookie); err == nil && i18n.Supported(l) {
		return l
	}
	if m != nil {
		return i18n.Default
	}
	l := i18n.Match(c.GetHeader("Accept-Language"))
	if l != i18n.Default {
		c.Set(keyLangGuessed, true)
	}
	return l
}

// csrf refuses a state-changing request authenticated by cookie (or an
// anonymous form) without the right token. Bearer requests need none; an
// anonymous JSON request is safe because browsers cannot send JSON across
// sites without CORS, which Kliv never grants.
func (a *app) csrf(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	if !isAPI(c) {
		// Read the form now: gin's PostForm would swallow a body over
		// the limit and leave the fields empty.
		var mbe *http.MaxBytesError
		err := c.Request.ParseForm()
		if err == nil {
			err = c.Request.ParseMultipartForm(maxBody)
		}
		if errors.As(err, &mbe) {
			if avatarUploadPaths[c.Request.URL.Path] {
				err = forum.Refuse(forum.ErrTooLarge, "profiles.error.too_large")
			}
			a.fail(c, err)
			return
		}
	}
	if c.GetBool(keyBearer) {
		c.Next()
		return
	}
	if origin := c.GetHeader("Origin"); origin != "" && origin != "null" {
		// The site's own origin is its public address; behind a proxy
		// that rewrites Host it differs from the request's Host.
		u, err := url.Parse(origin)
		if err != nil || !(strings.EqualFold(u.Host, c.Request.Host) || strings.EqualFold(origin, a.cfg.Origin())) {
			a.fail(c, forum.Refuse(forum.ErrForbidden, "error.csrf"))
			return
		}
	}
	_, signedIn := c.Get(keySession)
	if isAPI(c) && !signedIn {
		// A request with neither credentials nor a body has nothing to
		// forge; the route's own gate answers it (401).
		if c.Request.ContentLength == 0 && c.ContentType() == "" {
			c.Next()
			return
		}
		if !strings.HasPrefix(c.ContentType(), "application/json") {
			a.fail(c, forum.Refuse(forum.ErrForbidden, "error.csrf"))
			return
		}
		c.Next()
		return
	}
	sent := c.GetHeader("X-CSRF-Token")
	if sent == "" && !isAPI(c) {
		sent = c.PostForm("csrf_token")
	}
	want := csrfToken(c)
	if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
		a.fail(c, forum.Refuse(forum.ErrForbidden, "error.csrf"))
		return
	}
	c.Next()
}

// viewer is the signed-in person, or nil.
func viewer(c *gin.Context) *forum.Member {
	if v, ok := c.Get(keyViewer); ok {
		return v.(*forum.Member)
	}
	return nil
}

// session is the browser session, or nil (anonymous or bearer).
func session(c *gin.Context) *forum.Session {
	if v, ok := c.Get(keySession); ok {
		return v.(*forum.Session)
	}
	return nil
}

func csrfToken(c *gin.Context) string { return c.GetString(keyCSRF) }

// loc is the reader's localizer.
func (a *app) loc(c *gin.Context) i18n.Localizer {
	lang := c.GetString(keyLang)
	if lang == "" {
		lang = i18n.Default
	}
	return i18n.Localizer{B: a.i18n, Lang: lang}
}

// requireMember lets only approved members through. Applicants get a 403
// in the API and their status page on the web.
func (a *app) requireMember(c *gin.Context) {
	m := viewer(c)
	switch {
	case m == nil:
		a.fail(c, forum.ErrUnauthenticated)
	case m.Status == forum.StatusLapsed && (c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead):
		// A lapsed alumna reads as a plain member until she confirms her
		// role; anything that changes something is refused.
		readOnly(c, m)
		c.Next()
	case !m.IsMember():
		if !isAPI(c) && (c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead) {
			c.Redirect(http.StatusSeeOther, "/")
			c.Abort()
			return
		}
		a.fail(c, forum.Refuse(forum.ErrForbidden, "error.not_member"))
	default:
		c.Next()
	}
}

// requireSignedIn lets anyone signed in through, applicants too.
func (a *app) requireSignedIn(c *gin.Context) {
	if viewer(c) == nil {
		a.fail(c, forum.ErrUnauthenticated)
		return
	}
	c.Next()
}

// limiter is a set of token buckets keyed by a string (an IP, an
// account), kept in memory: a limit per process is enough to slow a
// guesser down.
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	buckets map[string]*bucket
	off     bool
	now     func() time.Time
	// shared, when set, takes the token from a bucket every process
	// shares (limits_shared.go); an error falls back to this process's.
	shared func(key string) (bool, time.Duration, error)
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(perMinute, burst int, off bool) *limiter {
	return newLimiterPer(float64(perMinute)/60, burst, off)
}

// newLimiterPer is a limiter of rate tokens a second.
func newLimiterPer(rate float64, burst int, off bool) *limiter {
	return &limiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}, off: off, now: time.Now}
}

// allow takes a token for key, reporting false when none is left.
func (l *limiter) allow(key string) bool {
	ok, _ := l.take(key)
	return ok
}

// take takes a token for key; when none is left it reports false and
// how long until one is.
func (l *limiter) take(key string) (bool, time.Duration) {
	if l.off {
		return true, 0
	}
	if l.shared != nil {
		if ok, wait, err := l.shared(key); err == nil {
			return ok, wait
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.buckets) > 100_000 {
		// Forget full buckets so a flood of keys cannot grow memory.
		for k, b := range l.buckets {
			if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
				delete(l.buckets, k)
			}
		}
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// clientIP is the peer address; Kliv trusts no forwarding header unless
// told to, so it cannot be spoofed.
func clientIP(c *gin.Context) string {
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		return c.Request.RemoteAddr
	}
	return host
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// keyReadOnly marks a request by a lapsed alumna, read as a plain member.
const keyReadOnly = "kliv.readonly"

// readOnly lets a lapsed alumna read: for this request she is an
// approved plain member (no moderator's or admin's pages), and pages show
// the banner with her confirm link.
func readOnly(c *gin.Context, m *forum.Member) {
	ro := *m
	ro.Status, ro.Role = forum.StatusApproved, forum.RoleMember
	c.Set(keyViewer, &ro)
	c.Set(keyReadOnly, true)
}
