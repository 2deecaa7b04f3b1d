package main

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

// topicsPerPage is how many topics a list page shows.
const topicsPerPage = 30

// topicListPage is the home page and a category's page: topics by last
// activity, filtered by kind, paged by cursor.
type topicListPage struct {
	Page
	// Category is the category shown, nil on the home page.
	Category *forum.Category
	Topics   []forum.Topic
	Kind     string
	Kinds    []string
	// Next is the cursor of the next (older) page, "" on the last.
	Next string
	// Older reports whether this is not the first page.
	Older bool
	base  string
	// readerList: her unread counts and category follow level (pages_readers.go).
	readerList
	// Rows are the topics' rows ("topicrow"), rendered and cached by
	// rowsOf, and KindFilter the kind filter ("kindfilter"), cached by
	// kindFilterOf (postcache.go).
	Rows       template.HTML
	KindFilter template.HTML
}

// KindURL is the list filtered by kind ("" for all kinds).
func (p *topicListPage) KindURL(kind string) string {
	if kind == "" {
		return p.base
	}
	return p.base + "?kind=" + url.QueryEscape(kind)
}

// NextURL is the link to the next (older) page.
func (p *topicListPage) NextURL() string {
	q := url.Values{"page": {p.Next}}
	if p.Kind != "" {
		q.Set("kind", p.Kind)
	}
	return p.base + "?" + q.Encode()
}

// listKind reads the kind filter: empty for all kinds.
func listKind(c *gin.Context) (string, error) {
	k := c.Query("kind")
	if k == "" || k == forum.KindEvent || slices.Contains(forum.Kinds, k) {
		return k, nil
	}
	return "", forum.Invalid("kind", "error.field.choice")
}

// renderTopicList renders the home page (cat nil) or a category's page.
func (a *app) renderTopicList(c *gin.Context, cat *forum.Category, base string) error {
	kind, err := listKind(c)
	if err != nil {
		return err
	}
	f := forum.TopicFilter{Kind: kind, Cursor: c.Query("page"), Limit: topicsPerPage, PinnedFirst: true}
	p := &topicListPage{Category: cat, Kind: kind, Kinds: forum.Kinds, Older: f.Cursor != "", base: base}
	if cat != nil {
		f.CategoryID = cat.ID
		p.Page = a.base(c, "")
		p.Title = cat.Name
	} else {
		p.Page = a.base(c, "home.title")
	}
	ts, next, err := a.store.Topics(c.Request.Context(), viewer(c), f)
	if err != nil {
		return err
	}
	p.Topics, p.Next = ts, next
	if p.readerList, err = a.readerListFor(c, cat, ts); err != nil {
		return err
	}
	name := "home"
	if cat != nil {
		name = "category"
	}
	if p.Rows, err = a.rowsOf(p, name); err != nil {
		return err
	}
	if p.KindFilter, err = a.kindFilterOf(p, name); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, name, p)
}

// pageForumHome is a member's front page: the latest active topics.
func (a *app) pageForumHome(c *gin.Context) error { return a.renderTopicList(c, nil, "/") }

// pageCategory is one category's topics.
func (a *app) pageCategory(c *gin.Context) error {
	cat, err := a.store.CategoryBySlug(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return a.renderTopicList(c, cat, "/c/"+cat.Slug)
}

type categoriesPage struct {
	Page
	Categories []forum.Category
}

// pageCategories lists every category, archived ones marked.
func (a *app) pageCategories(c *gin.Context) error {
	cs, err := a.store.Categories(c.Request.Context(), true)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "categories", &categoriesPage{Page: a.base(c, "categories.title"), Categories: cs})
}

// adminCategoriesPage is where admins create, edit, order and archive
// categories.
type adminCategoriesPage struct {
	Page
	Categories []forum.Category
	// EditID is the category whose form has errors (0: the create form).
	EditID int64
}

var categoryFields = []string{"name", "slug", "description"}

func (a *app) renderAdminCategories(c *gin.Context, code int, f *Form, editID int64) error {
	cs, err := a.store.AdminCategories(c.Request.Context(), viewer(c))
	if err != nil {
		return err
	}
	p := &adminCategoriesPage{Page: a.base(c, "admincat.title"), Categories: cs, EditID: editID}
	p.Form = f
	return a.render(c, code, "admin_categories", p)
}

func (a *app) pageAdminCategories(c *gin.Context) error {
	return a.renderAdminCategories(c, http.StatusOK, nil, 0)
}

func categoryInput(c *gin.Context) forum.CategoryInput {
	return forum.CategoryInput{Name: c.PostForm("name"), Slug: c.PostForm("slug"), Description: c.PostForm("description")}
}

func (a *app) postCreateCategory(c *gin.Context) error {
	_, err := a.store.CreateCategory(c.Request.Context(), viewer(c), categoryInput(c))
	if err != nil {
		f := newForm(c, categoryFields...)
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderAdminCategories(c, formStatus(err), f, 0)
	}
	a.flash(c, "admincat.created")
	return redirect(c, "/admin/categories")
}

func (a *app) postUpdateCategory(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	_, err = a.store.UpdateCategory(c.Request.Context(), viewer(c), id, categoryInput(c))
	if err != nil {
		f := newForm(c, categoryFields...)
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderAdminCategories(c, formStatus(err), f, id)
	}
	a.flash(c, "admincat.saved")
	return redirect(c, "/admin/categories")
}

func (a *app) postMoveCategory(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	delta := 1
	switch c.PostForm("direction") {
	case "up":
		delta = -1
	case "down":
	default:
		return forum.Invalid("direction", "error.field.choice")
	}
	if err := a.store.MoveCategory(c.Request.Context(), viewer(c), id, delta); err != nil {
		return err
	}
	return redirect(c, "/admin/categories#cat-"+strconv.FormatInt(id, 10))
}

func (a *app) postArchiveCategory(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	archive := c.PostForm("archive") == "1"
	if err := a.store.ArchiveCategory(c.Request.Context(), viewer(c), id, archive); err != nil {
		return err
	}
	if archive {
		a.flash(c, "admincat.archived")
	} else {
		a.flash(c, "admincat.restored")
	}
	return redirect(c, "/admin/categories")
}
