package main

import (
	"github.com/gin-gonic/gin"
)

// forumRoutes adds the forum's pages: categories, topics, posts. Every
// one is for members; an applicant is sent to her status page.
func (a *app) forumRoutes(s, member *gin.RouterGroup) {
	h := a.h
	member.GET("/categories", h(a.pageCategories))
	member.GET("/c/:slug", h(a.pageCategory))

	member.GET("/new", h(a.pageNewTopic))
	member.POST("/new", h(a.postNewTopic))

	member.GET("/t/:id", h(a.pageTopic))
	member.GET("/t/:id/reply", h(a.pageReply))
	member.POST("/t/:id/reply", h(a.postReply))
	member.POST("/t/:id/answer", h(a.postAnswer))
	member.POST("/t/:id/lock", h(a.postLock))

	member.GET("/p/:id", h(a.pagePost))
	member.GET("/p/:id/edit", h(a.pageEditPost))
	member.POST("/p/:id/edit", h(a.postEditPost))
	member.GET("/p/:id/revisions", h(a.pageRevisions))
	member.GET("/p/:id/delete", h(a.pageDeletePost))
	member.POST("/p/:id/delete", h(a.postDeletePost))
	member.GET("/p/:id/thanks", h(a.pageThankers))
	member.POST("/p/:id/thanks", h(a.postThanks))
	member.POST("/p/:id/unthank", h(a.postUnthank))

	member.GET("/admin/categories", h(a.pageAdminCategories))
	member.POST("/admin/categories", h(a.postCreateCategory))
	member.POST("/admin/categories/:id", h(a.postUpdateCategory))
	member.POST("/admin/categories/:id/move", h(a.postMoveCategory))
	member.POST("/admin/categories/:id/archive", h(a.postArchiveCategory))
}

// forumAPIRoutes adds the forum's JSON API.
func (a *app) forumAPIRoutes(api, member *gin.RouterGroup) {
	h := a.h
	member.GET("/categories", h(a.apiCategories))
	member.GET("/topics", h(a.apiTopics))
	member.POST("/topics", h(a.apiCreateTopic))
	member.GET("/topics/:id", h(a.apiTopic))
	member.POST("/topics/:id/posts", h(a.apiCreatePost))
	member.POST("/topics/:id/answer", h(a.apiMarkAnswer))
	member.POST("/topics/:id/lock", h(a.apiLock))
	member.POST("/preview", h(a.apiPreview))
	member.GET("/posts/:id", h(a.apiPost))
	member.PATCH("/posts/:id", h(a.apiEditPost))
	member.DELETE("/posts/:id", h(a.apiDeletePost))
	member.GET("/posts/:id/revisions", h(a.apiRevisions))
	member.GET("/posts/:id/reactions", h(a.apiReactions))
	member.POST("/posts/:id/reactions", h(a.apiThank))
	member.DELETE("/posts/:id/reactions", h(a.apiUnthank))
}
