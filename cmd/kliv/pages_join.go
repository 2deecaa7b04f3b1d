package main

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/moderation"
)

type joinPage struct {
	Page
	Sectors []string
}

var joinFields = []string{"username", "email", "display_name", "workplace", "role", "staff_responsibility", "sector", "motivation", "accept_rules"}

// joinOrder is the join form's fields as it shows them, the error
// summary's order; joinChoices are those answered by picking.
var (
	joinOrder   = []string{"display_name", "username", "email", "password", "workplace", "role", "staff_responsibility", "sector", "motivation", "accept_rules"}
	joinChoices = []string{"staff_responsibility", "sector"}
)

func (a *app) pageJoin(c *gin.Context) error {
	if m := viewer(c); m != nil {
		return redirect(c, "/")
	}
	return a.render(c, http.StatusOK, "join", &joinPage{Page: a.base(c, "join.title"), Sectors: moderation.Sectors})
}

// formAnswers reads the screening answers of the join form.
func formAnswers(c *gin.Context) moderation.Answers {
	ans := moderation.Answers{Workplace: c.PostForm("workplace"), Role: c.PostForm("role"),
		Sector: c.PostForm("sector"), Motivation: c.PostForm("motivation")}
	switch c.PostForm("staff_responsibility") {
	case "yes":
		t := true
		ans.StaffResponsibility = &t
	case "no":
		f := false
		ans.StaffResponsibility = &f
	}
	return ans
}

func (a *app) postJoin(c *gin.Context) error {
	if viewer(c) != nil {
		// Signed in already (a second click on "send"): her status page.
		return redirect(c, "/")
	}
	if !a.joinIP.allow(clientIP(c)) {
		return forum.Refuse(forum.ErrRateLimited, "error.rate_limited")
	}
	app := moderation.Application{
		Username: c.PostForm("username"), Email: c.PostForm("email"), Password: c.PostForm("password"),
		DisplayName: c.PostForm("display_name"), Answers: formAnswers(c),
		AcceptRules: c.PostForm("accept_rules") != "", Lang: c.GetString(keyLang),
	}
	_, m, err := a.mod.Apply(c.Request.Context(), app)
	if err != nil {
		f := newForm(c, joinFields...).shaped(joinOrder, nil, joinChoices...)
		if !f.fill(a.loc(c), err) {
			return err
		}
		p := &joinPage{Page: a.base(c, "join.title"), Sectors: moderation.Sectors}
		p.Form = f
		return a.render(c, formStatus(err), "join", p)
	}
	if _, err := a.startSession(c, m); err != nil {
		return err
	}
	a.flash(c, "join.sent")
	return redirect(c, "/")
}

// postJoinAgain is a rejected applicant's new request.
func (a *app) postJoinAgain(c *gin.Context) error {
	m := viewer(c)
	if m == nil {
		return forum.ErrUnauthenticated
	}
	_, err := a.mod.Reapply(c.Request.Context(), m, formAnswers(c), c.PostForm("accept_rules") != "")
	if err != nil {
		var ve *forum.ValidationError
		if !errors.As(err, &ve) {
			// Not a rejected applicant (any more): the status page has no
			// form to show it on.
			return err
		}
		f := newForm(c, joinFields...).shaped(joinOrder, nil, joinChoices...)
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderStatus(c, f)
	}
	a.flash(c, "join.sent")
	return redirect(c, "/")
}

type queuePage struct {
	Page
	Status   string
	Requests []moderation.JoinRequest
	Next     int64
	Reasons  []string
	Results  []string
}

// Waited says how long a request has waited.
func (p *queuePage) Waited(t time.Time) string {
	d := p.Now.Sub(t)
	switch {
	case d < time.Hour:
		return p.L.N("queue.waited.minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		return p.L.N("queue.waited.hours", int(d/time.Hour))
	}
	return p.L.N("queue.waited.days", int(d/(24*time.Hour)))
}

// SectorName is a sector's name in the reader's language.
func (p *Page) SectorName(code string) string { return p.L.T("sector." + code) }

func (a *app) renderQueue(c *gin.Context, code int, results []string) error {
	status := c.DefaultQuery("status", "pending")
	after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	js, next, err := a.mod.JoinRequests(c.Request.Context(), viewer(c), status, after, 50)
	if err != nil {
		return err
	}
	p := &queuePage{Page: a.base(c, "queue.title"), Status: status, Requests: js, Next: next,
		Reasons: moderation.RejectReasons, Results: results}
	return a.render(c, code, "queue", p)
}

func (a *app) pageJoinQueue(c *gin.Context) error { return a.renderQueue(c, http.StatusOK, nil) }

// postJoinQueue decides one request (a button on its card) or every
// ticked one.
func (a *app) postJoinQueue(c *gin.Context) error {
	var ids []int64
	if one := c.PostForm("id"); one != "" {
		c.Request.PostForm["ids"] = []string{one}
	}
	for _, s := range c.PostFormArray("ids") {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return forum.Invalid("ids", "error.field.choice")
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return forum.Invalid("ids", "queue.none_selected")
	}
	approve := false
	switch c.PostForm("action") {
	case "approve":
		approve = true
	case "reject":
	default:
		return forum.Invalid("action", "error.field.choice")
	}
	reason := c.PostForm("reason")
	if reason == "other" || reason == "" {
		reason = c.PostForm("reason_text")
	}
	if !approve {
		// The reason is checked before any request is touched.
		if _, err := moderation.NormalizeReason(reason); err != nil {
			return err
		}
	}
	l := a.loc(c)
	var results []string
	for _, d := range a.mod.DecideMany(c.Request.Context(), viewer(c), ids, approve, reason) {
		if d.Err != nil {
			if _, key := status(d.Err); key == "error.internal" {
				return d.Err
			}
			results = append(results, l.T("queue.failed", d.ID, errText(l, d.Err)))
		}
	}
	a.mail.Notify()
	if len(results) > 0 {
		return a.renderQueue(c, http.StatusConflict, results)
	}
	if approve {
		a.flash(c, "queue.approved")
	} else {
		a.flash(c, "queue.rejected")
	}
	return redirect(c, "/mod/join-requests")
}
