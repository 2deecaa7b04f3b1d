package main

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/forum/pnr"
	"kliv/i18n"
	"kliv/moderation"
)

// reportPage is the form to report a post ("Rapportera").
type reportPage struct {
	Page
	Post    *postView
	Topic   *forum.Topic
	Reasons []string
}

func (a *app) renderReport(c *gin.Context, code int, p *forum.Post, t *forum.Topic, f *Form) error {
	pg := &reportPage{Page: a.base(c, "moderation.report.title"), Post: &postView{Post: p}, Topic: t, Reasons: moderation.ReportReasons}
	pg.Form = f
	return a.render(c, code, "mod_report", pg)
}

func (a *app) pageReport(c *gin.Context) error {
	p, t, err := a.postAndTopic(c)
	if err != nil {
		return err
	}
	return a.renderReport(c, http.StatusOK, p, t, newForm(c))
}

func (a *app) postReport(c *gin.Context) error {
	p, t, err := a.postAndTopic(c)
	if err != nil {
		return err
	}
	f := newForm(c, "reason", "note")
	err = a.allowReport(c)
	if err == nil {
		_, err = a.mod.ReportPost(c.Request.Context(), viewer(c), p.ID, c.PostForm("reason"), c.PostForm("note"))
	}
	if err != nil {
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderReport(c, formStatus(err), p, t, f)
	}
	a.flash(c, "moderation.report.thanks")
	return redirect(c, at(p))
}

// flaggedView is a reported post as the queue shows it.
type flaggedView struct {
	*moderation.Flagged
	Card *postView
}

// modQueuePage is the moderators' queue of reported posts, or one post's
// moderation page (Single).
type modQueuePage struct {
	Page
	Items   []flaggedView
	Reasons []string
	PageNum int
	More    bool
	Single  bool
	// MinUntil is the earliest day a suspension can end (tomorrow).
	MinUntil string
	mod      *moderation.Service
}

// ReasonText is a stored sanction reason in the reader's words.
func (p *modQueuePage) ReasonText(reason string) string { return p.mod.ReasonLabel(p.L.Lang, reason) }

func (a *app) newModPage(c *gin.Context, title string) *modQueuePage {
	p := &modQueuePage{Page: a.base(c, title), Reasons: moderation.ReportReasons, mod: a.mod,
		MinUntil: a.store.Now().AddDate(0, 0, 1).Format("2006-01-02")}
	return p
}

func (a *app) pageReportQueue(c *gin.Context) error {
	n, err := queryPage(c)
	if err != nil {
		return err
	}
	fs, more, err := a.mod.Queue(c.Request.Context(), viewer(c), n, 20)
	if err != nil {
		return err
	}
	p := a.newModPage(c, "moderation.queue.title")
	p.PageNum, p.More = n, more
	for i := range fs {
		p.Items = append(p.Items, flaggedView{Flagged: &fs[i], Card: &postView{Post: fs[i].Post}})
	}
	p.Form = newForm(c)
	return a.render(c, http.StatusOK, "mod_reports", p)
}

// renderModPost shows one post's moderation page: its context, every
// report on it and the actions, with the form's errors when an action
// failed.
func (a *app) renderModPost(c *gin.Context, code int, postID int64, f *Form) error {
	fl, err := a.mod.FlaggedPost(c.Request.Context(), viewer(c), postID)
	if err != nil {
		return err
	}
	p := a.newModPage(c, "moderation.post.title")
	p.Single = true
	p.Items = []flaggedView{{Flagged: fl, Card: &postView{Post: fl.Post}}}
	p.Form = f
	return a.render(c, code, "mod_reports", p)
}

func (a *app) pageModPost(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	return a.renderModPost(c, http.StatusOK, id, newForm(c))
}

// modDone ends a moderator's action: a flash and back to where she was
// (the queue by default), or on an error the post's page with it.
func (a *app) modDone(c *gin.Context, postID int64, f *Form, err error, flash string) error {
	if err != nil {
		if postID <= 0 || !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderModPost(c, formStatus(err), postID, f)
	}
	a.flash(c, flash)
	next := c.PostForm("next")
	if next == "" {
		next = "/mod/reports"
	}
	return redirect(c, safeNext(next))
}

// formReason is the reason a moderator gave: her own words, or the
// preset she picked.
func formReason(c *gin.Context) string {
	if t := strings.TrimSpace(c.PostForm("reason_text")); t != "" {
		return t
	}
	return c.PostForm("reason")
}

func (a *app) postModDismiss(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	err = a.mod.DismissPost(c.Request.Context(), viewer(c), id)
	return a.modDone(c, id, newForm(c), err, "moderation.done.dismissed")
}

func (a *app) postModHide(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	err = a.mod.HidePost(c.Request.Context(), viewer(c), id, formReason(c))
	return a.modDone(c, id, newForm(c), err, "moderation.done.hidden")
}

func (a *app) postModUnhide(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	err = a.mod.UnhidePost(c.Request.Context(), viewer(c), id)
	return a.modDone(c, id, newForm(c), err, "moderation.done.unhidden")
}

func (a *app) postModDelete(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	err = a.mod.DeleteReportedPost(c.Request.Context(), viewer(c), id, formReason(c))
	return a.modDone(c, id, newForm(c), err, "moderation.done.deleted")
}

// postModMember is a sanction of a member from the queue: warn,
// suspend, unsuspend or remove, about the post in post_id.
func (a *app) postModMember(c *gin.Context) error {
	action := c.Param("action")
	switch action {
	case "warn", "suspend", "unsuspend", "remove":
	default:
		return errNotFound
	}
	postID, _ := strconv.ParseInt(c.PostForm("post_id"), 10, 64)
	act := moderation.MemberAction{Reason: formReason(c), PostID: postID}
	f := newForm(c)
	var err error
	if action == "suspend" && c.PostForm("until") != "" {
		act.Until, err = parseFormUntil(c.PostForm("until"))
	}
	if err == nil {
		err = a.memberAction(c, action, c.Param("username"), act)
	}
	return a.modDone(c, postID, f, err, "moderation.done."+action)
}

// parseFormUntil reads the form's date field (a day, in Swedish time)
// or an exact time.
func parseFormUntil(s string) (time.Time, error) { return moderation.ParseUntil(s) }

// moderationNotificationText is the sentence of a moderation
// notification: a warning with its reason, or the outcome of a report.
func moderationNotificationText(l i18n.Localizer, n *forum.NotificationItem) string {
	switch n.Str("what") {
	case "warning":
		reason := n.Str("reason")
		if code, ok := strings.CutPrefix(reason, "preset:"); ok {
			reason = l.T("moderation.reason." + code)
		}
		return l.T("moderation.notif.warning", reason)
	case "report_outcome":
		return l.T("moderation.notif.outcome."+n.Str("outcome"), n.Title())
	}
	return l.T("notif.other")
}

// modView sets what a card shows of moderation for reader m: the report
// link, and a hidden post's text to its author and moderators.
func modView(v *postView, m *forum.Member) {
	v.CanReport = m.IsMember() && !v.Deleted() && !v.ByMember(m)
	v.SeeHidden = v.Hidden() && !v.HiddenFrom(m)
	v.CanModerate = m.IsModerator() && !v.Deleted()
}

// ModReason is a stored moderation reason in the reader's words: a
// preset in words, free text as written.
func (p *Page) ModReason(reason string) string {
	if code, ok := strings.CutPrefix(reason, "preset:"); ok {
		return p.L.T("moderation.reason." + code)
	}
	return reason
}

// pnrFound marks a composer form that stopped because its text seemed to
// hold a personal identity number, so it shows the warning and the
// "Publicera ändå" button (partials_mod.html, "pnrconfirm").
func pnrFound(f *Form, err error) {
	if errors.Is(err, forum.ErrPersonalNumber) {
		f.Values["pnr_found"] = "1"
	}
}

// pnrPreview warns in a preview, as the live preview does, when the text
// seems to hold a personal identity number.
func pnrPreview(f *Form, body string) {
	if pnr.Contains(body) {
		f.Values["pnr_found"] = "1"
	}
}
