package main

import "github.com/gin-gonic/gin"

// privacyRoutes adds private messages and blocks, the privacy page, the
// data export, account deletion and the list of sessions.
func (a *app) privacyRoutes(s, signed, member, api, apiMember *gin.RouterGroup) {
	h := a.h

	// Anyone: what is stored and why.
	s.GET("/privacy", h(a.pagePrivacy))

	// Signed in, applicants too: their own data.
	signed.GET("/settings/privacy", h(a.pagePrivacySettings))
	signed.GET("/settings/privacy/export", h(a.getExport))
	signed.POST("/settings/privacy/delete", h(a.postDeleteAccount))
	signed.POST("/settings/sessions/:id/revoke", h(a.postRevokeSession))

	// Private messages ("Meddelanden").
	member.GET("/messages", h(a.pageInbox))
	member.GET("/messages/new", h(a.pageNewMessage))
	member.POST("/messages", h(a.postNewMessage))
	member.GET("/messages/:id", h(a.pageConversation))
	member.POST("/messages/:id", h(a.postReplyMessage))

	// Blocks.
	member.GET("/settings/blocks", h(a.pageBlocks))
	member.POST("/settings/blocks", h(a.postBlock))
	member.POST("/settings/blocks/:username/delete", h(a.postUnblock))
	member.GET("/u/:username/block", h(a.pageBlockMember))
	member.POST("/u/:username/block", h(a.postBlockMember))
	member.POST("/u/:username/unblock", h(a.postUnblockMember))

	// The JSON API.
	signedAPI := api.Group("/", a.requireSignedIn)
	signedAPI.GET("/me/export", h(a.apiExport))
	signedAPI.DELETE("/me", h(a.apiDeleteMe))
	signedAPI.GET("/me/sessions", h(a.apiSessions))
	signedAPI.DELETE("/me/sessions/:id", h(a.apiRevokeSession))
	apiMember.GET("/messages", h(a.apiConversations))
	apiMember.POST("/messages", h(a.apiStartConversation))
	apiMember.GET("/messages/:id", h(a.apiConversation))
	apiMember.POST("/messages/:id", h(a.apiReplyMessage))
	apiMember.GET("/me/blocks", h(a.apiBlocks))
	apiMember.POST("/me/blocks", h(a.apiBlock))
	apiMember.DELETE("/me/blocks/:username", h(a.apiUnblock))
}
