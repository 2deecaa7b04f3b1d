package main

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/forum/markdown"
)

// topicTools is what the moderator's controls on a topic page need
// (templates/admin_topic_tools.html).
type topicTools struct {
	Topic *forum.Topic
}

// topicToolsFor is the tools for a moderator, nil for anyone else.
func (a *app) topicToolsFor(c *gin.Context, t *forum.Topic) (*topicTools, error) {
	if !viewer(c).IsModerator() {
		return nil, nil
	}
	return &topicTools{Topic: t}, nil
}

// pinScope reads the pin form: checkboxes category and home.
func pinScope(c *gin.Context) forum.PinScope {
	return forum.PinScope{Category: c.PostForm("category") == "1", Home: c.PostForm("home") == "1"}
}

func topicPath(id int64) string { return "/t/" + strconv.FormatInt(id, 10) }

func (a *app) postPin(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	scope := pinScope(c)
	if err := a.store.SetPinned(c.Request.Context(), viewer(c), id, scope); err != nil {
		return err
	}
	if scope.Category || scope.Home {
		a.flash(c, "admin.topic.pinned_done")
	} else {
		a.flash(c, "admin.topic.unpinned_done")
	}
	return redirect(c, topicPath(id))
}

func (a *app) postUnpin(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.SetPinned(c.Request.Context(), viewer(c), id, forum.PinScope{}); err != nil {
		return err
	}
	a.flash(c, "admin.topic.unpinned_done")
	return redirect(c, topicPath(id))
}

func (a *app) postClose(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	closed := c.PostForm("closed") != "0"
	if err := a.store.SetClosed(c.Request.Context(), viewer(c), id, closed); err != nil {
		return err
	}
	if closed {
		a.flash(c, "admin.topic.closed_done")
	} else {
		a.flash(c, "admin.topic.reopened_done")
	}
	return redirect(c, topicPath(id))
}

// movePage is the form to move a topic to another category.
type movePage struct {
	Page
	Topic      *forum.Topic
	Categories []forum.Category
}

func (a *app) renderMove(c *gin.Context, code int, id int64, f *Form) error {
	ctx, m := c.Request.Context(), viewer(c)
	if !m.IsModerator() {
		return forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	t, err := a.store.Topic(ctx, m, id)
	if err != nil {
		return err
	}
	cs, err := a.store.Categories(ctx, false)
	if err != nil {
		return err
	}
	p := &movePage{Page: a.base(c, "admin.move.title"), Topic: t, Categories: cs}
	p.NoIndex = true
	if f == nil {
		f = &Form{Values: map[string]string{"category_id": strconv.FormatInt(t.CategoryID, 10)}, Errors: map[string]string{}}
	}
	p.Form = f
	return a.render(c, code, "admin_move", p)
}

func (a *app) pageMove(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	return a.renderMove(c, http.StatusOK, id, nil)
}

func (a *app) postMove(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	catID, _ := strconv.ParseInt(c.PostForm("category_id"), 10, 64)
	if err := a.store.MoveTopic(c.Request.Context(), viewer(c), id, catID); err != nil {
		f := newForm(c, "category_id")
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderMove(c, formStatus(err), id, f)
	}
	a.flash(c, "admin.topic.moved_done")
	return redirect(c, topicPath(id))
}

// splitPage is where a moderator picks replies to split off into a new
// topic: checkboxes, a title and a category.
type splitPage struct {
	Page
	Topic      *forum.Topic
	Posts      []splitRow
	Categories []forum.Category
	PageNum    int
	Pages      int
	// Checked are the posts ticked in a form shown again with errors.
	Checked map[int64]bool
}

// splitRow is one post on the split page.
type splitRow struct {
	*forum.Post
	Excerpt string
}

// PrevPage and NextPage are 0 when there is none.
func (p *splitPage) PrevPage() int {
	if p.PageNum > 1 {
		return p.PageNum - 1
	}
	return 0
}

func (p *splitPage) NextPage() int {
	if p.PageNum < p.Pages {
		return p.PageNum + 1
	}
	return 0
}

func (a *app) renderSplit(c *gin.Context, code int, id int64, page int, f *Form, checked map[int64]bool) error {
	ctx, m := c.Request.Context(), viewer(c)
	t, err := a.store.Topic(ctx, m, id)
	if err != nil {
		return err
	}
	pages := max(1, (t.PostCount+forum.SplitPageSize-1)/forum.SplitPageSize)
	if page > pages {
		return errNotFound
	}
	posts, err := a.store.SplitCandidates(ctx, m, id, page)
	if err != nil {
		return err
	}
	cs, err := a.store.Categories(ctx, false)
	if err != nil {
		return err
	}
	p := &splitPage{Page: a.base(c, "admin.split.title"), Topic: t, Categories: cs, PageNum: page, Pages: pages, Checked: checked}
	p.NoIndex = true
	for i := range posts {
		ex := ""
		if !posts[i].Deleted() {
			ex = forum.Excerpt(markdown.PlainText(posts[i].BodyHTML), 200)
		}
		p.Posts = append(p.Posts, splitRow{Post: &posts[i], Excerpt: ex})
	}
	if f == nil {
		f = &Form{Values: map[string]string{"category_id": strconv.FormatInt(t.CategoryID, 10)}, Errors: map[string]string{}}
	}
	p.Form = f
	return a.render(c, code, "admin_split", p)
}

func (a *app) pageSplit(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	n, err := queryPage(c)
	if err != nil {
		return err
	}
	return a.renderSplit(c, http.StatusOK, id, n, nil, nil)
}

func (a *app) postSplit(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var ids []int64
	checked := map[int64]bool{}
	for _, s := range c.PostFormArray("post_ids") {
		pid, err := strconv.ParseInt(s, 10, 64)
		if err != nil || pid <= 0 {
			return forum.Invalid("post_ids", "admin.split.bad_post")
		}
		ids = append(ids, pid)
		checked[pid] = true
	}
	catID, _ := strconv.ParseInt(c.PostForm("category_id"), 10, 64)
	t, err := a.store.SplitTopic(c.Request.Context(), viewer(c), id, forum.Split{PostIDs: ids, Title: c.PostForm("title"), CategoryID: catID})
	if err != nil {
		f := newForm(c, "title", "category_id")
		if !f.fill(a.loc(c), err) {
			return err
		}
		if _, ok := f.Errors["post_ids"]; ok {
			f.Labels["post_ids"] = a.loc(c).T("admin.split.posts")
		}
		if _, ok := f.Errors["title"]; ok {
			f.Labels["title"] = a.loc(c).T("admin.split.new_title")
		}
		page, _ := strconv.Atoi(c.PostForm("page"))
		return a.renderSplit(c, formStatus(err), id, max(1, page), f, checked)
	}
	a.flash(c, "admin.split.done")
	return redirect(c, t.Path())
}
