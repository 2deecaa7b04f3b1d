package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/forum/ical"
	"kliv/forum/markdown"
	"kliv/i18n"
)

// etagOf is a strong ETag of a body.
func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// eventRow is an event in a list, its texts made in Go: a list shows up
// to hundreds (the month view), and a flat row of strings is what
// html/template reads fastest.
type eventRow struct {
	Path, Title, Start, When, Meta string
	// Clock is the start's time of day ("18:00") and Day its date
	// ("2026-12-10"), for the month view.
	Clock, Day string
	// Official and Cancelled are the badges' texts, "" for none.
	Official, Cancelled string
}

// eventRows dresses events for a list.
func eventRows(l i18n.Localizer, es []forum.Event) []eventRow {
	out := make([]eventRow, len(es))
	for i := range es {
		e := &es[i]
		meta := []string{}
		if e.Location != "" {
			meta = append(meta, e.Location)
		}
		if e.Online() {
			meta = append(meta, l.T("events.online"))
		}
		if e.Region != "" {
			meta = append(meta, e.Region)
		}
		going := l.N("events.going_count", e.Going)
		if e.Capacity != nil {
			going += " " + l.N("events.of_capacity", *e.Capacity)
		}
		meta = append(meta, going)
		start := e.StartsAt.In(i18n.Stockholm)
		out[i] = eventRow{Path: e.Path(), Title: e.Title, Start: e.StartsAt.UTC().Format(time.RFC3339),
			When: forum.EventWhen(l, e.StartsAt, e.EndsAt), Meta: strings.Join(meta, " · "), Clock: start.Format("15:04"), Day: start.Format("2006-01-02")}
		if e.Official {
			out[i].Official = l.T("events.official")
		}
		if e.Cancelled() {
			out[i].Cancelled = l.T("events.cancelled_badge")
		}
	}
	return out
}

// eventView is the event block of a topic page: when, where, the
// sign-up form, those going and the waiting list. It is rendered outside
// the cached post cards (see postcache.go), fresh on every view, so a
// sign-up never shows a stale block.
type eventView struct {
	*forum.Event
	When        string
	MyStatus    string
	Position    int
	CanOrganise bool
	CanModerate bool
	Open        bool
	Past        bool
	GoingList   []forum.Attendee
	WaitingList []forum.Attendee
	MaybeList   []forum.Attendee
	Organisers  []forum.Organiser
	// More is how many attendees the block leaves to the full list.
	More int
	// OrganisersHTML and PeopleHTML are the topic page's rendered
	// organisers and attendee list (with the link to the rest), shared by
	// every reader and cached (eventShared); empty on the attendee page,
	// which renders the lists.
	OrganisersHTML, PeopleHTML template.HTML
	// HTML is the topic page's whole block, rendered (eventBlock).
	HTML template.HTML
}

// eventBlockLimit is how many attendees the topic page lists; the rest
// are on the attendee page.
const eventBlockLimit = 30

// eventBlock is the event block for a topic page, or nil for a topic
// that is not an event.
func (a *app) eventBlock(c *gin.Context, t *forum.Topic, p *Page) (*eventView, error) {
	if t.Kind != forum.KindEvent {
		return nil, nil
	}
	ctx, m := c.Request.Context(), viewer(c)
	ve, err := a.store.EventOfTopic(ctx, m, t)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := a.eventViewHead(c, m, ve)
	if err := a.eventShared(c, p, v, ve.SignupsVersion); err != nil {
		return nil, err
	}
	// The whole block, from the cache too: the key holds everything it
	// shows, her own sign-up and rights included (a handful of entries per
	// event); her CSRF token goes into the holes (postcache.go).
	// TestEventBlockKeyCovers fails when a field is added unkeyed.
	k := cardKeyers.Get().(*cardKeyer)
	defer cardKeyers.Put(k)
	k.reset("eventblock/1")
	k.int(v.TopicID)
	k.int(ve.SignupsVersion)
	k.str(p.L.Lang)
	k.str(v.Title)
	k.bool(v.Official)
	k.optTime(v.CancelledAt)
	k.time(v.StartsAt)
	k.time(v.EndsAt)
	k.str(v.When)
	k.str(v.Location)
	k.str(v.Region)
	k.str(v.OnlineURL)
	k.optInt(v.Capacity)
	k.int(int64(v.Going))
	k.int(int64(v.Waitlisted))
	k.int(int64(v.Maybe))
	k.str(v.MyStatus)
	k.int(int64(v.Position))
	k.bool(v.CanOrganise)
	k.bool(v.CanModerate)
	k.bool(v.Open)
	k.bool(v.Past)
	k.str(string(v.OrganisersHTML))
	k.str(string(v.PeopleHTML))
	if v.HTML, err = a.pageFragment("topic", "eventblock", k.sum(&a.views.cards.seeds), p.CSRF, func(csrf string) any {
		return map[string]any{"P": withPage(p, csrf), "E": v}
	}); err != nil {
		return nil, err
	}
	return v, nil
}

// eventViewHead is the event's view without its organisers and attendees:
// the facts, her own sign-up and her rights.
func (a *app) eventViewHead(c *gin.Context, m *forum.Member, ve *forum.ViewerEvent) *eventView {
	now := a.store.Now()
	e := &ve.Event
	return &eventView{Event: e, When: forum.EventWhen(a.loc(c), e.StartsAt, e.EndsAt), CanModerate: m.IsModerator(),
		Open: !e.Cancelled() && !e.Started(now), Past: e.Ended(now), MyStatus: ve.MyStatus, Position: ve.Position,
		CanOrganise: ve.MayOrganise(m)}
}

// eventShared fills the block's organisers and attendee list, the same
// for every member, from the card cache (postcache.go): the key holds
// the event, its sign-up version (raised by triggers on every change to
// the organisers, the sign-ups and the names and workplaces shown, see
// migration 0100), the counts and the language, so a sign-up shows at
// once and an unchanged list costs neither a query nor a template call.
func (a *app) eventShared(c *gin.Context, p *Page, v *eventView, version int64) error {
	k := cardKeyers.Get().(*cardKeyer)
	defer cardKeyers.Put(k)
	k.reset("eventshared/1")
	k.int(v.TopicID)
	k.int(version)
	k.int(int64(v.Going))
	k.int(int64(v.Waitlisted))
	k.int(int64(v.Maybe))
	k.str(p.L.Lang)
	orgKey := k.sum(&a.views.cards.seeds)
	k.str("people")
	peopleKey := k.sum(&a.views.cards.seeds)
	cache := a.views.cards
	orgs, people := cache.get(orgKey), cache.get(peopleKey)
	if orgs != nil && people != nil {
		v.OrganisersHTML, v.PeopleHTML = orgs.withToken(""), people.withToken("")
		return nil
	}
	ctx := c.Request.Context()
	full, err := a.eventViewOf(ctx, c, viewer(c), &forum.ViewerEvent{Event: *v.Event}, eventBlockLimit)
	if err != nil {
		return err
	}
	// Rendered in Go, not by a template: on a first view these lists of
	// up to eventBlockLimit names were most of the block's cost.
	orgHTML, peopleHTML := eventOrganisersHTML(full.Organisers), eventPeopleHTML(p.L, full)
	cache.put(&cardEntry{key: orgKey, html: orgHTML})
	cache.put(&cardEntry{key: peopleKey, html: peopleHTML})
	v.OrganisersHTML, v.PeopleHTML = rendered(orgHTML).HTML(), rendered(peopleHTML).HTML()
	return nil
}

// eventOrganisersHTML is the organisers as links to their profiles,
// every name escaped as html/template escapes it.
func eventOrganisersHTML(os []forum.Organiser) string {
	var b strings.Builder
	for i, o := range os {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`<a href="/u/`)
		b.WriteString(template.HTMLEscapeString(url.PathEscape(o.Username)))
		b.WriteString(`">`)
		b.WriteString(template.HTMLEscapeString(o.DisplayName))
		b.WriteString(`</a>`)
	}
	return b.String()
}

// eventPeopleHTML is what the template "eventpeople" shows (the attendee
// page renders it), and the link to the rest, every text escaped as
// html/template escapes it.
func eventPeopleHTML(l i18n.Localizer, v *eventView) string {
	var b strings.Builder
	b.Grow(128 + 96*(len(v.GoingList)+len(v.WaitingList)+len(v.MaybeList)))
	list := func(heading, tag string, as []forum.Attendee, workplace bool) {
		if len(as) == 0 {
			return
		}
		b.WriteString("\n  <h3>")
		b.WriteString(template.HTMLEscapeString(l.T(heading)))
		b.WriteString("</h3>\n  <" + tag + ` class="attendees">`)
		for _, x := range as {
			b.WriteString(`<li><a href="/u/`)
			b.WriteString(template.HTMLEscapeString(url.PathEscape(x.Username)))
			b.WriteString(`">`)
			b.WriteString(template.HTMLEscapeString(x.DisplayName))
			b.WriteString(`</a>`)
			if workplace && x.Workplace != "" {
				b.WriteString(` <span class="muted">`)
				b.WriteString(template.HTMLEscapeString(x.Workplace))
				b.WriteString(`</span>`)
			}
			b.WriteString(`</li>`)
		}
		b.WriteString("</" + tag + ">")
	}
	list("events.going_heading", "ul", v.GoingList, true)
	list("events.waitlist_heading", "ol", v.WaitingList, true)
	list("events.maybe_heading", "ul", v.MaybeList, false)
	if v.More > 0 {
		b.WriteString("\n  <p><a href=\"/events/")
		b.WriteString(strconv.FormatInt(v.TopicID, 10))
		b.WriteString(`/attendees">`)
		b.WriteString(template.HTMLEscapeString(l.N("events.more_attendees", v.More)))
		b.WriteString(`</a></p>`)
	}
	return b.String()
}

func (a *app) eventViewOf(ctx context.Context, c *gin.Context, m *forum.Member, ve *forum.ViewerEvent, limit int) (*eventView, error) {
	e := &ve.Event
	v := a.eventViewHead(c, m, ve)
	var err error
	if v.Organisers, err = a.store.EventOrganisers(ctx, e.TopicID); err != nil {
		return nil, err
	}
	as, err := a.store.Attendees(ctx, m, e.TopicID, limit)
	if err != nil {
		return nil, err
	}
	for _, x := range as {
		switch x.Status {
		case forum.RSVPGoing:
			v.GoingList = append(v.GoingList, x)
		case forum.RSVPWaitlisted:
			v.WaitingList = append(v.WaitingList, x)
		default:
			v.MaybeList = append(v.MaybeList, x)
		}
	}
	v.More = max(0, e.Going+e.Waitlisted+e.Maybe-len(as))
	return v, nil
}

// eventsPage is the list of upcoming events, the archive, or a month.
type eventsPage struct {
	Page
	Events  []eventRow
	Filter  forum.EventFilter
	Regions []string
	Next    string
	Archive bool
	Month   *monthView
	FeedURL string
	// ResultsHTML is the rendered list or month grid with its pager
	// ("eventsresults"), cached (renderEvents).
	ResultsHTML template.HTML
	// base is the list's path, /events or /events/archive.
	base string
}

// FilterURL is the list's URL with its filters and extra parameters.
func (p *eventsPage) FilterURL(extra ...string) string {
	q := url.Values{}
	if p.Filter.Official {
		q.Set("official", "1")
	}
	if p.Filter.Online {
		q.Set("online", "1")
	}
	if p.Filter.Region != "" {
		q.Set("region", p.Filter.Region)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	if len(q) == 0 {
		return p.base
	}
	return p.base + "?" + q.Encode()
}

// monthView is a month as a calendar grid, weeks from Monday.
type monthView struct {
	Title, Key string
	Prev, Next string
	Weeks      [][]dayCell
}

type dayCell struct {
	Day     int
	InMonth bool
	Today   bool
	Events  []eventRow
}

func (a *app) monthOf(l i18n.Localizer, month time.Time, es []eventRow, now time.Time) *monthView {
	m := month.In(i18n.Stockholm)
	first := time.Date(m.Year(), m.Month(), 1, 12, 0, 0, 0, i18n.Stockholm)
	mv := &monthView{Title: l.T("events.month.title", l.T("month."+strconv.Itoa(int(first.Month()))), first.Year()),
		Key: first.Format("2006-01"), Prev: first.AddDate(0, -1, 0).Format("2006-01"), Next: first.AddDate(0, 1, 0).Format("2006-01")}
	// Back to the Monday on or before the first.
	start := first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
	today := now.In(i18n.Stockholm).Format("2006-01-02")
	byDay := map[string][]eventRow{}
	for _, e := range es {
		k := e.Day
		byDay[k] = append(byDay[k], e)
	}
	for d := start; ; {
		week := make([]dayCell, 7)
		for i := range week {
			k := d.Format("2006-01-02")
			week[i] = dayCell{Day: d.Day(), InMonth: d.Month() == first.Month(), Today: k == today, Events: byDay[k]}
			d = d.AddDate(0, 0, 1)
		}
		mv.Weeks = append(mv.Weeks, week)
		if d.Month() != first.Month() {
			break
		}
	}
	return mv
}

func (a *app) pageEvents(c *gin.Context) error  { return a.renderEvents(c, false) }
func (a *app) pageArchive(c *gin.Context) error { return a.renderEvents(c, true) }
func (p *eventsPage) Weekdays() []string        { return weekdayNames(p.L) }

// weekdayNames are the short day names from Monday.
func weekdayNames(l i18n.Localizer) []string {
	out := make([]string, 7)
	for i := range out {
		out[i] = l.T("events.weekday_short." + strconv.Itoa((i+1)%7))
	}
	return out
}

func (a *app) renderEvents(c *gin.Context, archive bool) error {
	f, err := eventFilter(c)
	if err != nil {
		return err
	}
	f.Past = archive
	ctx, m, l := c.Request.Context(), viewer(c), a.loc(c)
	title := "events.title"
	base := "/events"
	if archive {
		title, base = "events.archive.title", "/events/archive"
		f.Month = time.Time{}
	}
	p := &eventsPage{Page: a.base(c, title), Filter: f, Regions: forum.Regions, Archive: archive, base: base}
	if !f.Month.IsZero() {
		p.Month = a.monthOf(l, f.Month, nil, p.Now)
		p.Title = p.Month.Title + " · " + l.T("events.title")
	}
	// The list or month grid is the same for every member: cached under
	// the events lists' version in the database (raised by every change
	// to what it shows, migration 0102), the filters, the language and
	// the minute (events leave the list when they end; today is marked).
	version, err := a.store.EventListVersion(ctx)
	if err != nil {
		return err
	}
	k := cardKeyers.Get().(*cardKeyer)
	defer cardKeyers.Put(k)
	k.reset("eventlist/1")
	k.int(version)
	k.str(l.Lang)
	k.bool(archive)
	k.bool(f.Official)
	k.bool(f.Online)
	k.str(f.Region)
	k.str(f.Cursor)
	k.int(int64(f.Limit))
	k.time(f.Month)
	k.int(p.Now.Truncate(time.Minute).Unix())
	key := k.sum(&a.views.cards.seeds)
	if e := a.views.cards.get(key); e != nil {
		p.ResultsHTML = e.withToken("")
	} else {
		// Refused filters (a wrong region or page) are refused here,
		// before anything is cached.
		es, next, err := a.store.Events(ctx, m, f)
		if err != nil {
			return err
		}
		p.Events, p.Next = eventRows(l, es), next
		if !f.Month.IsZero() {
			p.Month = a.monthOf(l, f.Month, p.Events, p.Now)
		}
		if p.ResultsHTML, err = a.pageFragment("events", "eventsresults", key, p.CSRF, func(string) any { return p }); err != nil {
			return err
		}
	}
	tok, err := a.store.FeedToken(ctx, m.ID)
	if err != nil {
		return err
	}
	p.FeedURL = a.cfg.BaseURL + "/feeds/events.ics?token=" + url.QueryEscape(tok)
	return a.render(c, http.StatusOK, "events", p)
}

// upcomingEvents is the home page's block of the next events.
type upcomingEvents struct {
	P      *Page
	Events []eventRow
}

// homeEventsLimit is how many events the home page shows.
const homeEventsLimit = 4

// upcomingBlock is the home page's next events, or nil when none.
func (a *app) upcomingBlock(c *gin.Context, p *Page) (*upcomingEvents, error) {
	es, _, err := a.store.Events(c.Request.Context(), viewer(c), forum.EventFilter{Limit: homeEventsLimit})
	if err != nil || len(es) == 0 {
		return nil, err
	}
	return &upcomingEvents{P: p, Events: eventRows(p.L, es)}, nil
}

// eventFormPage is the form to create or edit an event.
type eventFormPage struct {
	Page
	Event      *forum.Event
	Categories []forum.Category
	Regions    []string
	Preview    rendered
	Action     string
}

var eventFields = []string{"title", "category_id", "starts_at", "ends_at", "location", "online_url", "region", "capacity", "organisers", "body", "official"}

func (a *app) renderEventForm(c *gin.Context, code int, f *Form, e *forum.Event, prev rendered) error {
	cs, err := a.store.Categories(c.Request.Context(), false)
	if err != nil {
		return err
	}
	title, action := "events.new.title", "/events/new"
	if e != nil {
		title, action = "events.edit.title", "/events/"+strconv.FormatInt(e.TopicID, 10)+"/edit"
	}
	p := &eventFormPage{Page: a.base(c, title), Event: e, Categories: cs, Regions: forum.Regions, Preview: prev, Action: action}
	p.Form = f
	return a.render(c, code, "events_form", p)
}

func (a *app) pageNewEvent(c *gin.Context) error {
	f := newForm(c)
	if cat, err := a.store.CategoryBySlug(c.Request.Context(), forum.EventCategorySlug); err == nil {
		f.Values["category_id"] = strconv.FormatInt(cat.ID, 10)
	}
	return a.renderEventForm(c, http.StatusOK, f, nil, "")
}

// formEvent reads the event form.
func formEvent(c *gin.Context) forum.NewEvent {
	catID, _ := strconv.ParseInt(c.PostForm("category_id"), 10, 64)
	return forum.NewEvent{CategoryID: catID, Title: c.PostForm("title"), Body: c.PostForm("body"),
		StartsAt: c.PostForm("starts_at"), EndsAt: c.PostForm("ends_at"), Location: c.PostForm("location"),
		OnlineURL: c.PostForm("online_url"), Region: c.PostForm("region"), Capacity: c.PostForm("capacity"),
		Official: truthy(c.PostForm("official")), Organisers: []string{c.PostForm("organisers")}}
}

func (a *app) postNewEvent(c *gin.Context) error {
	f := newForm(c, eventFields...)
	l := a.loc(c)
	if c.PostForm("preview") != "" {
		html, err := a.store.Preview(c.PostForm("body"))
		if err != nil && !f.fill(l, err) {
			return err
		}
		return a.renderEventForm(c, formStatusOK(err), f, nil, rendered(html))
	}
	e, err := a.store.CreateEvent(c.Request.Context(), viewer(c), formEvent(c))
	if err != nil {
		if !f.fill(l, err) {
			return err
		}
		return a.renderEventForm(c, formStatus(err), f, nil, "")
	}
	a.flash(c, "events.created")
	return redirect(c, e.Path())
}

// eventParam loads the event named by the path's :id.
func (a *app) eventParam(c *gin.Context) (*forum.Event, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, err
	}
	return a.store.Event(c.Request.Context(), viewer(c), id)
}

func (a *app) pageEditEvent(c *gin.Context) error {
	e, err := a.eventParam(c)
	if err != nil {
		return err
	}
	ok, err := a.store.MayOrganise(c.Request.Context(), viewer(c), e)
	if err != nil {
		return err
	}
	if !ok {
		return forum.Refuse(forum.ErrForbidden, "events.error.not_organiser")
	}
	n, err := a.eventAsNew(c, e)
	if err != nil {
		return err
	}
	f := newForm(c)
	f.Values = map[string]string{"title": n.Title, "starts_at": localInput(e.StartsAt), "ends_at": localInput(e.EndsAt),
		"location": n.Location, "online_url": n.OnlineURL, "region": n.Region, "capacity": n.Capacity,
		"organisers": strings.Join(n.Organisers, ", ")}
	if n.Official {
		f.Values["official"] = "1"
	}
	return a.renderEventForm(c, http.StatusOK, f, e, "")
}

func (a *app) postEditEvent(c *gin.Context) error {
	e, err := a.eventParam(c)
	if err != nil {
		return err
	}
	f := newForm(c, eventFields...)
	n := formEvent(c)
	if !viewer(c).IsModerator() {
		// The box is only shown to moderators; others keep the mark.
		n.Official = e.Official
	}
	_, _, err = a.store.UpdateEvent(c.Request.Context(), viewer(c), e.TopicID, n)
	if err != nil {
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderEventForm(c, formStatus(err), f, e, "")
	}
	a.flash(c, "events.saved")
	return redirect(c, e.Path())
}

func (a *app) postCancelEvent(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	e, err := a.store.CancelEvent(c.Request.Context(), viewer(c), id, c.PostForm("reason"))
	if err != nil {
		return err
	}
	a.flash(c, "events.cancelled_done")
	return redirect(c, e.Path())
}

func (a *app) postOfficial(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	on := c.PostForm("official") == "1"
	if err := a.store.SetEventOfficial(c.Request.Context(), viewer(c), id, on); err != nil {
		return err
	}
	if on {
		a.flash(c, "events.official_on")
	} else {
		a.flash(c, "events.official_off")
	}
	return redirect(c, "/t/"+strconv.FormatInt(id, 10))
}

func (a *app) postRSVP(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	got, err := a.store.RSVP(c.Request.Context(), viewer(c), id, c.PostForm("status"))
	if err != nil {
		return err
	}
	a.flash(c, "events.rsvp_done."+got)
	return redirect(c, "/t/"+strconv.FormatInt(id, 10)+"#event")
}

// attendeesPage lists everyone signed up.
type attendeesPage struct {
	Page
	View *eventView
}

func (a *app) pageAttendees(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	e, err := a.store.EventFor(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	v, err := a.eventViewOf(c.Request.Context(), c, viewer(c), e, 0)
	if err != nil {
		return err
	}
	p := &attendeesPage{Page: a.base(c, "events.attendees.title", e.Title), View: v}
	return a.render(c, http.StatusOK, "events_attendees", p)
}

// csvSafe keeps a spreadsheet from running a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (a *app) getAttendeesCSV(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	l := a.loc(c)
	_, as, err := a.store.ExportAttendees(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // so spreadsheet programs read UTF-8
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{l.T("events.csv.name"), l.T("events.csv.organisation"), l.T("events.csv.role"), l.T("events.csv.status")})
	for _, x := range as {
		_ = w.Write([]string{csvSafe(x.DisplayName), csvSafe(x.Workplace), csvSafe(x.RoleTitle), l.T("events.status." + x.Status)})
	}
	w.Flush()
	c.Header("Content-Disposition", `attachment; filename="event-`+strconv.FormatInt(id, 10)+`-attendees.csv"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	return nil
}

// messagePage is the form to message everyone going.
type messagePage struct {
	Page
	Event *forum.Event
}

func (a *app) pageMessage(c *gin.Context) error {
	e, err := a.eventParam(c)
	if err != nil {
		return err
	}
	ok, err := a.store.MayOrganise(c.Request.Context(), viewer(c), e)
	if err != nil {
		return err
	}
	if !ok {
		return forum.Refuse(forum.ErrForbidden, "events.error.not_organiser")
	}
	p := &messagePage{Page: a.base(c, "events.message.title"), Event: e}
	p.Form = newForm(c)
	return a.render(c, http.StatusOK, "events_message", p)
}

func (a *app) postMessage(c *gin.Context) error {
	e, err := a.eventParam(c)
	if err != nil {
		return err
	}
	f := newForm(c, "message")
	if _, err := a.store.MessageAttendees(c.Request.Context(), viewer(c), e.TopicID, c.PostForm("message")); err != nil {
		if !f.fill(a.loc(c), err) {
			return err
		}
		p := &messagePage{Page: a.base(c, "events.message.title"), Event: e}
		p.Form = f
		return a.render(c, formStatus(err), "events_message", p)
	}
	a.flash(c, "events.message.sent")
	return redirect(c, e.Path())
}

// getEventFile serves /events/{id}.ics, and sends /events/{id} to the
// event's topic page.
func (a *app) getEventFile(c *gin.Context) error {
	raw := c.Param("id")
	name, ics := strings.CutSuffix(raw, ".ics")
	id, err := strconv.ParseInt(name, 10, 64)
	if err != nil || id <= 0 {
		return errNotFound
	}
	ctx, m := c.Request.Context(), viewer(c)
	e, err := a.store.Event(ctx, m, id)
	if err != nil {
		return err
	}
	if !ics {
		c.Redirect(http.StatusFound, e.Path())
		return nil
	}
	os, err := a.store.EventOrganisers(ctx, id)
	if err != nil {
		return err
	}
	l := a.loc(c)
	cal := &ical.Calendar{Stamp: e.UpdatedAt, Events: []ical.Event{a.icalEvent(l, e, os)}}
	writeCalendar(c, ical.Marshal(cal), "event-"+name+".ics")
	return nil
}

// icalEvent is an event as a VEVENT.
func (a *app) icalEvent(l i18n.Localizer, e *forum.Event, os []forum.Organiser) ical.Event {
	host := "kliv.invalid"
	if u, err := url.Parse(a.cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	link := a.cfg.BaseURL + e.Path()
	var desc strings.Builder
	if e.BodyHTML != nil {
		desc.WriteString(markdown.PlainText(*e.BodyHTML))
		desc.WriteString("\n\n")
	}
	if e.OnlineURL != "" {
		desc.WriteString(l.T("events.ics.online", e.OnlineURL))
		desc.WriteString("\n")
	}
	desc.WriteString(link)
	loc := e.Location
	if loc == "" {
		loc = e.OnlineURL
	}
	summary := e.Title
	if e.Cancelled() {
		summary = l.T("events.ics.cancelled", e.Title)
	}
	var names []string
	for _, o := range os {
		names = append(names, o.DisplayName)
	}
	ev := ical.Event{UID: "event-" + strconv.FormatInt(e.TopicID, 10) + "@" + host, Start: e.StartsAt, End: e.EndsAt,
		Summary: summary, Description: desc.String(), Location: loc, URL: link, Sequence: e.Sequence,
		Cancelled: e.Cancelled(), Stamp: e.UpdatedAt, Created: e.CreatedAt, LastModified: e.UpdatedAt,
		Organizer: strings.Join(names, ", ")}
	if e.Official {
		ev.Categories = []string{l.T("events.official")}
	}
	return ev
}

// feedEvents is the private calendar feed: the events she is going to
// and every official one. Its URL carries her feed token; a wrong or
// replaced token is a 404.
func (a *app) feedEvents(c *gin.Context) error {
	m, l, err := a.feedReader(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	es, err := a.store.CalendarEvents(ctx, m)
	if err != nil {
		return err
	}
	cal := &ical.Calendar{Name: l.T("events.feed.name", l.T("site.name")), Stamp: m.CreatedAt}
	for i := range es {
		e := &es[i]
		os, err := a.store.EventOrganisers(ctx, e.TopicID)
		if err != nil {
			return err
		}
		cal.Events = append(cal.Events, a.icalEvent(l, e, os))
		if e.UpdatedAt.After(cal.Stamp) {
			cal.Stamp = e.UpdatedAt
		}
	}
	writeCalendar(c, ical.Marshal(cal), "")
	return nil
}

// eventNotificationText is the sentence of an event notification.
func eventNotificationText(l i18n.Localizer, n *forum.NotificationItem) string {
	switch w := n.Str("what"); w {
	case forum.EventReminder, forum.EventPromoted, forum.EventChanged, forum.EventCancelled, forum.EventMessage:
		return l.T("events.notice."+w, n.Title())
	}
	return l.T("events.notice.other", n.Title())
}
