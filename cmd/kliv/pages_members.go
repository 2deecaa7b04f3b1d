package main

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

type memberPage struct {
	Page
	Profile *forum.Profile
	Topics  []forum.Topic
	Posts   []forum.RecentPost
}

// RoleLine is her verified role line: title · sector · workplace.
func (p *memberPage) RoleLine() string {
	line := ""
	for _, part := range []string{p.Profile.RoleTitle, sectorName(p.L.T, p.Profile.Sector), p.Profile.Workplace} {
		if part == "" {
			continue
		}
		if line != "" {
			line += " · "
		}
		line += part
	}
	return line
}

func sectorName(t func(string, ...any) string, code string) string {
	if code == "" {
		return ""
	}
	return t("sector." + code)
}

// pageMember is a member's page: who she is (as much as she shows),
// the topics she started and her latest replies.
// @mentions link here.
func (a *app) pageMember(c *gin.Context) error {
	ctx := c.Request.Context()
	prof, err := a.store.Profile(ctx, viewer(c), c.Param("username"))
	if err != nil {
		return err
	}
	topics, _, err := a.store.Topics(ctx, viewer(c), forum.TopicFilter{AuthorID: prof.ID, Limit: 10})
	if err != nil {
		return err
	}
	posts, err := a.store.RecentPosts(ctx, viewer(c), prof.ID, 10)
	if err != nil {
		return err
	}
	p := &memberPage{Page: a.base(c, ""), Profile: prof, Topics: topics, Posts: posts}
	p.Title = prof.DisplayName
	return a.render(c, http.StatusOK, "member", p)
}
