package main

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/moderation"
)

// reportJSON is a report as the API shows it.
type reportJSON struct {
	ID         int64   `json:"id"`
	PostID     int64   `json:"post_id"`
	TopicID    int64   `json:"topic_id"`
	Reporter   *string `json:"reporter"`
	BySystem   bool    `json:"by_system"`
	Reason     string  `json:"reason"`
	Note       string  `json:"note"`
	Status     string  `json:"status"`
	Outcome    string  `json:"outcome"`
	ResolvedBy *string `json:"resolved_by"`
	ResolvedAt *string `json:"resolved_at"`
	CreatedAt  string  `json:"created_at"`
	URL        string  `json:"url"`
}

func toReportJSON(r *moderation.Report) reportJSON {
	return reportJSON{ID: r.ID, PostID: r.PostID, TopicID: r.TopicID, Reporter: r.Reporter, BySystem: r.BySystem, Reason: r.Reason,
		Note: r.Note, Status: r.Status, Outcome: r.Outcome, ResolvedBy: r.ResolvedBy, ResolvedAt: optTime(r.ResolvedAt),
		CreatedAt: rfc3339(r.CreatedAt), URL: "/p/" + strconv.FormatInt(r.PostID, 10)}
}

// allowReport applies the reporting limits, per member and per IP.
func (a *app) allowReport(c *gin.Context) error {
	m := viewer(c)
	if !a.reportMember.allow("member:"+strconv.FormatInt(m.ID, 10)) || !a.reportIP.allow(clientIP(c)) {
		return forum.Refuse(forum.ErrRateLimited, "moderation.error.report_rate")
	}
	return nil
}

func (a *app) apiReport(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
		Note   string `json:"note"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.allowReport(c); err != nil {
		return err
	}
	r, err := a.mod.ReportPost(c.Request.Context(), viewer(c), id, in.Reason, in.Note)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": r.ID, "status": r.Status})
	return nil
}

func (a *app) apiReports(c *gin.Context) error {
	var after int64
	if p := c.Query("page"); p != "" {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 {
			return forum.Invalid("page", "error.field.choice")
		}
		after = n
	}
	rs, next, err := a.mod.Reports(c.Request.Context(), viewer(c), c.Query("status"), after, 50)
	if err != nil {
		return err
	}
	out := make([]reportJSON, 0, len(rs))
	for i := range rs {
		out = append(out, toReportJSON(&rs[i]))
	}
	var np any
	if next > 0 {
		np = strconv.FormatInt(next, 10)
	}
	c.JSON(http.StatusOK, gin.H{"reports": out, "next_page": np})
	return nil
}

func (a *app) apiDismissReport(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct{}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	r, err := a.mod.Dismiss(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"report": toReportJSON(r)})
	return nil
}

func (a *app) apiHidePost(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.mod.HidePost(c.Request.Context(), viewer(c), id, in.Reason); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "hidden": true})
	return nil
}

func (a *app) apiUnhidePost(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct{}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.mod.UnhidePost(c.Request.Context(), viewer(c), id); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "hidden": false})
	return nil
}

// sanctionJSON is an entry of a member's record.
type sanctionJSON struct {
	ID        int64   `json:"id"`
	Kind      string  `json:"kind"`
	Reason    string  `json:"reason"`
	PostID    *int64  `json:"post_id"`
	Until     *string `json:"until"`
	By        *string `json:"by"`
	CreatedAt string  `json:"created_at"`
	LiftedAt  *string `json:"lifted_at"`
}

func (a *app) apiSanctions(c *gin.Context) error {
	ss, err := a.mod.Sanctions(c.Request.Context(), viewer(c), c.Param("username"))
	if err != nil {
		return err
	}
	l := a.loc(c)
	out := make([]sanctionJSON, 0, len(ss))
	for _, s := range ss {
		out = append(out, sanctionJSON{ID: s.ID, Kind: s.Kind, Reason: a.mod.ReasonLabel(l.Lang, s.Reason), PostID: s.PostID,
			Until: optTime(s.Until), By: s.By, CreatedAt: rfc3339(s.CreatedAt), LiftedAt: optTime(s.LiftedAt)})
	}
	c.JSON(http.StatusOK, gin.H{"sanctions": out, "next_page": nil})
	return nil
}

// memberAction runs one sanction of a member by its name (warn,
// suspend, unsuspend, remove), for the API and the queue's forms.
func (a *app) memberAction(c *gin.Context, action, username string, act moderation.MemberAction) error {
	ctx, m := c.Request.Context(), viewer(c)
	var err error
	switch action {
	case "warn":
		err = a.mod.Warn(ctx, m, username, act)
	case "suspend":
		err = a.mod.Suspend(ctx, m, username, act)
	case "unsuspend":
		err = a.mod.Unsuspend(ctx, m, username)
	case "remove":
		err = a.mod.Remove(ctx, m, username, act)
	default:
		return errNotFound
	}
	if err == nil && action != "unsuspend" {
		a.mail.Notify()
	}
	return err
}

// apiMemberAction is POST /api/v1/members/{username}/{action}, with
// {"reason","post_id"} and, to suspend, "until" (RFC 3339 or a date).
func (a *app) apiMemberAction(action string) handler {
	return func(c *gin.Context) error {
		var in struct {
			Reason string `json:"reason"`
			Until  string `json:"until"`
			PostID int64  `json:"post_id"`
		}
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		act := moderation.MemberAction{Reason: in.Reason, PostID: in.PostID}
		if action == "suspend" && in.Until != "" {
			// An empty date is the domain's to refuse, after it judged
			// who may act.
			until, err := moderation.ParseUntil(in.Until)
			if err != nil {
				return err
			}
			act.Until = until
		}
		if err := a.memberAction(c, action, c.Param("username"), act); err != nil {
			return err
		}
		target, err := a.store.MemberByUsername(c.Request.Context(), c.Param("username"))
		if err != nil {
			return err
		}
		out := gin.H{"username": target.Username, "status": target.Status}
		if target.Status == forum.StatusSuspended {
			until, err := a.store.SuspendedUntil(c.Request.Context(), a.db, target.ID)
			if err != nil {
				return err
			}
			out["suspended_until"] = rfc3339(until)
		}
		c.JSON(http.StatusOK, out)
		return nil
	}
}

// hidePostJSON marks a hidden post in the API: its reason for everyone,
// its text only for its author and moderators.
func hidePostJSON(j *postJSON, p *forum.Post, m *forum.Member) {
	if !p.Hidden() {
		return
	}
	j.Hidden = true
	r := p.HiddenReason
	j.HiddenReason = &r
	if p.HiddenFrom(m) {
		j.Body, j.BodyHTML = "", ""
	}
}
