package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/i18n"
	"kliv/moderation"
	"kliv/moderation/orgs"
)

// qView is one join question as a form shows it, in the reader's language.
type qView struct {
	Key, Kind, Label, Hint string
	Required               bool
}

// answerRow is one answer as moderators and the applicant read it.
type answerRow struct {
	Key, Label, Value string
	// Warn marks an answer a moderator should look at twice (no staff
	// responsibility).
	Warn bool
	Pre  bool
}

// screeningForm is what a page with the join questions carries.
type screeningForm struct {
	Questions []qView
	Sectors   []string
	Orgs      []orgs.Org
}

// screeningForm builds the questions in the reader's language.
func (a *app) screeningForm(ctx context.Context, l i18n.Localizer) (screeningForm, error) {
	qs, err := a.mod.Questions(ctx, false)
	if err != nil {
		return screeningForm{}, err
	}
	f := screeningForm{Sectors: moderation.Sectors, Orgs: orgs.All()}
	for i := range qs {
		q := &qs[i]
		f.Questions = append(f.Questions, qView{Key: q.Key, Kind: q.Kind, Label: a.mod.Label(q, l.Lang), Hint: a.mod.Hint(q, l.Lang),
			Required: q.Required})
	}
	return f, nil
}

// answerRows lists a request's answers in the form's order; qs are all
// questions, retired ones too, so old answers keep their question.
func (a *app) answerRows(l i18n.Localizer, qs []moderation.Question, ans *moderation.Answers) []answerRow {
	var rows []answerRow
	for i := range qs {
		q := &qs[i]
		r := answerRow{Key: q.Key, Label: a.mod.Label(q, l.Lang)}
		switch q.Key {
		case "workplace":
			r.Value = ans.Workplace
		case "role":
			r.Value = ans.Role
		case "staff_responsibility":
			if ans.StaffResponsibility != nil && *ans.StaffResponsibility {
				r.Value = l.T("answer.yes")
			} else {
				r.Value, r.Warn = l.T("answer.no"), true
			}
		case "sector":
			if ans.Sector != "" {
				r.Value = l.T("sector." + ans.Sector)
			}
		case "motivation":
			r.Value, r.Pre = ans.Motivation, true
			if r.Value == "" {
				continue
			}
		default:
			v, ok := ans.Extra[q.Key]
			if !ok {
				continue
			}
			switch {
			case q.Kind == "yesno" && v == "yes":
				r.Value = l.T("answer.yes")
			case q.Kind == "yesno":
				r.Value = l.T("answer.no")
			default:
				r.Value, r.Pre = v, true
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// questionFields are the form fields of the join questions.
func questionFields(f screeningForm, more ...string) []string {
	out := append([]string(nil), more...)
	for _, q := range f.Questions {
		out = append(out, q.Key)
	}
	return append(out, "accept_rules")
}

// labelFields names the added questions in an error summary.
func labelFields(f *Form, sf screeningForm) {
	for _, q := range sf.Questions {
		if _, ok := f.Labels[q.Key]; ok {
			f.Labels[q.Key] = q.Label
		}
	}
}

type joinPage struct {
	Page
	screeningForm
	Wait string
	// Invitation is the invitation the form answers, if any.
	Invitation *moderation.Invitation
	Token      string
}

// typicalWait phrases the median waiting time calmly, or "" with too
// little to go on.
func (a *app) typicalWait(ctx context.Context, l i18n.Localizer) (string, error) {
	d, ok, err := a.mod.TypicalWait(ctx)
	if err != nil || !ok {
		return "", err
	}
	switch {
	case d < 6*time.Hour:
		return l.T("screening.wait.hours"), nil
	case d < 30*time.Hour:
		return l.T("screening.wait.day"), nil
	}
	return l.N("screening.wait.days", int((d+12*time.Hour)/(24*time.Hour))), nil
}

func (a *app) joinPage(c *gin.Context) (*joinPage, error) {
	l := a.loc(c)
	sf, err := a.screeningForm(c.Request.Context(), l)
	if err != nil {
		return nil, err
	}
	wait, err := a.typicalWait(c.Request.Context(), l)
	if err != nil {
		return nil, err
	}
	return &joinPage{Page: a.base(c, "join.title"), screeningForm: sf, Wait: wait}, nil
}

// joinOrderOf is the join form's fields as it shows them, the error
// summary's order: the account, the questions in the admins' order, the
// rules. joinChoicesOf are those answered by picking.
func joinOrderOf(sf screeningForm) []string {
	return questionFields(sf, "display_name", "username", "email", "password")
}

func joinChoicesOf(sf screeningForm) []string {
	out := []string{"sector"}
	for _, q := range sf.Questions {
		if q.Kind == "yesno" || q.Key == "staff_responsibility" {
			out = append(out, q.Key)
		}
	}
	return out
}

func (a *app) pageJoin(c *gin.Context) error {
	if m := viewer(c); m != nil {
		return redirect(c, "/")
	}
	p, err := a.joinPage(c)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "join", p)
}

// formAnswers reads the screening answers of the join form.
func formAnswers(c *gin.Context, sf screeningForm) moderation.Answers {
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
	for _, q := range sf.Questions {
		if q.Kind == "builtin" {
			continue
		}
		if v, ok := c.GetPostForm(q.Key); ok {
			if ans.Extra == nil {
				ans.Extra = map[string]string{}
			}
			ans.Extra[q.Key] = v
		}
	}
	return ans
}

var accountFields = []string{"username", "email", "display_name"}

func (a *app) postJoin(c *gin.Context) error {
	if viewer(c) != nil {
		// Signed in already (a second click on "send"): her status page.
		return redirect(c, "/")
	}
	if !a.joinIP.allow(clientIP(c)) {
		return forum.Refuse(forum.ErrRateLimited, "error.rate_limited")
	}
	p, err := a.joinPage(c)
	if err != nil {
		return err
	}
	app := moderation.Application{
		Username: c.PostForm("username"), Email: c.PostForm("email"), Password: c.PostForm("password"),
		DisplayName: c.PostForm("display_name"), Answers: formAnswers(c, p.screeningForm),
		AcceptRules: c.PostForm("accept_rules") != "", Lang: c.GetString(keyLang),
	}
	_, m, err := a.mod.Apply(c.Request.Context(), app)
	if err != nil {
		f := newForm(c, questionFields(p.screeningForm, accountFields...)...).shaped(joinOrderOf(p.screeningForm), nil, joinChoicesOf(p.screeningForm)...)
		if !f.fill(a.loc(c), err) {
			return err
		}
		labelFields(f, p.screeningForm)
		p.Form = f
		return a.render(c, formStatus(err), "join", p)
	}
	if _, err := a.startSession(c, m); err != nil {
		return err
	}
	a.flash(c, "join.sent")
	return redirect(c, "/")
}

// postJoinAgain is a new request from an applicant who was rejected or
// withdrew.
func (a *app) postJoinAgain(c *gin.Context) error {
	m := viewer(c)
	if m == nil {
		return forum.ErrUnauthenticated
	}
	sf, err := a.screeningForm(c.Request.Context(), a.loc(c))
	if err != nil {
		return err
	}
	_, err = a.mod.Reapply(c.Request.Context(), m, formAnswers(c, sf), c.PostForm("accept_rules") != "")
	if err != nil {
		var ve *forum.ValidationError
		if !errors.As(err, &ve) {
			// Not a rejected applicant (any more): the status page has no
			// form to show it on.
			return err
		}
		f := newForm(c, questionFields(sf)...).shaped(joinOrderOf(sf), nil, joinChoicesOf(sf)...)
		if !f.fill(a.loc(c), err) {
			return err
		}
		labelFields(f, sf)
		return a.renderStatus(c, f)
	}
	a.flash(c, "join.sent")
	return redirect(c, "/")
}

// queueCard is one request on the queue page.
type queueCard struct {
	moderation.JoinRequest
	Rows []answerRow
	// OrgKnown is the sector of the workplace when it is on the list of
	// Swedish public-sector organisations.
	OrgKnown string
	Holder   string
	Mine     bool
	// ProposedByMe: the reader proposed its rejection, so she cannot be
	// the second moderator.
	ProposedByMe bool
	ReasonShown  string
}

type queuePage struct {
	Page
	Status   string
	Cards    []queueCard
	Next     int64
	Reasons  []reasonView
	Results  []string
	Notice   string
	ClaimFor int
}

// reasonView is a ready-made reason in the reader's language.
type reasonView struct{ Code, Text string }

func (a *app) reasonViews(ctx context.Context, l i18n.Localizer) ([]reasonView, error) {
	rs, err := a.mod.Reasons(ctx, false)
	if err != nil {
		return nil, err
	}
	out := make([]reasonView, 0, len(rs))
	for i := range rs {
		out = append(out, reasonView{Code: rs[i].Code, Text: a.mod.Text(&rs[i], l.Lang)})
	}
	return out, nil
}

// Waited says how long a request has waited, as a whole phrase: "Har
// väntat i 3 timmar", or "Kom in just nu" for the first minute.
func (p *Page) Waited(t time.Time) string {
	d := p.Now.Sub(t)
	switch {
	case d < time.Minute:
		return p.L.T("screening.waited.now")
	case d < time.Hour:
		return p.L.N("screening.waited.minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		return p.L.N("screening.waited.hours", int(d/time.Hour))
	}
	return p.L.N("screening.waited.days", int(d/(24*time.Hour)))
}

// SectorName is a sector's name in the reader's language.
func (p *Page) SectorName(code string) string { return p.L.T("sector." + code) }

func (a *app) renderQueue(c *gin.Context, code int, results []string) error {
	ctx := c.Request.Context()
	status := c.DefaultQuery("status", "open")
	after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	js, next, err := a.mod.JoinRequests(ctx, viewer(c), status, after, 50)
	if err != nil {
		return err
	}
	p := &queuePage{Page: a.base(c, "queue.title"), Status: status, Next: next, Results: results,
		ClaimFor: int(a.mod.ClaimFor / time.Minute)}
	p.Notice = a.decidedNotice(c, p.L)
	if p.Reasons, err = a.reasonViews(ctx, p.L); err != nil {
		return err
	}
	qs, err := a.mod.Questions(ctx, true)
	if err != nil {
		return err
	}
	for i := range js {
		ans := js[i].Answers()
		card := queueCard{JoinRequest: js[i], Rows: a.answerRows(p.L, qs, &ans), OrgKnown: orgs.Sector(js[i].Workplace),
			Holder: js[i].Holder(p.Now)}
		card.Mine = card.Holder != "" && strings.EqualFold(card.Holder, p.Viewer.Username)
		card.ProposedByMe = js[i].ProposedByID != nil && *js[i].ProposedByID == p.Viewer.ID
		card.ReasonShown = a.mod.ReasonText(ctx, p.L.Lang, js[i].Reason)
		p.Cards = append(p.Cards, card)
	}
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
	second := c.PostForm("second_opinion") != ""
	agree := c.PostForm("agree") != ""
	if !approve && !agree {
		// The reason is checked before any request is touched.
		if _, err := moderation.NormalizeReason(reason); err != nil {
			return err
		}
	}
	l := a.loc(c)
	var results, done, proposed []string
	for _, d := range a.mod.DecideMany(c.Request.Context(), viewer(c), ids, approve, reason, second && !agree) {
		if d.Err != nil {
			if _, key := status(d.Err); key == "error.internal" {
				return d.Err
			}
			results = append(results, l.T("queue.failed", d.ID, errText(l, d.Err)))
			continue
		}
		if d.Proposed {
			proposed = append(proposed, strconv.FormatInt(d.ID, 10))
		} else {
			done = append(done, strconv.FormatInt(d.ID, 10))
		}
	}
	a.mail.Notify()
	if len(results) > 0 {
		return a.renderQueue(c, http.StatusConflict, results)
	}
	// The queue names whom the decision was about.
	q := url.Values{}
	switch {
	case len(proposed) > 0:
		q.Set("done", "proposed")
		q.Set("ids", strings.Join(proposed, ","))
	case approve:
		q.Set("done", "approved")
		q.Set("ids", strings.Join(done, ","))
	default:
		q.Set("done", "rejected")
		q.Set("ids", strings.Join(done, ","))
	}
	return redirect(c, "/mod/join-requests?"+q.Encode())
}

// decidedNotice names the people a decision just made was about (the
// queue's ?done=&ids= after a decision), or "".
func (a *app) decidedNotice(c *gin.Context, l i18n.Localizer) string {
	done := c.Query("done")
	key := map[string]string{"approved": "screening.flash.approved", "rejected": "screening.flash.rejected",
		"proposed": "screening.flash.proposed", "asked": "screening.flash.asked"}[done]
	if key == "" {
		return ""
	}
	var names []string
	for i, s := range strings.Split(c.Query("ids"), ",") {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || i >= 50 {
			break
		}
		if j, err := a.mod.JoinRequest(c.Request.Context(), viewer(c), id); err == nil {
			names = append(names, l.T("screening.person", j.DisplayName, j.Username))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return l.N(key, len(names), strings.Join(names, ", "))
}
