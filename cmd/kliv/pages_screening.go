package main

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/i18n"
	"kliv/moderation"
	"kliv/moderation/orgs"
)

// answersForm fills a form with a request's answers, for editing them.
func answersForm(ans *moderation.Answers) *Form {
	f := &Form{Values: map[string]string{"workplace": ans.Workplace, "role": ans.Role, "sector": ans.Sector,
		"motivation": ans.Motivation}, Errors: map[string]string{}, Labels: map[string]string{}}
	if ans.StaffResponsibility != nil {
		f.Values["staff_responsibility"] = map[bool]string{true: "yes", false: "no"}[*ans.StaffResponsibility]
	}
	for k, v := range ans.Extra {
		f.Values[k] = v
	}
	return f
}

// postJoinComplete is the applicant's answer to a moderator's question.
func (a *app) postJoinComplete(c *gin.Context) error {
	m := viewer(c)
	sf, err := a.screeningForm(c.Request.Context(), a.loc(c))
	if err != nil {
		return err
	}
	if _, err := a.mod.Complete(c.Request.Context(), m, formAnswers(c, sf), c.PostForm("message")); err != nil {
		var ve *forum.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		f := newForm(c, questionFields(sf, "message")...)
		f.fill(a.loc(c), err)
		labelFields(f, sf)
		screeningLabels(f, a.loc(c))
		return a.renderStatus(c, f)
	}
	a.flash(c, "screening.completed")
	return redirect(c, "/")
}

// postJoinWithdraw is the applicant taking her request back.
func (a *app) postJoinWithdraw(c *gin.Context) error {
	if err := a.mod.Withdraw(c.Request.Context(), viewer(c)); err != nil {
		return err
	}
	a.flash(c, "screening.withdrawn")
	return redirect(c, "/")
}

type requestPage struct {
	Page
	Card          queueCard
	History       []historyView
	Verifications []moderation.Verification
	Methods       []string
	Reasons       []reasonView
	ClaimFor      int
}

// historyView is a line of a request's history with the answers as
// they were.
type historyView struct {
	moderation.Event
	Rows []answerRow
	Text string
}

// pageJoinRequest is one request with its full history and the
// moderators' verification notes.
func (a *app) pageJoinRequest(c *gin.Context) error {
	return a.renderJoinRequest(c, http.StatusOK, nil)
}

func (a *app) renderJoinRequest(c *gin.Context, code int, f *Form) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	m := viewer(c)
	j, err := a.mod.JoinRequest(ctx, m, id)
	if err != nil {
		return err
	}
	p := &requestPage{Page: a.base(c, "screening.request.title", j.DisplayName), Methods: moderation.VerifyMethods,
		ClaimFor: int(a.mod.ClaimFor.Minutes())}
	p.Form = f
	qs, err := a.mod.Questions(ctx, true)
	if err != nil {
		return err
	}
	ans := j.Answers()
	p.Card = queueCard{JoinRequest: *j, Rows: a.answerRows(p.L, qs, &ans), OrgKnown: orgs.Sector(j.Workplace), Holder: j.Holder(p.Now)}
	p.Card.Mine = p.Card.Holder != "" && strings.EqualFold(p.Card.Holder, m.Username)
	es, err := a.mod.History(ctx, m, id)
	if err != nil {
		return err
	}
	for _, e := range es {
		h := historyView{Event: e, Text: e.Message}
		if e.Answers != nil {
			h.Rows = a.answerRows(p.L, qs, e.Answers)
		}
		if e.Kind == "rejected" || e.Kind == "reject_proposed" {
			h.Text = a.mod.ReasonText(ctx, p.L.Lang, e.Message)
		}
		p.History = append(p.History, h)
	}
	if p.Verifications, err = a.mod.Verifications(ctx, m, id); err != nil {
		return err
	}
	if p.Reasons, err = a.reasonViews(ctx, p.L); err != nil {
		return err
	}
	return a.render(c, code, "screening_request", p)
}

// postAsk sends a request back with a question.
func (a *app) postAsk(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if _, err := a.mod.Ask(c.Request.Context(), viewer(c), id, c.PostForm("question")); err != nil {
		f := newForm(c, "question")
		if !f.fill(a.loc(c), err) {
			return err
		}
		screeningLabels(f, a.loc(c))
		return a.renderJoinRequest(c, formStatus(err), f)
	}
	a.mail.Notify()
	return redirect(c, "/mod/join-requests?done=asked&ids="+strconv.FormatInt(id, 10))
}

// postClaim claims a request (action=claim) or releases it (release).
func (a *app) postClaim(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	switch c.PostForm("action") {
	case "release":
		_, err = a.mod.Release(c.Request.Context(), viewer(c), id)
	default:
		_, err = a.mod.Claim(c.Request.Context(), viewer(c), id)
	}
	if err != nil {
		return err
	}
	back := c.PostForm("back")
	if back != "request" {
		return redirect(c, "/mod/join-requests#jr-"+strconv.FormatInt(id, 10))
	}
	return redirect(c, "/mod/join-requests/"+strconv.FormatInt(id, 10))
}

// postVerify records how an answer was checked.
func (a *app) postVerify(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := a.mod.Verify(c.Request.Context(), viewer(c), id, c.PostForm("question_key"), c.PostForm("method"), c.PostForm("note")); err != nil {
		f := newForm(c, "question_key", "method", "note")
		if !f.fill(a.loc(c), err) {
			return err
		}
		screeningLabels(f, a.loc(c))
		return a.renderJoinRequest(c, formStatus(err), f)
	}
	a.flash(c, "screening.verified")
	return redirect(c, "/mod/join-requests/"+strconv.FormatInt(id, 10)+"#verifications")
}

// Invitations.

type invitationsPage struct {
	Page
	Invitations []moderation.Invitation
	Made        *moderation.InviteResult
}

func (a *app) renderInvitations(c *gin.Context, code int, f *Form, made *moderation.InviteResult) error {
	is, err := a.mod.Invitations(c.Request.Context(), viewer(c), 100)
	if err != nil {
		return err
	}
	p := &invitationsPage{Page: a.base(c, "screening.invite.title"), Invitations: is, Made: made}
	p.Form = f
	return a.render(c, code, "screening_invitations", p)
}

func (a *app) pageInvitations(c *gin.Context) error {
	return a.renderInvitations(c, http.StatusOK, nil, nil)
}

// maxInviteUpload caps an uploaded list of addresses.
const maxInviteUpload = 1 << 20

// postInvitations invites the pasted or uploaded addresses.
func (a *app) postInvitations(c *gin.Context) error {
	text := c.PostForm("emails")
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		if fh.Size > maxInviteUpload {
			return forum.ErrTooLarge
		}
		fd, err := fh.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(io.LimitReader(fd, maxInviteUpload))
		fd.Close()
		if err != nil {
			return err
		}
		text += "\n" + string(b)
	}
	res, err := a.mod.Invite(c.Request.Context(), viewer(c), moderation.ParseEmails(text), c.PostForm("lang"))
	if err != nil {
		f := newForm(c, "emails", "lang")
		if !f.fill(a.loc(c), err) {
			return err
		}
		screeningLabels(f, a.loc(c))
		return a.renderInvitations(c, formStatus(err), f, nil)
	}
	a.mail.Notify()
	return a.renderInvitations(c, http.StatusCreated, nil, res)
}

// pageInvite is the invited person's join form.
func (a *app) pageInvite(c *gin.Context) error {
	return a.renderInvite(c, http.StatusOK, nil)
}

func (a *app) renderInvite(c *gin.Context, code int, f *Form) error {
	tok := c.Query("t")
	if tok == "" {
		tok = c.PostForm("t")
	}
	inv, err := a.mod.InvitationByToken(c.Request.Context(), tok)
	if err != nil {
		if errors.Is(err, forum.ErrNotFound) {
			return forum.Refuse(forum.ErrNotFound, "screening.error.invitation_used")
		}
		return err
	}
	p, err := a.joinPage(c)
	if err != nil {
		return err
	}
	p.Title = p.L.T("screening.invite.join_title")
	p.Invitation, p.Token = inv, tok
	p.NoIndex = true
	p.Form = f
	return a.render(c, code, "join", p)
}

func (a *app) postInvite(c *gin.Context) error {
	if viewer(c) != nil {
		return redirect(c, "/")
	}
	sf, err := a.screeningForm(c.Request.Context(), a.loc(c))
	if err != nil {
		return err
	}
	app := moderation.Application{
		Username: c.PostForm("username"), Password: c.PostForm("password"),
		DisplayName: c.PostForm("display_name"), Answers: formAnswers(c, sf),
		AcceptRules: c.PostForm("accept_rules") != "", Lang: c.GetString(keyLang),
	}
	_, m, err := a.mod.AcceptInvitation(c.Request.Context(), c.PostForm("t"), app)
	if err != nil {
		f := newForm(c, questionFields(sf, accountFields...)...)
		if !f.fill(a.loc(c), err) {
			return err
		}
		labelFields(f, sf)
		return a.renderInvite(c, formStatus(err), f)
	}
	if _, err := a.startSession(c, m); err != nil {
		return err
	}
	a.flash(c, "screening.invite.welcome")
	return redirect(c, "/")
}

// QuestionLabel names the question a verification note is about.
func (p *requestPage) QuestionLabel(key string) string {
	for _, r := range p.Card.Rows {
		if r.Key == key {
			return r.Label
		}
	}
	if key == "email" {
		return p.L.T("field.email")
	}
	return key
}

// screeningLabels names screening's own fields in an error summary
// (their labels live in the screening catalog).
func screeningLabels(f *Form, l i18n.Localizer) {
	for name := range f.Labels {
		switch name {
		case "question", "message", "note", "method", "question_key", "emails", "file", "text_sv", "text_en",
			"label_sv", "label_en", "hint_sv", "hint_en", "kind", "required":
			f.Labels[name] = l.T("screening.field." + name)
		}
	}
}

// The yearly role confirmation.

type confirmPage struct {
	Page
	Confirmation *moderation.Confirmation
	Sectors      []string
}

func (a *app) renderConfirm(c *gin.Context, code int, f *Form) error {
	m := viewer(c)
	conf, err := a.mod.ConfirmationOf(c.Request.Context(), m)
	if err != nil {
		return err
	}
	p := &confirmPage{Page: a.base(c, "screening.confirm.title"), Confirmation: conf, Sectors: moderation.Sectors}
	if f == nil {
		f = &Form{Values: map[string]string{"role": m.RoleTitle, "workplace": m.Workplace, "sector": m.Sector},
			Errors: map[string]string{}, Labels: map[string]string{}}
	}
	p.Form = f
	return a.render(c, code, "screening_confirm", p)
}

func (a *app) pageConfirmRole(c *gin.Context) error {
	// An applicant has no role to confirm yet: her page is her status.
	if m := viewer(c); m.Status == forum.StatusPending || m.Status == forum.StatusRejected || m.Status == forum.StatusWithdrawn {
		return redirect(c, "/")
	}
	return a.renderConfirm(c, http.StatusOK, nil)
}

func (a *app) postConfirmRole(c *gin.Context) error {
	err := a.mod.ConfirmRole(c.Request.Context(), viewer(c), c.PostForm("role"), c.PostForm("workplace"), c.PostForm("sector"))
	if err != nil {
		f := newForm(c, "role", "workplace", "sector")
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderConfirm(c, formStatus(err), f)
	}
	a.flash(c, "screening.confirm.done")
	return redirect(c, "/")
}

type lapsedPage struct {
	Page
	Members []forum.Member
}

// pageLapsed lists the members who have not confirmed their role.
func (a *app) pageLapsed(c *gin.Context) error {
	ms, err := a.mod.Lapsed(c.Request.Context(), viewer(c))
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "screening_lapsed", &lapsedPage{Page: a.base(c, "screening.lapsed.title"), Members: ms})
}
