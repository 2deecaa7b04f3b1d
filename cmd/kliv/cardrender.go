package main

// The post card, written in Go.
//
// A card used to be the "postcard" template run through html/template:
// about 40 µs a card, most of it reflection (field and method lookups,
// calls through reflect.Value) and the escaper's context tracking, and
// on a member's first view of a topic page every card is a miss. The
// card's shape is fixed, so it is written here by hand instead, byte for
// byte what the template wrote: the same text between the values, and
// every value escaped as html/template escapes it in that place (escHTML
// for text and quoted attributes, escURL for the start of a URL
// attribute). TestCardRendererGolden renders a table of cards (deleted,
// edited, hidden, thanked, answers, moderator's and author's tools,
// replies and quotes, signed-out and read-only readers, sv and en) both
// ways and compares them; the reference template lives only in
// testdata/postcard.html.
//
// The catalog texts a card shows are looked up and escaped once per page
// (cardTexts), not once per card. The CSRF token's places are recorded
// as the card is written: they become the cached entry's holes directly
// (postcache.go), with no placeholder to search for. The topic page's
// numbered pager is written the same way (renderPager), held to its old
// template by TestPagerRendererGolden.

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// cardTexts are the fixed catalog texts of a card in one language,
// escaped for HTML text and attribute values alike.
type cardTexts struct {
	authorGone, edited, accepted                      string
	replyToDeleted, deletedByModerator, deletedByUser string
	hiddenSeen, reply, quote, unthank, thank          string
	thankOwn, bookmarked, bookmark, edit, delete      string
	report, moderate, unmarkAnswer, markAnswer        string
}

func newCardTexts(pg *Page) *cardTexts {
	t := func(key string) string { return escHTML(pg.L.T(key)) }
	return &cardTexts{
		authorGone: t("post.author_gone"), edited: t("post.edited"), accepted: t("topic.accepted_answer"),
		replyToDeleted: t("post.reply_to_deleted"), deletedByModerator: t("post.deleted_by_moderator"),
		deletedByUser: t("post.deleted_by_author"), hiddenSeen: t("moderation.hidden_seen"),
		reply: t("post.reply"), quote: t("post.quote"), unthank: t("post.unthank"), thank: t("post.thank"),
		thankOwn: t("post.thank_own"), bookmarked: t("bookmark.saved_label"), bookmark: t("bookmark.action"),
		edit: t("post.edit"), delete: t("post.delete"), report: t("moderation.report.action"),
		moderate: t("moderation.moderate"), unmarkAnswer: t("post.unmark_answer"), markAnswer: t("post.mark_answer"),
	}
}

// cardWriter writes cards into one reused buffer, recording where the
// CSRF token goes.
type cardWriter struct {
	b     []byte
	holes []int
}

var cardWriters = sync.Pool{New: func() any { return &cardWriter{b: make([]byte, 0, 8<<10)} }}

// putCardWriter returns w to the pool, unless a rare huge card grew it.
func putCardWriter(w *cardWriter) {
	if cap(w.b) > 256<<10 {
		return
	}
	cardWriters.Put(w)
}

func (w *cardWriter) s(s string)   { w.b = append(w.b, s...) }
func (w *cardWriter) esc(s string) { w.b = appendEscHTML(w.b, s) }
func (w *cardWriter) int(n int64)  { w.b = strconv.AppendInt(w.b, n, 10) }

// csrf writes the "csrf" partial with the token left out: a hole.
func (w *cardWriter) csrf() {
	w.s(`<input type="hidden" name="csrf_token" value="`)
	w.holes = append(w.holes, len(w.b))
	w.s(`">`)
}

// postPath writes a post's stable link, /p/ID (Post.Path).
func (w *cardWriter) postPath(id int64) {
	w.s("/p/")
	w.int(id)
}

// entry is the card written as a cache entry under key.
func (w *cardWriter) entry(key cardKey) *cardEntry {
	e := &cardEntry{key: key, html: string(w.b)}
	if len(w.holes) > 0 {
		e.holes = append([]int(nil), w.holes...)
	}
	return e
}

// renderCard writes the card of s for the page pg, as the "postcard"
// template did (testdata/postcard.html).
func renderCard(w *cardWriter, tx *cardTexts, pg *Page, s *cardSpec) {
	v := s.V
	w.b, w.holes = w.b[:0], w.holes[:0]
	deleted := v.Deleted()
	w.s("\n\n\n<article class=\"post card")
	if deleted {
		w.s(" deleted")
	}
	if v.IsAnswer {
		w.s(" is-answer")
	}
	w.s(`" id="`)
	if s.Answer {
		w.s("answer")
	} else {
		w.s("p")
		w.int(v.ID)
	}
	w.s(`" aria-label="`)
	author := v.Author()
	if author == "" {
		w.esc(pg.L.T("post.by", pg.L.T("post.author_gone")))
	} else {
		w.esc(pg.L.T("post.by", author))
	}
	w.s("\">\n  ")
	if !s.Answer {
		w.s(`<span class="anchor" id="s`)
		w.int(int64(v.Seq))
		w.s(`"></span>`)
	}
	w.s("\n  <header class=\"post-head\">\n    ")
	if av := v.AvatarPath(); av != "" {
		w.s(`<img class="avatar" src="`)
		w.b = appendEscURL(w.b, av)
		w.s(`" alt="" width="42" height="42">`)
	} else {
		w.s(`<span class="avatar" aria-hidden="true">`)
		w.esc(v.Initials())
		w.s(`</span>`)
	}
	w.s("\n    <div class=\"who\">\n      <p class=\"author\">")
	if author == "" {
		w.s(tx.authorGone)
	} else {
		w.esc(author)
	}
	w.s("</p>\n      ")
	if role := pg.RoleLine(v.Post); role != "" {
		w.s(`<p class="role-line">`)
		w.esc(role)
		w.s(`</p>`)
	}
	w.s("\n      <p class=\"post-time\"><a href=\"")
	w.postPath(v.ID)
	w.s(`"><time datetime="`)
	w.b = v.CreatedAt.UTC().AppendFormat(w.b, time.RFC3339)
	w.s(`" title="`)
	w.esc(pg.Exact(v.CreatedAt))
	w.s(`">`)
	w.esc(s.When)
	w.s(`</time></a>`)
	if v.EditedAt != nil && !deleted {
		w.s(` · <a href="`)
		w.postPath(v.ID)
		w.s(`/revisions">`)
		w.s(tx.edited)
		w.s(`</a>`)
	}
	if v.IsAnswer && !s.Answer {
		w.s(` · <strong class="answer-mark">`)
		w.s(tx.accepted)
		w.s(`</strong>`)
	}
	w.s("</p>\n    </div>\n  </header>\n  ")
	if v.ReplyTo != nil {
		w.s("\n  <div class=\"reply-ref\">\n    ")
		if v.ReplyToGone {
			w.s(`<p><a href="`)
			w.postPath(*v.ReplyTo)
			w.s(`">`)
			w.s(tx.replyToDeleted)
			w.s("</a></p>\n    ")
		} else {
			w.s(`<p><a href="`)
			w.postPath(*v.ReplyTo)
			w.s(`">`)
			w.esc(pg.L.T("post.reply_to", v.ReplyToName()))
			w.s("</a></p>\n    ")
			if ex := v.ReplyExcerpt(); ex != "" {
				w.s(`<blockquote>`)
				w.esc(ex)
				w.s(`</blockquote>`)
			}
		}
		w.s("\n  </div>\n  ")
	}
	w.s("\n  ")
	switch {
	case deleted:
		w.s("\n  <p class=\"deleted-note\">")
		if v.DeletedBy == "moderator" {
			w.s(tx.deletedByModerator)
		} else {
			w.s(tx.deletedByUser)
		}
		w.s("</p>\n  ")
	case v.Hidden():
		// The "hiddennote" partial.
		w.s("\n  \n<p class=\"hidden-note\">")
		w.esc(pg.L.T("moderation.hidden_note", pg.ModReason(v.HiddenReason)))
		w.s("</p>\n")
		if v.SeeHidden {
			w.s(`<p class="muted">`)
			w.s(tx.hiddenSeen)
			w.s("</p>\n<div class=\"post-body hidden-body\">")
			w.s(v.BodyHTML)
			w.s(`</div>`)
		}
		w.s("\n\n  ")
	default:
		w.s("\n  <div class=\"post-body\">")
		w.s(v.BodyHTML)
		w.s("</div>\n  ")
	}
	w.s("\n  ")
	if len(v.Replies) > 0 {
		w.s(`<p class="replies">`)
		w.esc(pg.L.N("post.replies", len(v.Replies)))
		w.s(`: `)
		for i := range v.Replies {
			r := &v.Replies[i]
			if i > 0 {
				w.s(`, `)
			}
			w.s(`<a href="`)
			w.postPath(r.ID)
			w.s(`">`)
			if a := r.Author(); a != "" {
				w.esc(a)
			} else {
				w.s(tx.authorGone)
			}
			w.s(`</a>`)
		}
		w.s(`</p>`)
	}
	w.s("\n  ")
	if !deleted {
		writeCardActions(w, tx, pg, s)
	}
	w.s("\n</article>\n")
}

// writeCardActions writes the card's actions: thanks, reply and quote,
// bookmark, the author's and the moderator's tools, the answer mark.
func writeCardActions(w *cardWriter, tx *cardTexts, pg *Page, s *cardSpec) {
	v := s.V
	w.s("\n  <div class=\"post-actions\">\n    ")
	if v.ThanksCount != 0 {
		w.s(`<a class="thanks-count" href="`)
		w.postPath(v.ID)
		w.s(`/thanks">`)
		w.esc(pg.L.N("post.thanks_count", v.ThanksCount))
		w.s(`</a>`)
	}
	w.s("\n    ")
	if s.Closed == "" {
		w.s(`<a href="/t/`)
		w.int(s.TopicID)
		w.s(`/reply?to=`)
		w.int(v.ID)
		w.s(`">`)
		w.s(tx.reply)
		w.s("</a>\n    <a href=\"/t/")
		w.int(s.TopicID)
		w.s(`/reply?quote=`)
		w.int(v.ID)
		w.s(`">`)
		w.s(tx.quote)
		w.s(`</a>`)
	}
	w.s("\n    ")
	switch {
	case v.Thanked:
		w.s(`<form novalidate method="post" action="`)
		w.postPath(v.ID)
		w.s(`/unthank" class="inline">`)
		w.csrf()
		w.s(`<button type="submit" class="link">`)
		w.s(tx.unthank)
		w.s("</button></form>\n    ")
	case v.CanThank:
		w.s(`<form novalidate method="post" action="`)
		w.postPath(v.ID)
		w.s(`/thanks" class="inline">`)
		w.csrf()
		w.s(`<button type="submit" class="small">`)
		w.s(tx.thank)
		w.s("</button></form>\n    ")
	default:
		w.s(`<button type="button" class="small" disabled title="`)
		w.s(tx.thankOwn)
		w.s(`">`)
		w.s(tx.thank)
		w.s(`</button>`)
	}
	w.s("\n    <a href=\"/p/")
	w.int(v.ID)
	if v.Bookmarked {
		w.s(`/bookmark" class="bookmark-link saved">`)
		w.s(tx.bookmarked)
	} else {
		w.s(`/bookmark" class="bookmark-link">`)
		w.s(tx.bookmark)
	}
	w.s("</a>\n    ")
	if v.CanChange {
		w.s(`<a href="`)
		w.postPath(v.ID)
		w.s(`/edit">`)
		w.s(tx.edit)
		w.s("</a>\n    <a href=\"")
		w.postPath(v.ID)
		w.s(`/delete">`)
		w.s(tx.delete)
		w.s(`</a>`)
	}
	w.s("\n    ")
	if v.CanReport {
		w.s(`<a href="`)
		w.postPath(v.ID)
		w.s(`/report">`)
		w.s(tx.report)
		w.s(`</a>`)
	}
	w.s("\n    ")
	if v.CanModerate {
		w.s(`<a href="/mod/posts/`)
		w.int(v.ID)
		w.s(`">`)
		w.s(tx.moderate)
		w.s(`</a>`)
	}
	w.s("\n    ")
	if v.CanAnswer {
		w.s(`<form novalidate method="post" action="/t/`)
		w.int(s.TopicID)
		w.s(`/answer" class="inline">`)
		w.csrf()
		w.s("\n      ")
		if v.IsAnswer {
			w.s(`<input type="hidden" name="post_id" value="0"><button type="submit" class="link">`)
			w.s(tx.unmarkAnswer)
			w.s("</button>\n      ")
		} else {
			w.s(`<input type="hidden" name="post_id" value="`)
			w.int(v.ID)
			w.s(`"><button type="submit" class="link">`)
			w.s(tx.markAnswer)
			w.s("</button>")
		}
		w.s("\n    </form>")
	}
	w.s("\n  </div>\n  ")
}

// escHTML escapes s as html/template escapes a value in HTML text or a
// quoted attribute value.
func escHTML(s string) string {
	for i := 0; i < len(s); i++ {
		if htmlEsc[s[i]] != "" {
			return string(appendEscHTML(make([]byte, 0, len(s)+16), s))
		}
	}
	return s
}

// htmlEsc is html/template's replacement table for text and quoted
// attribute values (all its runes are ASCII).
var htmlEsc = [256]string{0: "\uFFFD", '"': "&#34;", '&': "&amp;", '\'': "&#39;", '+': "&#43;", '<': "&lt;", '>': "&gt;"}

func appendEscHTML(b []byte, s string) []byte {
	at := 0
	for i := 0; i < len(s); i++ {
		if r := htmlEsc[s[i]]; r != "" {
			b = append(b, s[at:i]...)
			b = append(b, r...)
			at = i + 1
		}
	}
	return append(b, s[at:]...)
}

// appendEscURL writes s as html/template writes a value that starts a
// URL attribute: an unsafe scheme becomes "#ZgotmplZ", the URL is
// normalized (bytes outside RFC 3986 percent-encoded) and then escaped
// for the attribute.
func appendEscURL(b []byte, s string) []byte {
	if !isSafeURL(s) {
		return append(b, "#ZgotmplZ"...)
	}
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			b = append(b, c)
		case c == '-' || c == '.' || c == '_' || c == '~' || c == '!' || c == '#' || c == '$' ||
			c == '*' || c == ',' || c == '/' || c == ':' || c == ';' || c == '=' || c == '?' || c == '@' ||
			c == '[' || c == ']':
			b = append(b, c)
		case c == '&':
			b = append(b, "&amp;"...)
		case c == '+':
			b = append(b, "&#43;"...)
		case c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			b = append(b, c)
		default:
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isSafeURL is html/template's test: a URL with a scheme other than
// http, https or mailto is not written.
func isSafeURL(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '/':
			return true
		case ':':
			p := s[:i]
			return strings.EqualFold(p, "http") || strings.EqualFold(p, "https") || strings.EqualFold(p, "mailto")
		}
	}
	return true
}

// renderPager writes the topic page's numbered pager as the
// "topicpager" template did (testdata/topicpager.html): previous, the
// page links around the current one with gaps, next. It holds no token.
func renderPager(w *cardWriter, p *topicPage) {
	w.b, w.holes = w.b[:0], w.holes[:0]
	path := p.Topic.Path()
	w.s("\n\n<nav class=\"pager numbered\" aria-label=\"")
	w.esc(p.L.T("list.pages"))
	w.s("\">\n  ")
	if n := p.PrevPage(); n != 0 {
		w.s(`<a href="`)
		w.s(path)
		w.s(`?page=`)
		w.int(int64(n))
		w.s(`" rel="prev">`)
		w.esc(p.L.T("pager.prev"))
		w.s(`</a>`)
	}
	w.s("\n  ")
	for _, l := range p.Pager {
		switch {
		case l.Gap:
			w.s(`<span class="gap">…</span>`)
		case l.Current:
			w.s(`<span aria-current="page" class="current">`)
			w.int(int64(l.N))
			w.s(`</span>`)
		default:
			w.s(`<a href="`)
			w.s(path)
			w.s(`?page=`)
			w.int(int64(l.N))
			w.s(`" aria-label="`)
			w.esc(p.L.T("list.page_n", l.N))
			w.s(`">`)
			w.int(int64(l.N))
			w.s(`</a>`)
		}
	}
	w.s("\n  ")
	if n := p.NextPage(); n != 0 {
		w.s(`<a href="`)
		w.s(path)
		w.s(`?page=`)
		w.int(int64(n))
		w.s(`" rel="next">`)
		w.esc(p.L.T("pager.next"))
		w.s(`</a>`)
	}
	w.s("\n</nav>\n")
}
