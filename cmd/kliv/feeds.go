package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/i18n"
)

// Atom 1.0 feeds (RFC 4287) of the latest topics, a category's topics and
// a topic's posts. A feed reader cannot sign in, so each request carries
// the member's feed token in ?token=; an unknown or replaced token is a
// 404, like a feed that does not exist.

// tagDate is the date in the feeds' tag: URIs (RFC 4151). It must never
// change, or every entry would look new to every reader.
const tagDate = "2025"

type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string      `xml:"xml:lang,attr"`
	Base      string      `xml:"xml:base,attr"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID        string        `xml:"id"`
	Title     string        `xml:"title"`
	Updated   string        `xml:"updated"`
	Published string        `xml:"published"`
	Links     []atomLink    `xml:"link"`
	Author    atomPerson    `xml:"author"`
	Category  *atomCategory `xml:"category,omitempty"`
	Content   atomText      `xml:"content"`
}

// feedReader finds the member by the feed token, and her language.
func (a *app) feedReader(c *gin.Context) (*forum.Member, i18n.Localizer, error) {
	m, err := a.store.FeedMember(c.Request.Context(), c.Query("token"))
	if err != nil {
		return nil, i18n.Localizer{}, err
	}
	lang := m.Lang
	if !i18n.Supported(lang) {
		lang = c.GetString(keyLang)
	}
	if !i18n.Supported(lang) {
		lang = i18n.Default
	}
	c.Set(keyLang, lang)
	return m, a.loc0(lang), nil
}

// fileID parses "12.atom" from a path parameter.
func fileID(c *gin.Context, param string) (int64, error) {
	name, ok := strings.CutSuffix(c.Param(param), ".atom")
	if !ok {
		return 0, errNotFound
	}
	id, err := strconv.ParseInt(name, 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// newFeed starts a feed with its ids and links.
func (a *app) newFeed(c *gin.Context, l i18n.Localizer, id, title, alternate string) *atomFeed {
	self := a.cfg.BaseURL + c.Request.URL.Path + "?token=" + url.QueryEscape(c.Query("token"))
	return &atomFeed{
		Lang:  l.Lang,
		Base:  a.cfg.BaseURL + "/",
		ID:    a.tagURI(id),
		Title: title,
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: alternate},
		},
		Author:    atomPerson{Name: l.T("site.name")},
		Generator: "Kliv",
	}
}

// tagURI is a stable, unique id under the site's host name.
func (a *app) tagURI(specific string) string {
	host := "kliv.invalid"
	if u, err := url.Parse(a.cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "tag:" + host + "," + tagDate + ":" + specific
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// entry turns a feed entry into Atom.
func (a *app) entry(l i18n.Localizer, e *forum.FeedEntry, id, title, link string) atomEntry {
	author := e.Author()
	if author == "" {
		author = l.T("feeds.removed_author")
	}
	body := e.BodyHTML
	if e.DeletedAt != nil {
		body = "<p>" + html.EscapeString(l.T("feeds.deleted")) + "</p>"
	}
	return atomEntry{
		ID:        a.tagURI(id),
		Title:     title,
		Updated:   atomTime(e.Updated()),
		Published: atomTime(e.CreatedAt),
		Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: link}},
		Author:    atomPerson{Name: author},
		Category:  &atomCategory{Term: e.CategoryName},
		Content:   atomText{Type: "html", Body: body},
	}
}

// topicEntries fills a feed with topics and their first posts.
func (a *app) topicEntries(f *atomFeed, l i18n.Localizer, es []forum.FeedEntry) time.Time {
	var updated time.Time
	for i := range es {
		e := &es[i]
		tid := strconv.FormatInt(e.TopicID, 10)
		f.Entries = append(f.Entries, a.entry(l, e, "topic/"+tid, e.Title, a.cfg.BaseURL+"/t/"+tid))
		if u := e.Updated(); u.After(updated) {
			updated = u
		}
	}
	return updated
}

func (a *app) feedLatest(c *gin.Context) error {
	m, l, err := a.feedReader(c)
	if err != nil {
		return err
	}
	es, err := a.store.FeedTopics(c.Request.Context(), m, 0)
	if err != nil {
		return err
	}
	f := a.newFeed(c, l, "feed/latest", l.T("feeds.title.latest"), a.cfg.BaseURL+"/")
	updated := a.topicEntries(f, l, es)
	if updated.IsZero() {
		updated = m.CreatedAt
	}
	return a.writeFeed(c, f, updated)
}

func (a *app) feedCategory(c *gin.Context) error {
	m, l, err := a.feedReader(c)
	if err != nil {
		return err
	}
	id, err := fileID(c, "file")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	cat, err := a.store.Category(ctx, id)
	if err != nil {
		return err
	}
	es, err := a.store.FeedTopics(ctx, m, cat.ID)
	if err != nil {
		return err
	}
	f := a.newFeed(c, l, "feed/category/"+strconv.FormatInt(cat.ID, 10), l.T("feeds.title.category", cat.Name),
		a.cfg.BaseURL+"/c/"+url.PathEscape(cat.Slug))
	updated := a.topicEntries(f, l, es)
	if updated.IsZero() {
		updated = cat.CreatedAt
	}
	return a.writeFeed(c, f, updated)
}

func (a *app) feedTopic(c *gin.Context) error {
	m, l, err := a.feedReader(c)
	if err != nil {
		return err
	}
	id, err := fileID(c, "file")
	if err != nil {
		return err
	}
	t, es, err := a.store.FeedPosts(c.Request.Context(), m, id)
	if err != nil {
		return err
	}
	tid := strconv.FormatInt(t.ID, 10)
	f := a.newFeed(c, l, "feed/topic/"+tid, l.T("feeds.title.topic", t.Title), a.cfg.BaseURL+"/t/"+tid)
	updated := t.CreatedAt
	for i := range es {
		e := &es[i]
		title := t.Title
		if e.Seq > 1 {
			author := e.Author()
			if author == "" {
				author = l.T("feeds.removed_author")
			}
			title = l.T("feeds.entry.reply", author, t.Title)
		}
		pid := strconv.FormatInt(e.PostID, 10)
		f.Entries = append(f.Entries, a.entry(l, e, "post/"+pid, title, a.cfg.BaseURL+"/p/"+pid))
		if u := e.Updated(); u.After(updated) {
			updated = u
		}
	}
	return a.writeFeed(c, f, updated)
}

// writeFeed sends the feed with an ETag (a hash of its bytes) and
// Last-Modified, so a polling reader gets 304 Not Modified when nothing
// changed.
func (a *app) writeFeed(c *gin.Context, f *atomFeed, updated time.Time) error {
	f.Updated = atomTime(updated)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	buf.WriteByte('\n')
	sum := sha256.Sum256(buf.Bytes())
	h := c.Writer.Header()
	h.Set("Content-Type", "application/atom+xml; charset=utf-8")
	h.Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	// The URL holds a secret: no shared cache may keep it.
	h.Set("Cache-Control", "private, no-cache")
	h.Set("X-Robots-Tag", "noindex")
	http.ServeContent(c.Writer, c.Request, "", updated.UTC().Truncate(time.Second), bytes.NewReader(buf.Bytes()))
	return nil
}
