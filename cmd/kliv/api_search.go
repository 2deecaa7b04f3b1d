package main

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

// searchResultJSON is a post found, as the API shows it. snippet and
// title_html are HTML: the text escaped, the words searched for in
// <mark>.
type searchResultJSON struct {
	TopicID    int64   `json:"topic_id"`
	PostID     int64   `json:"post_id"`
	Seq        int     `json:"seq"`
	Title      string  `json:"title"`
	TitleHTML  string  `json:"title_html"`
	Snippet    string  `json:"snippet"`
	URL        string  `json:"url"`
	Author     *string `json:"author"`
	AuthorName *string `json:"author_name"`
	CreatedAt  string  `json:"created_at"`
	Kind       string  `json:"kind"`
	CategoryID int64   `json:"category_id"`
	Category   string  `json:"category"`
	Score      float64 `json:"score"`
}

func searchOptString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// apiSearch answers GET /api/v1/search?q=&category_id=&kind=&author=&after=&before=&page=.
// A query with nothing to search for answers an empty list, not an error.
func (a *app) apiSearch(c *gin.Context) error {
	req, err := readSearch(c)
	if err != nil {
		return err
	}
	out := []searchResultJSON{}
	var next any
	capped := false
	if req.Query.Match() != "" {
		res, err := a.store.Search(c.Request.Context(), viewer(c), req.Query, forum.SearchOptions{Page: req.Page})
		if err != nil {
			return err
		}
		for i := range res.Results {
			r := &res.Results[i]
			out = append(out, searchResultJSON{TopicID: r.TopicID, PostID: r.PostID, Seq: r.Seq, Title: r.Title,
				TitleHTML: r.TitleMarks.HTML(), Snippet: r.Snippet.HTML(), URL: r.Path(), Author: searchOptString(r.Author),
				AuthorName: searchOptString(r.AuthorName), CreatedAt: rfc3339(r.CreatedAt), Kind: r.Kind, CategoryID: r.CategoryID,
				Category: r.CategorySlug, Score: r.Score})
		}
		if res.NextPage > 0 {
			next = strconv.Itoa(res.NextPage)
		}
		capped = res.Capped
	}
	c.JSON(http.StatusOK, gin.H{"results": out, "next_page": next, "capped": capped})
	return nil
}
