package main

import (
	"github.com/gin-gonic/gin"

	"kliv/forum"
)

// readerRoutes adds unread marks, following, notifications and bookmarks.
func (a *app) readerRoutes(member, apiMember *gin.RouterGroup) {
	h := a.h

	// Unread marks.
	member.POST("/read-all", h(a.postReadAll))
	member.POST("/c/:slug/read-all", h(a.postCategoryReadAll))

	// Following ("Bevaka").
	member.GET("/following", h(a.pageFollowing))
	member.POST("/t/:id/follow", h(a.postTopicFollow))
	member.POST("/c/:slug/follow", h(a.postCategoryFollow))
	member.GET("/settings/following", h(a.pageFollowSettings))
	member.POST("/settings/following", h(a.postFollowSettings))

	// Notifications ("Aviseringar").
	member.GET("/notifications", h(a.pageNotifications))
	member.GET("/notifications/:id", h(a.pageOpenNotification))
	member.POST("/notifications/read-all", h(a.postReadAllNotifications))

	// Bookmarks ("Bokmärken").
	member.GET("/bookmarks", h(a.pageBookmarks))
	member.GET("/p/:id/bookmark", h(a.pageBookmark))
	member.POST("/p/:id/bookmark", h(a.postBookmark))
	member.POST("/p/:id/bookmark/delete", h(a.postDeleteBookmark))

	// The JSON API.
	apiMember.POST("/read-all", h(a.apiReadAll))
	apiMember.POST("/categories/:id/read-all", h(a.apiCategoryReadAll))
	apiMember.POST("/topics/:id/follow", h(a.apiSetTopicFollow(forum.FollowWatching)))
	apiMember.DELETE("/topics/:id/follow", h(a.apiSetTopicFollow(forum.FollowNone)))
	apiMember.POST("/topics/:id/mute", h(a.apiSetTopicFollow(forum.FollowMuted)))
	apiMember.DELETE("/topics/:id/mute", h(a.apiSetTopicFollow(forum.FollowNone)))
	apiMember.POST("/categories/:id/follow", h(a.apiSetCategoryFollow(forum.FollowWatching)))
	apiMember.DELETE("/categories/:id/follow", h(a.apiSetCategoryFollow(forum.FollowNone)))
	apiMember.POST("/categories/:id/mute", h(a.apiSetCategoryFollow(forum.FollowMuted)))
	apiMember.DELETE("/categories/:id/mute", h(a.apiSetCategoryFollow(forum.FollowNone)))
	apiMember.GET("/following", h(a.apiFollowing))
	apiMember.GET("/following/settings", h(a.apiFollowSettings))
	apiMember.PUT("/following/settings", h(a.apiSetFollowSettings))

	apiMember.GET("/notifications", h(a.apiNotifications))
	apiMember.POST("/notifications/read-all", h(a.apiReadAllNotifications))
	apiMember.POST("/notifications/:id/read", h(a.apiReadNotification))

	apiMember.GET("/bookmarks", h(a.apiBookmarks))
	apiMember.POST("/posts/:id/bookmark", h(a.apiSaveBookmark))
	apiMember.DELETE("/posts/:id/bookmark", h(a.apiDeleteBookmark))
}
