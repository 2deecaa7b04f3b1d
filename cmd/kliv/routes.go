package main

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// routes is every route on one screen, with the middleware order:
// recovery → request log → headers and body limit → who is reading →
// CSRF → the route's own gate (member, moderator…).
func (a *app) routes() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = true
	r.Use(a.recovery, a.requestLog, a.secureHeaders)

	r.GET("/healthz", a.healthz)
	r.HEAD("/healthz", a.healthz)
	r.GET("/s/*path", a.serveStatic)
	r.GET("/favicon.ico", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, a.views.assets["img/favicon.svg"]) })

	s := r.Group("/", a.authenticate, a.csrf)
	// tokenAuth is for the few routes whose URL carries its own proof (a
	// signed unsubscribe token): a mail program's RFC 8058 one-click POST
	// has no CSRF token, and needs none.
	tokenAuth := r.Group("/", a.authenticate)
	h := a.h
	member := s.Group("/", a.requireMember)

	// Anyone: the front page, signing in, joining, setup, password reset.
	s.GET("/", h(a.pageHome))
	s.GET("/rules", h(a.pageRules))
	s.POST("/lang", h(a.postLang))
	s.GET("/login", h(a.pageLogin))
	s.POST("/login", h(a.postLogin))
	s.POST("/logout", h(a.postLogout))
	s.GET("/join", h(a.pageJoin))
	s.POST("/join", h(a.postJoin))
	s.POST("/join/again", h(a.postJoinAgain))
	s.GET("/setup", h(a.pageSetup))
	s.POST("/setup", h(a.postSetup))
	s.GET("/password/forgot", h(a.pageForgot))
	s.POST("/password/forgot", h(a.postForgot))
	s.GET("/password/reset", h(a.pageReset))
	s.POST("/password/reset", h(a.postReset))

	// Signed in, applicants too: own settings.
	signed := s.Group("/", a.requireSignedIn)
	signed.GET("/settings", h(a.pageSettings))
	signed.POST("/settings/language", h(a.postSettingsLang))
	signed.POST("/settings/password", h(a.postSettingsPassword))
	signed.POST("/settings/logout-everywhere", h(a.postLogoutEverywhere))
	member.POST("/settings/tokens", h(a.postToken))
	member.POST("/settings/tokens/:id/revoke", h(a.postRevokeToken))

	// Members' pages, where @mentions link.
	member.GET("/u/:username", h(a.pageMember))

	// Moderators and admins.
	member.GET("/mod/join-requests", h(a.pageJoinQueue))
	member.POST("/mod/join-requests", h(a.postJoinQueue))
	member.GET("/admin", h(a.pageAdmin))
	member.POST("/admin/roles", h(a.postRole))
	member.GET("/admin/audit", h(a.pageAudit))

	a.forumRoutes(s, member)

	// The JSON API.
	api := s.Group("/api/v1")
	apiMember := api.Group("/", a.requireMember)
	api.POST("/session", h(a.apiLogin))
	api.GET("/session", a.requireSignedIn, h(a.apiSession))
	api.DELETE("/session", a.requireSignedIn, h(a.apiLogout))
	api.POST("/join-requests", h(a.apiJoin))
	apiMember.GET("/join-requests", h(a.apiJoinRequests))
	apiMember.POST("/join-requests/:id/approve", h(a.apiApprove))
	apiMember.POST("/join-requests/:id/reject", h(a.apiReject))
	apiMember.GET("/me/tokens", h(a.apiTokens))
	apiMember.POST("/me/tokens", h(a.apiCreateToken))
	apiMember.DELETE("/me/tokens/:id", h(a.apiRevokeToken))
	apiMember.GET("/audit", h(a.apiAudit))
	apiMember.PUT("/members/:username/role", h(a.apiSetRole))

	a.forumAPIRoutes(api, apiMember)
	a.readerRoutes(member, apiMember)
	a.mailRoutes(s, tokenAuth, member, apiMember)
	a.searchRoutes(member, apiMember)
	a.moderationRoutes(member, apiMember)
	a.adminRoutes(member, apiMember)
	a.profilesRoutes(member, apiMember)
	a.privacyRoutes(s, signed, member, api, apiMember)
	a.eventsRoutes(s, member, apiMember)
	a.screeningRoutes(s, signed, member, api, api.Group("/", a.requireSignedIn), apiMember)

	r.NoRoute(a.authenticate, func(c *gin.Context) { a.fail(c, errNotFound) })
	r.NoMethod(a.authenticate, func(c *gin.Context) {
		if isAPI(c) {
			c.AbortWithStatusJSON(http.StatusMethodNotAllowed, gin.H{"error": a.loc(c).T("error.method")})
			return
		}
		c.String(http.StatusMethodNotAllowed, a.loc(c).T("error.method"))
	})
	return r
}

// healthz answers ok when the database answers.
func (a *app) healthz(c *gin.Context) {
	if err := a.db.PingContext(c.Request.Context()); err != nil {
		c.String(http.StatusServiceUnavailable, "database unreachable")
		return
	}
	var one int
	if err := a.db.GetContext(c.Request.Context(), &one, "SELECT 1"); err != nil {
		c.String(http.StatusServiceUnavailable, "database unreachable")
		return
	}
	c.String(http.StatusOK, "ok")
}
