package main

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/moderation"
)

func (a *app) apiJoin(c *gin.Context) error {
	if !a.joinIP.allow(clientIP(c)) {
		return forum.Refuse(forum.ErrRateLimited, "error.rate_limited")
	}
	var in struct {
		Username    string             `json:"username"`
		Email       string             `json:"email"`
		Password    string             `json:"password"`
		DisplayName string             `json:"display_name"`
		Answers     moderation.Answers `json:"answers"`
		AcceptRules *bool              `json:"accept_rules"`
		Lang        string             `json:"lang"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	lang := in.Lang
	if lang == "" {
		lang = c.GetString(keyLang)
	}
	// Sending the request through the API is itself accepting the rules,
	// unless the client says otherwise.
	accept := in.AcceptRules == nil || *in.AcceptRules
	jr, _, err := a.mod.Apply(c.Request.Context(), moderation.Application{
		Username: in.Username, Email: in.Email, Password: in.Password, DisplayName: in.DisplayName,
		Answers: in.Answers, AcceptRules: accept, Lang: lang,
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": jr.ID, "status": jr.Status})
	return nil
}

// joinJSON is a join request as the API shows it: the built-in answers
// and, beside them, the answers to added questions by key.
func joinJSON(j *moderation.JoinRequest, reason string) gin.H {
	answers := gin.H{"workplace": j.Workplace, "role": j.RoleTitle, "staff_responsibility": j.StaffResponsibility,
		"sector": j.Sector, "motivation": j.Motivation}
	for _, e := range j.Extra {
		answers[e.Key] = e.Value
	}
	out := gin.H{
		"id": j.ID, "username": j.Username, "email": j.Email, "email_domain": j.EmailDomain(),
		"display_name": j.DisplayName, "answers": answers,
		"status": j.Status, "reason": reason, "decided_by": j.DecidedBy, "created_at": rfc3339(j.CreatedAt),
		"decided_at": nil, "question": j.Question, "claimed_by": nil, "claimed_until": nil,
		"proposed_reject": nil, "invitation_id": j.InvitationID,
	}
	if j.DecidedAt != nil {
		out["decided_at"] = rfc3339(*j.DecidedAt)
	}
	if j.ClaimedBy != nil && j.ClaimedUntil != nil {
		out["claimed_by"], out["claimed_until"] = *j.ClaimedBy, rfc3339(*j.ClaimedUntil)
	}
	if j.ProposedBy != nil {
		out["proposed_reject"] = gin.H{"by": *j.ProposedBy, "reason": j.ProposedReason}
	}
	if j.QueuedAt != nil {
		out["queued_at"] = rfc3339(*j.QueuedAt)
	}
	return out
}

func (a *app) apiJoinRequests(c *gin.Context) error {
	var after int64
	if p := c.Query("page"); p != "" {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 {
			return forum.Invalid("page", "error.field.choice")
		}
		after = n
	}
	js, next, err := a.mod.JoinRequests(c.Request.Context(), viewer(c), c.Query("status"), after, 50)
	if err != nil {
		return err
	}
	l := a.loc(c)
	out := make([]gin.H, 0, len(js))
	for i := range js {
		out = append(out, joinJSON(&js[i], a.mod.ReasonText(c.Request.Context(), l.Lang, js[i].Reason)))
	}
	var np any
	if next > 0 {
		np = strconv.FormatInt(next, 10)
	}
	c.JSON(http.StatusOK, gin.H{"join_requests": out, "next_page": np})
	return nil
}

func (a *app) apiApprove(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct{}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	jr, err := a.mod.Approve(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	a.mail.Notify()
	c.JSON(http.StatusOK, gin.H{"id": jr.ID, "status": jr.Status})
	return nil
}

func (a *app) apiReject(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
		// SecondOpinion proposes the rejection for another moderator
		// to agree to; the request stays open until then.
		SecondOpinion bool `json:"second_opinion"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	jr, proposed, err := a.mod.RejectWith(c.Request.Context(), viewer(c), id, in.Reason, in.SecondOpinion)
	if err != nil {
		return err
	}
	a.mail.Notify()
	reason := jr.Reason
	if proposed {
		reason = jr.ProposedReason
	}
	c.JSON(http.StatusOK, gin.H{"id": jr.ID, "status": jr.Status, "proposed": proposed,
		"reason": a.mod.ReasonText(c.Request.Context(), a.loc(c).Lang, reason)})
	return nil
}

func (a *app) apiAudit(c *gin.Context) error {
	before, _ := strconv.ParseInt(c.Query("page"), 10, 64)
	es, next, err := a.store.AuditLog(c.Request.Context(), viewer(c), before, 50)
	if err != nil {
		return err
	}
	if es == nil {
		es = []forum.AuditEntry{}
	}
	var np any
	if next > 0 {
		np = strconv.FormatInt(next, 10)
	}
	c.JSON(http.StatusOK, gin.H{"entries": es, "next_page": np})
	return nil
}

func (a *app) apiSetRole(c *gin.Context) error {
	var in struct {
		Role string `json:"role"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.mod.SetRole(c.Request.Context(), viewer(c), c.Param("username"), forum.Role(in.Role)); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"username": c.Param("username"), "role": in.Role})
	return nil
}
