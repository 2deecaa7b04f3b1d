package main

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

type adminPage struct {
	Page
	Staff []forum.Member
}

func (a *app) pageAdmin(c *gin.Context) error {
	staff, err := a.store.Staff(c.Request.Context(), viewer(c))
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "admin", &adminPage{Page: a.base(c, "admin.title"), Staff: staff})
}

func (a *app) postRole(c *gin.Context) error {
	err := a.mod.SetRole(c.Request.Context(), viewer(c), c.PostForm("username"), forum.Role(c.PostForm("role")))
	if err != nil {
		f := newForm(c, "username", "role")
		if isNotFound(err) {
			f.Errors["username"] = a.loc(c).T("error.member.not_found")
			f.Labels["username"] = a.loc(c).T("field.username")
			f.Order = append(f.Order, "username")
		} else if !f.fill(a.loc(c), err) {
			return err
		}
		staff, serr := a.store.Staff(c.Request.Context(), viewer(c))
		if serr != nil {
			return serr
		}
		p := &adminPage{Page: a.base(c, "admin.title"), Staff: staff}
		p.Form = f
		return a.render(c, formStatus(err), "admin", p)
	}
	a.flash(c, "admin.role_saved")
	return redirect(c, safeNext(cmpOr(c.PostForm("next"), "/admin")))
}

type auditPage struct {
	Page
	Entries []forum.AuditEntry
	Next    int64
}

func (a *app) pageAudit(c *gin.Context) error {
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	es, next, err := a.store.AuditLog(c.Request.Context(), viewer(c), before, 50)
	if err != nil {
		return err
	}
	p := &auditPage{Page: a.base(c, "audit.title"), Entries: es, Next: next}
	for i := range es {
		es[i].Reason = a.mod.AuditReasonText(c.Request.Context(), p.L.Lang, es[i].Reason)
	}
	return a.render(c, http.StatusOK, "audit", p)
}

// headerCounts are the numbers in the header: waiting join requests for
// moderators, unread notifications for everyone.
func (a *app) headerCounts(c *gin.Context, m *forum.Member) HeaderCounts {
	var h HeaderCounts
	if n, err := a.mod.CountPending(c.Request.Context(), m); err == nil {
		h.JoinRequests = n
	}
	if n, err := a.mod.CountOpen(c.Request.Context(), m); err == nil {
		h.Reports = n
	}
	if n, err := a.store.UnreadNotifications(c.Request.Context(), m.ID); err == nil {
		h.Notifications = n
	}
	if n, err := a.store.UnreadConversations(c.Request.Context(), m.ID); err == nil {
		h.Messages = n
	}
	return h
}

func isNotFound(err error) bool {
	code, _ := status(err)
	return code == http.StatusNotFound
}
