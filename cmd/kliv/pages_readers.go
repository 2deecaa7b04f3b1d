package main

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/forum/markdown"
	"kliv/i18n"
)

// Pages of readers following the forum: unread marks in topic lists and
// on the topic page, following ("Bevaka"), notifications ("Aviseringar")
// and bookmarks ("Bokmärken").

// readerList is what a topic list adds for the reader: her unread counts
// and, on a category's page, her follow level of it. topicListPage
// embeds it.
type readerList struct {
	Unread         map[int64]forum.Unread
	CategoryFollow string
}

// readerListFor fills a topic list's readerList.
func (a *app) readerListFor(c *gin.Context, cat *forum.Category, ts []forum.Topic) (readerList, error) {
	ctx, m := c.Request.Context(), viewer(c)
	var out readerList
	var err error
	if out.Unread, err = a.store.UnreadTopics(ctx, m.ID, ts); err != nil {
		return out, err
	}
	if cat != nil {
		fs, err := a.store.CategoryFollows(ctx, m.ID)
		if err != nil {
			return out, err
		}
		out.CategoryFollow = fs[cat.ID]
	}
	return out, nil
}

// UnreadOf looks a topic up in a list's unread map (nil is fine).
func (p *Page) UnreadOf(m map[int64]forum.Unread, topicID int64) forum.Unread { return m[topicID] }

// readerTopic is what the topic page adds for the reader: her follow
// level and where her unread posts began. topicPage embeds it.
type readerTopic struct {
	Follow string
	// FirstUnreadSeq is the first post she had not read when she opened
	// the page (0: none).
	FirstUnreadSeq int
}

// readTopic records that she read the page of a topic she is shown,
// marks the posts she saved, and returns her follow level and where her
// unread posts began before this visit.
// r is her reading before this visit (Store.TopicReading).
func (a *app) readTopic(c *gin.Context, t *forum.Topic, page int, r forum.TopicReading, views ...*postView) (readerTopic, error) {
	ctx, m := c.Request.Context(), viewer(c)
	var out readerTopic
	out.FirstUnreadSeq, out.Follow = r.FirstUnreadSeq, r.Follow
	// The read mark only moves forward: most views re-read what she
	// read before, and write nothing.
	if upto := min(page*forum.PageSize, t.PostCount); r.LastReadSeq == nil || *r.LastReadSeq < upto {
		if err := a.store.MarkRead(ctx, m, t.ID, upto); err != nil {
			return out, err
		}
	}
	ids := make([]int64, 0, len(views))
	for _, v := range views {
		if v != nil {
			ids = append(ids, v.ID)
		}
	}
	saved, err := a.store.BookmarkedPosts(ctx, m.ID, ids)
	if err != nil {
		return out, err
	}
	for _, v := range views {
		if v != nil {
			v.Bookmarked = saved[v.ID]
		}
	}
	return out, nil
}

// nextPath is where a form sends her back: its "next" field when it is a
// path on this site, else fallback.
func nextPath(c *gin.Context, fallback string) string {
	if n := c.PostForm("next"); n != "" {
		return safeNext(n)
	}
	return fallback
}

// formLevel reads a follow level from a form: watching, muted or none.
func formLevel(s string) (string, error) {
	switch s {
	case "watching", "muted":
		return s, nil
	case "none", "":
		return forum.FollowNone, nil
	}
	return "", forum.Invalid("level", "error.field.choice")
}

func (a *app) postTopicFollow(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	level, err := formLevel(c.PostForm("level"))
	if err != nil {
		return err
	}
	if err := a.store.SetTopicFollow(c.Request.Context(), viewer(c), id, level); err != nil {
		return err
	}
	a.flash(c, "follow.saved."+levelName(level))
	return redirect(c, nextPath(c, "/t/"+strconv.FormatInt(id, 10)))
}

// levelName names a level for catalog keys.
func levelName(level string) string {
	if level == forum.FollowNone {
		return "none"
	}
	return level
}

func (a *app) postCategoryFollow(c *gin.Context) error {
	ctx := c.Request.Context()
	cat, err := a.store.CategoryBySlug(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	level, err := formLevel(c.PostForm("level"))
	if err != nil {
		return err
	}
	if err := a.store.SetCategoryFollow(ctx, viewer(c), cat.ID, level); err != nil {
		return err
	}
	a.flash(c, "follow.category_saved."+levelName(level))
	return redirect(c, "/c/"+cat.Slug)
}

func (a *app) postReadAll(c *gin.Context) error {
	if err := a.store.MarkAllRead(c.Request.Context(), viewer(c), 0); err != nil {
		return err
	}
	a.flash(c, "unread.all_done")
	return redirect(c, nextPath(c, "/"))
}

func (a *app) postCategoryReadAll(c *gin.Context) error {
	ctx := c.Request.Context()
	cat, err := a.store.CategoryBySlug(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	if err := a.store.MarkAllRead(ctx, viewer(c), cat.ID); err != nil {
		return err
	}
	a.flash(c, "unread.category_done")
	return redirect(c, "/c/"+cat.Slug)
}

// followingPage lists the topics she follows.
type followingPage struct {
	Page
	Topics []forum.Topic
	Unread map[int64]forum.Unread
	Next   string
	Older  bool
}

func (a *app) pageFollowing(c *gin.Context) error {
	ctx, m := c.Request.Context(), viewer(c)
	ts, next, err := a.store.FollowedTopics(ctx, m, c.Query("page"), topicsPerPage)
	if err != nil {
		return err
	}
	p := &followingPage{Page: a.base(c, "following.title"), Topics: ts, Next: next, Older: c.Query("page") != ""}
	rl, err := a.readerListFor(c, nil, ts)
	if err != nil {
		return err
	}
	p.Unread = rl.Unread
	return a.render(c, http.StatusOK, "following", p)
}

// followSettingsPage is her following settings: automatic following and
// a level per category.
type followSettingsPage struct {
	Page
	AutoFollow bool
	Categories []forum.Category
	Levels     map[int64]string
}

// Level is her level for a category, as a form value.
func (p *followSettingsPage) Level(id int64) string { return levelName(p.Levels[id]) }

func (a *app) pageFollowSettings(c *gin.Context) error {
	ctx, m := c.Request.Context(), viewer(c)
	auto, err := a.store.AutoFollow(ctx, m.ID)
	if err != nil {
		return err
	}
	cs, err := a.store.Categories(ctx, false)
	if err != nil {
		return err
	}
	levels, err := a.store.CategoryFollows(ctx, m.ID)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "settings_following", &followSettingsPage{Page: a.base(c, "following.settings.title"),
		AutoFollow: auto, Categories: cs, Levels: levels})
}

func (a *app) postFollowSettings(c *gin.Context) error {
	ctx, m := c.Request.Context(), viewer(c)
	if err := a.store.SetAutoFollow(ctx, m, c.PostForm("auto_follow") == "1"); err != nil {
		return err
	}
	cs, err := a.store.Categories(ctx, false)
	if err != nil {
		return err
	}
	for _, cat := range cs {
		v, ok := c.GetPostForm("category_" + strconv.FormatInt(cat.ID, 10))
		if !ok {
			continue
		}
		level, err := formLevel(v)
		if err != nil {
			return err
		}
		if err := a.store.SetCategoryFollow(ctx, m, cat.ID, level); err != nil {
			return err
		}
	}
	a.flash(c, "following.settings.saved")
	return redirect(c, "/settings/following")
}

// notificationView is a notification with its sentence in the reader's
// language.
type notificationView struct {
	*forum.NotificationItem
	Text string
}

// notificationText is the sentence a notification shows, in l's language.
func notificationText(l i18n.Localizer, n *forum.NotificationItem) string {
	actor := n.Actor()
	if actor == "" {
		actor = l.T("notif.someone")
	}
	title := n.Title()
	switch n.Kind {
	case forum.NotifyThanks:
		switch c := n.Count(); {
		case c <= 1:
			return l.T("notif.thanks.one", actor, title)
		case c == 2 && len(n.Actors) > 0:
			return l.T("notif.thanks.two", actor, n.Actors[0].DisplayName, title)
		default:
			return l.T("notif.thanks.many", actor, c-1, title)
		}
	case forum.NotifyJoinDecision:
		if n.Str("status") == "approved" {
			return l.T("notif.join_decision.approved")
		}
		return l.T("notif.join_decision.rejected")
	case forum.NotifyReminder:
		return l.T("notif.reminder", title)
	case forum.NotifyMessage:
		return l.T("privacy.notif.message", actor)
	case forum.NotifyModeration:
		return moderationNotificationText(l, n)
	case forum.NotifyEvent:
		return eventNotificationText(l, n)
	case forum.NotifyReply, forum.NotifyPosted, forum.NotifyNewTopic, forum.NotifyMention, forum.NotifyAnswer:
		return l.T("notif."+n.Kind, actor, title)
	}
	return l.T("notif.other")
}

type notificationsPage struct {
	Page
	Items []notificationView
	Next  string
	Older bool
}

func (a *app) pageNotifications(c *gin.Context) error {
	ctx, m := c.Request.Context(), viewer(c)
	ns, next, err := a.store.Notifications(ctx, m, c.Query("page"), 30)
	if err != nil {
		return err
	}
	p := &notificationsPage{Page: a.base(c, "notif.title"), Next: next, Older: c.Query("page") != ""}
	for i := range ns {
		p.Items = append(p.Items, notificationView{NotificationItem: &ns[i], Text: notificationText(p.L, &ns[i])})
	}
	return a.render(c, http.StatusOK, "notifications", p)
}

// pageOpenNotification marks a notification read and leads to what it is
// about.
func (a *app) pageOpenNotification(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	n, err := a.store.OpenNotification(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	return redirect(c, n.Target())
}

func (a *app) postReadAllNotifications(c *gin.Context) error {
	if err := a.store.ReadAllNotifications(c.Request.Context(), viewer(c)); err != nil {
		return err
	}
	a.flash(c, "notif.all_read")
	return redirect(c, "/notifications")
}

// bookmarksPage lists her bookmarks.
type bookmarksPage struct {
	Page
	Bookmarks []forum.Bookmark
	Next      string
	Older     bool
}

func (a *app) pageBookmarks(c *gin.Context) error {
	bs, next, err := a.store.Bookmarks(c.Request.Context(), viewer(c), c.Query("page"), 30)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "bookmarks", &bookmarksPage{Page: a.base(c, "bookmark.list_title"),
		Bookmarks: bs, Next: next, Older: c.Query("page") != ""})
}

// bookmarkPage is the form to save a post, with a note and a reminder.
type bookmarkPage struct {
	Page
	Post  *forum.Post
	Topic *forum.Topic
	// Saved is her bookmark of the post, nil when there is none yet.
	Saved *forum.Bookmark
	// MinRemind is the earliest reminder the form offers.
	MinRemind string
}

// Excerpt is the start of the post being saved.
func (p *bookmarkPage) Excerpt() string { return forum.Excerpt(markdown.PlainText(p.Post.Body), 300) }

// localInput formats t for an <input type="datetime-local"> in Swedish
// time.
func localInput(t time.Time) string { return t.In(i18n.Stockholm).Format("2006-01-02T15:04") }

// parseRemindAt reads a reminder time: "" is none; a form's
// datetime-local value ("2025-03-01T09:00") is Swedish time; the API
// may also send RFC 3339.
func parseRemindAt(s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, i18n.Stockholm); err == nil {
			return &t, nil
		}
	}
	return nil, forum.Invalid("remind_at", "error.remind_at.format")
}

func (a *app) renderBookmarkForm(c *gin.Context, code int, f *Form) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	post, err := a.store.Post(ctx, m, id)
	if err != nil {
		return err
	}
	t, err := a.store.Topic(ctx, m, post.TopicID)
	if err != nil {
		return err
	}
	saved, err := a.store.Bookmark(ctx, m, id)
	if err != nil && !errors.Is(err, forum.ErrNotFound) {
		return err
	}
	p := &bookmarkPage{Page: a.base(c, "bookmark.title"), Post: post, Topic: t, Saved: saved,
		MinRemind: localInput(a.store.Now().Add(time.Minute))}
	if f == nil {
		f = newForm(c)
		if saved != nil {
			f.Values["note"] = saved.Note
			if saved.Pending() {
				f.Values["remind_at"] = localInput(*saved.RemindAt)
			}
		}
	}
	p.Form = f
	return a.render(c, code, "bookmark", p)
}

func (a *app) pageBookmark(c *gin.Context) error { return a.renderBookmarkForm(c, http.StatusOK, nil) }

func (a *app) postBookmark(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	f := newForm(c, "note", "remind_at")
	remind, err := parseRemindAt(c.PostForm("remind_at"))
	if err == nil {
		_, _, err = a.store.SaveBookmark(c.Request.Context(), viewer(c), id, forum.BookmarkInput{Note: c.PostForm("note"), RemindAt: remind})
	}
	if err != nil {
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderBookmarkForm(c, formStatus(err), f)
	}
	a.flash(c, "bookmark.saved")
	return redirect(c, nextPath(c, "/bookmarks"))
}

func (a *app) postDeleteBookmark(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.DeleteBookmark(c.Request.Context(), viewer(c), id); err != nil {
		return err
	}
	a.flash(c, "bookmark.removed")
	return redirect(c, nextPath(c, "/bookmarks"))
}
