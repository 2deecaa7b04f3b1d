package main

import "github.com/gin-gonic/gin"

// searchRoutes adds the search page and its API.
func (a *app) searchRoutes(member, apiMember *gin.RouterGroup) {
	member.GET("/search", a.h(a.pageSearch))
	apiMember.GET("/search", a.h(a.apiSearch))
}
