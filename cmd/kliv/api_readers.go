package main

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

// The JSON API of unread marks, following, notifications and bookmarks.

// apiSetTopicFollow answers POST and DELETE /topics/{id}/follow and
// /topics/{id}/mute with 204.
func (a *app) apiSetTopicFollow(level string) handler {
	return func(c *gin.Context) error {
		id, err := paramID(c, "id")
		if err != nil {
			return err
		}
		if err := a.store.SetTopicFollow(c.Request.Context(), viewer(c), id, level); err != nil {
			return err
		}
		c.Status(http.StatusNoContent)
		return nil
	}
}

// apiSetCategoryFollow answers POST and DELETE /categories/{id}/follow
// and /categories/{id}/mute with 204.
func (a *app) apiSetCategoryFollow(level string) handler {
	return func(c *gin.Context) error {
		id, err := paramID(c, "id")
		if err != nil {
			return err
		}
		if err := a.store.SetCategoryFollow(c.Request.Context(), viewer(c), id, level); err != nil {
			return err
		}
		c.Status(http.StatusNoContent)
		return nil
	}
}

// apiReadAll marks everything read, or one category's topics with
// {"category_id"}.
func (a *app) apiReadAll(c *gin.Context) error {
	var in struct {
		CategoryID int64 `json:"category_id"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.CategoryID < 0 {
		return forum.Invalid("category_id", "error.category.missing")
	}
	if err := a.store.MarkAllRead(c.Request.Context(), viewer(c), in.CategoryID); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// apiCategoryReadAll marks one category's topics read.
func (a *app) apiCategoryReadAll(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.MarkAllRead(c.Request.Context(), viewer(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// readerTopicJSON is a topic with the reader's unread count and level.
type readerTopicJSON struct {
	topicJSON
	UnreadURL string `json:"unread_url"`
	Following string `json:"following"`
}

// apiFollowing lists the topics she follows, latest activity first.
func (a *app) apiFollowing(c *gin.Context) error {
	ctx, m := c.Request.Context(), viewer(c)
	ts, next, err := a.store.FollowedTopics(ctx, m, c.Query("page"), topicsPerPage)
	if err != nil {
		return err
	}
	ids := make([]int64, len(ts))
	for i := range ts {
		ids[i] = ts[i].ID
	}
	unread, err := a.store.Unread(ctx, m.ID, ids)
	if err != nil {
		return err
	}
	out := make([]readerTopicJSON, 0, len(ts))
	for i := range ts {
		u := unread[ts[i].ID]
		tj := toTopicJSON(&ts[i])
		tj.Unread, tj.New = u.Count, u.New
		out = append(out, readerTopicJSON{topicJSON: tj, UnreadURL: u.Link(ts[i].ID), Following: forum.FollowWatching})
	}
	c.JSON(http.StatusOK, gin.H{"topics": out, "next_page": nextPage(next)})
	return nil
}

// apiFollowSettings shows her following settings.
func (a *app) apiFollowSettings(c *gin.Context) error {
	ctx, m := c.Request.Context(), viewer(c)
	auto, err := a.store.AutoFollow(ctx, m.ID)
	if err != nil {
		return err
	}
	levels, err := a.store.CategoryFollows(ctx, m.ID)
	if err != nil {
		return err
	}
	cats := map[string]string{}
	for id, l := range levels {
		cats[strconv.FormatInt(id, 10)] = l
	}
	c.JSON(http.StatusOK, gin.H{"auto_follow": auto, "categories": cats})
	return nil
}

// apiSetFollowSettings changes automatic following: {"auto_follow"}.
func (a *app) apiSetFollowSettings(c *gin.Context) error {
	var in struct {
		AutoFollow *bool `json:"auto_follow"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.AutoFollow == nil {
		return forum.Invalid("auto_follow", "error.field.required")
	}
	if err := a.store.SetAutoFollow(c.Request.Context(), viewer(c), *in.AutoFollow); err != nil {
		return err
	}
	return a.apiFollowSettings(c)
}

// nextPage is a list's next_page: the cursor, or null on the last page.
func nextPage(cursor string) any {
	if cursor == "" {
		return nil
	}
	return cursor
}

// notificationJSON is a notification as the API shows it. actor is the
// username (null when none or removed); text is the sentence in the
// reader's language; url leads to what it is about.
type notificationJSON struct {
	ID         int64    `json:"id"`
	Kind       string   `json:"kind"`
	TopicID    *int64   `json:"topic_id"`
	PostID     *int64   `json:"post_id"`
	TopicTitle *string  `json:"topic_title"`
	Read       bool     `json:"read"`
	CreatedAt  string   `json:"created_at"`
	UpdatedAt  string   `json:"updated_at"`
	Actor      *string  `json:"actor"`
	ActorName  *string  `json:"actor_name"`
	Actors     []string `json:"actors"`
	Count      int      `json:"count"`
	Note       string   `json:"note,omitempty"`
	Status     string   `json:"status,omitempty"`
	Text       string   `json:"text"`
	URL        string   `json:"url"`
}

func (a *app) apiNotifications(c *gin.Context) error {
	ctx, m := c.Request.Context(), viewer(c)
	ns, next, err := a.store.Notifications(ctx, m, c.Query("page"), 30)
	if err != nil {
		return err
	}
	unread, err := a.store.UnreadNotifications(ctx, m.ID)
	if err != nil {
		return err
	}
	l := a.loc(c)
	out := make([]notificationJSON, 0, len(ns))
	for i := range ns {
		n := &ns[i]
		j := notificationJSON{ID: n.ID, Kind: n.Kind, TopicID: n.TopicID, PostID: n.PostID, TopicTitle: n.TopicTitle,
			Read: n.Read(), CreatedAt: rfc3339(n.CreatedAt), UpdatedAt: rfc3339(n.UpdatedAt),
			Actor: n.ActorUsername, ActorName: n.ActorName, Actors: []string{}, Count: n.Count(),
			Note: n.Str("note"), Status: n.Str("status"), Text: notificationText(l, n), URL: n.Target()}
		if n.ActorUsername != nil {
			j.Actors = append(j.Actors, *n.ActorUsername)
		}
		for _, t := range n.Actors {
			j.Actors = append(j.Actors, t.Username)
		}
		out = append(out, j)
	}
	c.JSON(http.StatusOK, gin.H{"notifications": out, "unread": unread, "next_page": nextPage(next)})
	return nil
}

// apiReadNotification marks one notification read; the answer is her
// unread count.
func (a *app) apiReadNotification(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	if _, err := a.store.OpenNotification(ctx, m, id); err != nil {
		return err
	}
	return a.apiUnreadCount(c)
}

func (a *app) apiReadAllNotifications(c *gin.Context) error {
	if err := a.store.ReadAllNotifications(c.Request.Context(), viewer(c)); err != nil {
		return err
	}
	return a.apiUnreadCount(c)
}

func (a *app) apiUnreadCount(c *gin.Context) error {
	n, err := a.store.UnreadNotifications(c.Request.Context(), viewer(c).ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"unread": n})
	return nil
}

// bookmarkJSON is a bookmark as the API shows it.
type bookmarkJSON struct {
	ID         int64   `json:"id"`
	PostID     int64   `json:"post_id"`
	TopicID    int64   `json:"topic_id"`
	TopicTitle string  `json:"topic_title"`
	Author     *string `json:"author_name"`
	Excerpt    string  `json:"excerpt"`
	Deleted    bool    `json:"deleted"`
	Note       string  `json:"note"`
	RemindAt   *string `json:"remind_at"`
	RemindedAt *string `json:"reminded_at"`
	CreatedAt  string  `json:"created_at"`
	URL        string  `json:"url"`
}

func toBookmarkJSON(b *forum.Bookmark) bookmarkJSON {
	return bookmarkJSON{ID: b.ID, PostID: b.PostID, TopicID: b.TopicID, TopicTitle: b.TopicTitle, Author: b.AuthorName,
		Excerpt: b.Excerpt(), Deleted: b.Deleted(), Note: b.Note, RemindAt: optTime(b.RemindAt), RemindedAt: optTime(b.RemindedAt),
		CreatedAt: rfc3339(b.CreatedAt), URL: b.Path()}
}

// apiSaveBookmark saves a post: {"note","remind_at"} (remind_at RFC 3339,
// or "2025-03-01T09:00" in Swedish time). 201 when new, 200 when it
// updated her earlier bookmark.
func (a *app) apiSaveBookmark(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Note     string `json:"note"`
		RemindAt string `json:"remind_at"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	remind, err := parseRemindAt(in.RemindAt)
	if err != nil {
		return err
	}
	b, created, err := a.store.SaveBookmark(c.Request.Context(), viewer(c), id, forum.BookmarkInput{Note: in.Note, RemindAt: remind})
	if err != nil {
		return err
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
	}
	c.JSON(code, toBookmarkJSON(b))
	return nil
}

func (a *app) apiDeleteBookmark(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.DeleteBookmark(c.Request.Context(), viewer(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (a *app) apiBookmarks(c *gin.Context) error {
	bs, next, err := a.store.Bookmarks(c.Request.Context(), viewer(c), c.Query("page"), 30)
	if err != nil {
		return err
	}
	out := make([]bookmarkJSON, 0, len(bs))
	for i := range bs {
		out = append(out, toBookmarkJSON(&bs[i]))
	}
	c.JSON(http.StatusOK, gin.H{"bookmarks": out, "next_page": nextPage(next)})
	return nil
}

// addUnreadJSON fills the reader's unread counts into a list of topics.
func (a *app) addUnreadJSON(c *gin.Context, ts []topicJSON) error {
	ids := make([]int64, len(ts))
	for i := range ts {
		ids[i] = ts[i].ID
	}
	unread, err := a.store.Unread(c.Request.Context(), viewer(c).ID, ids)
	if err != nil {
		return err
	}
	for i := range ts {
		u := unread[ts[i].ID]
		ts[i].Unread, ts[i].New = u.Count, u.New
	}
	return nil
}
