package main

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/i18n"
)

// maxUpload is the body limit of the routes that take files (see
// allowLargeBody); every other route has maxBody.
const maxUpload = 10 << 20

// rateLimit limits one kind of action per member and per IP address: a
// member who posts too fast is slowed down wherever she posts from, and
// one address cannot post under many accounts. The IP limit is the
// larger, since a whole municipal office may share one address.
type rateLimit struct {
	// key is the catalog key of the refusal; it gets the wait as "%s".
	key    string
	member *limiter
	ip     *limiter
}

// newRateLimit allows n actions per period and member (and ipFactor
// times as many per address), with bursts of the same size.
func newRateLimit(key string, n int, per time.Duration, ipFactor int, off bool) *rateLimit {
	return &rateLimit{key: key,
		member: newLimiterPer(float64(n)/per.Seconds(), n, off),
		ip:     newLimiterPer(float64(n*ipFactor)/per.Seconds(), n*ipFactor, off)}
}

// limits are the rate limits on what members write. Reports and messages
// add theirs here, checked the same way (checkLimit or the limited
// middleware).
type limits struct {
	topics  *rateLimit
	replies *rateLimit
	edits   *rateLimit
}

func newLimits(off bool) limits {
	return limits{
		topics:  newRateLimit("admin.limit.topics", 10, time.Hour, 5, off),
		replies: newRateLimit("admin.limit.replies", 30, 10*time.Minute, 5, off),
		edits:   newRateLimit("admin.limit.edits", 30, 10*time.Minute, 5, off),
	}
}

// rateLimitError is a refusal by a rate limit: a forum.UserError (so
// forms show it like any refusal) with the wait until the next try.
type rateLimitError struct {
	forum.UserError
	wait time.Duration
}

// Unwrap lets errors.As find the UserError and errors.Is the kind.
func (e *rateLimitError) Unwrap() error { return &e.UserError }

// retrySeconds is the wait in whole seconds, at least 1.
func retrySeconds(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }

// checkLimit takes one action of kind l for the reader (and her
// address). A refusal sets Retry-After and says the wait in the reader's
// language; it maps to 429 on pages, forms and the API alike.
func (a *app) checkLimit(c *gin.Context, l *rateLimit) error {
	var wait time.Duration
	if ok, w := l.ip.take(clientIP(c)); !ok {
		wait = w
	}
	if m := viewer(c); m != nil {
		if ok, w := l.member.take("member:" + strconv.FormatInt(m.ID, 10)); !ok {
			wait = max(wait, w)
		}
	}
	if wait <= 0 {
		return nil
	}
	secs := retrySeconds(wait)
	c.Header("Retry-After", strconv.Itoa(secs))
	return &rateLimitError{UserError: forum.UserError{Kind: forum.ErrRateLimited,
		Msg: forum.Msg(l.key, waitText(a.loc(c), secs))}, wait: wait}
}

// limited is checkLimit as middleware, for routes where every request is
// the action.
func (a *app) limited(l *rateLimit) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := a.checkLimit(c, l); err != nil {
			a.fail(c, err)
			return
		}
		c.Next()
	}
}

// waitText says a wait in the reader's words: "30 sekunder", "2 minuter".
func waitText(l i18n.Localizer, secs int) string {
	if secs < 90 {
		return l.N("admin.limit.seconds", secs)
	}
	return l.N("admin.limit.minutes", (secs+59)/60)
}

// allowLargeBody gives one route (its full path as registered, with
// :params) the upload body limit instead of maxBody. secureHeaders runs
// after gin has matched the route, so it knows the route's path.
func (a *app) allowLargeBody(fullPath string, n int64) {
	if a.bodyLimits == nil {
		a.bodyLimits = map[string]int64{}
	}
	a.bodyLimits[fullPath] = n
}

// bodyLimit is the largest body the matched route takes.
func (a *app) bodyLimit(c *gin.Context) int64 {
	if n, ok := a.bodyLimits[c.FullPath()]; ok {
		return n
	}
	return maxBody
}

// limitBody caps the request body (413 beyond it, see status).
func (a *app) limitBody(c *gin.Context) {
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, a.bodyLimit(c))
	}
}
