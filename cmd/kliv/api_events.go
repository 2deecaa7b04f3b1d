package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/forum/ical"
)

// eventJSON is an event as the API shows it. Times are RFC 3339 in UTC;
// time_zone names the zone the event is held in.
type eventJSON struct {
	ID         int64    `json:"id"`
	TopicID    int64    `json:"topic_id"`
	URL        string   `json:"url"`
	ICSURL     string   `json:"ics_url"`
	Title      string   `json:"title"`
	CategoryID int64    `json:"category_id"`
	Category   string   `json:"category"`
	Author     *string  `json:"author"`
	AuthorName *string  `json:"author_name"`
	Organisers []string `json:"organisers"`
	// Body and BodyHTML are the description, in GET /events/{id}; lists
	// leave them out.
	Body             *string `json:"body,omitempty"`
	BodyHTML         *string `json:"body_html,omitempty"`
	FirstPostID      *int64  `json:"first_post_id"`
	StartsAt         string  `json:"starts_at"`
	EndsAt           string  `json:"ends_at"`
	TimeZone         string  `json:"time_zone"`
	Location         string  `json:"location"`
	OnlineURL        string  `json:"online_url"`
	Region           string  `json:"region"`
	Capacity         *int    `json:"capacity"`
	SeatsLeft        *int    `json:"seats_left"`
	Official         bool    `json:"official"`
	Cancelled        bool    `json:"cancelled"`
	CancelledAt      *string `json:"cancelled_at"`
	Past             bool    `json:"past"`
	Sequence         int     `json:"sequence"`
	Going            int     `json:"going"`
	Waitlisted       int     `json:"waitlisted"`
	Maybe            int     `json:"maybe"`
	ReplyCount       int     `json:"reply_count"`
	MyStatus         *string `json:"my_status"`
	WaitlistPosition *int    `json:"waitlist_position"`
	CreatedAt        string  `json:"created_at"`
	UpdatedAt        string  `json:"updated_at"`
}

func toEventJSON(e *forum.Event, now time.Time) eventJSON {
	out := eventJSON{ID: e.TopicID, TopicID: e.TopicID, URL: e.Path(), ICSURL: e.ICSPath(), Title: e.Title,
		CategoryID: e.CategoryID, Category: e.CategorySlug, Author: e.AuthorUsername, AuthorName: e.AuthorName,
		Organisers: []string{}, Body: e.Body, BodyHTML: e.BodyHTML, FirstPostID: e.FirstPostID,
		StartsAt: rfc3339(e.StartsAt), EndsAt: rfc3339(e.EndsAt), TimeZone: ical.TZID,
		Location: e.Location, OnlineURL: e.OnlineURL, Region: e.Region, Capacity: e.Capacity, Official: e.Official,
		Cancelled: e.Cancelled(), CancelledAt: optTime(e.CancelledAt), Past: e.Ended(now), Sequence: e.Sequence,
		Going: e.Going, Waitlisted: e.Waitlisted, Maybe: e.Maybe, ReplyCount: max(0, e.PostCount-1),
		CreatedAt: rfc3339(e.CreatedAt), UpdatedAt: rfc3339(e.UpdatedAt)}
	if e.Capacity != nil {
		left := e.SeatsLeft()
		out.SeatsLeft = &left
	}
	return out
}

// eventInput is the JSON of creating or editing an event. Capacity is a
// number or null (no limit).
type eventInput struct {
	CategoryID *int64          `json:"category_id"`
	Title      *string         `json:"title"`
	Body       *string         `json:"body"`
	StartsAt   *string         `json:"starts_at"`
	EndsAt     *string         `json:"ends_at"`
	Location   *string         `json:"location"`
	OnlineURL  *string         `json:"online_url"`
	Region     *string         `json:"region"`
	Capacity   json.RawMessage `json:"capacity"`
	Official   *bool           `json:"official"`
	Organisers *[]string       `json:"organisers"`
}

// capacityText turns the JSON capacity into the domain's text: "" for
// null or absent, the number otherwise ("2.5" and "x" stay malformed, so
// the domain says so).
func capacityText(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return ""
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str
	}
	return s
}

// apply overlays the given fields on n.
func (in *eventInput) apply(n *forum.NewEvent) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	if in.CategoryID != nil {
		n.CategoryID = *in.CategoryID
	}
	set(&n.Title, in.Title)
	set(&n.Body, in.Body)
	set(&n.StartsAt, in.StartsAt)
	set(&n.EndsAt, in.EndsAt)
	set(&n.Location, in.Location)
	set(&n.OnlineURL, in.OnlineURL)
	set(&n.Region, in.Region)
	if in.Capacity != nil {
		n.Capacity = capacityText(in.Capacity)
	}
	if in.Official != nil {
		n.Official = *in.Official
	}
	if in.Organisers != nil {
		n.Organisers = *in.Organisers
	}
}

// eventAsNew is an event as a NewEvent, to edit it.
func (a *app) eventAsNew(c *gin.Context, e *forum.Event) (forum.NewEvent, error) {
	n := forum.NewEvent{CategoryID: e.CategoryID, Title: e.Title, StartsAt: rfc3339(e.StartsAt), EndsAt: rfc3339(e.EndsAt),
		Location: e.Location, OnlineURL: e.OnlineURL, Region: e.Region, Official: e.Official}
	if e.Capacity != nil {
		n.Capacity = strconv.Itoa(*e.Capacity)
	}
	os, err := a.store.EventOrganisers(c.Request.Context(), e.TopicID)
	if err != nil {
		return n, err
	}
	for _, o := range os {
		if e.AuthorID == nil || o.ID != *e.AuthorID {
			n.Organisers = append(n.Organisers, o.Username)
		}
	}
	return n, nil
}

func (a *app) apiCreateEvent(c *gin.Context) error {
	var in eventInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	var n forum.NewEvent
	in.apply(&n)
	e, err := a.store.CreateEvent(c.Request.Context(), viewer(c), n)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": e.TopicID, "url": e.Path(), "topic_id": e.TopicID, "ics_url": e.ICSPath()})
	return nil
}

// eventJSONFor is the event with the reader's own sign-up and the
// organisers.
func (a *app) eventJSONFor(c *gin.Context, e *forum.Event) (eventJSON, error) {
	ctx, m := c.Request.Context(), viewer(c)
	out := toEventJSON(e, a.store.Now())
	status, pos, err := a.store.MyRSVP(ctx, m.ID, e.TopicID)
	if err != nil {
		return out, err
	}
	if status != "" {
		out.MyStatus = &status
	}
	if pos > 0 {
		out.WaitlistPosition = &pos
	}
	os, err := a.store.EventOrganisers(ctx, e.TopicID)
	if err != nil {
		return out, err
	}
	for _, o := range os {
		out.Organisers = append(out.Organisers, o.Username)
	}
	return out, nil
}

func (a *app) apiEvent(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	e, err := a.store.Event(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	out, err := a.eventJSONFor(c, e)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"event": out})
	return nil
}

// eventFilter reads the list filters: official=1, online=1, region=,
// past=1 (the archive), month=YYYY-MM and page= (the next_page cursor).
func eventFilter(c *gin.Context) (forum.EventFilter, error) {
	f := forum.EventFilter{Official: truthy(c.Query("official")), Online: truthy(c.Query("online")),
		Region: strings.TrimSpace(c.Query("region")), Past: truthy(c.Query("past")), Cursor: c.Query("page")}
	if m := c.Query("month"); m != "" {
		t, err := time.ParseInLocation("2006-01", m, time.UTC)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			return f, forum.Invalid("month", "events.error.month")
		}
		f.Month = t.Add(12 * time.Hour)
	}
	if f.Region != "" && !slices.Contains(forum.Regions, f.Region) {
		return f, forum.Invalid("region", "events.error.region")
	}
	return f, nil
}

func truthy(s string) bool { return s == "1" || s == "true" || s == "on" || s == "yes" }

func (a *app) apiEvents(c *gin.Context) error {
	f, err := eventFilter(c)
	if err != nil {
		return err
	}
	if n, err := strconv.Atoi(c.Query("limit")); err == nil {
		f.Limit = n
	}
	es, next, err := a.store.Events(c.Request.Context(), viewer(c), f)
	if err != nil {
		return err
	}
	now := a.store.Now()
	out := make([]eventJSON, 0, len(es))
	for i := range es {
		out = append(out, toEventJSON(&es[i], now))
	}
	var np any
	if next != "" {
		np = next
	}
	c.JSON(http.StatusOK, gin.H{"events": out, "next_page": np})
	return nil
}

func (a *app) apiEditEvent(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in eventInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	e, err := a.store.Event(ctx, m, id)
	if err != nil {
		return err
	}
	n, err := a.eventAsNew(c, e)
	if err != nil {
		return err
	}
	in.apply(&n)
	e, changed, err := a.store.UpdateEvent(ctx, m, id, n)
	if err != nil {
		return err
	}
	out, err := a.eventJSONFor(c, e)
	if err != nil {
		return err
	}
	if changed == nil {
		changed = []string{}
	}
	c.JSON(http.StatusOK, gin.H{"event": out, "changed": changed})
	return nil
}

func (a *app) apiCancelEvent(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	e, err := a.store.CancelEvent(c.Request.Context(), viewer(c), id, in.Reason)
	if err != nil {
		return err
	}
	out, err := a.eventJSONFor(c, e)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"event": out})
	return nil
}

func (a *app) apiRSVP(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	got, err := a.store.RSVP(c.Request.Context(), viewer(c), id, in.Status)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"status": got})
	return nil
}

// attendeeJSON is one sign-up in the attendee list.
type attendeeJSON struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Workplace   string `json:"workplace"`
	Role        string `json:"role"`
	Status      string `json:"status"`
}

func (a *app) apiAttendees(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	if _, err := a.store.Event(ctx, m, id); err != nil {
		return err
	}
	as, err := a.store.Attendees(ctx, m, id, 0)
	if err != nil {
		return err
	}
	out := make([]attendeeJSON, 0, len(as))
	for _, x := range as {
		out = append(out, attendeeJSON{Username: x.Username, DisplayName: x.DisplayName, Workplace: x.Workplace, Role: x.RoleTitle, Status: x.Status})
	}
	c.JSON(http.StatusOK, gin.H{"attendees": out, "next_page": nil})
	return nil
}

func (a *app) apiMessageAttendees(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Message string `json:"message"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	n, err := a.store.MessageAttendees(c.Request.Context(), viewer(c), id, in.Message)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"sent": n})
	return nil
}

func (a *app) apiSetOfficial(official bool) handler {
	return func(c *gin.Context) error {
		id, err := paramID(c, "id")
		if err != nil {
			return err
		}
		if err := a.store.SetEventOfficial(c.Request.Context(), viewer(c), id, official); err != nil {
			return err
		}
		c.Status(http.StatusNoContent)
		return nil
	}
}

// writeCalendar sends an iCalendar body with an ETag, so a calendar
// program polling the feed gets 304 Not Modified when nothing changed.
// Calendars are members' business: private, never indexed.
func writeCalendar(c *gin.Context, body []byte, name string) {
	h := c.Writer.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	if name != "" {
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	h.Set("ETag", etagOf(body))
	h.Set("Cache-Control", "private, no-cache")
	h.Set("X-Robots-Tag", "noindex")
	http.ServeContent(c.Writer, c.Request, "", time.Time{}, bytes.NewReader(body))
}
