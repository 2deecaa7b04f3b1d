package main

import (
	"context"
	"errors"
	"io"

	"github.com/gin-gonic/gin"
)

// forumRoutes adds the forum's pages: categories, topics, posts.
func (a *app) forumRoutes(s, member *gin.RouterGroup) {}

// forumAPIRoutes adds the forum's JSON API.
func (a *app) forumAPIRoutes(api, member *gin.RouterGroup) {}

func (a *app) pageForumHome(c *gin.Context) error {
	return a.render(c, 200, "home", &simplePage{a.base(c, "home.title")})
}

func cmdSeed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("seed: not built yet")
}
