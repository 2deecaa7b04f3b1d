package forum

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"kliv/forum/search"
)

// srEnv is a small forum for the search tests: members, and topics whose
// words each test relies on.
type srEnv struct {
	t    *testing.T
	s    *Store
	ctx  context.Context
	now  time.Time
	cats []Category
	ada  *Member
	bea  *Member
}

func newSrEnv(t *testing.T) *srEnv {
	t.Helper()
	ctx := context.Background()
	s, _ := newTestStore(t)
	s.BaseURL = "https://kliv.test"
	e := &srEnv{t: t, s: s, ctx: ctx, now: time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)}
	e.s.Now = func() time.Time { return e.now }
	var err error
	if e.cats, err = e.s.Categories(ctx, false); err != nil || len(e.cats) < 2 {
		t.Fatalf("categories: %v", err)
	}
	e.ada, e.bea = e.member("ada", StatusApproved), e.member("Bea", StatusApproved)
	return e
}

func (e *srEnv) member(name string, st Status) *Member {
	e.t.Helper()
	m, err := e.s.CreateMember(e.ctx, e.s.DB, NewMember{Username: name, Email: name + "@example.se", DisplayName: name,
		Password: "correct horse battery", Status: st})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// topic starts a topic a day after the last thing written.
func (e *srEnv) topic(by *Member, cat int, kind, title, body string) *Post {
	e.t.Helper()
	e.now = e.now.Add(24 * time.Hour)
	_, p, err := e.s.CreateTopic(e.ctx, by, NewTopic{CategoryID: e.cats[cat].ID, Kind: kind, Title: title, Body: body})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *srEnv) reply(by *Member, topicID int64, body string) *Post {
	e.t.Helper()
	e.now = e.now.Add(24 * time.Hour)
	p, err := e.s.CreatePost(e.ctx, by, topicID, NewPost{Body: body})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// search returns the ids of the posts found for input, best first.
func (e *srEnv) search(input string) []int64 {
	e.t.Helper()
	return e.searchQ(search.Parse(input))
}

func (e *srEnv) searchQ(q search.Query) []int64 {
	e.t.Helper()
	res, err := e.s.Search(e.ctx, e.ada, q, SearchOptions{Limit: 50})
	if err != nil {
		e.t.Fatalf("Search(%+v): %v", q, err)
	}
	ids := []int64{}
	for _, r := range res.Results {
		ids = append(ids, r.PostID)
	}
	return ids
}

func srSorted(ids []int64) []int64 {
	out := slices.Clone(ids)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func srIDs(ps ...*Post) []int64 {
	out := []int64{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return srSorted(out)
}

func TestSearchFinds(t *testing.T) {
	e := newSrEnv(t)
	lead := e.topic(e.ada, 0, KindQuestion, "Ledarskap i äldreomsorgen", "Hur leder man med tillit? Vi har medarbetarsamtal.")
	east := e.topic(e.bea, 1, KindTip, "Öst och väst", "Frukost i Östersund.")
	cheese := e.topic(e.ada, 1, KindDiscussion, "Ost och bröd", "Vi åt ost på fikat.")
	trust := e.topic(e.bea, 0, KindDiscussion, "Styrning", "Om tillitsbaserad styrning i kommunen.")
	other := e.topic(e.ada, 0, KindDiscussion, "Budget", "Styrning utan tillitsbaserad ledning, i regionen.")
	reply := e.reply(e.bea, lead.TopicID, "Ledare behöver stöd. **Tillit** är viktigt, läs [rapporten](https://skolverket.se/rapport).")
	for _, tt := range []struct {
		in   string
		want []int64
	}{
		{"öst", srIDs(east)},
		{"ost", srIDs(cheese)},
		{"ÖST", srIDs(east)},
		{"Östersund", srIDs(east)},
		{"östersund", srIDs(east)},
		{"led*", srIDs(lead, other, reply)}, // ledarskap, leder, ledning, ledare
		{"LED*", srIDs(lead, other, reply)},
		{"ledare", srIDs(reply)},
		{`"tillitsbaserad styrning"`, srIDs(trust)},
		{"tillitsbaserad styrning", srIDs(trust, other)},
		{"styrning -kommunen", srIDs(other)},
		{`styrning -"i kommunen"`, srIDs(other)},
		{"tillit", srIDs(lead, trust, other, reply)}, // and the compound tillitsbaserad (forms.go)
		{`"tillit"`, srIDs(lead, reply)},             // in quotes: as typed
		{"skolverket", srIDs(reply)},                 // a link's address is indexed too
		{"kind:tip öst*", srIDs(east)},
		{"ost*", srIDs(cheese)},
		{"typ:diskussion styrning", srIDs(trust, other)},
		{"@Bea styrning", srIDs(trust)},
		{"av:bea styrning", srIDs(trust)},
		{"@nobody styrning", nil},
		{"kategori:" + e.cats[1].Slug + " och", srIDs(east, cheese)},
		{"kategori:nosuch och", nil},
		{"i:rubrik ledarskap", srIDs(lead)},
		{"i:rubrik ledare", nil},
		{"in:title öst", srIDs(east)},
		{"efter:2025-03-09 styrning", srIDs(other)},
		{"före:2025-03-08 styrning", srIDs(trust)}, // both days are included
		{"före:2025-03-07 styrning", nil},
		{"före:2025-03-08 efter:2025-03-08 styrning", srIDs(trust)},
		{"-ost", nil},
		{"", nil},
		{`"`, nil},
		{"@bea", nil},
	} {
		got := srSorted(e.search(tt.in))
		if tt.want == nil {
			tt.want = []int64{}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("search %q = %v, want %v", tt.in, got, tt.want)
		}
	}
	// A category also by id, as the API gives it.
	if got := srSorted(e.searchQ(search.Query{Terms: search.Parse("och").Terms, Category: fmt.Sprint(e.cats[1].ID)})); !slices.Equal(got, srIDs(east, cheese)) {
		t.Errorf("category by id: %v", got)
	}
}

// Every input from the parser's hostile list reaches SQLite without an
// error, with and without filters.
func TestSearchHostileInputs(t *testing.T) {
	e := newSrEnv(t)
	e.topic(e.ada, 0, KindQuestion, "Ledarskap (och) \"citat\"", "AND OR NOT NEAR * - ^ : ( ) ' %")
	inputs := []string{`"`, `""`, `"unbalanced`, `(`, `)`, `a AND`, `AND`, `OR`, `NOT`, `NOT a`, `NEAR`, `a NEAR/3 b`, `*`,
		`-`, `--a`, `-a`, `a -`, `title:a`, `body:"x y"`, `docid:1`, `^a`, `'a'`, `a'; DROP TABLE posts; --`, "\x00",
		"\xff", `<script>alert(1)</script>`, `%`, `_`, strings.Repeat(`(`, 500), strings.Repeat("a OR ", 200),
		strings.Repeat("ö", 2000), `kategori:"x"`, `@<b>`, `efter:2025-13-45`, `i:`, `ledarskap*`, `le*`, `l*`,
		`"ledarskap och"`, `och NOT`, `och AND NOT och`}
	for _, in := range inputs {
		for _, extra := range []string{"", " kind:tip", " i:rubrik", " @ada", " efter:2020-01-01 före:2030-01-01", " kategori:" + e.cats[0].Slug} {
			if _, err := e.s.Search(e.ctx, e.ada, search.Parse(in+extra), SearchOptions{}); err != nil {
				t.Errorf("Search(%q): %v", in+extra, err)
			}
		}
	}
}

func TestSearchKeepsIndexInStep(t *testing.T) {
	e := newSrEnv(t)
	p := e.topic(e.ada, 0, KindDiscussion, "Schemaläggning", "Vi provar önskeschema.")
	if got := e.search("önskeschema"); !slices.Equal(got, []int64{p.ID}) {
		t.Fatalf("new post: %v", got)
	}
	// Edit: the old words go, the new come.
	if _, err := e.s.EditPost(e.ctx, e.ada, p.ID, "Vi provar delade turer.", p.Version); err != nil {
		t.Fatal(err)
	}
	if got := e.search("önskeschema"); len(got) != 0 {
		t.Errorf("edited-away word still found: %v", got)
	}
	if got := e.search("turer"); !slices.Equal(got, []int64{p.ID}) {
		t.Errorf("edited-in word: %v", got)
	}
	// A renamed topic is found by its new title only.
	if _, err := e.s.DB.Exec(`UPDATE topics SET title = 'Bemanning' WHERE id = ?`, p.TopicID); err != nil {
		t.Fatal(err)
	}
	if got := e.search("schemaläggning"); len(got) != 0 {
		t.Errorf("old title still found: %v", got)
	}
	if got := e.search("i:rubrik bemanning"); !slices.Equal(got, []int64{p.ID}) {
		t.Errorf("new title: %v", got)
	}
	// A deleted post is gone.
	r := e.reply(e.bea, p.TopicID, "Turer på helgen också.")
	if err := e.s.DeletePost(e.ctx, e.bea, r.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.search("turer"); !slices.Equal(got, []int64{p.ID}) {
		t.Errorf("after delete: %v", got)
	}
	// A deleted topic takes its posts out of the index.
	if _, err := e.s.DB.Exec(`DELETE FROM topics WHERE id = ?`, p.TopicID); err != nil {
		t.Fatal(err)
	}
	var n int
	count := `SELECT COUNT(*) FROM post_search WHERE post_search MATCH 'turer OR bemanning'`
	if e.s.PG() {
		count = `SELECT COUNT(*) FROM post_search WHERE doc @@ 'turer | bemanning'::tsquery`
	}
	if err := e.s.DB.Get(&n, count); err != nil || n != 0 {
		t.Errorf("deleted topic: %d rows in the index, %v", n, err)
	}
	checkSearchIndex(t, e.s)
}

// checkSearchIndex fails the test unless the index holds exactly the
// readable posts' text (FTS4 compares it with the content view; on
// PostgreSQL the rows are compared with what a rebuild would write).
func checkSearchIndex(t *testing.T, s *Store) {
	t.Helper()
	if s.PG() {
		var n int
		err := s.DB.Get(&n, `SELECT COUNT(*) FROM (
			(SELECT post_id, title::text, doc::text FROM post_search
			EXCEPT SELECT p.id, x.tv::text, (setweight(x.tv, 'A') || setweight(kliv_search_vector(p.body), 'B'))::text
				FROM posts p JOIN topics t ON t.id = p.topic_id,
				LATERAL (SELECT CASE WHEN p.seq = 1 THEN kliv_search_vector(t.title) ELSE ''::tsvector END AS tv) x
				WHERE p.deleted_at IS NULL AND p.hidden_at IS NULL)
			UNION ALL
			(SELECT p.id, x.tv::text, (setweight(x.tv, 'A') || setweight(kliv_search_vector(p.body), 'B'))::text
				FROM posts p JOIN topics t ON t.id = p.topic_id,
				LATERAL (SELECT CASE WHEN p.seq = 1 THEN kliv_search_vector(t.title) ELSE ''::tsvector END AS tv) x
				WHERE p.deleted_at IS NULL AND p.hidden_at IS NULL
			EXCEPT SELECT post_id, title::text, doc::text FROM post_search)) d`)
		if err != nil || n != 0 {
			t.Errorf("search index out of step: %d rows differ, %v", n, err)
		}
		return
	}
	if _, err := s.DB.Exec(`INSERT INTO post_search (post_search) VALUES ('integrity-check')`); err != nil {
		t.Errorf("search index out of step: %v", err)
	}
}

func TestSearchBulkLoad(t *testing.T) {
	e := newSrEnv(t)
	before := e.topic(e.ada, 0, KindDiscussion, "Rekrytering", "Sjuksköterskor är svåra att hitta.")
	if err := e.s.BeginBulkLoad(e.ctx); err != nil {
		t.Fatal(err)
	}
	during := e.topic(e.bea, 0, KindDiscussion, "Rekrytering igen", "Undersköterskor också.")
	if _, err := e.s.EditPost(e.ctx, e.ada, before.ID, "Sjuksköterskor och läkare.", before.Version); err != nil {
		t.Fatal(err)
	}
	if got := e.search("rekrytering"); !slices.Equal(got, []int64{before.ID}) {
		t.Errorf("during the bulk load the index stands still: %v", got)
	}
	if err := e.s.EndBulkLoad(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := srSorted(e.search("rekrytering")); !slices.Equal(got, srIDs(before, during)) {
		t.Errorf("after the bulk load: %v", got)
	}
	if got := e.search("läkare"); !slices.Equal(got, []int64{before.ID}) {
		t.Errorf("edit during the bulk load: %v", got)
	}
	// The triggers work again.
	p := e.topic(e.ada, 0, KindDiscussion, "Introduktion", "Nya chefer.")
	if got := e.search("introduktion"); !slices.Equal(got, []int64{p.ID}) {
		t.Errorf("after the bulk load: %v", got)
	}
	checkSearchIndex(t, e.s)
}

func TestSearchRanksAndMarks(t *testing.T) {
	e := newSrEnv(t)
	inTitle := e.topic(e.ada, 0, KindDiscussion, "Arbetsmiljö i hemtjänsten", "Hur gör ni?")
	inBody := e.topic(e.bea, 0, KindDiscussion, "Fråga", "Vår arbetsmiljö är god, och arbetsmiljö är viktigt `<script>alert(1)</script>`.")
	got := e.search("arbetsmiljö")
	if !slices.Equal(got, []int64{inTitle.ID, inBody.ID}) {
		t.Errorf("title match should rank first: %v", got)
	}
	res, err := e.s.Search(e.ctx, e.ada, search.Parse("arbetsmiljö hemtj*"), SearchOptions{})
	if err != nil || len(res.Results) != 1 {
		t.Fatalf("results %+v, %v", res, err)
	}
	if h := res.Results[0].TitleMarks.HTML(); h != "<mark>Arbetsmiljö</mark> i <mark>hemtjänsten</mark>" {
		t.Errorf("title marks: %s", h)
	}
	res, err = e.s.Search(e.ctx, e.ada, search.Parse("alert"), SearchOptions{})
	if err != nil || len(res.Results) != 1 {
		t.Fatalf("results %+v, %v", res, err)
	}
	if s := res.Results[0].Snippet.HTML(); strings.Contains(s, "<script>") || !strings.Contains(s, "&lt;script&gt;<mark>alert</mark>(1)") {
		t.Errorf("snippet not escaped: %s", s)
	}
	// Paging.
	for i := range 5 {
		e.reply(e.bea, inBody.TopicID, fmt.Sprintf("Arbetsmiljö %d.", i))
	}
	res, err = e.s.Search(e.ctx, e.ada, search.Parse("arbetsmiljö"), SearchOptions{Limit: 3})
	if err != nil || len(res.Results) != 3 || res.NextPage != 2 {
		t.Fatalf("page 1: %+v, %v", res, err)
	}
	res, err = e.s.Search(e.ctx, e.ada, search.Parse("arbetsmiljö"), SearchOptions{Limit: 3, Page: 3})
	if err != nil || len(res.Results) != 1 || res.NextPage != 0 {
		t.Fatalf("page 3: %+v, %v", res, err)
	}
	// Only members search.
	pia := e.member("pia", StatusPending)
	if _, err := e.s.Search(e.ctx, pia, search.Parse("arbetsmiljö"), SearchOptions{}); err == nil {
		t.Error("an applicant searched")
	}
	if _, err := e.s.Search(e.ctx, nil, search.Parse("arbetsmiljö"), SearchOptions{}); err == nil {
		t.Error("nobody searched")
	}
}

func TestSnippet(t *testing.T) {
	h := newHighlighter(search.Parse(`led* "tillit och"`), nil)
	long := strings.Repeat("ord ", 40) + "Vi leder med tillit och omtanke. " + strings.Repeat("slut ", 40)
	for _, tt := range []struct{ in, want string }{
		{"Ledare", "<mark>Ledare</mark>"},
		{"Tillit & <b>", "<mark>Tillit</mark> &amp; &lt;b&gt;"},
		{"le ledd", "le <mark>ledd</mark>"},
		{long, "…ord ord ord Vi <mark>leder</mark> med <mark>tillit</mark> <mark>och</mark> omtanke." + strings.Repeat(" slut", 23) + "…"},
	} {
		if got := h.snippet(tt.in, snippetWords).HTML(); got != tt.want {
			t.Errorf("snippet(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestResumeSearchIndex: a bulk load that never ended (a killed seed) is
// finished at the next start, so new posts are found again.
func TestResumeSearchIndex(t *testing.T) {
	e := newSrEnv(t)
	if rebuilt, err := e.s.ResumeSearchIndex(e.ctx); err != nil || rebuilt {
		t.Fatalf("nothing to resume: %v %v", rebuilt, err)
	}
	if err := e.s.BeginBulkLoad(e.ctx); err != nil {
		t.Fatal(err)
	}
	lost := e.topic(e.ada, 0, KindDiscussion, "Kompetensförsörjning", "Hur behåller ni personalen?")
	if got := e.search("kompetensförsörjning"); len(got) != 0 {
		t.Fatalf("paused index found %v", got)
	}
	if rebuilt, err := e.s.ResumeSearchIndex(e.ctx); err != nil || !rebuilt {
		t.Fatalf("resume: %v %v", rebuilt, err)
	}
	if got := e.search("kompetensförsörjning"); !slices.Equal(got, []int64{lost.ID}) {
		t.Errorf("after resuming: %v", got)
	}
	checkSearchIndex(t, e.s)
}

// Swedish word forms (search.MatchForms): a word finds its definite and
// plural forms and the compounds it begins, ranked below the word as
// typed; a quoted word, a prefix and a title-only search stay as typed.
func TestSearchWordForms(t *testing.T) {
	e := newSrEnv(t)
	exact := e.topic(e.ada, 0, KindDiscussion, "Glesbygd", "Hemtjänst i glesbygd är svårt att planera.")
	definite := e.topic(e.bea, 0, KindDiscussion, "Personal", "Hemtjänsten i vår kommun har nya scheman.")
	compound := e.topic(e.ada, 1, KindQuestion, "Sommaren", "Hur gör ni semesterschemat? Vi lägger det i mars.")
	holiday := e.topic(e.bea, 1, KindDiscussion, "Ledigt", "Semester för alla i juli.")
	chiefs := e.topic(e.ada, 0, KindDiscussion, "Nätverk", "Cheferna i regionen träffas varje månad.")
	schools := e.topic(e.bea, 1, KindDiscussion, "Skolan", "Skolan har fått ny rektor.")
	// A decoy that shares letters, never a form: no search below finds it.
	e.topic(e.ada, 0, KindDiscussion, "Annat", "Hemma hos oss är det lugnt.")
	for _, tt := range []struct {
		in   string
		want []int64 // best first
	}{
		{"hemtjänst", []int64{exact.ID, definite.ID}},
		{"hemtjänsten", []int64{definite.ID, exact.ID}},
		{"semester", []int64{holiday.ID, compound.ID}},
		{"chef", []int64{chiefs.ID}},
		{"chefer", []int64{chiefs.ID}},
		{"skolor", []int64{schools.ID}},
		{`"hemtjänst"`, []int64{exact.ID}},
		{"hemtjänst*", []int64{definite.ID, exact.ID}}, // a prefix as today: newest first among equals
		{"i:rubrik glesbygd", []int64{exact.ID}},
		{"i:rubrik glesbygden", nil}, // a title-only search takes the word as typed
		{"hem", nil},                 // too short for forms: only the word itself
		{"semester -juli", []int64{compound.ID}},
	} {
		got := e.search(tt.in)
		if tt.want == nil {
			tt.want = []int64{}
		}
		if tt.in == "hemtjänst*" {
			got = srSorted(got)
			tt.want = srSorted(tt.want)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("search %q = %v, want %v", tt.in, got, tt.want)
		}
	}
	// The other form is marked in the snippet.
	res, err := e.s.Search(e.ctx, e.ada, search.Parse("hemtjänst"), SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 2 || !strings.Contains(res.Results[1].Snippet.HTML(), "<mark>Hemtjänsten</mark>") {
		t.Errorf("snippets: %+v", res.Results)
	}
}
