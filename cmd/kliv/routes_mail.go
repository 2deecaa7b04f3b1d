package main

import "github.com/gin-gonic/gin"

// mailRoutes adds mail settings, one-click unsubscribe, feeds and /api/v1/me.
// s is the group for anyone (unsubscribe links and feeds authenticate by
// their own signed token); tokenAuth is the same without the CSRF check,
// for the unsubscribe POST, which RFC 8058 mail programs send without one.
func (a *app) mailRoutes(s, tokenAuth, member, apiMember *gin.RouterGroup) {
	h := a.h
	member.GET("/settings/mail", h(a.pageMailSettings))
	member.POST("/settings/mail", h(a.postMailSettings))
	member.POST("/settings/feed-token", h(a.postFeedToken))

	// GET only shows the confirmation (mail scanners fetch links); the
	// POST, from that page or a mail program's one-click, unsubscribes.
	s.GET("/unsubscribe", h(a.pageUnsubscribe))
	tokenAuth.POST("/unsubscribe", h(a.postUnsubscribe))

	for _, add := range []func(string, ...gin.HandlerFunc) gin.IRoutes{s.GET, s.HEAD} {
		add("/feeds/latest.atom", h(a.feedLatest))
		add("/feeds/categories/:file", h(a.feedCategory))
		add("/feeds/topics/:file", h(a.feedTopic))
	}

	apiMember.GET("/me", h(a.apiMe))
	apiMember.GET("/me/mail-prefs", h(a.apiMailPrefs))
	apiMember.PUT("/me/mail-prefs", h(a.apiSetMailPrefs))
	apiMember.POST("/me/feed-token", h(a.apiFeedToken))
}
