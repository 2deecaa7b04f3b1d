package main

import "github.com/gin-gonic/gin"

// searchRoutes adds the search page and its API.
func (a *app) searchRoutes(member, apiMember *gin.RouterGroup) {}
