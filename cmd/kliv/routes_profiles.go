package main

import "github.com/gin-gonic/gin"

// profilesRoutes adds the profile settings, avatars, the member
// directory and their API.
func (a *app) profilesRoutes(member, apiMember *gin.RouterGroup) {
	h := a.h
	member.GET("/members", h(a.pageDirectory))
	member.GET("/settings/profile", h(a.pageProfileSettings))
	member.POST("/settings/profile", h(a.postProfileSettings))
	member.POST("/settings/profile/avatar", h(a.postAvatar))
	member.POST("/settings/profile/avatar/delete", h(a.postDeleteAvatar))
	member.GET("/u/:username/avatar", h(a.getAvatar))
	member.HEAD("/u/:username/avatar", h(a.getAvatar))

	apiMember.PATCH("/me", h(a.apiPatchMe))
	apiMember.PUT("/me/avatar", h(a.apiPutAvatar))
	apiMember.DELETE("/me/avatar", h(a.apiDeleteAvatar))
	apiMember.GET("/members", h(a.apiMembers))
	apiMember.GET("/members/:username", h(a.apiMember))
	apiMember.GET("/profile-choices", h(a.apiProfileChoices))
}

// avatarUploadPaths take a picture, so their body may be larger than
// the usual limit: the picture's own limit and room for the form.
var avatarUploadPaths = map[string]bool{"/settings/profile/avatar": true, "/api/v1/me/avatar": true}
