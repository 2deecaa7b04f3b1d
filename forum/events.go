package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum/links"
	"kliv/i18n"
)

// Events: network meetings and members' own meetups. An event is a topic
// of kind "event" (its first post is the description, its replies the
// discussion) with a row in events keyed by the topic's id: start and
// end, place and/or meeting link, region, an optional capacity, whether
// it is an official network meeting, and its iCalendar SEQUENCE.
// Sign-ups are rows in event_rsvps; a "going" past the capacity is
// waitlisted and moves up by itself when a seat frees.

// RSVP statuses.
const (
	RSVPGoing      = "going"
	RSVPWaitlisted = "waitlisted"
	RSVPMaybe      = "maybe"
	RSVPNotGoing   = "not_going"
)

// RSVPChoices are what a member picks; waitlisted is given, not picked.
var RSVPChoices = []string{RSVPGoing, RSVPMaybe, RSVPNotGoing}

// NotifyEvent is the notification kind of everything about an event a
// member signed up for: data "what" is reminder, promoted, changed,
// cancelled or message.
const NotifyEvent = "event"

// What an event notification is about.
const (
	EventReminder  = "reminder"
	EventPromoted  = "promoted"
	EventChanged   = "changed"
	EventCancelled = "cancelled"
	EventMessage   = "message"
)

// Regions are Sweden's 21 regions (län), the values of an event's
// region.
var Regions = []string{
	"Blekinge län", "Dalarnas län", "Gotlands län", "Gävleborgs län", "Hallands län",
	"Jämtlands län", "Jönköpings län", "Kalmar län", "Kronobergs län", "Norrbottens län",
	"Skåne län", "Stockholms län", "Södermanlands län", "Uppsala län", "Värmlands län",
	"Västerbottens län", "Västernorrlands län", "Västmanlands län", "Västra Götalands län",
	"Örebro län", "Östergötlands län",
}

// EventCategorySlug is the category events go in when none is given.
const EventCategorySlug = "traffar"

// Limits of an event's fields.
const (
	MaxEventCapacity = 100000
	MaxEventLength   = 14 * 24 * time.Hour
	maxEventAhead    = 5 * 365 * 24 * time.Hour
	maxLocationLen   = 300
	maxOrganisers    = 10
	maxMessageLen    = 5000
)

// Event is an event with its topic's facts and its sign-up counts.
type Event struct {
	TopicID        int64      `db:"topic_id"`
	Title          string     `db:"title"`
	CategoryID     int64      `db:"category_id"`
	CategorySlug   string     `db:"category_slug"`
	CategoryName   string     `db:"category_name"`
	AuthorID       *int64     `db:"author_id"`
	AuthorUsername *string    `db:"author_username"`
	AuthorName     *string    `db:"author_name"`
	PostCount      int        `db:"post_count"`
	FirstPostID    *int64     `db:"first_post_id"`
	Body           *string    `db:"body"`
	BodyHTML       *string    `db:"body_html"`
	StartsAt       time.Time  `db:"starts_at"`
	EndsAt         time.Time  `db:"ends_at"`
	Location       string     `db:"location"`
	OnlineURL      string     `db:"online_url"`
	Region         string     `db:"region"`
	Capacity       *int       `db:"capacity"`
	Official       bool       `db:"official"`
	Sequence       int        `db:"sequence"`
	CancelledAt    *time.Time `db:"cancelled_at"`
	CreatedAt      time.Time  `db:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at"`
	Going          int        `db:"going"`
	Waitlisted     int        `db:"waitlisted"`
	Maybe          int        `db:"maybe"`
}

const eventCols = `e.topic_id, t.title, t.category_id, c.slug AS category_slug, c.name AS category_name,
	t.author_id, a.username AS author_username, a.display_name AS author_name, t.post_count, t.first_post_id,
	p.body, p.body_html, e.starts_at, e.ends_at, e.location, e.online_url, e.region, e.capacity, e.official,
	e.sequence, e.cancelled_at, e.created_at, e.updated_at,
	e.going_count AS going, e.waitlisted_count AS waitlisted, e.maybe_count AS maybe`

const eventFrom = ` FROM events e JOIN topics t ON t.id = e.topic_id JOIN categories c ON c.id = t.category_id
	LEFT JOIN members a ON a.id = t.author_id LEFT JOIN posts p ON p.id = t.first_post_id`

// eventListCols are eventCols without the description, for lists.
var eventListCols = strings.Replace(eventCols, "p.body, p.body_html", "NULL AS body, NULL AS body_html", 1)

const eventListFrom = ` FROM events e JOIN topics t ON t.id = e.topic_id JOIN categories c ON c.id = t.category_id
	LEFT JOIN members a ON a.id = t.author_id`

// Path is the event's topic page.
func (e *Event) Path() string { return "/t/" + strconv.FormatInt(e.TopicID, 10) }

// ICSPath is the event's iCalendar file.
func (e *Event) ICSPath() string { return "/events/" + strconv.FormatInt(e.TopicID, 10) + ".ics" }

// Cancelled reports whether the event was cancelled.
func (e *Event) Cancelled() bool { return e.CancelledAt != nil }

// Started reports whether the event has begun at now.
func (e *Event) Started(now time.Time) bool { return !now.Before(e.StartsAt) }

// Ended reports whether the event is over at now.
func (e *Event) Ended(now time.Time) bool { return !now.Before(e.EndsAt) }

// Online reports whether the event has a meeting link.
func (e *Event) Online() bool { return e.OnlineURL != "" }

// Full reports whether every seat is taken.
func (e *Event) Full() bool { return e.Capacity != nil && e.Going >= *e.Capacity }

// Cap is the capacity, 0 without a limit.
func (e *Event) Cap() int {
	if e.Capacity == nil {
		return 0
	}
	return *e.Capacity
}

// SeatsLeft is how many seats are free (0 when full, -1 without a limit).
func (e *Event) SeatsLeft() int {
	if e.Capacity == nil {
		return -1
	}
	return max(0, *e.Capacity-e.Going)
}

// NewEvent is what creating or editing an event takes. Times are RFC
// 3339 ("2026-12-10T18:00:00+01:00") or, as a form's datetime-local
// field sends them, "2026-12-10T18:00" in Swedish time. Capacity is ""
// for no limit.
type NewEvent struct {
	CategoryID int64
	Title      string
	Body       string
	StartsAt   string
	EndsAt     string
	Location   string
	OnlineURL  string
	Region     string
	Capacity   string
	Official   bool
	// Organisers are usernames of co-organisers besides the author.
	Organisers []string
}

// ParseEventTime reads an event time: RFC 3339, or a local
// "2006-01-02T15:04" (seconds optional) in Europe/Stockholm.
func ParseEventTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, i18n.Stockholm); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, ErrInvalid
}

// eventInput is a checked NewEvent.
type eventInput struct {
	title, body, html        string
	starts, ends             time.Time
	location, online, region string
	capacity                 *int
	organisers               []int64
	category                 *Category
	official                 bool
}

// checkEvent validates n for actor. A new event must start in the future;
// an edit only if its start moves.
func (s *Store) checkEvent(ctx context.Context, actor *Member, n NewEvent, old *Event) (*eventInput, error) {
	v := &ValidationError{}
	in := &eventInput{}
	now := s.now()
	in.title = CheckText(v, "title", n.Title, 1, 200, false)
	if old == nil {
		var err error
		in.body, in.html, err = s.checkBody(v, n.Body)
		if err != nil {
			return nil, err
		}
	}
	parse := func(field, raw string) time.Time {
		if strings.TrimSpace(raw) == "" {
			v.Add(field, "error.field.required")
			return time.Time{}
		}
		t, err := ParseEventTime(raw)
		if err != nil {
			v.Add(field, "events.error.time_format")
			return time.Time{}
		}
		return t.Truncate(time.Second)
	}
	in.starts = parse("starts_at", n.StartsAt)
	in.ends = parse("ends_at", n.EndsAt)
	if !v.Has("starts_at") {
		moved := old == nil || !in.starts.Equal(old.StartsAt)
		switch {
		case moved && !in.starts.After(now):
			v.Add("starts_at", "events.error.past")
		case in.starts.After(now.Add(maxEventAhead)):
			v.Add("starts_at", "events.error.too_far")
		}
	}
	if !v.Has("starts_at") && !v.Has("ends_at") {
		switch {
		case !in.ends.After(in.starts):
			v.Add("ends_at", "events.error.end_before_start")
		case in.ends.Sub(in.starts) > MaxEventLength:
			v.Add("ends_at", "events.error.too_long")
		}
	}
	in.location = CheckText(v, "location", n.Location, 0, maxLocationLen, false)
	if raw := strings.TrimSpace(n.OnlineURL); raw != "" {
		u, err := links.Normalize(raw)
		if err != nil {
			v.Add("online_url", "events.error.online_url")
		} else {
			in.online = u
		}
	}
	if !v.Has("location") && !v.Has("online_url") && in.location == "" && in.online == "" {
		v.Add("location", "events.error.place_required")
	}
	if r := strings.TrimSpace(n.Region); r != "" {
		if !slices.Contains(Regions, r) {
			v.Add("region", "error.field.choice")
		}
		in.region = r
	}
	if c := strings.TrimSpace(n.Capacity); c != "" {
		k, err := strconv.Atoi(c)
		switch {
		case err != nil:
			v.Add("capacity", "events.error.capacity_number")
		case k < 1:
			v.Add("capacity", "events.error.capacity_min")
		case k > MaxEventCapacity:
			v.Add("capacity", "events.error.capacity_max", MaxEventCapacity)
		default:
			in.capacity = &k
		}
	}
	if old == nil {
		catID := n.CategoryID
		if catID <= 0 {
			cat, err := s.CategoryBySlug(ctx, EventCategorySlug)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
			if cat == nil {
				v.Add("category_id", "error.field.required")
			} else {
				in.category = cat
			}
		} else {
			cat, err := s.Category(ctx, catID)
			if errors.Is(err, ErrNotFound) {
				v.Add("category_id", "error.category.missing")
			} else if err != nil {
				return nil, err
			}
			in.category = cat
		}
	}
	// The author is an organiser anyway; she is not listed again.
	self := actor.ID
	if old != nil && old.AuthorID != nil {
		self = *old.AuthorID
	}
	var names []string
	for _, u := range n.Organisers {
		for _, part := range strings.FieldsFunc(u, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			part = strings.TrimPrefix(strings.TrimSpace(part), "@")
			if part != "" && !slices.Contains(names, part) {
				names = append(names, part)
			}
		}
	}
	if len(names) > maxOrganisers {
		v.Add("organisers", "events.error.organisers_many", maxOrganisers)
	} else {
		for _, name := range names {
			m, err := s.MemberByUsername(ctx, name)
			if errors.Is(err, ErrNotFound) || (err == nil && !m.IsMember()) {
				v.Add("organisers", "events.error.organiser_unknown", name)
				break
			}
			if err != nil {
				return nil, err
			}
			if m.ID != self && !slices.Contains(in.organisers, m.ID) {
				in.organisers = append(in.organisers, m.ID)
			}
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	in.official = n.Official
	return in, nil
}

// CreateEvent starts an event topic with its description as the first
// post, in one transaction. Any member may; only a moderator may make it
// an official network meeting.
func (s *Store) CreateEvent(ctx context.Context, actor *Member, n NewEvent) (*Event, error) {
	if err := canPost(actor); err != nil {
		return nil, err
	}
	if n.Official && !actor.IsModerator() {
		return nil, Refuse(ErrForbidden, "events.error.official_moderator")
	}
	in, err := s.checkEvent(ctx, actor, n, nil)
	if err != nil {
		return nil, err
	}
	if in.category.Archived() {
		return nil, Refuse(ErrForbidden, "error.category.archived")
	}
	var id int64
	err = InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		now := s.now()
		newID, err := InsertID(ctx, tx, `INSERT INTO topics (category_id, author_id, kind, title, post_count, created_at, last_post_at, last_poster_id)
			VALUES (?, ?, 'event', ?, 0, ?, ?, ?)`, in.category.ID, actor.ID, in.title, now, now, actor.ID)
		if err != nil {
			return err
		}
		id = newID
		pid, err := s.insertPost(ctx, tx, id, actor.ID, nil, in.body, in.html, now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE topics SET first_post_id = ? WHERE id = ?`, pid, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE categories SET topic_count = topic_count + 1 WHERE id = ?`, in.category.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO events (topic_id, starts_at, ends_at, location, online_url, region, capacity, official, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, in.starts, in.ends, in.location, in.online, in.region, in.capacity, in.official, now, now); err != nil {
			return err
		}
		for _, oid := range in.organisers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO event_organisers (topic_id, member_id) VALUES (?, ?)`, id, oid); err != nil {
				return err
			}
		}
		// The organiser is going to her own event.
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_rsvps (topic_id, member_id, status, created_at, updated_at) VALUES (?, ?, 'going', ?, ?)`,
			id, actor.ID, now, now); err != nil {
			return err
		}
		t, err := s.topicWhere(ctx, tx, "t.id = ?", id)
		if err != nil {
			return err
		}
		p, err := s.postWhere(ctx, tx, "p.id = ?", pid)
		if err != nil {
			return err
		}
		return s.afterPost(ctx, tx, actor, t, p)
	})
	if err != nil {
		return nil, err
	}
	return s.eventWhere(ctx, s.DB, "e.topic_id = ?", id)
}

func (s *Store) eventWhere(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) (*Event, error) {
	var e Event
	if err := sqlx.GetContext(ctx, q, &e, `SELECT `+eventCols+eventFrom+` WHERE `+where, args...); err != nil {
		return nil, fmt.Errorf("event: %w", translate(err))
	}
	return &e, nil
}

// Event returns one event for a reader.
func (s *Store) Event(ctx context.Context, viewer *Member, id int64) (*Event, error) {
	if !viewer.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	return s.eventWhere(ctx, s.DB, "e.topic_id = ?", id)
}

// ViewerEvent is an event as one member sees it: without the
// description (the topic page shows it as the first post), with her
// sign-up and whether she may organise it.
type ViewerEvent struct {
	Event
	MyStatus string `db:"my_status"`
	// Position is her place on the waiting list (1 is next), 0 when she
	// is not on it.
	Position    int  `db:"position"`
	CoOrganiser bool `db:"co_organiser"`
	// SignupsVersion changes with every change to the organisers, the
	// attendees or what the attendee list shows of them (triggers of
	// migration 0100): a key for a cached attendee list.
	SignupsVersion int64 `db:"signups_version"`
}

// MayOrganise reports whether she may edit, cancel, export and message.
func (v *ViewerEvent) MayOrganise(m *Member) bool {
	return m.IsModerator() || (m.IsMember() && (v.CoOrganiser || (v.AuthorID != nil && *v.AuthorID == m.ID)))
}

// EventFor is the event for the topic page's event block, in one query.
func (s *Store) EventFor(ctx context.Context, viewer *Member, id int64) (*ViewerEvent, error) {
	if !viewer.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	var e ViewerEvent
	err := s.DB.GetContext(ctx, &e, `SELECT `+eventListCols+`,
		COALESCE(me.status, '') AS my_status, e.signups_version,
		CASE WHEN me.status = 'waitlisted' THEN 1 + (SELECT COUNT(*) FROM event_rsvps w WHERE w.topic_id = e.topic_id AND w.status = 'waitlisted'
			AND (w.queued_at < me.queued_at OR (w.queued_at = me.queued_at AND w.member_id < me.member_id))) ELSE 0 END AS position,
		EXISTS (SELECT 1 FROM event_organisers o WHERE o.topic_id = e.topic_id AND o.member_id = ?) AS co_organiser`+eventListFrom+`
		LEFT JOIN event_rsvps me ON me.topic_id = e.topic_id AND me.member_id = ?
		WHERE e.topic_id = ?`, viewer.ID, viewer.ID, id)
	if err != nil {
		return nil, fmt.Errorf("event: %w", translate(err))
	}
	return &e, nil
}

// EventOfTopic is EventFor for a topic the page has already read: the
// topic's facts come from t, so the query reads only the event's row,
// her sign-up and whether she co-organises, on their primary keys.
func (s *Store) EventOfTopic(ctx context.Context, viewer *Member, t *Topic) (*ViewerEvent, error) {
	if !viewer.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	// Scanned by hand, not by sqlx's reflection, and her place on the
	// waiting list asked only when she is on it: the topic page of an
	// event reads this on every view.
	var e ViewerEvent
	var capacity sql.NullInt64
	var cancelled sql.NullTime
	err := s.DB.QueryRowContext(ctx, `SELECT e.topic_id, e.starts_at, e.ends_at, e.location, e.online_url, e.region, e.capacity,
		e.official, e.sequence, e.cancelled_at, e.created_at, e.updated_at, e.going_count, e.waitlisted_count, e.maybe_count,
		e.signups_version, COALESCE(me.status, ''),
		EXISTS (SELECT 1 FROM event_organisers o WHERE o.topic_id = e.topic_id AND o.member_id = ?)
		FROM events e LEFT JOIN event_rsvps me ON me.topic_id = e.topic_id AND me.member_id = ?
		WHERE e.topic_id = ?`, viewer.ID, viewer.ID, t.ID).Scan(&e.TopicID, &e.StartsAt, &e.EndsAt, &e.Location, &e.OnlineURL, &e.Region, &capacity,
		&e.Official, &e.Sequence, &cancelled, &e.CreatedAt, &e.UpdatedAt, &e.Going, &e.Waitlisted, &e.Maybe,
		&e.SignupsVersion, &e.MyStatus, &e.CoOrganiser)
	if err != nil {
		return nil, fmt.Errorf("event: %w", translate(err))
	}
	if capacity.Valid {
		n := int(capacity.Int64)
		e.Capacity = &n
	}
	if cancelled.Valid {
		e.CancelledAt = &cancelled.Time
	}
	if e.MyStatus == RSVPWaitlisted {
		if err := s.DB.GetContext(ctx, &e.Position, `SELECT 1 + COUNT(*) FROM event_rsvps w JOIN event_rsvps me ON me.topic_id = w.topic_id AND me.member_id = ?
			WHERE w.topic_id = ? AND w.status = 'waitlisted' AND (w.queued_at < me.queued_at OR (w.queued_at = me.queued_at AND w.member_id < me.member_id))`,
			viewer.ID, t.ID); err != nil {
			return nil, fmt.Errorf("event: %w", err)
		}
	}
	e.Title, e.CategoryID, e.CategorySlug, e.CategoryName = t.Title, t.CategoryID, t.CategorySlug, t.CategoryName
	e.AuthorID, e.AuthorUsername, e.AuthorName = t.AuthorID, t.AuthorUsername, t.AuthorName
	e.PostCount, e.FirstPostID = t.PostCount, t.FirstPostID
	return &e, nil
}

// Organiser is one of an event's organisers.
type Organiser struct {
	ID          int64  `db:"id"`
	Username    string `db:"username"`
	DisplayName string `db:"display_name"`
}

// EventOrganisers lists an event's organisers.
func (s *Store) EventOrganisers(ctx context.Context, id int64) ([]Organiser, error) {
	var os []Organiser
	err := s.DB.SelectContext(ctx, &os, `SELECT m.id, m.username, m.display_name FROM topics t JOIN members m ON m.id = t.author_id WHERE t.id = ?
		UNION ALL
		SELECT m.id, m.username, m.display_name FROM event_organisers o JOIN members m ON m.id = o.member_id WHERE o.topic_id = ?`, id, id)
	if err != nil {
		return nil, fmt.Errorf("organisers: %w", err)
	}
	return os, nil
}

// mayOrganise reports whether m organises the event (or moderates, which
// gives the same rights).
func (s *Store) mayOrganise(ctx context.Context, q sqlx.QueryerContext, m *Member, e *Event) (bool, error) {
	if !m.IsMember() {
		return false, nil
	}
	if m.IsModerator() || (e.AuthorID != nil && *e.AuthorID == m.ID) {
		return true, nil
	}
	var n int
	err := sqlx.GetContext(ctx, q, &n, `SELECT COUNT(*) FROM event_organisers WHERE topic_id = ? AND member_id = ?`, e.TopicID, m.ID)
	return n > 0, err
}

// MayOrganise reports whether m may edit, cancel, export and message the
// event: its organisers and moderators.
func (s *Store) MayOrganise(ctx context.Context, m *Member, e *Event) (bool, error) {
	return s.mayOrganise(ctx, s.DB, m, e)
}

// UpdateEvent changes an event's title, time, place, capacity, region,
// organisers and (moderators) official mark; its organisers or a
// moderator. Those going, waitlisted or maybe are told what changed; a
// change a calendar shows raises the SEQUENCE. A larger capacity lets the
// waiting list move up.
func (s *Store) UpdateEvent(ctx context.Context, actor *Member, id int64, n NewEvent) (*Event, []string, error) {
	if !actor.IsMember() {
		return nil, nil, Refuse(ErrForbidden, "error.not_member")
	}
	old, err := s.eventWhere(ctx, s.DB, "e.topic_id = ?", id)
	if err != nil {
		return nil, nil, err
	}
	ok, err := s.mayOrganise(ctx, s.DB, actor, old)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, Refuse(ErrForbidden, "events.error.not_organiser")
	}
	if n.Official != old.Official && !actor.IsModerator() {
		return nil, nil, Refuse(ErrForbidden, "events.error.official_moderator")
	}
	if old.Cancelled() {
		return nil, nil, Refuse(ErrConflict, "events.error.cancelled")
	}
	in, err := s.checkEvent(ctx, actor, n, old)
	if err != nil {
		return nil, nil, err
	}
	var changed []string
	err = InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		cur, err := s.eventWhere(ctx, tx, "e.topic_id = ?", id)
		if err != nil {
			return err
		}
		if cur.Cancelled() {
			return Refuse(ErrConflict, "events.error.cancelled")
		}
		if in.title != cur.Title {
			changed = append(changed, "title")
		}
		if !in.starts.Equal(cur.StartsAt) || !in.ends.Equal(cur.EndsAt) {
			changed = append(changed, "time")
		}
		if in.location != cur.Location {
			changed = append(changed, "location")
		}
		if in.online != cur.OnlineURL {
			changed = append(changed, "online_url")
		}
		if !eqCap(in.capacity, cur.Capacity) {
			changed = append(changed, "capacity")
		}
		calendar := slices.ContainsFunc(changed, func(f string) bool { return f != "capacity" })
		now := s.now()
		seq := cur.Sequence
		if calendar {
			seq++
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET starts_at = ?, ends_at = ?, location = ?, online_url = ?, region = ?, capacity = ?,
			official = ?, sequence = ?, updated_at = ? WHERE topic_id = ?`,
			in.starts, in.ends, in.location, in.online, in.region, in.capacity, in.official, seq, now, id); err != nil {
			return err
		}
		if in.title != cur.Title {
			if _, err := tx.ExecContext(ctx, `UPDATE topics SET title = ? WHERE id = ?`, in.title, id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_organisers WHERE topic_id = ?`, id); err != nil {
			return err
		}
		for _, oid := range in.organisers {
			if cur.AuthorID != nil && oid == *cur.AuthorID {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO event_organisers (topic_id, member_id) VALUES (?, ?)`, id, oid); err != nil {
				return err
			}
		}
		if err := s.promote(ctx, tx, id); err != nil {
			return err
		}
		if len(changed) == 0 {
			return nil
		}
		return s.notifyAttendees(ctx, tx, actor, id, []string{RSVPGoing, RSVPWaitlisted, RSVPMaybe},
			map[string]any{"what": EventChanged, "fields": changed})
	})
	if err != nil {
		return nil, nil, err
	}
	e, err := s.eventWhere(ctx, s.DB, "e.topic_id = ?", id)
	return e, changed, err
}

// eventDescriptionEdited raises the SEQUENCE of the event whose
// description (its topic's first post) p is, when the edit changed what
// the calendar shows (changed: the rendered text differs), inside the
// edit's transaction. Other posts are not descriptions.
func (s *Store) eventDescriptionEdited(ctx context.Context, tx sqlx.ExtContext, p *Post, changed bool, now time.Time) error {
	if !changed {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE events SET sequence = sequence + 1, updated_at = ?
		WHERE topic_id = ? AND EXISTS (SELECT 1 FROM topics t WHERE t.id = events.topic_id AND t.first_post_id = ?)`, now, p.TopicID, p.ID)
	return err
}

func eqCap(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// SetEventOfficial marks or unmarks an event as an official network
// meeting; moderators only.
func (s *Store) SetEventOfficial(ctx context.Context, actor *Member, id int64, official bool) error {
	if !actor.IsModerator() {
		return Refuse(ErrForbidden, "events.error.official_moderator")
	}
	res, err := s.DB.ExecContext(ctx, `UPDATE events SET official = ?, updated_at = ? WHERE topic_id = ?`, official, s.now(), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// CancelEvent cancels an event; its organisers or a moderator. Everyone
// signed up is told, with the reason when one is given; calendars get
// STATUS:CANCELLED with a raised SEQUENCE. The discussion stays open.
func (s *Store) CancelEvent(ctx context.Context, actor *Member, id int64, reason string) (*Event, error) {
	if !actor.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	v := &ValidationError{}
	reason = CheckText(v, "reason", reason, 0, 1000, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		e, err := s.eventWhere(ctx, tx, "e.topic_id = ?", id)
		if err != nil {
			return err
		}
		ok, err := s.mayOrganise(ctx, tx, actor, e)
		if err != nil {
			return err
		}
		if !ok {
			return Refuse(ErrForbidden, "events.error.not_organiser")
		}
		if e.Cancelled() {
			return Refuse(ErrConflict, "events.error.cancelled")
		}
		if e.Ended(s.now()) {
			return Refuse(ErrConflict, "events.error.ended")
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE events SET cancelled_at = ?, sequence = sequence + 1, updated_at = ? WHERE topic_id = ?`, now, now, id); err != nil {
			return err
		}
		return s.notifyAttendees(ctx, tx, actor, id, []string{RSVPGoing, RSVPWaitlisted, RSVPMaybe},
			map[string]any{"what": EventCancelled, "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return s.eventWhere(ctx, s.DB, "e.topic_id = ?", id)
}

// notifyAttendees tells every member with one of the statuses (but the
// actor) about the event.
func (s *Store) notifyAttendees(ctx context.Context, tx *sqlx.Tx, actor *Member, id int64, statuses []string, data map[string]any) error {
	q, args, err := sqlx.In(`SELECT member_id FROM event_rsvps WHERE topic_id = ? AND status IN (?) ORDER BY member_id`, id, statuses)
	if err != nil {
		return err
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, tx.Rebind(q), args...); err != nil {
		return err
	}
	var actorID int64
	if actor != nil {
		actorID = actor.ID
	}
	for _, mid := range ids {
		if err := s.notify(ctx, tx, Notification{MemberID: mid, Kind: NotifyEvent, TopicID: id, ActorID: actorID, Data: data}); err != nil {
			return err
		}
	}
	return nil
}

// RSVP signs a member up for an event: going, maybe or not going. A
// "going" past the capacity is put on the waiting list ("waitlisted" is
// returned); giving up a seat moves the first on the list up. The seat
// is decided inside one immediate transaction, so two members taking the
// last seat at once are serialised by SQLite: one gets it, the other
// waits in line.
func (s *Store) RSVP(ctx context.Context, actor *Member, id int64, status string) (string, error) {
	if !actor.IsMember() {
		return "", Refuse(ErrForbidden, "error.not_member")
	}
	if !slices.Contains(RSVPChoices, status) {
		return "", Invalid("status", "error.field.choice")
	}
	var got string
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var e struct {
			StartsAt    time.Time  `db:"starts_at"`
			Capacity    *int       `db:"capacity"`
			CancelledAt *time.Time `db:"cancelled_at"`
		}
		if err := tx.GetContext(ctx, &e, `SELECT starts_at, capacity, cancelled_at FROM events WHERE topic_id = ?`, id); err != nil {
			return fmt.Errorf("rsvp: %w", translate(err))
		}
		if e.CancelledAt != nil {
			return Refuse(ErrConflict, "events.error.cancelled")
		}
		now := s.now()
		if !now.Before(e.StartsAt) {
			return Refuse(ErrConflict, "events.error.started")
		}
		prev := ""
		if err := tx.GetContext(ctx, &prev, `SELECT status FROM event_rsvps WHERE topic_id = ? AND member_id = ?`, id, actor.ID); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		got = status
		var queued any
		if status == RSVPGoing {
			switch prev {
			case RSVPGoing, RSVPWaitlisted:
				got = prev
				return nil
			}
			if e.Capacity != nil {
				var going, waiting int
				if err := tx.GetContext(ctx, &going, `SELECT COUNT(*) FROM event_rsvps WHERE topic_id = ? AND status = 'going'`, id); err != nil {
					return err
				}
				if err := tx.GetContext(ctx, &waiting, `SELECT COUNT(*) FROM event_rsvps WHERE topic_id = ? AND status = 'waitlisted'`, id); err != nil {
					return err
				}
				// A free seat goes to the waiting list first.
				if going >= *e.Capacity || waiting > 0 {
					got, queued = RSVPWaitlisted, now
				}
			}
		} else if prev == status {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_rsvps (topic_id, member_id, status, queued_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (topic_id, member_id) DO UPDATE SET status = excluded.status, queued_at = excluded.queued_at, updated_at = excluded.updated_at`,
			id, actor.ID, got, queued, now, now); err != nil {
			return err
		}
		if prev == RSVPGoing || prev == RSVPWaitlisted || got == RSVPWaitlisted {
			if err := s.promote(ctx, tx, id); err != nil {
				return err
			}
			// She may have been moved up at once (a seat was free).
			if err := tx.GetContext(ctx, &got, `SELECT status FROM event_rsvps WHERE topic_id = ? AND member_id = ?`, id, actor.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return got, err
}

// promote moves the waiting list up into the free seats, first come
// first served, and tells each member moved up.
func (s *Store) promote(ctx context.Context, tx *sqlx.Tx, id int64) error {
	var cap *int
	if err := tx.GetContext(ctx, &cap, `SELECT capacity FROM events WHERE topic_id = ?`, id); err != nil {
		return err
	}
	var going int
	if err := tx.GetContext(ctx, &going, `SELECT COUNT(*) FROM event_rsvps WHERE topic_id = ? AND status = 'going'`, id); err != nil {
		return err
	}
	free := -1
	if cap != nil {
		free = *cap - going
	}
	if free == 0 || free < -1 {
		return nil
	}
	limit := free
	if free < 0 {
		limit = 1 << 30
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT member_id FROM event_rsvps WHERE topic_id = ? AND status = 'waitlisted'
		ORDER BY queued_at, member_id LIMIT ?`, id, limit); err != nil {
		return err
	}
	now := s.now()
	for _, mid := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE event_rsvps SET status = 'going', queued_at = NULL, updated_at = ? WHERE topic_id = ? AND member_id = ?`, now, id, mid); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, Notification{MemberID: mid, Kind: NotifyEvent, TopicID: id, Data: map[string]any{"what": EventPromoted}}); err != nil {
			return err
		}
	}
	return nil
}

// PromoteWaitlists moves waiting lists up where seats came free without
// a sign-up change (a member's account and her sign-ups were deleted),
// for events not yet begun. It returns how many events it looked at.
func (s *Store) PromoteWaitlists(ctx context.Context) (int, error) {
	now := s.now()
	var ids []int64
	if err := s.DB.SelectContext(ctx, &ids, `SELECT e.topic_id FROM events e
		WHERE e.starts_at > ? AND e.capacity IS NOT NULL AND e.cancelled_at IS NULL
		AND EXISTS (SELECT 1 FROM event_rsvps r WHERE r.topic_id = e.topic_id AND r.status = 'waitlisted')
		AND (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = e.topic_id AND r.status = 'going') < e.capacity
		LIMIT 100`, now); err != nil {
		return 0, fmt.Errorf("promote waitlists: %w", err)
	}
	for _, id := range ids {
		if err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error { return s.promote(ctx, tx, id) }); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// MyRSVP is a member's sign-up status for an event ("" for none) and,
// when waitlisted, her place in line (1 is next).
func (s *Store) MyRSVP(ctx context.Context, memberID, id int64) (string, int, error) {
	var r struct {
		Status string     `db:"status"`
		Queued *time.Time `db:"queued_at"`
	}
	err := s.DB.GetContext(ctx, &r, `SELECT status, queued_at FROM event_rsvps WHERE topic_id = ? AND member_id = ?`, id, memberID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, err
	}
	if r.Status != RSVPWaitlisted || r.Queued == nil {
		return r.Status, 0, nil
	}
	var ahead int
	err = s.DB.GetContext(ctx, &ahead, `SELECT COUNT(*) FROM event_rsvps WHERE topic_id = ? AND status = 'waitlisted'
		AND (queued_at < ? OR (queued_at = ? AND member_id < ?))`, id, *r.Queued, *r.Queued, memberID)
	return r.Status, ahead + 1, err
}

// Attendee is one sign-up as the attendee list shows it.
type Attendee struct {
	MemberID    int64     `db:"member_id"`
	Username    string    `db:"username"`
	DisplayName string    `db:"display_name"`
	Workplace   string    `db:"workplace"`
	RoleTitle   string    `db:"role_title"`
	Status      string    `db:"status"`
	UpdatedAt   time.Time `db:"updated_at"`
}

// Attendees lists who signed up, going first (in sign-up order), then the
// waiting list in its order, then maybe. Members see it; limit 0 means
// all.
func (s *Store) Attendees(ctx context.Context, viewer *Member, id int64, limit int) ([]Attendee, error) {
	if !viewer.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	if limit <= 0 {
		limit = 1 << 30 // all (PostgreSQL refuses SQLite's LIMIT -1)
	}
	// The sign-ups are ordered and cut on their own, and only the rows
	// kept are joined with members: an official meeting has a hundred
	// and more, and a member row is wide. The rows are scanned by hand:
	// the topic page lists them on every view.
	rows, err := s.DB.QueryContext(ctx, `SELECT r.member_id, m.username, m.display_name, m.workplace, m.role_title, r.status, r.updated_at
		FROM (SELECT member_id, status, updated_at, CASE status WHEN 'going' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END AS rank,
			COALESCE(queued_at, created_at) AS since FROM event_rsvps
			WHERE topic_id = ? AND status IN ('going', 'waitlisted', 'maybe')
			ORDER BY rank, since, member_id LIMIT ?) r
		JOIN members m ON m.id = r.member_id AND m.status = 'approved'
		ORDER BY r.rank, r.since, r.member_id`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("attendees: %w", err)
	}
	defer rows.Close()
	as := make([]Attendee, 0, 16)
	for rows.Next() {
		var x Attendee
		if err := rows.Scan(&x.MemberID, &x.Username, &x.DisplayName, &x.Workplace, &x.RoleTitle, &x.Status, &x.UpdatedAt); err != nil {
			return nil, fmt.Errorf("attendees: %w", err)
		}
		as = append(as, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("attendees: %w", err)
	}
	return as, nil
}

// ExportAttendees lists those going for an organiser's export.
func (s *Store) ExportAttendees(ctx context.Context, actor *Member, id int64) (*Event, []Attendee, error) {
	e, err := s.Event(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	ok, err := s.mayOrganise(ctx, s.DB, actor, e)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, Refuse(ErrForbidden, "events.error.not_organiser")
	}
	as, err := s.Attendees(ctx, actor, id, 0)
	return e, as, err
}

// MessageAttendees sends a message from an organiser to everyone going:
// a notification and, by each member's mail preference for events, a
// mail. It returns how many were told.
func (s *Store) MessageAttendees(ctx context.Context, actor *Member, id int64, message string) (int, error) {
	if !actor.IsMember() {
		return 0, Refuse(ErrForbidden, "error.not_member")
	}
	var n int
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		e, err := s.eventWhere(ctx, tx, "e.topic_id = ?", id)
		if err != nil {
			return err
		}
		// Who may send comes before what she wrote.
		ok, err := s.mayOrganise(ctx, tx, actor, e)
		if err != nil {
			return err
		}
		if !ok {
			return Refuse(ErrForbidden, "events.error.not_organiser")
		}
		v := &ValidationError{}
		message = CheckText(v, "message", message, 1, maxMessageLen, true)
		if err := v.Err(); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM event_rsvps WHERE topic_id = ? AND status = 'going' AND member_id <> ?`, id, actor.ID); err != nil {
			return err
		}
		return s.notifyAttendees(ctx, tx, actor, id, []string{RSVPGoing}, map[string]any{"what": EventMessage, "message": message})
	})
	return n, err
}

// EventFilter narrows an event list.
type EventFilter struct {
	Official bool
	Online   bool
	Region   string
	// Past lists the archive, newest first; otherwise upcoming and
	// ongoing events, soonest first.
	Past bool
	// Month, when set (any time in it), lists that month's events in
	// Swedish time, past or not, soonest first; no paging.
	Month time.Time
	// Cursor continues a list (from the last page's next cursor).
	Cursor string
	Limit  int
}

// Events lists events, without their descriptions. Upcoming events are those not yet ended, by start;
// the archive is the ended ones, latest first. Cancelled events stay in
// the lists, marked.
func (s *Store) Events(ctx context.Context, viewer *Member, f EventFilter) ([]Event, string, error) {
	if !viewer.IsMember() {
		return nil, "", Refuse(ErrForbidden, "error.not_member")
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	if f.Region != "" && !slices.Contains(Regions, f.Region) {
		return nil, "", Invalid("region", "error.field.choice")
	}
	now := s.now()
	var where []string
	var args []any
	order := "e.starts_at, e.topic_id"
	cmp := ">"
	switch {
	case !f.Month.IsZero():
		m := f.Month.In(i18n.Stockholm)
		from := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, i18n.Stockholm)
		where = append(where, "e.starts_at >= ? AND e.starts_at < ?")
		args = append(args, from.UTC(), from.AddDate(0, 1, 0).UTC())
		f.Limit, f.Cursor = 500, ""
	case f.Past:
		// Every ended event has started: the start bounds the walk of
		// events_starts, newest first.
		where = append(where, "e.starts_at <= ? AND e.ends_at <= ?")
		args = append(args, now, now)
		order, cmp = "e.starts_at DESC, e.topic_id DESC", "<"
	default:
		// No event lasts longer than MaxEventLength, so one not yet
		// ended started after now - MaxEventLength: the walk of
		// events_starts begins there, not at the first event ever.
		where = append(where, "e.starts_at > ? AND e.ends_at > ?")
		args = append(args, now.Add(-MaxEventLength), now)
	}
	if f.Official {
		where = append(where, "e.official = TRUE")
	}
	if f.Online {
		where = append(where, "e.online_url <> ''")
	}
	if f.Region != "" {
		where = append(where, "e.region = ?")
		args = append(args, f.Region)
	}
	if f.Cursor != "" {
		at, id, err := parseCursor(f.Cursor)
		if err != nil {
			return nil, "", Invalid("page", "error.page.invalid")
		}
		where = append(where, "(e.starts_at, e.topic_id) "+cmp+" (?, ?)")
		args = append(args, at, id)
	}
	q := `SELECT ` + eventListCols + eventListFrom + ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order + ` LIMIT ?`
	args = append(args, f.Limit+1)
	var es []Event
	if err := s.DB.SelectContext(ctx, &es, q, args...); err != nil {
		return nil, "", fmt.Errorf("events: %w", err)
	}
	next := ""
	if len(es) > f.Limit {
		es = es[:f.Limit]
		last := es[len(es)-1]
		next = makeCursor(last.StartsAt, last.TopicID)
	}
	return es, next, nil
}

// EventListVersion is the events lists' version, raised in the same
// transaction as every change to what a list of events shows (triggers
// of migration 0102): a key for a cached list.
func (s *Store) EventListVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.DB.GetContext(ctx, &v, `SELECT version FROM event_list_version WHERE id = 1`); err != nil {
		return 0, fmt.Errorf("event list version: %w", err)
	}
	return v, nil
}

// CalendarEvents are a member's calendar feed: the events she is going
// to and every official one, from 90 days back on, cancelled ones
// included (so calendars mark them cancelled).
func (s *Store) CalendarEvents(ctx context.Context, m *Member) ([]Event, error) {
	if !m.IsMember() {
		return nil, ErrNotFound
	}
	since := s.now().AddDate(0, 0, -90)
	var es []Event
	err := s.DB.SelectContext(ctx, &es, `SELECT `+eventCols+eventFrom+` WHERE e.ends_at > ? AND (e.official = TRUE OR e.topic_id IN
		(SELECT topic_id FROM event_rsvps WHERE member_id = ? AND status = 'going'))
		ORDER BY e.starts_at, e.topic_id LIMIT 1000`, since, m.ID)
	if err != nil {
		return nil, fmt.Errorf("calendar events: %w", err)
	}
	return es, nil
}

// EventReminderLead is how long before an event those going are
// reminded.
const EventReminderLead = 24 * time.Hour

// SendEventReminders reminds everyone going to an event that starts
// within a day: a notification and, by her mail preference, a mail. A
// sign-up's reminded_at is set in the same immediate transaction, and
// only where it was unset, so a member is never reminded twice of one
// event, however many processes run the chore at once.
func (s *Store) SendEventReminders(ctx context.Context) (int, error) {
	total := 0
	for {
		n := 0
		err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
			now := s.now()
			var due []struct {
				TopicID  int64 `db:"topic_id"`
				MemberID int64 `db:"member_id"`
			}
			if err := tx.SelectContext(ctx, &due, `SELECT r.topic_id, r.member_id FROM events e
				JOIN event_rsvps r ON r.topic_id = e.topic_id AND r.status = 'going' AND r.reminded_at IS NULL
				WHERE e.starts_at > ? AND e.starts_at <= ? AND e.cancelled_at IS NULL
				ORDER BY e.starts_at LIMIT 200`+SkipLocked(s.DB, "r"), now, now.Add(EventReminderLead)); err != nil {
				return err
			}
			for _, d := range due {
				res, err := tx.ExecContext(ctx, `UPDATE event_rsvps SET reminded_at = ? WHERE topic_id = ? AND member_id = ? AND reminded_at IS NULL`, now, d.TopicID, d.MemberID)
				if err != nil {
					return err
				}
				if k, _ := res.RowsAffected(); k == 0 {
					continue
				}
				if err := s.notify(ctx, tx, Notification{MemberID: d.MemberID, Kind: NotifyEvent, TopicID: d.TopicID,
					Data: map[string]any{"what": EventReminder}}); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < 200 {
			return total, nil
		}
	}
}

// EventWhen formats an event's time in Swedish time with the zone named:
// "torsdag 10 december 2026 18:00–21:00 (CET)", the end's date given when
// it is another day.
func EventWhen(l i18n.Localizer, start, end time.Time) string {
	s, e := start.In(i18n.Stockholm), end.In(i18n.Stockholm)
	day := func(t time.Time) string {
		return l.T("events.when.day", l.T("weekday."+strconv.Itoa(int(t.Weekday()))), t.Day(), l.T("month."+strconv.Itoa(int(t.Month()))), t.Year())
	}
	sy, sm, sd := s.Date()
	ey, em, ed := e.Date()
	if sy == ey && sm == em && sd == ed {
		return l.T("events.when.same_day", day(s), s.Format("15:04"), e.Format("15:04"), s.Format("MST"))
	}
	return l.T("events.when.days", day(s), s.Format("15:04"), day(e), e.Format("15:04"), e.Format("MST"))
}

// eventNoticeLine is the one-line text of an event notification for
// mail, in lang.
func eventNoticeLine(b *i18n.Bundle, lang, title string, data map[string]any) string {
	what, _ := data["what"].(string)
	switch what {
	case EventReminder, EventPromoted, EventChanged, EventCancelled, EventMessage:
		return b.T(lang, "events.notice."+what, title)
	}
	return b.T(lang, "events.notice.other", title)
}

// eventMailDetails is what an event mail says below its first line: the
// message, the reason, what changed, and when and where.
func (s *Store) eventMailDetails(ctx context.Context, q sqlx.QueryerContext, b *i18n.Bundle, lang string, topicID int64, data map[string]any) string {
	e, err := s.eventWhere(ctx, q, "e.topic_id = ?", topicID)
	if err != nil {
		return ""
	}
	l := i18n.Localizer{B: b, Lang: lang}
	var out []string
	if m, _ := data["message"].(string); m != "" {
		out = append(out, quote(Excerpt(m, maxMessageLen)))
	}
	if r, _ := data["reason"].(string); r != "" {
		out = append(out, l.T("events.mail.reason", r))
	}
	if fs, ok := data["fields"].([]any); ok && len(fs) > 0 {
		var names []string
		for _, f := range fs {
			if n, ok := f.(string); ok {
				names = append(names, l.T("events.field."+n))
			}
		}
		out = append(out, l.T("events.mail.changed", strings.Join(names, ", ")))
	}
	out = append(out, l.T("events.mail.when", EventWhen(l, e.StartsAt, e.EndsAt)))
	if e.Location != "" {
		out = append(out, l.T("events.mail.where", e.Location))
	}
	if e.OnlineURL != "" {
		out = append(out, l.T("events.mail.online", e.OnlineURL))
	}
	return strings.Join(out, "\n")
}
