package main

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kliv/moderation"
)

// apiJoinRequest is one request with its history, for moderators.
func (a *app) apiJoinRequest(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	j, err := a.mod.JoinRequest(ctx, m, id)
	if err != nil {
		return err
	}
	es, err := a.mod.History(ctx, m, id)
	if err != nil {
		return err
	}
	vs, err := a.mod.Verifications(ctx, m, id)
	if err != nil {
		return err
	}
	hist := make([]gin.H, 0, len(es))
	for _, e := range es {
		h := gin.H{"kind": e.Kind, "actor": e.Actor, "message": e.Message, "created_at": rfc3339(e.CreatedAt)}
		if e.Answers != nil {
			h["answers"] = e.Answers
		}
		hist = append(hist, h)
	}
	ver := make([]gin.H, 0, len(vs))
	for _, v := range vs {
		ver = append(ver, gin.H{"question": v.QuestionKey, "method": v.Method, "note": v.Note, "by": v.By, "created_at": rfc3339(v.CreatedAt)})
	}
	out := joinJSON(j, a.mod.ReasonText(ctx, a.loc(c).Lang, j.Reason))
	out["history"], out["verifications"] = hist, ver
	c.JSON(http.StatusOK, gin.H{"join_request": out})
	return nil
}

func (a *app) apiAsk(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Question string `json:"question"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	jr, err := a.mod.Ask(c.Request.Context(), viewer(c), id, in.Question)
	if err != nil {
		return err
	}
	a.mail.Notify()
	c.JSON(http.StatusOK, gin.H{"id": jr.ID, "status": jr.Status})
	return nil
}

func (a *app) apiClaim(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct{}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	jr, err := a.mod.Claim(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"id": jr.ID, "status": jr.Status, "claimed_by": jr.ClaimedBy, "claimed_until": rfc3339(*jr.ClaimedUntil)})
	return nil
}

func (a *app) apiRelease(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	jr, err := a.mod.Release(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"id": jr.ID, "status": jr.Status, "claimed_by": nil})
	return nil
}

func (a *app) apiVerify(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Question string `json:"question"`
		Method   string `json:"method"`
		Note     string `json:"note"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.mod.Verify(c.Request.Context(), viewer(c), id, in.Question, in.Method, in.Note); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (a *app) apiInvite(c *gin.Context) error {
	var in struct {
		Emails []string `json:"emails"`
		Lang   string   `json:"lang"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	res, err := a.mod.Invite(c.Request.Context(), viewer(c), in.Emails, in.Lang)
	if err != nil {
		return err
	}
	a.mail.Notify()
	out := make([]gin.H, 0, len(res.Invited))
	for _, i := range res.Invited {
		out = append(out, gin.H{"id": i.ID, "email": i.Email, "url": i.URL})
	}
	skipped := res.Skipped
	if skipped == nil {
		skipped = []string{}
	}
	c.JSON(http.StatusCreated, gin.H{"invitations": out, "skipped": skipped})
	return nil
}

// apiWithdraw is the applicant withdrawing her own request.
func (a *app) apiWithdraw(c *gin.Context) error {
	if err := a.mod.Withdraw(c.Request.Context(), viewer(c)); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"status": moderation.JoinWithdrawn})
	return nil
}
