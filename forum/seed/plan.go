package seed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"kliv/forum"
	"kliv/forum/links"
)

// The plan is everything about the demo forum except the text of the
// posts: who joined when, which topics there are, and who replied to what,
// when, and how many thanked it. It is drawn in one goroutine from one
// random source, so a seed gives the same forum; the posts' text is drawn
// later, in parallel, from a source of each post's own. Knowing the whole
// plan before writing lets every row be written once with its final
// counters.

const (
	day    = int64(24 * time.Hour)
	hour   = int64(time.Hour)
	minute = int64(time.Minute)
)

// Topic kinds, as indexes into forum.Kinds.
const (
	kindDiscussion = iota
	kindQuestion
	kindTip
	kindLink
)

var kindNames = [...]string{forum.KindDiscussion, forum.KindQuestion, forum.KindTip, forum.KindLink}

type planMember struct {
	id         int64
	username   string
	display    string
	email      string
	role       forum.Role
	status     forum.Status
	roleTitle  string
	workplace  string
	sector     string
	staff      bool
	motivation string
	created    int64 // unix nanoseconds
	approved   int64 // 0 unless approved
	decided    int64 // when a rejection was made
	reason     string
	weight     float64 // how much she writes
}

type planTopic struct {
	id      int64
	cat     int32
	kind    uint8
	pinned  bool
	author  int32 // index into plan.members
	created int64
	locked  int64
	title   string
	subject string
	url     string
	site    int16 // index into sites, or -1
	first   int32 // plan index of the first post
	n       int32 // posts
	answer  int32 // plan index of the accepted answer, or -1
}

// Post flags.
const (
	flagQuote = 1 << iota
	flagDeleted
	flagEdit
)

type planPost struct {
	at      int64 // unix nanoseconds, increasing within a topic
	topic   int32
	seq     int32
	author  int32 // index into plan.members
	replyTo int32 // plan index, or -1
	mention int32 // index into plan.members, or -1
	replies int32 // posts that answer it
	thanks  int32
	flags   uint8
}

type plan struct {
	seed     uint64
	now      int64
	start    int64
	cats     []forum.Category
	members  []planMember
	admin    int32
	mod      int32
	topics   []planTopic
	posts    []planPost // topic by topic, in seq order
	order    []int32    // plan indexes in the order they are written (by time)
	rank     []int32    // plan index → position in order
	postBase int64      // ids are postBase+1+rank

	// The approved members by approval time, with the running sum of their
	// weights, for drawing a writer among those who had joined by then.
	posters  []int32
	joinedAt []int64
	cum      []float64
}

func (p *plan) postID(k int32) int64 { return p.postBase + 1 + int64(p.rank[k]) }

// eligible returns how many members had joined by t.
func (p *plan) eligible(t int64) int {
	return sort.Search(len(p.joinedAt), func(i int) bool { return p.joinedAt[i] > t })
}

// drawMember draws a member who had joined by t, the busier more often.
func (p *plan) drawMember(r *rand.Rand, t int64) int32 {
	k := max(p.eligible(t), 1)
	u := r.Float64() * p.cum[k-1]
	i := sort.Search(k, func(i int) bool { return p.cum[i] > u })
	return p.posters[min(i, k-1)]
}

// settings are the sizes a plan is drawn to.
type settings struct {
	Members, Topics, Posts int
}

func newPlan(seed uint64, s settings, cats []forum.Category, now time.Time, taken map[string]bool,
	memberBase, topicBase, postBase int64) *plan {
	p := &plan{seed: seed, now: now.UnixNano(), cats: cats, postBase: postBase}
	p.start = p.now - 730*day
	r := newRand(seed, 0, 0)
	p.drawMembers(r, s.Members, taken, memberBase)
	p.drawTopics(r, s.Topics, topicBase)
	p.drawPosts(r, s.Posts)
	p.sortPosts()
	return p
}

var fold = strings.NewReplacer("å", "a", "ä", "a", "ö", "o", "é", "e", "ć", "c", "č", "c", "ž", "z", "ü", "u", "š", "s", "đ", "d")

// username makes a free username of a name, in one of the ways people
// pick theirs.
func username(r *rand.Rand, first, last string, taken map[string]bool) string {
	f, l := fold.Replace(strings.ToLower(first)), fold.Replace(strings.ToLower(last))
	var base string
	switch r.IntN(6) {
	case 0, 1:
		base = f + "." + l
	case 2:
		base = f + l
	case 3:
		base = f + "_" + l
	case 4:
		base = f[:1] + l
	default:
		base = f + "." + l[:1]
	}
	if len(base) > 26 {
		base = strings.TrimRight(base[:26], "._")
	}
	name := base
	for i := 0; taken[name] || len(name) < 3; i++ {
		if i < 20 {
			name = fmt.Sprintf("%s%d", base, 2+r.IntN(98))
		} else {
			name = fmt.Sprintf("%s%d", base, 100+r.IntN(9900))
		}
	}
	taken[name] = true
	return name
}

// workplace draws a sector and a place of work in it, with its e-mail host.
func workplace(r *rand.Rand) (sector, work, host string) {
	switch x := r.IntN(100); {
	case x < 58:
		pl := pick(r, municipalities)
		return "municipality", pl.Name + ", " + pick(r, municipalUnits), pl.Host
	case x < 85:
		pl := pick(r, regions)
		return "region", pl.Name + ", " + pick(r, regionUnits), pl.Host
	case x < 95:
		pl := pick(r, agencies)
		return "state", pl.Name + ", " + pick(r, agencyUnits), pl.Host
	default:
		pl := pick(r, otherOrgs)
		return "other", pl.Name, pl.Host
	}
}

// growth draws a moment in [from, to) with activity growing over time.
func growth(r *rand.Rand, from, to int64) int64 {
	x := r.Float64()
	if r.IntN(5) > 0 {
		x = math.Pow(x, 0.7)
	}
	return from + int64(x*float64(to-from))
}

// hourWeights is when people write, by the hour of the (Swedish) day.
var hourWeights = [24]int{1, 0, 0, 0, 0, 1, 3, 8, 12, 12, 10, 9, 8, 10, 10, 9, 7, 5, 5, 6, 7, 6, 3, 2}

var hourCum = func() (c [24]int) {
	s := 0
	for i, w := range hourWeights {
		s += w
		c[i] = s
	}
	return c
}()

// workday moves t to a likely hour of its day, and weekends mostly to a
// weekday, keeping it before limit.
func workday(r *rand.Rand, t, limit int64) int64 {
	for range 4 {
		tm := time.Unix(0, t).UTC()
		if wd := tm.Weekday(); (wd == time.Saturday || wd == time.Sunday) && r.IntN(3) > 0 {
			t -= int64(1+r.IntN(2)) * day
			continue
		}
		midnight := time.Date(tm.Year(), tm.Month(), tm.Day(), 0, 0, 0, 0, time.UTC).UnixNano()
		x := r.IntN(hourCum[23])
		h := sort.Search(24, func(i int) bool { return hourCum[i] > x })
		// Swedish time is an hour or two ahead of UTC.
		u := midnight + int64(h-1)*hour + r.Int64N(hour)
		if u < limit {
			return u
		}
		break
	}
	return min(t, limit)
}

func (p *plan) drawMembers(r *rand.Rand, n int, taken map[string]bool, base int64) {
	nPending, nRejected := max(3, n/100), max(2, n/100)
	total := n + nPending + nRejected
	ms := make([]planMember, 0, total)
	founders := p.start - 90*day
	staff := func(name, display string, role forum.Role) {
		for taken[name] {
			name += "2"
		}
		taken[name] = true
		ms = append(ms, planMember{username: name, display: display, email: name + "@kliv.example", role: role,
			status: forum.StatusApproved, roleTitle: map[forum.Role]string{forum.RoleAdmin: "Administratör", forum.RoleModerator: "Moderator"}[role],
			workplace: "Kliv", sector: "other", created: founders, approved: founders, weight: 3})
	}
	staff("admin", "Kliv Admin", forum.RoleAdmin)
	staff("moderator", "Kliv Moderator", forum.RoleModerator)
	for i := range total - 2 {
		first, last := pick(r, firstNames), pick(r, lastNames)
		m := planMember{display: first + " " + last, role: forum.RoleMember}
		m.username = username(r, first, last, taken)
		var host string
		m.sector, m.workplace, host = workplace(r)
		m.email = m.username + "@" + host + ".example"
		m.roleTitle = pick(r, roleTitles[m.sector])
		m.staff = r.IntN(10) > 0
		m.motivation = pick(r, motivations)
		m.weight = math.Exp(1.1 * r.NormFloat64())
		switch {
		case i < n-2:
			m.status = forum.StatusApproved
			if r.IntN(100) < 12 {
				m.approved = p.start - r.Int64N(60*day)
			} else {
				m.approved = growth(r, p.start, p.now-2*hour)
			}
			m.created = m.approved - hour - r.Int64N(3*day)
			if n >= 500 && r.IntN(500) == 0 {
				m.role = forum.RoleModerator
			}
		case i < n-2+nPending:
			m.status = forum.StatusPending
			m.created = p.now - 10*minute - r.Int64N(14*day)
		default:
			m.status = forum.StatusRejected
			m.created = growth(r, p.start, p.now-4*day)
			m.decided = m.created + 2*hour + r.Int64N(3*day)
			m.reason = pick(r, rejectReasons)
		}
		ms = append(ms, m)
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].created < ms[j].created })
	for i := range ms {
		ms[i].id = base + 1 + int64(i)
	}
	p.members = ms
	for i := range ms {
		if ms[i].status == forum.StatusApproved {
			p.posters = append(p.posters, int32(i))
		}
	}
	// The first two are the staff accounts, whatever their names became.
	p.admin, p.mod = 0, 1
	sort.SliceStable(p.posters, func(i, j int) bool { return ms[p.posters[i]].approved < ms[p.posters[j]].approved })
	p.joinedAt = make([]int64, len(p.posters))
	p.cum = make([]float64, len(p.posters))
	sum := 0.0
	for i, m := range p.posters {
		p.joinedAt[i] = ms[m].approved
		sum += ms[m].weight
		p.cum[i] = sum
	}
}

// kindWeights are how often each kind starts a topic: in the category of
// tips and links, and elsewhere.
var (
	kindWeightsTips  = [4]int{10, 5, 40, 45}
	kindWeightsOther = [4]int{52, 28, 12, 8}
)

func drawWeighted(r *rand.Rand, ws []int) int {
	sum := 0
	for _, w := range ws {
		sum += w
	}
	x := r.IntN(sum)
	for i, w := range ws {
		if x < w {
			return i
		}
		x -= w
	}
	return len(ws) - 1
}

func (p *plan) drawTopics(r *rand.Rand, n int, base int64) {
	ts := make([]planTopic, n)
	created := make([]int64, n)
	first := p.start + day
	for i := range created {
		created[i] = workday(r, growth(r, first, p.now-10*minute), p.now-5*minute)
		created[i] = max(created[i], first)
	}
	slices.Sort(created)
	cw := make([]int, len(p.cats))
	for i, c := range p.cats {
		cw[i] = 6
		if w, ok := categoryWeights[c.Slug]; ok {
			cw[i] = w
		}
	}
	for i := range ts {
		t := &ts[i]
		t.id = base + 1 + int64(i)
		t.created = created[i]
		t.cat = int32(drawWeighted(r, cw))
		t.site = -1
		t.answer = -1
	}
	// Every category gets a pinned welcome from the staff as its first
	// topic, and, when there are enough topics, every kind appears.
	seen := map[int32]bool{}
	for i := range ts {
		if !seen[ts[i].cat] && len(seen) < len(p.cats) && n >= 2*len(p.cats) {
			seen[ts[i].cat] = true
			ts[i].pinned = true
		}
	}
	if n >= len(p.cats) {
		free := []int{}
		for _, i := range r.Perm(n) {
			if !ts[i].pinned {
				free = append(free, i)
			}
		}
		for j := range p.cats {
			if !seen[int32(j)] && len(free) > 0 {
				ts[free[0]].cat = int32(j)
				free = free[1:]
			}
		}
		for k := range kindNames {
			if len(free) > 0 {
				ts[free[0]].kind = uint8(k) + 100 // forced below
				free = free[1:]
			}
		}
	}
	for i := range ts {
		t := &ts[i]
		cat := p.cats[t.cat]
		subs := subjects[cat.Slug]
		if subs == nil {
			subs = subjects[""]
		}
		t.subject = pick(r, subs)
		switch {
		case t.pinned:
			t.kind = kindDiscussion
			t.author = []int32{p.admin, p.mod}[r.IntN(2)]
			t.title = "Välkommen till " + cat.Name + " – läs det här först"
			continue
		case t.kind >= 100:
			t.kind -= 100
		case cat.Slug == "tips-och-lankar":
			t.kind = uint8(drawWeighted(r, kindWeightsTips[:]))
		default:
			t.kind = uint8(drawWeighted(r, kindWeightsOther[:]))
		}
		t.author = p.drawMember(r, t.created)
		if t.kind == kindLink {
			t.site = int16(r.IntN(len(sites)))
			s := &sites[t.site]
			raw := s.Base + pick(r, s.Paths) + forum.Slugify(t.subject)
			if r.IntN(3) == 0 {
				raw += fmt.Sprintf("-%d", 2020+r.IntN(6))
			}
			if r.IntN(4) == 0 {
				raw += "/"
			}
			if u, err := links.Normalize(raw); err == nil {
				t.url = u
			} else {
				t.url = raw
			}
			tmpl := pick(r, linkTitles)
			t.title = capitalize(strings.ReplaceAll(strings.ReplaceAll(tmpl, "{N}", s.Name), "{s}", t.subject))
			continue
		}
		titles := titleTemplates[kindNames[t.kind]]
		if v := voices[cat.Slug]; v != nil && v.titles != nil {
			titles = v.titles
		}
		tmpl := pick(r, titles)
		t.title = strings.ReplaceAll(strings.ReplaceAll(tmpl, "{S}", capitalize(t.subject)), "{s}", t.subject)
	}
	p.topics = ts
}

// replyCounts shares replies among the topics: a long tail, a few
// threads of thousands, and no more replies than a topic's age allows.
func (p *plan) replyCounts(r *rand.Rand, replies int) []int32 {
	ts := p.topics
	n := len(ts)
	counts := make([]int32, n)
	if n == 0 || replies <= 0 {
		return counts
	}
	capOf := func(i int) int64 { return (p.now - ts[i].created) / (3 * minute) }
	left := replies
	// A few long-running threads of a thousand or more replies, among
	// the topics older than four months.
	if replies >= 100 {
		k := max(1, n/5000)
		old := sort.Search(n, func(i int) bool { return ts[i].created > p.now-120*day })
		if old == 0 {
			old = n
		}
		for range k {
			size := min(replies*3/10/k, 1000+r.IntN(4000))
			i := r.IntN(old)
			for try := 0; ts[i].pinned && try < 10; try++ {
				i = r.IntN(old)
			}
			if ts[i].pinned {
				continue
			}
			size = int(min(int64(size), capOf(i)-int64(counts[i])))
			counts[i] += int32(size)
			left -= size
		}
	}
	// The rest by a log-normal weight, rounded by largest remainder.
	w := make([]float64, n)
	sum := 0.0
	for i := range ts {
		switch {
		case ts[i].pinned:
			w[i] = 0.3
		case r.IntN(10) == 0:
			continue
		default:
			w[i] = math.Exp(1.2 * r.NormFloat64())
			if ts[i].kind == kindLink {
				w[i] *= 0.6
			}
		}
		sum += w[i]
	}
	if sum == 0 {
		w[0], sum = 1, 1
	}
	type rem struct {
		i int
		f float64
	}
	rems := make([]rem, 0, n)
	given := 0
	for i := range ts {
		x := w[i] / sum * float64(left)
		c := int(x)
		counts[i] += int32(c)
		given += c
		rems = append(rems, rem{i, x - float64(c)})
	}
	sort.Slice(rems, func(a, b int) bool { return rems[a].f > rems[b].f || rems[a].f == rems[b].f && rems[a].i < rems[b].i })
	for j := 0; given < left; j++ {
		counts[rems[j%n].i]++
		given++
	}
	// A topic started ten minutes ago has no thousand replies: move what
	// is over a topic's age to older topics.
	excess := 0
	for i := range ts {
		if c := capOf(i); int64(counts[i]) > c {
			excess += int(int64(counts[i]) - c)
			counts[i] = int32(c)
		}
	}
	for tries := 0; excess > 0 && tries < 100*n+1000; tries++ {
		i := r.IntN(n)
		if room := capOf(i) - int64(counts[i]); room > 0 {
			add := int(min(room, int64(excess), int64(1+excess/max(1, n/10))))
			counts[i] += int32(add)
			excess -= add
		}
	}
	for i := 0; excess > 0 && i < n; i++ { // the oldest take the last of it
		room := int(capOf(i) - int64(counts[i]))
		add := min(room, excess)
		if add > 0 {
			counts[i] += int32(add)
			excess -= add
		}
	}
	return counts
}

func (p *plan) drawPosts(r *rand.Rand, total int) {
	replies := p.replyCounts(r, total-len(p.topics))
	p.posts = make([]planPost, 0, total)
	times := []int64{}
	for ti := range p.topics {
		t := &p.topics[ti]
		n := int(replies[ti])
		t.first = int32(len(p.posts))
		t.n = int32(n + 1)
		times = p.replyTimes(r, t.created, n, times[:0])
		firstIdx := t.first
		p.posts = append(p.posts, planPost{at: t.created, topic: int32(ti), seq: 1, author: t.author, replyTo: -1, mention: -1,
			thanks: p.drawThanks(r, t, true)})
		for j, at := range times {
			k := int32(len(p.posts))
			pp := planPost{at: at, topic: int32(ti), seq: int32(j + 2), replyTo: -1, mention: -1}
			if r.IntN(100) < 12 || t.kind == kindQuestion && r.IntN(100) < 10 {
				pp.author = t.author
			} else {
				pp.author = p.drawMember(r, at)
			}
			if r.IntN(100) < 35 {
				var target int32
				switch x := r.IntN(100); {
				case x < 45:
					target = firstIdx
				case x < 80:
					target = k - 1 - int32(r.IntN(min(5, j+1)))
				default:
					target = firstIdx + int32(r.IntN(j+1))
				}
				if p.posts[target].flags&flagDeleted == 0 {
					pp.replyTo = target
					p.posts[target].replies++
					if r.IntN(100) < 40 {
						pp.flags |= flagQuote
					}
					if a := p.posts[target].author; a != pp.author && r.IntN(100) < 15 {
						pp.mention = a
					}
				}
			}
			if pp.mention < 0 && r.IntN(100) < 4 {
				if m := p.drawMember(r, at); m != pp.author {
					pp.mention = m
				}
			}
			if x := r.IntN(1000); x < 4 {
				pp.flags |= flagDeleted
			} else {
				if x < 30 {
					pp.flags |= flagEdit
				}
				pp.thanks = p.drawThanks(r, t, false)
			}
			p.posts = append(p.posts, pp)
		}
		if r.IntN(100) < 3 {
			p.posts[firstIdx].flags |= flagEdit
		}
		// About half the questions got an answer someone marked.
		if t.kind == kindQuestion && n > 0 && r.IntN(100) < 45 {
			for range 5 {
				k := firstIdx + 1 + int32(r.IntN(min(n, 12)))
				if pp := &p.posts[k]; pp.author != t.author && pp.flags&flagDeleted == 0 {
					t.answer = k
					pp.thanks += 2 + int32(r.ExpFloat64()*3)
					break
				}
			}
		}
		if n >= 5 && !t.pinned && r.IntN(300) == 0 {
			last := p.posts[len(p.posts)-1].at
			t.locked = min(last+int64(r.ExpFloat64()*float64(day)), p.now-minute)
		}
		for k := firstIdx; k < int32(len(p.posts)); k++ {
			pp := &p.posts[k]
			pp.thanks = int32(min(int(pp.thanks), p.eligible(pp.at)-1, 60))
			pp.thanks = max(pp.thanks, 0)
		}
	}
}

// drawThanks draws how many thanked a post: tips the most.
func (p *plan) drawThanks(r *rand.Rand, t *planTopic, first bool) int32 {
	switch {
	case first && t.kind == kindTip:
		if r.IntN(100) < 85 {
			return 1 + int32(r.ExpFloat64()*5)
		}
	case first:
		if r.IntN(100) < 35 {
			return 1 + int32(r.ExpFloat64()*2)
		}
	default:
		if r.IntN(100) < 17 {
			return 1 + int32(r.ExpFloat64()*1.5)
		}
	}
	return 0
}

// replyTimes draws n increasing moments after t0: most replies come soon,
// a long thread goes on for months, none after now.
func (p *plan) replyTimes(r *rand.Rand, t0 int64, n int, out []int64) []int64 {
	if n == 0 {
		return out
	}
	horizon := p.now - t0 - minute
	var span int64
	switch {
	case n >= 500:
		span = int64(60+r.IntN(340)) * day
	case n >= 30:
		span = int64((2 + r.ExpFloat64()*20) * float64(day))
	default:
		span = int64((0.1 + r.ExpFloat64()*1.5) * float64(day) * (1 + float64(n)/10))
	}
	span = max(min(span, horizon), int64(n)*int64(time.Second))
	// Sorted uniform moments from exponential spacings, then bunched
	// towards the start.
	sum := 0.0
	gaps := make([]float64, n+1)
	for i := range gaps {
		gaps[i] = r.ExpFloat64()
		sum += gaps[i]
	}
	acc := 0.0
	prev := t0
	for i := range n {
		acc += gaps[i]
		x := math.Pow(acc/sum, 1.6)
		t := t0 + 30*int64(time.Second) + int64(x*float64(span-30*int64(time.Second)))
		t = t / int64(time.Millisecond) * int64(time.Millisecond)
		if t <= prev {
			t = prev + int64(time.Millisecond)
		}
		out = append(out, t)
		prev = t
	}
	return out
}

// sortPosts orders the posts by time, which numbers them.
func (p *plan) sortPosts() {
	n := len(p.posts)
	p.order = make([]int32, n)
	for i := range p.order {
		p.order[i] = int32(i)
	}
	slices.SortFunc(p.order, func(a, b int32) int {
		if c := p.posts[a].at - p.posts[b].at; c != 0 {
			if c < 0 {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	p.rank = make([]int32, n)
	for i, k := range p.order {
		p.rank[k] = int32(i)
	}
}
