package main

import "github.com/gin-gonic/gin"

// screeningRoutes are the join requests' screening: the applicant's
// completion and withdrawal, invitations, the moderators' request page,
// claims and verification notes, the admin page of questions and
// reasons, and their API.
func (a *app) screeningRoutes(s, signed, member, api, apiSigned, apiMember *gin.RouterGroup) {
	h := a.h
	// Anyone with an invitation link.
	s.GET("/invite", h(a.pageInvite))
	s.POST("/invite", h(a.postInvite))
	// The applicant.
	signed.POST("/join/complete", h(a.postJoinComplete))
	signed.POST("/join/withdraw", h(a.postJoinWithdraw))
	signed.GET("/confirm-role", h(a.pageConfirmRole))
	signed.POST("/confirm-role", h(a.postConfirmRole))
	// Moderators and admins.
	member.GET("/mod/join-requests/:id", h(a.pageJoinRequest))
	member.POST("/mod/join-requests/:id/ask", h(a.postAsk))
	member.POST("/mod/join-requests/:id/claim", h(a.postClaim))
	member.POST("/mod/join-requests/:id/verify", h(a.postVerify))
	member.GET("/mod/lapsed", h(a.pageLapsed))
	member.GET("/admin/invitations", h(a.pageInvitations))
	member.POST("/admin/invitations", h(a.postInvitations))
	member.GET("/admin/join-questions", h(a.pageQuestions))
	member.POST("/admin/join-questions", h(a.postAddQuestion))
	member.POST("/admin/join-questions/:id", h(a.postQuestion))
	member.POST("/admin/reject-reasons", h(a.postAddReason))
	member.POST("/admin/reject-reasons/:id", h(a.postReason))

	apiSigned.POST("/join-requests/withdraw", h(a.apiWithdraw))
	apiMember.GET("/join-requests/:id", h(a.apiJoinRequest))
	apiMember.POST("/join-requests/:id/ask", h(a.apiAsk))
	apiMember.POST("/join-requests/:id/claim", h(a.apiClaim))
	apiMember.DELETE("/join-requests/:id/claim", h(a.apiRelease))
	apiMember.POST("/join-requests/:id/verifications", h(a.apiVerify))
	apiMember.POST("/invitations", h(a.apiInvite))
}
