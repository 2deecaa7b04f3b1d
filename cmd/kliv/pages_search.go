package main

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/forum/search"
)

// searchKinds are the kinds the search form offers.
var searchKinds = []string{forum.KindDiscussion, forum.KindQuestion, forum.KindTip, forum.KindLink, forum.KindEvent}

// searchFields are the parameters the search page and the API share.
var searchFields = []string{"q", "category_id", "kind", "author", "after", "before"}

// searchRequest is a search as asked in the URL, by the page's form or an
// API client.
type searchRequest struct {
	Values map[string]string // what was given, for the form
	Query  search.Query
	Page   int
}

// readSearch reads a search from the query string. What was typed into
// the search box is never wrong (search.Parse makes something safe of
// anything); a filter field with a malformed value is, as is a bad page.
func readSearch(c *gin.Context) (*searchRequest, error) {
	r := &searchRequest{Values: map[string]string{}, Page: 1}
	for _, f := range searchFields {
		r.Values[f] = strings.TrimSpace(searchTrunc(c.Query(f), 500))
	}
	r.Query = search.Parse(r.Values["q"])
	v := &forum.ValidationError{}
	if s := r.Values["category_id"]; s != "" {
		if id, err := strconv.ParseInt(s, 10, 64); err != nil || id <= 0 {
			v.Add("category_id", "error.category.missing")
		} else {
			r.Query.Category = s
		}
	}
	if s := r.Values["kind"]; s != "" {
		if !slices.Contains(searchKinds, s) {
			v.Add("kind", "error.field.choice")
		} else {
			r.Query.Kind = s
		}
	}
	if s := strings.TrimPrefix(r.Values["author"], "@"); s != "" {
		r.Query.Author = s
	}
	for _, f := range []string{"after", "before"} {
		s := r.Values[f]
		if s == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			v.Add(f, "error.search.date")
		} else if f == "after" {
			r.Query.After = s
		} else {
			r.Query.Before = s
		}
	}
	if s := c.Query("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > forum.SearchCandidates {
			v.Add("page", "error.page.invalid")
		} else {
			r.Page = n
		}
	}
	return r, v.Err()
}

// searchTrunc cuts s to at most n runes.
func searchTrunc(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// searchPage is the search form with a page of results.
type searchPage struct {
	Page
	Categories []forum.Category
	Kinds      []string
	// Searched: there was something to search for.
	Searched bool
	Results  *forum.SearchResults
	PageNum  int
	NextURL  string
	// FiltersOpen shows the filters when one is in use.
	FiltersOpen bool
	Capped      int
}

func (a *app) pageSearch(c *gin.Context) error {
	ctx := c.Request.Context()
	req, rerr := readSearch(c)
	p := &searchPage{Page: a.base(c, "search.title"), Kinds: searchKinds, PageNum: req.Page}
	p.NoIndex = true
	p.NoHeaderSearch = true // the page's own form is the one search landmark
	p.Form = &Form{Values: req.Values, Errors: map[string]string{}, Labels: map[string]string{}}
	if rerr != nil && !p.Form.fill(p.L, rerr) {
		return rerr
	}
	if q := req.Values["q"]; q != "" {
		p.Title = p.L.T("search.title_query", q)
	}
	for _, f := range searchFields[1:] {
		p.FiltersOpen = p.FiltersOpen || req.Values[f] != ""
	}
	var err error
	if p.Categories, err = a.store.Categories(ctx, true); err != nil {
		return err
	}
	status := http.StatusOK
	if p.Form.HasErrors() {
		p.FiltersOpen = true
		status = http.StatusBadRequest
	} else if req.Query.Match() != "" {
		p.Searched = true
		if p.Results, err = a.store.Search(ctx, viewer(c), req.Query, forum.SearchOptions{Page: req.Page}); err != nil {
			return err
		}
		if p.Results.Capped {
			p.Capped = forum.SearchCandidates
		}
		if p.Results.NextPage > 0 {
			u := url.Values{}
			for _, f := range searchFields {
				if v := req.Values[f]; v != "" {
					u.Set(f, v)
				}
			}
			u.Set("page", strconv.Itoa(p.Results.NextPage))
			p.NextURL = "/search?" + u.Encode()
		}
	}
	return a.render(c, status, "search", p)
}
