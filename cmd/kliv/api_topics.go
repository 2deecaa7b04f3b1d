package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/forum/pnr"
)

// categoryJSON is a category as the API shows it.
type categoryJSON struct {
	ID          int64   `json:"id"`
	Slug        string  `json:"slug"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Position    int     `json:"position"`
	TopicCount  int     `json:"topic_count"`
	PostCount   int     `json:"post_count"`
	Archived    bool    `json:"archived"`
	ArchivedAt  *string `json:"archived_at"`
	CreatedAt   string  `json:"created_at"`
	URL         string  `json:"url"`
}

func toCategoryJSON(c *forum.Category) categoryJSON {
	return categoryJSON{ID: c.ID, Slug: c.Slug, Name: c.Name, Description: c.Description, Position: c.Position,
		TopicCount: c.TopicCount, PostCount: c.PostCount, Archived: c.Archived(), ArchivedAt: optTime(c.ArchivedAt),
		CreatedAt: rfc3339(c.CreatedAt), URL: "/c/" + c.Slug}
}

// optTime is an optional time in RFC 3339, or null.
func optTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := rfc3339(*t)
	return &s
}

// topicJSON is a topic as the API shows it. url is the topic page's
// path; a link topic's shared link is link_url.
type topicJSON struct {
	ID           int64   `json:"id"`
	Title        string  `json:"title"`
	Kind         string  `json:"kind"`
	Author       *string `json:"author"`
	AuthorName   *string `json:"author_name"`
	CategoryID   int64   `json:"category_id"`
	Category     string  `json:"category"`
	URL          string  `json:"url"`
	LinkURL      *string `json:"link_url"`
	Domain       *string `json:"domain"`
	PostCount    int     `json:"post_count"`
	ReplyCount   int     `json:"reply_count"`
	ThanksCount  int     `json:"thanks_count"`
	FirstPostID  *int64  `json:"first_post_id"`
	AnswerPostID *int64  `json:"answer_post_id"`
	Locked       bool    `json:"locked"`
	Archived     bool    `json:"archived"`
	Pinned       bool    `json:"pinned"`
	PinnedHome   bool    `json:"pinned_home"`
	Closed       bool    `json:"closed"`
	CreatedAt    string  `json:"created_at"`
	LastPostAt   string  `json:"last_post_at"`
	LastPostID   *int64  `json:"last_post_id"`
	LastPoster   *string `json:"last_poster"`
	Pages        int     `json:"pages"`
	// Unread and New are the reader's, in lists (see api_readers.go).
	Unread int  `json:"unread"`
	New    bool `json:"new"`
}

func toTopicJSON(t *forum.Topic) topicJSON {
	out := topicJSON{ID: t.ID, Title: t.Title, Kind: t.Kind, Author: t.AuthorUsername, AuthorName: t.AuthorName,
		CategoryID: t.CategoryID, Category: t.CategorySlug, URL: t.Path(), LinkURL: t.URL,
		PostCount: t.PostCount, ReplyCount: t.ReplyCount(), ThanksCount: t.ThanksCount,
		FirstPostID: t.FirstPostID, AnswerPostID: t.AnswerPostID, Locked: t.LockedAt != nil, Archived: t.CategoryClosed,
		Pinned: t.Pinned, PinnedHome: t.PinnedHome, Closed: t.ClosedAt != nil, CreatedAt: rfc3339(t.CreatedAt), LastPostAt: rfc3339(t.LastPostAt), LastPostID: t.LastPostID,
		LastPoster: t.LastPoster, Pages: t.Pages()}
	if d := t.Domain(); d != "" {
		out.Domain = &d
	}
	return out
}

// postJSON is a post as the API shows it; a deleted post keeps its place
// with an empty body.
type postJSON struct {
	ID         int64   `json:"id"`
	TopicID    int64   `json:"topic_id"`
	Seq        int     `json:"seq"`
	Author     *string `json:"author"`
	AuthorName *string `json:"author_name"`
	Body       string  `json:"body"`
	BodyHTML   string  `json:"body_html"`
	ReplyTo    *int64  `json:"reply_to"`
	CreatedAt  string  `json:"created_at"`
	EditedAt   *string `json:"edited_at"`
	Version    int     `json:"version"`
	Thanks     int     `json:"thanks"`
	Thanked    bool    `json:"thanked"`
	ReplyCount int     `json:"reply_count"`
	Deleted    bool    `json:"deleted"`
	DeletedBy  *string `json:"deleted_by"`
	URL        string  `json:"url"`
	// Hidden by a moderator, with why; the text only for its author and
	// moderators.
	Hidden       bool    `json:"hidden"`
	HiddenReason *string `json:"hidden_reason"`
	// HideRole: the author shows no role line on this post. The role
	// line itself is shown unless hidden.
	HideRole   bool            `json:"hide_role"`
	AuthorRole *authorRoleJSON `json:"author_role_line"`
}

// authorRoleJSON is the verified role line the author was approved with.
type authorRoleJSON struct {
	Role      string `json:"role"`
	Sector    string `json:"sector"`
	Workplace string `json:"workplace"`
}

func toPostJSON(p *forum.Post, thanked bool) postJSON {
	out := postJSON{ID: p.ID, TopicID: p.TopicID, Seq: p.Seq, Author: p.AuthorUsername, AuthorName: p.AuthorName,
		Body: p.Body, BodyHTML: p.BodyHTML, ReplyTo: p.ReplyTo, CreatedAt: rfc3339(p.CreatedAt), EditedAt: optTime(p.EditedAt),
		Version: p.Version, Thanks: p.ThanksCount, Thanked: thanked, ReplyCount: p.ReplyCount, Deleted: p.Deleted(), URL: p.Path(),
		HideRole: p.HideRole}
	if !p.HideRole && (p.AuthorTitle != "" || p.AuthorWork != "") {
		out.AuthorRole = &authorRoleJSON{Role: p.AuthorTitle, Sector: p.AuthorSector, Workplace: p.AuthorWork}
	}
	if p.DeletedBy != "" {
		by := p.DeletedBy
		out.DeletedBy = &by
	}
	return out
}

func (a *app) apiCategories(c *gin.Context) error {
	cs, err := a.store.Categories(c.Request.Context(), true)
	if err != nil {
		return err
	}
	out := make([]categoryJSON, 0, len(cs))
	for i := range cs {
		out = append(out, toCategoryJSON(&cs[i]))
	}
	c.JSON(http.StatusOK, gin.H{"categories": out, "next_page": nil})
	return nil
}

func (a *app) apiTopics(c *gin.Context) error {
	ctx := c.Request.Context()
	kind, err := listKind(c)
	if err != nil {
		return err
	}
	f := forum.TopicFilter{Kind: kind, Cursor: c.Query("page"), Limit: topicsPerPage, PinnedFirst: true}
	if s := c.Query("category_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return forum.Invalid("category_id", "error.category.missing")
		}
		if _, err := a.store.Category(ctx, id); err != nil {
			return err
		}
		f.CategoryID = id
	}
	ts, next, err := a.store.Topics(ctx, viewer(c), f)
	if err != nil {
		return err
	}
	out := make([]topicJSON, 0, len(ts))
	for i := range ts {
		out = append(out, toTopicJSON(&ts[i]))
	}
	if err := a.addUnreadJSON(c, out); err != nil {
		return err
	}
	var np any
	if next != "" {
		np = next
	}
	c.JSON(http.StatusOK, gin.H{"topics": out, "next_page": np})
	return nil
}

// duplicateJSON is a topic that shared a link before.
type duplicateJSON struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// apiCreateTopic starts a topic. A link shared before is posted all the
// same (a program cannot answer "post anyway"), and the answer lists
// where it was shared.
func (a *app) apiCreateTopic(c *gin.Context) error {
	var in struct {
		CategoryID int64  `json:"category_id"`
		Title      string `json:"title"`
		Body       string `json:"body"`
		Kind       string `json:"kind"`
		URL        string `json:"url"`
		HideRole   bool   `json:"hide_role"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.checkLimit(c, a.limits.topics); err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	// The API posts a text that seems to hold a personal identity number
	// and says so (personal_number_warning); the post is reported to the
	// moderators by the system.
	n := forum.NewTopic{CategoryID: in.CategoryID, Title: in.Title, Body: in.Body, Kind: in.Kind, URL: in.URL, AnyPersonalNumber: true, HideRole: in.HideRole}
	t, p, err := a.store.CreateTopic(ctx, m, n)
	dups := []duplicateJSON{}
	var dup *forum.DuplicateLinkError
	if errors.As(err, &dup) {
		for _, d := range dup.Topics {
			dups = append(dups, duplicateJSON{ID: d.ID, Title: d.Title, URL: d.Path()})
		}
		n.AnyDuplicate = true
		t, p, err = a.store.CreateTopic(ctx, m, n)
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": t.ID, "url": t.Path(), "post_id": p.ID, "duplicates": dups,
		"personal_number_warning": pnr.Contains(p.Body)})
	return nil
}

// apiTopic is a topic with a page of its posts (?page=N, from 1).
func (a *app) apiTopic(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	page := 1
	if s := c.Query("page"); s != "" {
		if page, err = strconv.Atoi(s); err != nil || page < 1 {
			return forum.Invalid("page", "error.page.invalid")
		}
	}
	ctx, m := c.Request.Context(), viewer(c)
	t, err := a.store.Topic(ctx, m, id)
	if err != nil {
		return err
	}
	var posts []forum.Post
	if page <= t.Pages() {
		if posts, err = a.store.Posts(ctx, m, id, page); err != nil {
			return err
		}
	}
	out, err := a.postsJSON(ctx, m, posts)
	if err != nil {
		return err
	}
	if len(posts) > 0 {
		// Readers: she has now read this page.
		if err := a.store.MarkRead(ctx, m, id, posts[len(posts)-1].Seq); err != nil {
			return err
		}
	}
	var np any
	if page < t.Pages() {
		np = page + 1
	}
	c.JSON(http.StatusOK, gin.H{"topic": toTopicJSON(t), "posts": out, "next_page": np})
	return nil
}

func (a *app) postsJSON(ctx context.Context, m *forum.Member, posts []forum.Post) ([]postJSON, error) {
	// Only a post with thanks can have hers.
	var ids []int64
	for i := range posts {
		if posts[i].ThanksCount > 0 {
			ids = append(ids, posts[i].ID)
		}
	}
	thanked, err := a.store.ThankedBy(ctx, m.ID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]postJSON, 0, len(posts))
	for i := range posts {
		j := toPostJSON(&posts[i], thanked[posts[i].ID])
		hidePostJSON(&j, &posts[i], m)
		out = append(out, j)
	}
	return out, nil
}

func (a *app) apiPost(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	p, err := a.store.Post(ctx, m, id)
	if err != nil {
		return err
	}
	out, err := a.postsJSON(ctx, m, []forum.Post{*p})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"post": out[0]})
	return nil
}

func (a *app) apiCreatePost(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Body     string `json:"body"`
		ReplyTo  *int64 `json:"reply_to"`
		HideRole bool   `json:"hide_role"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	n := forum.NewPost{Body: in.Body, AnyPersonalNumber: true, HideRole: in.HideRole}
	if in.ReplyTo != nil {
		if *in.ReplyTo <= 0 {
			return forum.Invalid("reply_to", "error.reply_to.missing")
		}
		n.ReplyTo = *in.ReplyTo
	}
	if err := a.checkLimit(c, a.limits.replies); err != nil {
		return err
	}
	p, err := a.store.CreatePost(c.Request.Context(), viewer(c), id, n)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": p.ID, "topic_id": p.TopicID, "url": p.Path(), "version": p.Version,
		"personal_number_warning": pnr.Contains(p.Body)})
	return nil
}

func (a *app) apiPreview(c *gin.Context) error {
	var in struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	html, err := a.store.Preview(in.Body)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"html": html, "personal_number_warning": pnr.Contains(in.Body)})
	return nil
}

func (a *app) apiEditPost(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Body     string `json:"body"`
		Version  int    `json:"version"`
		HideRole *bool  `json:"hide_role"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.checkLimit(c, a.limits.edits); err != nil {
		return err
	}
	// Her role line is hers to hide: refused to anyone else before the
	// edit is written.
	if in.HideRole != nil {
		if err := a.store.SetHideRole(c.Request.Context(), viewer(c), id, *in.HideRole); err != nil {
			return err
		}
	}
	p, err := a.store.EditPost(c.Request.Context(), viewer(c), id, in.Body, in.Version)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"id": p.ID, "version": p.Version, "body_html": p.BodyHTML, "edited_at": optTime(p.EditedAt),
		"personal_number_warning": pnr.Contains(p.Body)})
	return nil
}

func (a *app) apiDeletePost(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.DeletePost(c.Request.Context(), viewer(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// revisionJSON is an earlier version of a post.
type revisionJSON struct {
	Version   int     `json:"version"`
	Body      string  `json:"body"`
	BodyHTML  string  `json:"body_html"`
	EditedBy  *string `json:"edited_by"`
	CreatedAt string  `json:"created_at"`
}

func (a *app) apiRevisions(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	rs, err := a.store.Revisions(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	out := make([]revisionJSON, 0, len(rs))
	for _, r := range rs {
		out = append(out, revisionJSON{Version: r.Version, Body: r.Body, BodyHTML: r.BodyHTML, EditedBy: r.EditedBy, CreatedAt: rfc3339(r.CreatedAt)})
	}
	c.JSON(http.StatusOK, gin.H{"revisions": out, "next_page": nil})
	return nil
}

func (a *app) apiReactions(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	if _, err := a.store.Post(ctx, m, id); err != nil {
		return err
	}
	ts, err := a.store.Thankers(ctx, m, id)
	if err != nil {
		return err
	}
	out := make([]gin.H, 0, len(ts))
	for _, t := range ts {
		out = append(out, gin.H{"kind": "thanks", "username": t.Username, "display_name": t.DisplayName})
	}
	c.JSON(http.StatusOK, gin.H{"reactions": out, "count": len(out), "next_page": nil})
	return nil
}

func (a *app) apiThank(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct{}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	if err := a.store.Thank(ctx, m, id); err != nil {
		return err
	}
	p, err := a.store.Post(ctx, m, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"post_id": p.ID, "kind": "thanks", "thanks": p.ThanksCount})
	return nil
}

func (a *app) apiUnthank(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.Unthank(c.Request.Context(), viewer(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (a *app) apiMarkAnswer(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		PostID *int64 `json:"post_id"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	var pid int64
	if in.PostID != nil {
		pid = *in.PostID
	}
	if err := a.store.MarkAnswer(c.Request.Context(), viewer(c), id, pid); err != nil {
		return err
	}
	var ans any
	if pid > 0 {
		ans = pid
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "answer_post_id": ans})
	return nil
}

func (a *app) apiLock(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Locked *bool `json:"locked"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	lock := in.Locked == nil || *in.Locked
	if err := a.store.SetLocked(c.Request.Context(), viewer(c), id, lock); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "locked": lock})
	return nil
}
