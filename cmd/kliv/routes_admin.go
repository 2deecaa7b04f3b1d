package main

import (
	"github.com/gin-gonic/gin"
)

// adminRoutes adds the moderators' topic tools and the administration
// pages, and their API (pages_admin_topics.go, api_admin.go).
func (a *app) adminRoutes(member, apiMember *gin.RouterGroup) {
	h := a.h
	member.POST("/t/:id/pin", h(a.postPin))
	member.POST("/t/:id/unpin", h(a.postUnpin))
	member.POST("/t/:id/close", h(a.postClose))
	member.GET("/t/:id/move", h(a.pageMove))
	member.POST("/t/:id/move", h(a.postMove))
	member.GET("/t/:id/split", h(a.pageSplit))
	member.POST("/t/:id/split", h(a.postSplit))

	member.GET("/admin/members", h(a.pageAdminMembers))
	apiMember.GET("/admin/members", h(a.apiAdminMembers))
	member.GET("/mod", h(a.pageDashboard))
	apiMember.GET("/mod/dashboard", h(a.apiDashboard))
	member.GET("/admin/settings", h(a.pageAdminSettings))
	member.POST("/admin/settings", h(a.postAdminSettings))
	apiMember.GET("/admin/settings", h(a.apiSiteSettings))
	apiMember.PUT("/admin/settings", h(a.apiUpdateSiteSettings))

	apiMember.POST("/topics/:id/pin", h(a.apiPin))
	apiMember.POST("/topics/:id/unpin", h(a.apiUnpin))
	apiMember.POST("/topics/:id/close", h(a.apiClose))
	apiMember.POST("/topics/:id/move", h(a.apiMove))
	apiMember.POST("/topics/:id/split", h(a.apiSplit))
}
