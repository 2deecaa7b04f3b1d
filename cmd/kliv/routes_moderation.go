package main

import (
	"github.com/gin-gonic/gin"
)

// moderationRoutes adds reports and sanctions: the "Rapportera" form on
// every post, the moderators' queue and their actions, and the API.
// Who may do what is the moderation package's rule; the routes only ask
// for a member.
func (a *app) moderationRoutes(member, apiMember *gin.RouterGroup) {
	h := a.h
	member.GET("/p/:id/report", h(a.pageReport))
	member.POST("/p/:id/report", h(a.postReport))

	member.GET("/mod/reports", h(a.pageReportQueue))
	member.GET("/mod/posts/:id", h(a.pageModPost))
	member.POST("/mod/posts/:id/dismiss", h(a.postModDismiss))
	member.POST("/mod/posts/:id/hide", h(a.postModHide))
	member.POST("/mod/posts/:id/unhide", h(a.postModUnhide))
	member.POST("/mod/posts/:id/delete", h(a.postModDelete))
	member.POST("/mod/members/:username/:action", h(a.postModMember))

	apiMember.POST("/posts/:id/reports", h(a.apiReport))
	apiMember.GET("/reports", h(a.apiReports))
	apiMember.POST("/reports/:id/dismiss", h(a.apiDismissReport))
	apiMember.POST("/posts/:id/hide", h(a.apiHidePost))
	apiMember.POST("/posts/:id/unhide", h(a.apiUnhidePost))
	apiMember.GET("/members/:username/sanctions", h(a.apiSanctions))
	apiMember.POST("/members/:username/warn", h(a.apiMemberAction("warn")))
	apiMember.POST("/members/:username/suspend", h(a.apiMemberAction("suspend")))
	apiMember.POST("/members/:username/unsuspend", h(a.apiMemberAction("unsuspend")))
	apiMember.POST("/members/:username/remove", h(a.apiMemberAction("remove")))
}
