package main

// Rendered post cards, cached; and, the same way, the other parts of the
// busy pages that many views share: the rows of the topic lists, the
// topic pager and the lists' kind filter.
//
// A topic page is mostly its post cards, and a card is the same HTML for
// every reader with the same rights until the post, its author, its
// replies or its thanks change. The topic page therefore renders each
// card once (renderCard, cardrender.go), keeps the HTML in a bounded
// LRU (postCache) and, on the next view, only copies it.
//
// Invalidation is by key, not by hook: the key is a hash of everything
// the card shows (cardKey). An edit bumps the post's version and changes
// its body_html; a delete sets deleted_at; a thanks or an unthank moves
// thanks_count and the reader's Thanked; a new reply changes the replies
// list; a profile change changes the author's name, title or workplace;
// the reader's rights (edit, delete, thank, mark as answer, bookmark) are
// in the key too. So any change makes a new key and the page shows the
// new state at once; the old entry is never asked for again and ages out
// of the LRU. Nothing has to remember to invalidate, and one reader's
// card is served to another only when every input, rights included, is
// the same. TestCardKeyCovers and TestCardKeyCoversTopic fail when a
// field is added to a post, a topic or a card's view without being added
// to the key; TestTopicPageCardsInvalidation and
// TestTopicListRowsInvalidation check the pages after each change.
//
// The one per-reader value that is not in the key is the CSRF token of
// the card's forms (thank, unthank, mark as answer): it differs for every
// session, and keying on it would leave nothing to share. The card is
// rendered with a random, single-use placeholder in its place; the
// places where the template wrote it become holes that are filled with
// the reader's token when the card is copied out. Stored post HTML was
// saved before the placeholder existed, so it cannot contain it. A post
// card needs no placeholder: renderCard records where the token goes as
// it writes the card.
//
// The key is made from the rows as read on this view (the post with its
// version, edited_at and deleted_at, the author's name, title, workplace
// and picture as joined from members, the replies, the thanks), never
// from anything this process remembers: a second process on the same
// database that saves an edit, a thanks or a profile change changes the
// row, so the next view here makes a new key and shows it at once.

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/maphash"
	"html/template"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kliv/forum"
)

// defaultCardCacheBytes bounds the post card cache: about 5,000 cards
// of an ordinary length, the busy topics of a large forum (bounded so the
// server stays under 200 MB, docs/performance.md, "Memory").
const defaultCardCacheBytes = 16 << 20

// cardKey identifies a rendered card (or other fragment): a 128-bit hash
// of its inputs under two random per-process seeds, so collisions can be
// neither expected nor crafted.
type cardKey [2]uint64

// cardEntry is one rendered card: its HTML without the CSRF token, and
// where the token goes. Entries are immutable once cached.
type cardEntry struct {
	key   cardKey
	html  string
	holes []int // byte offsets into html, ascending
	// prev and next link the LRU ring; guarded by postCache.mu.
	prev, next *cardEntry
}

// size is what the entry counts against the cache's bound.
func (e *cardEntry) size() int { return len(e.html) + 8*len(e.holes) + 96 }

// postCache is a least-recently-used cache of rendered post cards and
// other fragments, bounded in bytes and safe for concurrent use.
type postCache struct {
	seeds [2]maphash.Seed

	mu   sync.Mutex
	max  int
	used int
	m    map[cardKey]*cardEntry
	ring cardEntry // ring.next is the most recently used entry

	hits, misses atomic.Int64
}

func newPostCache(maxBytes int) *postCache {
	c := &postCache{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, max: maxBytes, m: map[cardKey]*cardEntry{}}
	c.ring.prev, c.ring.next = &c.ring, &c.ring
	return c
}

// get returns the card with key k, marking it recently used.
func (c *postCache) get(k cardKey) *cardEntry {
	c.mu.Lock()
	e := c.m[k]
	if e != nil {
		c.unlink(e)
		c.pushFront(e)
	}
	c.mu.Unlock()
	if e != nil {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	return e
}

// put caches e, evicting the least recently used cards beyond the bound.
// A card larger than an eighth of the cache is not kept.
func (c *postCache) put(e *cardEntry) {
	if e.size() > c.max/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[e.key]; old != nil {
		// Two requests rendered the same card at once: keep one.
		c.unlink(old)
		c.used -= old.size()
	}
	c.m[e.key] = e
	c.pushFront(e)
	c.used += e.size()
	for c.used > c.max && c.ring.prev != &c.ring {
		last := c.ring.prev
		c.unlink(last)
		delete(c.m, last.key)
		c.used -= last.size()
	}
}

// len is the number of cached cards.
func (c *postCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

func (c *postCache) unlink(e *cardEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (c *postCache) pushFront(e *cardEntry) {
	e.prev, e.next = &c.ring, c.ring.next
	c.ring.next.prev = e
	c.ring.next = e
}

// cardKeyer encodes a card's inputs unambiguously (fixed-width numbers,
// length-prefixed strings, a tag for nil) and hashes them.
type cardKeyer struct{ b []byte }

// reset starts a key of a kind of fragment ("card/1", "pager/1"): kinds
// differ in their first byte, so two kinds never share a key.
func (k *cardKeyer) reset(kind string) { k.b = append(k.b[:0], kind...) }

func (k *cardKeyer) int(n int64) { k.b = binary.LittleEndian.AppendUint64(k.b, uint64(n)) }

func (k *cardKeyer) bool(v bool) {
	if v {
		k.b = append(k.b, 1)
	} else {
		k.b = append(k.b, 0)
	}
}

func (k *cardKeyer) str(s string) {
	k.int(int64(len(s)))
	k.b = append(k.b, s...)
}

func (k *cardKeyer) optStr(s *string) {
	k.bool(s != nil)
	if s != nil {
		k.str(*s)
	}
}

func (k *cardKeyer) optInt(n *int) {
	k.bool(n != nil)
	if n != nil {
		k.int(int64(*n))
	}
}

func (k *cardKeyer) optInt64(n *int64) {
	k.bool(n != nil)
	if n != nil {
		k.int(*n)
	}
}

func (k *cardKeyer) time(t time.Time) {
	// The instant and its zone offset: iso and the reader's dates
	// depend on nothing else.
	_, off := t.Zone()
	k.int(t.Unix())
	k.int(int64(t.Nanosecond()))
	k.int(int64(off))
}

func (k *cardKeyer) optTime(t *time.Time) {
	k.bool(t != nil)
	if t != nil {
		k.time(*t)
	}
}

// post writes every field of a post. TestCardKeyCovers fails when a
// field is added to forum.Post and not here.
func (k *cardKeyer) post(p *forum.Post) {
	k.int(p.ID)
	k.int(p.TopicID)
	k.int(int64(p.Seq))
	k.optInt64(p.AuthorID)
	k.optStr(p.AuthorUsername)
	k.optStr(p.AuthorName)
	k.str(p.AuthorTitle)
	k.str(p.AuthorWork)
	k.str(p.AuthorSector)
	k.str(p.AuthorRole)
	k.str(p.AuthorAvatar)
	k.optInt64(p.ReplyTo)
	k.optInt(p.ReplyToSeq)
	k.optStr(p.ReplyToAuthor)
	k.optStr(p.ReplyToBody)
	k.bool(p.ReplyToGone)
	k.str(p.Body)
	k.str(p.BodyHTML)
	k.int(int64(p.Version))
	k.int(int64(p.ThanksCount))
	k.int(int64(p.ReplyCount))
	k.time(p.CreatedAt)
	k.optTime(p.EditedAt)
	k.optTime(p.DeletedAt)
	k.str(p.DeletedBy)
	k.optTime(p.HiddenAt)
	k.str(p.HiddenReason)
	k.bool(p.HideRole)
}

// card writes everything a card shows: the post and its replies, what
// the reader may do with it, and how the page shows it. TestCardKeyCovers
// fails when a field is added to postView or cardSpec and not here.
func (k *cardKeyer) card(s *cardSpec) {
	v := s.V
	k.post(v.Post)
	k.int(int64(len(v.Replies)))
	for i := range v.Replies {
		k.post(&v.Replies[i])
	}
	k.bool(v.Thanked)
	k.bool(v.CanChange)
	k.bool(v.CanThank)
	k.bool(v.CanAnswer)
	k.bool(v.IsAnswer)
	k.bool(v.Bookmarked)
	k.bool(v.CanReport)
	k.bool(v.SeeHidden)
	k.bool(v.CanModerate)
	k.int(s.TopicID)
	k.bool(s.Answer)
	k.str(s.Closed)
	k.str(s.Lang)
	k.str(s.When)
}

// topic writes every field of a topic. TestCardKeyCoversTopic fails
// when a field is added to forum.Topic and not here.
func (k *cardKeyer) topic(t *forum.Topic) {
	k.int(t.ID)
	k.int(t.CategoryID)
	k.str(t.CategorySlug)
	k.str(t.CategoryName)
	k.bool(t.CategoryClosed)
	k.optInt64(t.AuthorID)
	k.optStr(t.AuthorUsername)
	k.optStr(t.AuthorName)
	k.str(t.Kind)
	k.str(t.Title)
	k.optStr(t.URL)
	k.optInt64(t.FirstPostID)
	k.optInt64(t.AnswerPostID)
	k.int(int64(t.PostCount))
	k.int(int64(t.ThanksCount))
	k.optTime(t.LockedAt)
	k.bool(t.Pinned)
	k.bool(t.PinnedHome)
	k.optTime(t.ClosedAt)
	k.time(t.CreatedAt)
	k.time(t.LastPostAt)
	k.optInt64(t.LastPostID)
	k.optStr(t.LastPoster)
	k.optStr(t.LastPosterName)
}

func (k *cardKeyer) sum(seeds *[2]maphash.Seed) cardKey {
	return cardKey{maphash.Bytes(seeds[0], k.b), maphash.Bytes(seeds[1], k.b)}
}

// cardSpec is one card to show: the post as the reader sees it and the
// page's part in it.
type cardSpec struct {
	V       *postView
	TopicID int64
	// Answer: the copy of the accepted answer shown under the question.
	Answer bool
	// Closed is why the topic takes no replies ("" when it does).
	Closed string
	// Lang is the reader's language.
	Lang string
	// When is the post's time as the reader reads it now ("för 5
	// minuter sedan"): the one input that moves with the clock.
	When string
}

// placeholderLen is the length of the CSRF placeholder: 32 hex digits.
const placeholderLen = 32

var errCardHoles = errors.New("fragment: the CSRF token is not only in attribute values")

// cardBuffers are the buffers fragments are rendered into on a miss.
var cardBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// fragment returns the fragment with key from the cache or, on a miss,
// has render execute its template and caches the result. render gets
// the CSRF token to put in the page it renders: a fresh random
// placeholder, whose places become the entry's holes. Every fragment is
// rendered so, whether it shows a token or not, so that no reader's
// token is ever cached. Should the token appear elsewhere than in an
// attribute value, the fragment is rendered again with the reader's own
// token and not cached.
func (c *postCache) fragment(key cardKey, token string, render func(w *bytes.Buffer, csrf string) error) (*cardEntry, error) {
	if e := c.get(key); e != nil {
		return e, nil
	}
	buf := cardBuffers.Get().(*bytes.Buffer)
	defer cardBuffers.Put(buf)
	var raw [placeholderLen / 2]byte
	_, _ = rand.Read(raw[:])
	ph := hex.EncodeToString(raw[:])
	buf.Reset()
	if err := render(buf, ph); err != nil {
		return nil, err
	}
	e, err := cutHoles(buf.Bytes(), ph, key)
	if errors.Is(err, errCardHoles) {
		buf.Reset()
		if err := render(buf, token); err != nil {
			return nil, err
		}
		return &cardEntry{key: key, html: buf.String()}, nil
	}
	if err != nil {
		return nil, err
	}
	c.put(e)
	return e, nil
}

// cutHoles makes an entry of rendered HTML, cutting the placeholder out
// where it stands for the CSRF token.
func cutHoles(out []byte, ph string, key cardKey) (*cardEntry, error) {
	e := &cardEntry{key: key}
	if !bytes.Contains(out, []byte(ph)) {
		e.html = string(out)
		return e, nil
	}
	var b strings.Builder
	b.Grow(len(out))
	for {
		i := bytes.Index(out, []byte(ph))
		if i < 0 {
			b.Write(out)
			break
		}
		// The token belongs in a quoted attribute value, where the
		// escaper leaves it as it is; anywhere else a plain copy
		// could be wrong.
		if !bytes.HasSuffix(out[:i], []byte(`value="`)) || !bytes.HasPrefix(out[i+len(ph):], []byte(`"`)) {
			return nil, errCardHoles
		}
		b.Write(out[:i])
		e.holes = append(e.holes, b.Len())
		out = out[i+len(ph):]
	}
	e.html = b.String()
	return e, nil
}

// withPage is a page's copy with csrf as its CSRF token, for rendering
// a fragment.
func withPage(pg *Page, csrf string) *Page {
	cp := *pg
	cp.CSRF = csrf
	return &cp
}

// withToken is the fragment with token (escaped) in its holes, as the
// HTML to show.
func (e *cardEntry) withToken(token string) template.HTML {
	if len(e.holes) == 0 {
		return rendered(e.html).HTML()
	}
	var b strings.Builder
	b.Grow(len(e.html) + len(e.holes)*len(token))
	appendCard(&b, e, token)
	return rendered(b.String()).HTML()
}

// appendCard writes a cached card with the reader's CSRF token in its
// holes. The token is escaped as html/template escapes an attribute
// value (a real token is URL-safe base64 and needs none).
func appendCard(b *strings.Builder, e *cardEntry, token string) {
	at := 0
	for _, h := range e.holes {
		b.WriteString(e.html[at:h])
		b.WriteString(token)
		at = h
	}
	b.WriteString(e.html[at:])
}

// cardRun is a run of post cards on the topic page with what the page
// shows before it. Cards follow one another without anything between
// them but for the "replies" heading, the reader's unread line and the
// accepted answer, so the page template handles a few runs, not every
// post: its work does not grow with the posts.
type cardRun struct {
	// RepliesHeading: the "N replies" heading comes first (before the
	// second card of the first page).
	RepliesHeading bool
	// UnreadLine: the reader's unread posts begin with this run.
	UnreadLine bool
	// HTML is the cards.
	HTML template.HTML
	// Answer: the accepted answer's copy follows (after the question).
	Answer bool
	first  int // index of the run's first post
}

// cardsOf fills the cards of a topic page: from the cache when the same
// card was shown before, otherwise written by renderCard (cardrender.go)
// and cached.
func (a *app) cardsOf(p *topicPage) error {
	cache := a.views.cards
	n := len(p.Posts)
	specs := make([]cardSpec, n, n+1)
	for i, v := range p.Posts {
		specs[i].V = v
	}
	if p.Answer != nil {
		specs = append(specs, cardSpec{V: p.Answer, Answer: true})
	}
	entries := make([]*cardEntry, len(specs))
	k := cardKeyers.Get().(*cardKeyer)
	defer cardKeyers.Put(k)
	token := template.HTMLEscapeString(p.CSRF)
	var texts *cardTexts
	var w *cardWriter
	total := 0
	for i := range specs {
		s := &specs[i]
		s.TopicID, s.Closed, s.Lang, s.When = p.Topic.ID, p.Closed, p.L.Lang, p.When(s.V.CreatedAt)
		k.reset("card/1")
		k.card(s)
		key := k.sum(&cache.seeds)
		e := cache.get(key)
		if e == nil {
			if texts == nil {
				texts = newCardTexts(&p.Page)
				w = cardWriters.Get().(*cardWriter)
				defer putCardWriter(w)
			}
			renderCard(w, texts, &p.Page, s)
			e = w.entry(key)
			cache.put(e)
		}
		entries[i] = e
		total += len(e.html) + len(e.holes)*len(token)
	}
	// One string holds every card; the runs are slices of it.
	var b strings.Builder
	b.Grow(total)
	ends := make([]int, len(entries))
	for i, e := range entries {
		appendCard(&b, e, token)
		ends[i] = b.Len()
	}
	all := b.String()
	cut := func(from, to int) template.HTML {
		start := 0
		if from > 0 {
			start = ends[from-1]
		}
		return rendered(all[start:ends[to-1]]).HTML()
	}
	p.Cards = p.Cards[:0]
	for i := 0; i < n; i++ {
		seq := p.Posts[i].Seq
		heading := i == 1 && p.PageNum == 1
		unread := p.FirstUnreadSeq != 0 && seq == p.FirstUnreadSeq && seq > 1
		if i == 0 || heading || unread || (i == 1 && p.Answer != nil) {
			p.Cards = append(p.Cards, cardRun{RepliesHeading: heading, UnreadLine: unread, first: i})
		}
	}
	for j := range p.Cards {
		r := &p.Cards[j]
		end := n
		if j+1 < len(p.Cards) {
			end = p.Cards[j+1].first
		}
		r.HTML = cut(r.first, end)
		// The answer's copy follows the question, the first card.
		r.Answer = p.Answer != nil && r.first == 0
	}
	if p.Answer != nil {
		p.AnswerCard = cut(n, n+1)
	}
	return nil
}

// pageFragment returns a part of a page that many views share, from the
// cache under key or rendered by template name of the page's set: data
// makes the data to render it with, a copy of the page with the given
// CSRF token. key must hold everything the part shows.
func (a *app) pageFragment(set, name string, key cardKey, token string, data func(csrf string) any) (template.HTML, error) {
	e, err := a.views.cards.fragment(key, token, func(w *bytes.Buffer, csrf string) error {
		return a.views.pages[set].ExecuteTemplate(w, name, data(csrf))
	})
	if err != nil {
		return "", err
	}
	return e.withToken(template.HTMLEscapeString(token)), nil
}

// pagerOf renders the topic page's numbered pager (renderPager), shown
// above and below the cards, once: from the cache when the same page of
// a topic of as many pages was shown in the same language before.
func (a *app) pagerOf(p *topicPage) (template.HTML, error) {
	cache := a.views.cards
	k := cardKeyers.Get().(*cardKeyer)
	defer cardKeyers.Put(k)
	k.reset("pager/1")
	k.int(p.Topic.ID)
	k.int(int64(p.PageNum))
	k.int(int64(p.Topic.Pages()))
	k.str(p.L.Lang)
	key := k.sum(&cache.seeds)
	e := cache.get(key)
	if e == nil {
		w := cardWriters.Get().(*cardWriter)
		defer putCardWriter(w)
		renderPager(w, p)
		e = w.entry(key)
		cache.put(e)
	}
	return rendered(e.html).HTML(), nil
}

// kindFilterOf renders a topic list's kind filter ("kindfilter") from the
// cache: it shows the list's address, the kind chosen and the language.
func (a *app) kindFilterOf(p *topicListPage, set string) (template.HTML, error) {
	k := cardKeyers.Get().(*cardKeyer)
	defer cardKeyers.Put(k)
	k.reset("kinds/1")
	k.str(p.base)
	k.str(p.Kind)
	k.int(int64(len(p.Kinds)))
	for _, kind := range p.Kinds {
		k.str(kind)
	}
	k.str(p.L.Lang)
	return a.pageFragment(set, "kindfilter", k.sum(&a.views.cards.seeds), p.CSRF, func(csrf string) any {
		cp := *p
		cp.CSRF = csrf
		return &cp
	})
}

var cardKeyers = sync.Pool{New: func() any { return &cardKeyer{b: make([]byte, 0, 4096)} }}

// rowsOf renders the rows of a topic list ("topicrow" in
// partials_topics.html), each from the cache when the same row was shown
// before: the key holds every field of the topic, the reader's unread
// count and link, the language and the time of last activity as she
// reads it.
func (a *app) rowsOf(p *topicListPage, page string) (template.HTML, error) {
	t := a.views.pages[page]
	cache := a.views.cards
	k := cardKeyers.Get().(*cardKeyer)
	defer cardKeyers.Put(k)
	showCat := p.Category == nil
	token := template.HTMLEscapeString(p.CSRF)
	entries := make([]*cardEntry, len(p.Topics))
	total := 0
	for i := range p.Topics {
		topic := &p.Topics[i]
		u := p.Unread[topic.ID]
		k.reset("row/1")
		k.topic(topic)
		k.int(int64(u.Count))
		k.bool(u.New)
		k.int(int64(u.FirstUnreadSeq))
		k.bool(showCat)
		k.str(p.L.Lang)
		k.str(p.When(topic.LastPostAt))
		e, err := cache.fragment(k.sum(&cache.seeds), p.CSRF, func(w *bytes.Buffer, csrf string) error {
			return t.ExecuteTemplate(w, "topicrow", map[string]any{
				"P": withPage(&p.Page, csrf), "T": topic, "U": u, "ShowCategory": showCat})
		})
		if err != nil {
			return "", err
		}
		entries[i] = e
		total += len(e.html) + len(e.holes)*len(token)
	}
	var b strings.Builder
	b.Grow(total)
	for _, e := range entries {
		appendCard(&b, e, token)
	}
	return rendered(b.String()).HTML(), nil
}
