// Package seed fills a forum with realistic demo data (kliv seed): members
// across the country's regions and sectors, join requests, topics of every
// kind in every category with a long tail of replies, threaded answers,
// thanks and accepted answers, in Swedish-like Markdown rendered by the
// store's own pipeline.
//
// It is fast enough for a million posts because it draws the whole forum
// first (plan.go), so every row is written once with its final counters
// through the store's bulk writer, while the posts' text is generated and
// rendered on every core.
package seed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"kliv/forum"
	"kliv/forum/markdown"
)

// DemoPassword is every seeded account's password.
const DemoPassword = "kliv-demo-lösen"

// Options say how much to seed.
type Options struct {
	// Members is how many approved members, the admin and the moderator
	// included; applicants (pending and rejected) come on top.
	Members int
	Topics  int
	// Posts counts every post, the first post of each topic included.
	Posts int
	// Seed makes the data repeatable: the same seed and sizes give the
	// same forum (relative to the time it is seeded).
	Seed uint64
	// Force adds to a forum that has topics already; without it Run
	// refuses, so demo data never mixes into a real forum by mistake.
	Force bool
	// Workers generate and render the posts' text; 0 means one per core.
	Workers int
	// Progress, when set, is told how the work goes, about every 5 %.
	Progress func(Progress)
}

// Validate checks the sizes.
func (o *Options) Validate() error {
	switch {
	case o.Members < 2:
		return errors.New("--members must be at least 2 (the admin and the moderator)")
	case o.Topics < 0 || o.Posts < 0:
		return errors.New("--topics and --posts cannot be negative")
	case o.Posts < o.Topics:
		return fmt.Errorf("--posts (%d) must be at least --topics (%d): every topic has a first post", o.Posts, o.Topics)
	case o.Members > 10_000_000 || o.Topics > 10_000_000 || o.Posts > 100_000_000:
		return errors.New("too much to seed: at most 10 000 000 members and topics and 100 000 000 posts")
	}
	return nil
}

// Progress is a report on the work.
type Progress struct {
	Phase   string // "plan", "members", "topics", "posts", "finish"
	Done    int
	Total   int
	Rate    float64 // rows of the phase per second
	Elapsed time.Duration
}

// Summary says what was seeded.
type Summary struct {
	Members    int // approved, staff included
	Pending    int
	Rejected   int
	Topics     int
	Posts      int
	Thanks     int
	Answers    int
	Events     int
	Kinds      map[string]int
	Admin      string // username of the admin
	Moderator  string // username of the moderator
	Example    string // username of an ordinary member
	Password   string
	Elapsed    time.Duration
	Categories int
}

// ErrNotEmpty is returned when the forum has topics and Force is off.
var ErrNotEmpty = errors.New("the database has topics already")

// Run seeds the forum behind s.
func Run(ctx context.Context, s *forum.Store, o Options) (*Summary, error) {
	began := time.Now()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	report := func(phase string, done, total int, since time.Time) {
		if o.Progress == nil {
			return
		}
		el := time.Since(since)
		rate := 0.0
		if el > 0 {
			rate = float64(done) / el.Seconds()
		}
		o.Progress(Progress{Phase: phase, Done: done, Total: total, Rate: rate, Elapsed: time.Since(began)})
	}

	var topics int
	if err := s.DB.GetContext(ctx, &topics, `SELECT COUNT(*) FROM topics`); err != nil {
		return nil, err
	}
	if topics > 0 && !o.Force {
		return nil, fmt.Errorf("%w (%d); seed fills an empty forum, use --force to add to this one", ErrNotEmpty, topics)
	}
	cats, err := s.Categories(ctx, false)
	if err != nil {
		return nil, err
	}
	if len(cats) == 0 && o.Topics > 0 {
		return nil, errors.New("the forum has no open categories to seed topics in")
	}
	taken := map[string]bool{}
	rows, err := s.DB.QueryContext(ctx, `SELECT lower(username) FROM members`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			rows.Close()
			return nil, err
		}
		taken[u] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	if err := s.BeginBulkLoad(ctx); err != nil {
		return nil, fmt.Errorf("begin bulk load: %w", err)
	}
	ended := false
	defer func() {
		if !ended {
			// Whatever happened, leave the store as it works normally.
			_ = s.EndBulkLoad(context.WithoutCancel(ctx))
		}
	}()
	b, err := s.NewBulk(ctx)
	if err != nil {
		return nil, err
	}
	closed := false
	defer func() {
		if !closed {
			_ = b.Close()
		}
	}()
	memberBase, topicBase, postBase, err := b.MaxIDs(ctx)
	if err != nil {
		return nil, err
	}

	t0 := time.Now()
	report("plan", 0, o.Posts, t0)
	// The one expensive hash, shared by every seeded account.
	hash := forum.HashPassword(s.Hash, DemoPassword)
	p := newPlan(o.Seed, settings{Members: o.Members, Topics: o.Topics, Posts: o.Posts}, cats, s.Now().UTC(), taken,
		memberBase, topicBase, postBase)
	report("plan", len(p.posts), len(p.posts), t0)

	sum := &Summary{Password: DemoPassword, Kinds: map[string]int{}, Categories: len(cats)}
	if err := p.writeMembers(ctx, b, hash, sum, report); err != nil {
		return nil, err
	}
	if err := p.writeTopics(ctx, b, sum, report); err != nil {
		return nil, err
	}
	if err := p.writePosts(ctx, b, s.MD, o.Workers, sum, report); err != nil {
		return nil, err
	}
	t0 = time.Now()
	report("finish", 0, 1, t0)
	if err := b.Flush(ctx); err != nil {
		return nil, err
	}
	closed = true
	if err := b.Close(); err != nil {
		return nil, err
	}
	if err := p.seedEvents(ctx, s.DB, sum); err != nil {
		return nil, fmt.Errorf("seed events: %w", err)
	}
	ended = true
	if err := s.EndBulkLoad(ctx); err != nil {
		return nil, fmt.Errorf("end bulk load: %w", err)
	}
	report("finish", 1, 1, t0)
	sum.Elapsed = time.Since(began)
	return sum, nil
}

type reportFunc func(phase string, done, total int, since time.Time)

func at(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// writeMembers writes the accounts, their join requests and the
// moderators' decisions on them.
func (p *plan) writeMembers(ctx context.Context, b *forum.Bulk, hash string, sum *Summary, report reportFunc) error {
	t0 := time.Now()
	report("members", 0, len(p.members), t0)
	staff := []int32{p.admin, p.mod}
	for i := range p.members {
		if p.members[i].role == forum.RoleModerator && int32(i) != p.mod {
			staff = append(staff, int32(i))
		}
	}
	r := newRand(p.seed, 0, 5)
	pr := newRand(p.seed, 0, 6)
	for i := range p.members {
		m := &p.members[i]
		bm := forum.BulkMember{ID: m.id, Username: m.username, Email: m.email, DisplayName: m.display, PasswordHash: hash,
			Role: m.role, Status: m.status, CreatedAt: at(m.created)}
		if m.status == forum.StatusApproved {
			bm.ApprovedAt = at(m.approved)
			bm.RoleTitle, bm.Workplace, bm.Sector = m.roleTitle, m.workplace, m.sector
		}
		if err := b.Member(ctx, &bm); err != nil {
			return err
		}
		if m.status == forum.StatusApproved {
			region, municipality, areas := profilePlace(pr, m.sector, m.workplace, m.roleTitle)
			if err := b.Profile(ctx, m.id, region, municipality, areas); err != nil {
				return err
			}
		}
	}
	// The join requests after all the accounts: the moderator who decided
	// one may have applied after its applicant.
	for i := range p.members {
		m := &p.members[i]
		switch m.status {
		case forum.StatusApproved:
			sum.Members++
		case forum.StatusPending:
			sum.Pending++
		case forum.StatusRejected:
			sum.Rejected++
		}
		if int32(i) == p.admin || int32(i) == p.mod {
			// Made by kliv admin create, not by applying: in the log
			// as that command writes it.
			if err := b.Audit(ctx, 0, "member.create", "member", m.id, "", at(m.created)); err != nil {
				return err
			}
			continue
		}
		jr := forum.BulkJoinRequest{MemberID: m.id, Workplace: m.workplace, RoleTitle: m.roleTitle, StaffResponsibility: m.staff,
			Sector: m.sector, Motivation: m.motivation, Status: string(m.status), CreatedAt: at(m.created)}
		var decided int64
		switch m.status {
		case forum.StatusApproved:
			decided = m.approved
		case forum.StatusRejected:
			decided, jr.Reason = m.decided, m.reason
		}
		var by int32 = -1
		if decided != 0 {
			// Whoever was staff when it was decided.
			for range 4 {
				if c := staff[r.IntN(len(staff))]; p.members[c].approved <= decided {
					by = c
					break
				}
			}
			if by < 0 {
				by = p.admin
			}
			jr.DecidedBy, jr.DecidedAt = p.members[by].id, at(decided)
		}
		id, err := b.JoinRequest(ctx, &jr)
		if err != nil {
			return err
		}
		if by >= 0 {
			action := "join_request.approve"
			if m.status == forum.StatusRejected {
				action = "join_request.reject"
			}
			if err := b.Audit(ctx, p.members[by].id, action, "join_request", id, jr.Reason, at(decided)); err != nil {
				return err
			}
		}
		if sum.Example == "" && m.status == forum.StatusApproved && m.role == forum.RoleMember {
			sum.Example = m.username
		}
	}
	sum.Admin, sum.Moderator = p.members[p.admin].username, p.members[p.mod].username
	report("members", len(p.members), len(p.members), t0)
	return nil
}

// writeTopics writes the topics with the counters their posts will give
// them.
func (p *plan) writeTopics(ctx context.Context, b *forum.Bulk, sum *Summary, report reportFunc) error {
	t0 := time.Now()
	report("topics", 0, len(p.topics), t0)
	catTopics := make([]int, len(p.cats))
	catPosts := make([]int, len(p.cats))
	for i := range p.topics {
		t := &p.topics[i]
		firstK, lastK := t.first, t.first+t.n-1
		last := &p.posts[lastK]
		bt := forum.BulkTopic{ID: t.id, CategoryID: p.cats[t.cat].ID, AuthorID: p.members[t.author].id, Kind: kindNames[t.kind],
			Title: t.title, URL: t.url, FirstPostID: p.postID(firstK), PostCount: int(t.n), ThanksCount: int(p.posts[firstK].thanks),
			Pinned: t.pinned, CreatedAt: at(t.created), LastPostAt: at(last.at), LastPostID: p.postID(lastK),
			LastPosterID: p.members[last.author].id}
		if t.answer >= 0 {
			bt.AnswerPostID = p.postID(t.answer)
			sum.Answers++
		}
		if t.locked != 0 {
			bt.LockedAt = at(t.locked)
		}
		if err := b.Topic(ctx, &bt); err != nil {
			return err
		}
		catTopics[t.cat]++
		catPosts[t.cat] += int(t.n)
		sum.Topics++
		sum.Kinds[bt.Kind]++
	}
	for i, c := range p.cats {
		if catTopics[i] > 0 {
			if err := b.AddCategoryCounts(ctx, c.ID, catTopics[i], catPosts[i]); err != nil {
				return err
			}
		}
	}
	report("topics", len(p.topics), len(p.topics), t0)
	return nil
}

// chunk is a run of posts, in writing order, that one worker prepares.
type chunk struct {
	lo, hi int // positions in plan.order
	posts  []forum.BulkPost
	revs   []forum.BulkRevision
	thanks []forum.BulkReaction
	err    error
	done   chan struct{}
}

const chunkSize = 1000

// writePosts prepares the posts' text, HTML and thanks on the workers and
// writes them in order from this goroutine.
func (p *plan) writePosts(ctx context.Context, b *forum.Bulk, md *markdown.Renderer, workers int, sum *Summary, report reportFunc) error {
	t0 := time.Now()
	n := len(p.order)
	report("posts", 0, n, t0)
	ctx, cancel := context.WithCancel(ctx)
	jobs := make(chan *chunk, workers*2)
	queue := make(chan *chunk, workers*4)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cache := renderCache{md: md, html: map[string]string{}}
			for c := range jobs {
				if ctx.Err() == nil {
					c.err = p.prepare(&cache, c)
				}
				close(c.done)
			}
		}()
	}
	go func() {
		defer close(queue)
		defer close(jobs)
		for lo := 0; lo < n; lo += chunkSize {
			c := &chunk{lo: lo, hi: min(lo+chunkSize, n), done: make(chan struct{})}
			select {
			case queue <- c:
			case <-ctx.Done():
				return
			}
			jobs <- c
		}
	}()
	// On the way out, however it is, stop the feeder and the workers.
	defer func() {
		cancel()
		for range queue {
		}
		wg.Wait()
	}()
	step := max(n/20, 1)
	next := step
	for c := range queue {
		select {
		case <-c.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if c.err != nil {
			return c.err
		}
		if err := b.Posts(ctx, c.posts); err != nil {
			return err
		}
		for i := range c.revs {
			if err := b.Revision(ctx, &c.revs[i]); err != nil {
				return err
			}
		}
		for i := range c.thanks {
			if err := b.Reaction(ctx, &c.thanks[i]); err != nil {
				return err
			}
		}
		sum.Posts += len(c.posts)
		sum.Thanks += len(c.thanks)
		if c.hi >= next || c.hi == n {
			report("posts", c.hi, n, t0)
			for next <= c.hi {
				next += step
			}
		}
	}
	return ctx.Err()
}

// voice is how the posts of a topic's category talk.
func (p *plan) voice(t *planTopic) *voice {
	if v := voices[p.cats[t.cat].Slug]; v != nil {
		return v
	}
	return defaultVoice
}

// renderCache renders Markdown with the store's pipeline, keeping the HTML
// of short texts: "Håller med!" is written thousands of times. One worker
// owns each cache.
type renderCache struct {
	md   *markdown.Renderer
	html map[string]string
}

// render renders src, trying again when the renderer was only busy or
// slow (its budget is wall time, which a loaded machine can exceed).
func (c *renderCache) render(src string) (string, error) {
	short := len(src) <= 160
	if short {
		if h, ok := c.html[src]; ok {
			return h, nil
		}
	}
	var err error
	for range 5 {
		var html string
		if html, err = c.md.Render(src); err == nil {
			if short {
				if len(c.html) >= 10000 {
					clear(c.html)
				}
				c.html[src] = html
			}
			return html, nil
		}
	}
	return "", fmt.Errorf("render a post: %w", err)
}

// prepare generates the chunk's posts: text, HTML, an edit's earlier
// version, and who thanked them.
func (p *plan) prepare(rc *renderCache, c *chunk) error {
	c.posts = make([]forum.BulkPost, 0, c.hi-c.lo)
	var chosen []int32
	for _, k := range p.order[c.lo:c.hi] {
		pp := &p.posts[k]
		t := &p.topics[pp.topic]
		pt := postText{Voice: p.voice(t), Subject: t.subject, Kind: kindNames[t.kind], First: pp.seq == 1}
		if pt.First && t.site >= 0 {
			pt.Site, pt.URL = &sites[t.site], t.url
		}
		if pt.First && t.pinned {
			c := &p.cats[t.cat]
			pt.Welcome = &[2]string{c.Name, c.Description}
		}
		if pp.mention >= 0 {
			pt.Mention = p.members[pp.mention].username
		}
		if pp.flags&flagQuote != 0 && pp.replyTo >= 0 {
			target := &p.posts[pp.replyTo]
			if target.seq == 1 && t.pinned {
				pt.Quote = "Håll god ton, även när vi tycker olika"
			} else {
				_, pt.Quote, _ = opening(newRand(p.seed, int(pp.replyTo), 1), pt.Voice, t.subject, target.seq == 1)
			}
		}
		paras := body(newRand(p.seed, int(k), 1), newRand(p.seed, int(k), 2), &pt)
		text := strings.TrimSpace(strings.Join(paras, "\n\n"))
		bp := forum.BulkPost{ID: p.postID(k), TopicID: t.id, Seq: int(pp.seq), AuthorID: p.members[pp.author].id,
			Version: 1, ThanksCount: int(pp.thanks), ReplyCount: int(pp.replies), CreatedAt: at(pp.at)}
		if pp.replyTo >= 0 {
			bp.ReplyTo = p.postID(pp.replyTo)
		}
		r := newRand(p.seed, int(k), 3)
		later := func(mean float64) time.Time {
			return at(min(pp.at+int64(r.ExpFloat64()*mean), p.now-int64(time.Second)))
		}
		switch {
		case pp.flags&flagDeleted != 0:
			bp.Version, bp.DeletedAt, bp.DeletedBy = 2, later(float64(2*hour)), "author"
			if bp.DeletedAt.UnixNano() < pp.at {
				bp.DeletedAt = at(pp.at)
			}
		default:
			html, err := rc.render(text)
			if err != nil {
				return err
			}
			bp.Body, bp.BodyHTML = text, html
			if pp.flags&flagEdit != 0 && len(paras) >= 2 {
				old := strings.TrimSpace(strings.Join(paras[:len(paras)-1], "\n\n"))
				oldHTML, err := rc.render(old)
				if err != nil {
					return err
				}
				bp.Version, bp.EditedAt = 2, later(float64(40*minute))
				if bp.EditedAt.UnixNano() < pp.at {
					bp.EditedAt = at(pp.at)
				}
				c.revs = append(c.revs, forum.BulkRevision{PostID: bp.ID, Version: 1, Body: old, BodyHTML: oldHTML,
					EditedBy: bp.AuthorID, CreatedAt: bp.EditedAt})
			}
		}
		c.posts = append(c.posts, bp)
		// Who thanked it: distinct members, never the author, each one who
		// had joined by the time she thanked.
		chosen = chosen[:0]
		for range pp.thanks {
			when := min(pp.at+int64(r.ExpFloat64()*float64(8*hour)), p.now-int64(time.Second))
			when = max(when, pp.at)
			m := p.drawThanker(r, when, pp.author, chosen)
			chosen = append(chosen, m)
			c.thanks = append(c.thanks, forum.BulkReaction{PostID: bp.ID, MemberID: p.members[m].id, CreatedAt: at(when)})
		}
	}
	return nil
}

// drawThanker draws a member who had joined by t, is not the author and
// has not thanked the post yet. The plan keeps the thanks below the number
// of such members, so the scan at the end always finds one.
func (p *plan) drawThanker(r *rand.Rand, t int64, author int32, chosen []int32) int32 {
	ok := func(m int32) bool {
		return m != author && !slices.Contains(chosen, m)
	}
	for range 8 {
		if m := p.drawMember(r, t); ok(m) {
			return m
		}
	}
	k := max(p.eligible(t), 1)
	start := r.IntN(k)
	for j := range k {
		if m := p.posters[(start+j)%k]; ok(m) {
			return m
		}
	}
	return p.posters[start] // not reached: thanks < eligible members
}
