package main

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/i18n"
)

// rendered is HTML that is safe by construction: what the one Markdown
// pipeline produced and sanitized (a post's stored body_html, an earlier
// version's, a preview), or what html/template itself produced from such
// HTML and escaped data, kept to be shown again: a cached post card
// (postcache.go, with only the reader's escaped CSRF token put back into
// its attribute values) or a static fragment (renderer.static).
type rendered string

// HTML marks sanitizer or template output as safe to show. It is the
// only template.HTML conversion in Kliv: nothing else, and nothing a
// reader typed that did not pass through one of the two, is ever trusted
// as HTML.
func (r rendered) HTML() template.HTML { return template.HTML(r) }

// postView is a post as its card shows it, with what the reader may do.
type postView struct {
	*forum.Post
	// Replies are the posts that answer this one.
	Replies   []forum.Post
	Thanked   bool
	CanChange bool
	CanThank  bool
	// CanAnswer: the reader may mark this reply as the question's answer.
	CanAnswer bool
	IsAnswer  bool
	// Bookmarked: the reader saved this post (readers, pages_readers.go).
	Bookmarked bool
	// CanReport: the reader may report the post ("Rapportera").
	CanReport bool
	// SeeHidden: the post is hidden and the reader still sees its text
	// (its author, a moderator); CanModerate: she may act on it.
	SeeHidden   bool
	CanModerate bool
}

// HTML is the post's stored, sanitized body.
func (p *postView) HTML() template.HTML { return rendered(p.BodyHTML).HTML() }

// ReplyToPath is the stable link of the post this one answers.
func (p *postView) ReplyToPath() string {
	if p.ReplyTo == nil {
		return ""
	}
	return "/p/" + strconv.FormatInt(*p.ReplyTo, 10)
}

// ReplyToName is the author of the post this one answers.
func (p *postView) ReplyToName() string {
	if p.ReplyToAuthor == nil {
		return ""
	}
	return *p.ReplyToAuthor
}

// RoleLine is the author's verified role: title · sector · workplace,
// skipping what is empty.
func (p *Page) RoleLine(post *forum.Post) string {
	if post.HideRole {
		return ""
	}
	var parts []string
	if post.AuthorTitle != "" {
		parts = append(parts, post.AuthorTitle)
	}
	if post.AuthorSector != "" {
		parts = append(parts, p.SectorName(post.AuthorSector))
	}
	if post.AuthorWork != "" {
		parts = append(parts, post.AuthorWork)
	}
	return strings.Join(parts, " · ")
}

// pageLink is one link of a numbered pager; Gap marks an ellipsis.
type pageLink struct {
	N       int
	Current bool
	Gap     bool
}

// pageLinks lists the page links around cur: the first, the last and two on
// each side, with gaps between.
func pageLinks(cur, pages int) []pageLink {
	if pages <= 1 {
		return nil
	}
	var out []pageLink
	for n := 1; n <= pages; n++ {
		if n == 1 || n == pages || (n >= cur-2 && n <= cur+2) {
			out = append(out, pageLink{N: n, Current: n == cur})
		} else if len(out) > 0 && !out[len(out)-1].Gap {
			out = append(out, pageLink{Gap: true})
		}
	}
	return out
}

// topicPage is a topic with one page of its posts.
type topicPage struct {
	Page
	Topic *forum.Topic
	// Answer is the accepted answer, shown under the question on page 1.
	Answer      *postView
	Posts       []*postView
	PageNum     int
	Pager       []pageLink
	CanModerate bool
	// Tools are the moderator's topic tools (admin_topic_tools.html),
	// nil for members.
	Tools *topicTools
	// Closed says why the topic takes no replies ("" when it does).
	Closed string
	// Preview is empty: the reply form at the bottom previews on the
	// reply page.
	Preview rendered
	// readerTopic: her follow level and first unread post (pages_readers.go).
	readerTopic
	// Cards are the posts' rendered cards in order, in runs, and
	// AnswerCard the copy of the accepted answer under the question
	// (postcache.go).
	Cards      []cardRun
	AnswerCard template.HTML
	// PagerHTML is the numbered pager (renderPager), shown under the
	// posts, or empty when the topic has one page.
	PagerHTML template.HTML
	// Event is an event topic's block (pages_events.go), nil otherwise.
	Event *eventView
	// Landed: the server chose this page (her first unread or the last)
	// for the topic's plain link.
	Landed bool
}

// LastPage is the topic's last page number.
func (p *topicPage) LastPage() int { return p.Topic.Pages() }

// FirstUnreadPath links her first unread post ("" when all is read, or
// when it is the first post: then it is "Första").
func (p *topicPage) FirstUnreadPath() string {
	if p.FirstUnreadSeq <= 1 {
		return ""
	}
	return forum.PostPath(p.Topic.ID, p.FirstUnreadSeq)
}

// LastPostPath links the topic's newest post.
func (p *topicPage) LastPostPath() string { return forum.PostPath(p.Topic.ID, p.Topic.PostCount) }

// PostsAfter is how many posts come after this page.
func (p *topicPage) PostsAfter() int { return max(0, p.Topic.PostCount-p.PageNum*forum.PageSize) }

// PrevPage and NextPage are 0 when there is none.
func (p *topicPage) PrevPage() int {
	if p.PageNum > 1 {
		return p.PageNum - 1
	}
	return 0
}

func (p *topicPage) NextPage() int {
	if p.PageNum < p.Topic.Pages() {
		return p.PageNum + 1
	}
	return 0
}

// closedReason is the catalog key saying why a topic takes no replies.
func closedReason(t *forum.Topic) string {
	switch {
	case t.CategoryClosed:
		return "topic.closed.archived"
	case t.LockedAt != nil:
		return "topic.closed.locked"
	case t.ClosedAt != nil:
		return "admin.topic.closed_notice"
	}
	return ""
}

// queryPage reads ?page=N (1 when absent); anything else is a 404.
func queryPage(c *gin.Context) (int, error) {
	s := c.Query("page")
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, errNotFound
	}
	return n, nil
}

// postViews builds the cards of posts for the reader: thanks, replies and
// permissions.
func (a *app) postViews(ctx context.Context, m *forum.Member, t *forum.Topic, posts []forum.Post) ([]*postView, error) {
	// Only a post with thanks can have hers, and only one with replies
	// has any to list: the counters spare the lookups of the others.
	var thanks, answered []int64
	for i := range posts {
		if posts[i].ThanksCount > 0 {
			thanks = append(thanks, posts[i].ID)
		}
		if posts[i].ReplyCount > 0 {
			answered = append(answered, posts[i].ID)
		}
	}
	thanked, err := a.store.ThankedBy(ctx, m.ID, thanks)
	if err != nil {
		return nil, err
	}
	replies, err := a.store.RepliesTo(ctx, answered)
	if err != nil {
		return nil, err
	}
	canAnswer := t.Kind == forum.KindQuestion && t.AnswerableBy(m)
	out := make([]*postView, len(posts))
	for i := range posts {
		p := &posts[i]
		out[i] = &postView{Post: p, Replies: replies[p.ID], Thanked: thanked[p.ID],
			CanChange: p.ChangeableBy(m), CanThank: p.ThankableBy(m),
			CanAnswer: canAnswer && p.Seq > 1 && !p.Deleted(),
			IsAnswer:  t.AnswerPostID != nil && *t.AnswerPostID == p.ID}
		modView(out[i], m)
	}
	return out, nil
}

func (a *app) pageTopic(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	n, err := queryPage(c)
	if err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	t, err := a.store.Topic(ctx, m, id)
	if err != nil {
		return err
	}
	reading, err := a.store.TopicReading(ctx, m.ID, t)
	if err != nil {
		return err
	}
	landing := c.Query("page") == ""
	if landing {
		// The plain link opens where she is: the page of her first unread
		// post, or the last page when all is read. Served as it is (200,
		// no redirect); the page's links say which page it is.
		n = reading.LandingPage(t)
	}
	if n > t.Pages() {
		return errNotFound
	}
	posts, err := a.store.PostCards(ctx, m, id, n)
	if err != nil {
		return err
	}
	if n == 1 && t.AnswerPostID != nil {
		ans, err := a.store.Post(ctx, m, *t.AnswerPostID)
		if err != nil && !errors.Is(err, forum.ErrNotFound) {
			return err
		}
		if ans != nil {
			posts = append(posts, *ans)
		}
	}
	vs, err := a.postViews(ctx, m, t, posts)
	if err != nil {
		return err
	}
	p := &topicPage{Page: a.base(c, ""), Topic: t, Posts: vs, PageNum: n, Pager: pageLinks(n, t.Pages()),
		CanModerate: m.IsModerator(), Closed: closedReason(t)}
	p.Title = t.Title
	if p.Tools, err = a.topicToolsFor(c, t); err != nil {
		return err
	}
	if n == 1 && t.AnswerPostID != nil && len(vs) > 0 && vs[len(vs)-1].ID == *t.AnswerPostID {
		p.Answer, p.Posts = vs[len(vs)-1], vs[:len(vs)-1]
	}
	// Readers: mark the page read, her follow level and bookmarks.
	p.Landed = landing && n > 1
	if p.readerTopic, err = a.readTopic(c, t, n, reading, vs...); err != nil {
		return err
	}
	if err := a.cardsOf(p); err != nil {
		return err
	}
	if p.Event, err = a.eventBlock(c, t, &p.Page); err != nil {
		return err
	}
	if t.Pages() > 1 {
		if p.PagerHTML, err = a.pagerOf(p); err != nil {
			return err
		}
	}
	return a.render(c, http.StatusOK, "topic", p)
}

// pagePost is a post's stable link: to its page and place in its topic.
func (a *app) pagePost(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	tid, page, err := a.store.PostLocation(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	return redirect(c, postURL(tid, page, id))
}

// postURL is a post's place: its topic's page and anchor.
func postURL(topicID int64, page int, postID int64) string {
	return fmt.Sprintf("/t/%d?page=%d#p%d", topicID, page, postID)
}

// at is the place of a post, for redirects after acting on it.
func at(p *forum.Post) string { return postURL(p.TopicID, p.Page(), p.ID) }

// composerPage is the form to start a topic.
type composerPage struct {
	Page
	Categories []forum.Category
	Kinds      []string
	Preview    rendered
	// Duplicates are the topics that shared the link before.
	Duplicates []forum.Topic
}

var topicFields = []string{"title", "kind", "category_id", "url", "body", "any_duplicate", "hide_role"}

// topicChoices are the composer's fields answered by picking.
var topicChoices = []string{"kind", "category_id"}

func (a *app) renderComposer(c *gin.Context, code int, f *Form, prev rendered, dups []forum.Topic) error {
	cs, err := a.store.Categories(c.Request.Context(), false)
	if err != nil {
		return err
	}
	p := &composerPage{Page: a.base(c, "composer.title"), Categories: cs, Kinds: forum.Kinds, Preview: prev, Duplicates: dups}
	p.Form = f
	return a.render(c, code, "new_topic", p)
}

func (a *app) pageNewTopic(c *gin.Context) error {
	f := newForm(c)
	f.Values["kind"] = forum.KindDiscussion
	if k := c.Query("kind"); slices.Contains(forum.Kinds, k) {
		f.Values["kind"] = k
	}
	f.Values["category_id"] = c.Query("category")
	return a.renderComposer(c, http.StatusOK, f, "", nil)
}

func (a *app) postNewTopic(c *gin.Context) error {
	f := newForm(c, topicFields...).shaped(topicFields, nil, topicChoices...)
	l := a.loc(c)
	if c.PostForm("preview") != "" {
		pnrPreview(f, c.PostForm("body"))
		html, err := a.store.Preview(c.PostForm("body"))
		if err != nil && !f.fill(l, err) {
			return err
		}
		return a.renderComposer(c, formStatusOK(err), f, rendered(html), nil)
	}
	catID, _ := strconv.ParseInt(c.PostForm("category_id"), 10, 64)
	var t *forum.Topic
	err := a.checkLimit(c, a.limits.topics)
	if err == nil {
		t, _, err = a.store.CreateTopic(c.Request.Context(), viewer(c), forum.NewTopic{
			CategoryID: catID, Kind: c.PostForm("kind"), Title: c.PostForm("title"), Body: c.PostForm("body"),
			URL: c.PostForm("url"), AnyDuplicate: f.Checked("any_duplicate"),
			AnyPersonalNumber: c.PostForm("any_personal_number") == "1", HideRole: f.Checked("hide_role"),
		})
	}
	if err != nil {
		pnrFound(f, err)
		var dup *forum.DuplicateLinkError
		if errors.As(err, &dup) {
			return a.renderComposer(c, http.StatusConflict, f, "", dup.Topics)
		}
		if !f.fill(l, err) {
			return err
		}
		return a.renderComposer(c, formStatus(err), f, "", nil)
	}
	return redirect(c, t.Path())
}

// formStatusOK is 200 without an error, else the form's error status.
func formStatusOK(err error) int {
	if err == nil {
		return http.StatusOK
	}
	return formStatus(err)
}

// replyPage is the form to answer a topic, a post or quote one.
type replyPage struct {
	Page
	Topic *forum.Topic
	// To is the post answered, nil for a reply to the topic.
	To      *postView
	Preview rendered
	// Closed says why the topic takes no replies ("" when it does).
	Closed string
}

func (a *app) renderReply(c *gin.Context, code int, t *forum.Topic, f *Form, prev rendered) error {
	p := &replyPage{Page: a.base(c, "reply.title"), Topic: t, Preview: prev, Closed: closedReason(t)}
	p.Form = f
	if to, _ := strconv.ParseInt(f.Get("reply_to"), 10, 64); to > 0 {
		post, err := a.store.Post(c.Request.Context(), viewer(c), to)
		if err != nil && !errors.Is(err, forum.ErrNotFound) {
			return err
		}
		if post != nil && post.TopicID == t.ID {
			p.To = &postView{Post: post}
		}
	}
	return a.render(c, code, "reply", p)
}

// quote is a post's Markdown as a quote with attribution, to answer;
// part, when it is a piece of the post's text (the reader selected it),
// is quoted instead of the whole post. A part not in the post is ignored,
// so nobody can put words in another member's mouth.
func quote(l i18n.Localizer, p *forum.Post, part string) string {
	var b strings.Builder
	name := strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "*", `\*`, "_", `\_`).Replace(p.Author())
	b.WriteString("> " + l.T("reply.quote_wrote", name, p.Path()) + "\n>\n")
	text := p.Body
	if part = forum.QuotablePart(p, part); part != "" {
		text = part
	}
	for _, line := range strings.Split(text, "\n") {
		b.WriteString(strings.TrimRight("> "+line, " ") + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

func (a *app) pageReply(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	t, err := a.store.Topic(ctx, m, id)
	if err != nil {
		return err
	}
	f := newForm(c)
	ref := c.Query("quote")
	if ref == "" {
		ref = c.Query("to")
	}
	if ref != "" {
		pid, err := strconv.ParseInt(ref, 10, 64)
		if err != nil {
			return errNotFound
		}
		p, err := a.store.Post(ctx, m, pid)
		if err != nil {
			return err
		}
		if p.TopicID != t.ID {
			return errNotFound
		}
		f.Values["reply_to"] = strconv.FormatInt(p.ID, 10)
		if c.Query("quote") != "" && !p.Deleted() && !p.HiddenFrom(m) {
			f.Values["body"] = quote(a.loc(c), p, c.Query("part"))
		}
	}
	return a.renderReply(c, http.StatusOK, t, f, "")
}

func (a *app) postReply(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, m, l := c.Request.Context(), viewer(c), a.loc(c)
	t, err := a.store.Topic(ctx, m, id)
	if err != nil {
		return err
	}
	f := newForm(c, "body", "reply_to", "hide_role").shaped(nil, map[string]string{"body": "field.reply"})
	if c.PostForm("preview") != "" {
		pnrPreview(f, c.PostForm("body"))
		html, err := a.store.Preview(c.PostForm("body"))
		if err != nil && !f.fill(l, err) {
			return err
		}
		return a.renderReply(c, formStatusOK(err), t, f, rendered(html))
	}
	var replyTo int64
	if s := c.PostForm("reply_to"); s != "" {
		if replyTo, err = strconv.ParseInt(s, 10, 64); err != nil || replyTo <= 0 {
			return forum.Invalid("reply_to", "error.reply_to.missing")
		}
	}
	var p *forum.Post
	if err = a.checkLimit(c, a.limits.replies); err == nil {
		p, err = a.store.CreatePost(ctx, m, id, forum.NewPost{Body: c.PostForm("body"), ReplyTo: replyTo,
			AnyPersonalNumber: c.PostForm("any_personal_number") == "1", HideRole: f.Checked("hide_role")})
	}
	if err != nil {
		pnrFound(f, err)
		if !f.fill(l, err) {
			return err
		}
		return a.renderReply(c, formStatus(err), t, f, "")
	}
	return redirect(c, at(p))
}

func (a *app) postAnswer(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	pid, _ := strconv.ParseInt(c.PostForm("post_id"), 10, 64)
	if err := a.store.MarkAnswer(c.Request.Context(), viewer(c), id, pid); err != nil {
		return err
	}
	if pid > 0 {
		a.flash(c, "topic.answer_marked")
		// Back to the reply she marked, not the top of the page.
		if p, err := a.store.Post(c.Request.Context(), viewer(c), pid); err == nil {
			return redirect(c, at(p))
		}
	} else {
		a.flash(c, "topic.answer_cleared")
	}
	return redirect(c, "/t/"+strconv.FormatInt(id, 10))
}

func (a *app) postLock(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	lock := c.PostForm("locked") == "1"
	if err := a.store.SetLocked(c.Request.Context(), viewer(c), id, lock); err != nil {
		return err
	}
	if lock {
		a.flash(c, "topic.locked_done")
	} else {
		a.flash(c, "topic.unlocked_done")
	}
	return redirect(c, "/t/"+strconv.FormatInt(id, 10))
}

// editPage is the form to edit a post.
type editPage struct {
	Page
	Post    *postView
	Topic   *forum.Topic
	Preview rendered
	// Current is the post as someone else saved it while the reader
	// edited (a conflict); her own text stays in the form.
	Current *postView
}

// postAndTopic loads the post named in the path and its topic.
func (a *app) postAndTopic(c *gin.Context) (*forum.Post, *forum.Topic, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	ctx, m := c.Request.Context(), viewer(c)
	p, err := a.store.Post(ctx, m, id)
	if err != nil {
		return nil, nil, err
	}
	t, err := a.store.Topic(ctx, m, p.TopicID)
	if err != nil {
		return nil, nil, err
	}
	return p, t, nil
}

func (a *app) pageEditPost(c *gin.Context) error {
	p, t, err := a.postAndTopic(c)
	if err != nil {
		return err
	}
	if p.Deleted() {
		return forum.Refuse(forum.ErrConflict, "error.post.deleted")
	}
	if !p.ChangeableBy(viewer(c)) {
		return forum.Refuse(forum.ErrForbidden, "error.post.not_yours")
	}
	f := newForm(c)
	f.Values["body"] = p.Body
	f.Values["version"] = strconv.Itoa(p.Version)
	if p.HideRole {
		f.Values["hide_role"] = "1"
	}
	pg := &editPage{Page: a.base(c, "edit.title"), Post: &postView{Post: p}, Topic: t}
	pg.Form = f
	return a.render(c, http.StatusOK, "edit_post", pg)
}

func (a *app) postEditPost(c *gin.Context) error {
	p, t, err := a.postAndTopic(c)
	if err != nil {
		return err
	}
	f := newForm(c, "body", "version", "hide_role")
	l := a.loc(c)
	pg := &editPage{Post: &postView{Post: p}, Topic: t}
	show := func(code int) error {
		pg.Page = a.base(c, "edit.title")
		pg.Form = f
		return a.render(c, code, "edit_post", pg)
	}
	if c.PostForm("preview") != "" {
		pnrPreview(f, c.PostForm("body"))
		html, err := a.store.Preview(c.PostForm("body"))
		if err != nil && !f.fill(l, err) {
			return err
		}
		pg.Preview = rendered(html)
		return show(formStatusOK(err))
	}
	version, _ := strconv.Atoi(c.PostForm("version"))
	// The role line's box is the author's own; a moderator's edit
	// leaves it as it is.
	if hide := f.Checked("hide_role"); hide != p.HideRole && p.ByMember(viewer(c)) {
		if err := a.store.SetHideRole(c.Request.Context(), viewer(c), p.ID, hide); err != nil {
			return err
		}
	}
	var saved *forum.Post
	if err = a.checkLimit(c, a.limits.edits); err == nil {
		saved, err = a.store.EditPostWith(c.Request.Context(), viewer(c), p.ID, forum.PostEdit{Body: c.PostForm("body"), Version: version,
			AnyPersonalNumber: c.PostForm("any_personal_number") == "1"})
	}
	if err != nil {
		pnrFound(f, err)
		if !f.fill(l, err) {
			return err
		}
		if errors.Is(err, forum.ErrConflict) && !p.Deleted() && p.Version != version {
			// Someone saved in between: keep her text, show theirs, and
			// let a second save replace it knowingly.
			pg.Current = &postView{Post: p}
			f.Values["version"] = strconv.Itoa(p.Version)
			f.Message = l.T("edit.conflict")
		}
		return show(formStatus(err))
	}
	return redirect(c, at(saved))
}

// revisionView is an earlier version of a post.
type revisionView struct{ forum.Revision }

// HTML is the version's stored, sanitized body.
func (r *revisionView) HTML() template.HTML { return rendered(r.BodyHTML).HTML() }

// Editor is who replaced this version, or "".
func (r *revisionView) Editor() string {
	if r.EditedBy == nil {
		return ""
	}
	return *r.EditedBy
}

type revisionsPage struct {
	Page
	Post      *postView
	Topic     *forum.Topic
	Revisions []revisionView
}

func (a *app) pageRevisions(c *gin.Context) error {
	p, t, err := a.postAndTopic(c)
	if err != nil {
		return err
	}
	rs, err := a.store.Revisions(c.Request.Context(), viewer(c), p.ID)
	if err != nil {
		return err
	}
	pg := &revisionsPage{Page: a.base(c, "revisions.title"), Post: &postView{Post: p}, Topic: t}
	for _, r := range rs {
		pg.Revisions = append(pg.Revisions, revisionView{r})
	}
	return a.render(c, http.StatusOK, "revisions", pg)
}

type deletePage struct {
	Page
	Post  *postView
	Topic *forum.Topic
}

func (a *app) pageDeletePost(c *gin.Context) error {
	p, t, err := a.postAndTopic(c)
	if err != nil {
		return err
	}
	if p.Deleted() {
		return redirect(c, at(p))
	}
	if !p.ChangeableBy(viewer(c)) {
		return forum.Refuse(forum.ErrForbidden, "error.post.not_yours")
	}
	return a.render(c, http.StatusOK, "delete_post", &deletePage{Page: a.base(c, "delete.title"), Post: &postView{Post: p}, Topic: t})
}

func (a *app) postDeletePost(c *gin.Context) error {
	p, _, err := a.postAndTopic(c)
	if err != nil {
		return err
	}
	if err := a.store.DeletePost(c.Request.Context(), viewer(c), p.ID); err != nil {
		return err
	}
	a.flash(c, "delete.done")
	return redirect(c, at(p))
}

type thankersPage struct {
	Page
	Post     *postView
	Topic    *forum.Topic
	Thankers []forum.Thanker
}

func (a *app) pageThankers(c *gin.Context) error {
	p, t, err := a.postAndTopic(c)
	if err != nil {
		return err
	}
	ts, err := a.store.Thankers(c.Request.Context(), viewer(c), p.ID)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "thankers", &thankersPage{Page: a.base(c, "thankers.title"), Post: &postView{Post: p}, Topic: t, Thankers: ts})
}

func (a *app) postThanks(c *gin.Context) error {
	// Thanking twice (a double click) is no error on a page.
	return a.thanksAction(c, a.store.Thank, forum.ErrConflict)
}

func (a *app) postUnthank(c *gin.Context) error {
	return a.thanksAction(c, a.store.Unthank, forum.ErrNotFound)
}

// thanksAction gives or takes back a "Tack" and returns to the post; an
// error that is only a repeat (harmless) is passed over.
func (a *app) thanksAction(c *gin.Context, act func(context.Context, *forum.Member, int64) error, harmless error) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	if err := act(ctx, m, id); err != nil && !errors.Is(err, harmless) {
		return err
	}
	p, err := a.store.Post(ctx, m, id)
	if err != nil {
		return err
	}
	return redirect(c, at(p))
}
