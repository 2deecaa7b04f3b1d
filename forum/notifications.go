package forum

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// Notification kinds.
const (
	// NotifyReply: someone replied to her post.
	NotifyReply = "reply"
	// NotifyPosted: a new post in a topic she follows.
	NotifyPosted = "posted"
	// NotifyNewTopic: a new topic in a category she follows.
	NotifyNewTopic = "new_topic"
	// NotifyMention: someone @mentioned her.
	NotifyMention = "mention"
	// NotifyAnswer: her reply was marked as a question's answer.
	NotifyAnswer = "answer"
	// NotifyThanks: her post was thanked; one row per post, bumped to
	// unread by each new "Tack".
	NotifyThanks = "thanks"
	// NotifyJoinDecision: her join request was approved or rejected.
	NotifyJoinDecision = "join_decision"
	// NotifyReminder: a bookmark's reminder came due.
	NotifyReminder = "reminder"
	// NotifyModeration: a moderator's word to her: a warning, or the
	// outcome of her report. The moderation package mails what it must.
	NotifyModeration = "moderation"
)

// NotificationKinds lists every kind, for settings and mail preferences.
var NotificationKinds = []string{NotifyReply, NotifyPosted, NotifyNewTopic, NotifyMention,
	NotifyAnswer, NotifyThanks, NotifyJoinDecision, NotifyReminder, NotifyMessage, NotifyEvent}

// postRank orders the kinds that are about a new post: a member gets one
// notification per post, of the strongest reason (mention beats reply
// beats posted).
var postRank = map[string]int{NotifyNewTopic: 1, NotifyPosted: 2, NotifyReply: 3, NotifyMention: 4}

// maxMentions caps how many members one post may notify by mention.
const maxMentions = 20

// maxThankers is how many thankers a grouped notification remembers.
const maxThankers = 5

// Notification is something to tell a member, as the code that caused it
// describes it to notify. TopicID, PostID and ActorID are 0 when they do
// not apply. Data carries what the kind needs beyond them: for thanks
// "count" (the post's thanks) and, stored, "actor_ids" (latest first);
// for join_decision "status" and "join_request_id"; for reminder
// "bookmark_id" and "note".
type Notification struct {
	MemberID int64
	Kind     string
	TopicID  int64
	PostID   int64
	ActorID  int64
	Data     map[string]any
}

// notify records n for its member inside the change's transaction, and
// is the only way notifications are made. It checks the recipient once
// for every kind: she must be an approved member (an applicant only gets
// her join decision), able to read the topic, and not have muted it
// (reminders, which she set herself, come anyway). It keeps one
// notification per member and post: a stronger reason upgrades the
// earlier one, a weaker one is dropped; thanks are grouped per post.
// Last it hands the notification to deliver, for mail.
func (s *Store) notify(ctx context.Context, tx *sqlx.Tx, n Notification) error {
	if n.MemberID <= 0 || (n.ActorID != 0 && n.ActorID == n.MemberID) {
		return nil
	}
	ok, err := s.mayNotify(ctx, tx, n)
	if err != nil || !ok {
		return err
	}
	now := s.now()
	var id int64
	switch {
	case postRank[n.Kind] > 0 && n.PostID != 0:
		var prev struct {
			ID   int64  `db:"id"`
			Kind string `db:"kind"`
		}
		err := tx.GetContext(ctx, &prev, `SELECT id, kind FROM notifications
			WHERE post_id = ? AND member_id = ? AND kind IN ('new_topic', 'posted', 'reply', 'mention') LIMIT 1`, n.PostID, n.MemberID)
		switch {
		case err == nil && postRank[n.Kind] <= postRank[prev.Kind]:
			return nil
		case err == nil:
			if _, err := tx.ExecContext(ctx, `UPDATE notifications SET kind = ?, actor_id = ?, read_at = NULL, updated_at = ? WHERE id = ?`,
				n.Kind, nullID(n.ActorID), now, prev.ID); err != nil {
				return err
			}
			return s.deliver(ctx, tx, n, prev.ID)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	case n.Kind == NotifyThanks && n.PostID != 0:
		return s.notifyThanks(ctx, tx, n)
	case n.Kind == NotifyMessage:
		return s.notifyMessage(ctx, tx, n)
	case n.Kind == NotifyAnswer && n.PostID != 0:
		// Marking, unmarking and marking the same answer tells her once.
		var x int
		err := tx.GetContext(ctx, &x, `SELECT 1 FROM notifications WHERE post_id = ? AND kind = 'answer' AND member_id = ?`, n.PostID, n.MemberID)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	case postRank[n.Kind] > 0, n.Kind == NotifyThanks, n.Kind == NotifyAnswer,
		n.Kind == NotifyJoinDecision, n.Kind == NotifyReminder, n.Kind == NotifyModeration, n.Kind == NotifyEvent:
	default:
		return fmt.Errorf("notify: unknown kind %q", n.Kind)
	}
	id, err = s.insertNotification(ctx, tx, n, now)
	if err != nil {
		return err
	}
	return s.deliver(ctx, tx, n, id)
}

func (s *Store) insertNotification(ctx context.Context, tx *sqlx.Tx, n Notification, now time.Time) (int64, error) {
	data, err := encodeData(n.Data)
	if err != nil {
		return 0, err
	}
	id, err := InsertID(ctx, tx, `INSERT INTO notifications (member_id, kind, topic_id, post_id, actor_id, data, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, n.MemberID, n.Kind, nullID(n.TopicID), nullID(n.PostID), nullID(n.ActorID), data, now, now)
	if err != nil {
		return 0, fmt.Errorf("notify: %w", err)
	}
	return id, nil
}

// notifyThanks keeps one thanks notification per post: a new "Tack" puts
// its giver first among the actors, updates the count and makes the
// notification unread and newest again.
func (s *Store) notifyThanks(ctx context.Context, tx *sqlx.Tx, n Notification) error {
	var prev struct {
		ID   int64  `db:"id"`
		Data string `db:"data"`
	}
	err := tx.GetContext(ctx, &prev, `SELECT id, data FROM notifications WHERE post_id = ? AND kind = 'thanks' AND member_id = ?`, n.PostID, n.MemberID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	old := decodeData(prev.Data)
	ids := []int64{}
	if n.ActorID != 0 {
		ids = append(ids, n.ActorID)
	}
	for _, a := range dataIDs(old["actor_ids"]) {
		if a != n.ActorID && len(ids) < maxThankers {
			ids = append(ids, a)
		}
	}
	data := map[string]any{}
	for k, v := range n.Data {
		data[k] = v
	}
	data["actor_ids"] = ids
	if _, ok := data["count"]; !ok {
		data["count"] = dataInt(old["count"]) + 1
	}
	n.Data = data
	now := s.now()
	if prev.ID == 0 {
		id, err := s.insertNotification(ctx, tx, n, now)
		if err != nil {
			return err
		}
		return s.deliver(ctx, tx, n, id)
	}
	enc, err := encodeData(data)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE notifications SET actor_id = ?, data = ?, read_at = NULL, updated_at = ? WHERE id = ?`,
		nullID(n.ActorID), enc, now, prev.ID); err != nil {
		return err
	}
	return s.deliver(ctx, tx, n, prev.ID)
}

// mayNotify is the one check of who may be told what.
func (s *Store) mayNotify(ctx context.Context, tx *sqlx.Tx, n Notification) (bool, error) {
	var r struct {
		Status Status `db:"status"`
		Level  string `db:"level"`
	}
	err := tx.GetContext(ctx, &r, `SELECT m.status,
		COALESCE((SELECT level FROM topic_follows f WHERE f.member_id = m.id AND f.topic_id = ?), '') AS level
		FROM members m WHERE m.id = ?`, n.TopicID, n.MemberID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if n.Kind == NotifyJoinDecision {
		return r.Status == StatusApproved || r.Status == StatusRejected, nil
	}
	if r.Status != StatusApproved {
		return false, nil
	}
	if n.TopicID == 0 {
		return true, nil
	}
	if r.Level == FollowMuted && n.Kind != NotifyReminder && n.Kind != NotifyEvent {
		return false, nil
	}
	return s.canRead(ctx, tx, n.MemberID, n.TopicID)
}

// canRead reports whether an approved member may read a topic. Every
// member reads every topic today; this is the one place to change when
// some categories become closed.
func (s *Store) canRead(ctx context.Context, q sqlx.QueryerContext, memberID, topicID int64) (bool, error) {
	var x int
	err := sqlx.GetContext(ctx, q, &x, `SELECT 1 FROM topics WHERE id = ?`, topicID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// notifyPost tells the people a new post concerns: followers of the
// category (a new topic) or of the topic (a reply), the author of the
// post replied to, and the members it mentions. Each gets one
// notification of the strongest reason; the author none.
func (s *Store) notifyPost(ctx context.Context, tx *sqlx.Tx, actor *Member, t *Topic, p *Post) error {
	reasons := map[int64]string{}
	add := func(ids []int64, kind string) {
		for _, id := range ids {
			if id != actor.ID && postRank[kind] > postRank[reasons[id]] {
				reasons[id] = kind
			}
		}
	}
	var ids []int64
	if p.Seq == 1 {
		if err := tx.SelectContext(ctx, &ids, `SELECT member_id FROM category_follows WHERE category_id = ? AND level = 'watching'`, t.CategoryID); err != nil {
			return err
		}
		add(ids, NotifyNewTopic)
	} else {
		if err := tx.SelectContext(ctx, &ids, `SELECT member_id FROM topic_follows WHERE topic_id = ? AND level = 'watching'`, t.ID); err != nil {
			return err
		}
		add(ids, NotifyPosted)
	}
	if p.ReplyTo != nil {
		var author sql.NullInt64
		err := tx.GetContext(ctx, &author, `SELECT author_id FROM posts WHERE id = ? AND deleted_at IS NULL`, *p.ReplyTo)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if author.Valid {
			add([]int64{author.Int64}, NotifyReply)
		}
	}
	mentioned, err := s.mentioned(ctx, tx, p.Body)
	if err != nil {
		return err
	}
	add(mentioned, NotifyMention)
	return s.notifyAll(ctx, tx, reasons, Notification{TopicID: t.ID, PostID: p.ID, ActorID: actor.ID})
}

// notifyAll sends base to each member with her kind, in id order.
func (s *Store) notifyAll(ctx context.Context, tx *sqlx.Tx, kinds map[int64]string, base Notification) error {
	ids := make([]int64, 0, len(kinds))
	for id := range kinds {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		n := base
		n.MemberID, n.Kind = id, kinds[id]
		if err := s.notify(ctx, tx, n); err != nil {
			return err
		}
	}
	return nil
}

// mentioned returns the ids of the approved members a post's text
// mentions: exactly the @names the rendered post links, so never inside
// code or links, at most maxMentions of them.
func (s *Store) mentioned(ctx context.Context, tx *sqlx.Tx, body string) ([]int64, error) {
	names, err := s.MD.Mentions(body)
	if err != nil || len(names) == 0 {
		// A text the renderer refuses mentions nobody.
		return nil, nil
	}
	if len(names) > maxMentions {
		names = names[:maxMentions]
	}
	q, args, err := sqlx.In(`SELECT id FROM members WHERE username IN (?) AND status = 'approved'`, names)
	if err != nil {
		return nil, err
	}
	var ids []int64
	err = tx.SelectContext(ctx, &ids, tx.Rebind(q), args...)
	return ids, err
}

// notifyMentionsOnEdit tells members newly mentioned by an edit; those
// told of the post before are not told again.
func (s *Store) notifyMentionsOnEdit(ctx context.Context, tx *sqlx.Tx, actor *Member, p *Post) error {
	if p.Deleted() {
		return nil
	}
	ids, err := s.mentioned(ctx, tx, p.Body)
	if err != nil || len(ids) == 0 {
		return err
	}
	author := actor.ID
	if p.AuthorID != nil {
		author = *p.AuthorID
	}
	kinds := map[int64]string{}
	for _, id := range ids {
		if id != author {
			kinds[id] = NotifyMention
		}
	}
	return s.notifyAll(ctx, tx, kinds, Notification{TopicID: p.TopicID, PostID: p.ID, ActorID: author})
}

// NotifyJoinDecision tells an applicant that her join request was decided
// (status "approved" or "rejected"), inside the decision's transaction.
// The deciding moderator is not named.
func (s *Store) NotifyJoinDecision(ctx context.Context, tx *sqlx.Tx, memberID, requestID int64, status string) error {
	return s.notify(ctx, tx, Notification{MemberID: memberID, Kind: NotifyJoinDecision,
		Data: map[string]any{"status": status, "join_request_id": requestID}})
}

// NotifyModeration tells a member of a moderator's action inside its
// transaction: Data carries "what" (warning, report_outcome) and what
// that needs.
func (s *Store) NotifyModeration(ctx context.Context, tx *sqlx.Tx, n Notification) error {
	n.Kind = NotifyModeration
	return s.notify(ctx, tx, n)
}

// NotificationItem is a stored notification as a list shows it.
type NotificationItem struct {
	ID            int64      `db:"id"`
	Kind          string     `db:"kind"`
	TopicID       *int64     `db:"topic_id"`
	PostID        *int64     `db:"post_id"`
	PostSeq       *int       `db:"post_seq"`
	TopicTitle    *string    `db:"topic_title"`
	ActorID       *int64     `db:"actor_id"`
	ActorUsername *string    `db:"actor_username"`
	ActorName     *string    `db:"actor_name"`
	DataJSON      string     `db:"data"`
	ReadAt        *time.Time `db:"read_at"`
	CreatedAt     time.Time  `db:"created_at"`
	UpdatedAt     time.Time  `db:"updated_at"`
	// Data is DataJSON decoded.
	Data map[string]any `db:"-"`
	// Actors are the grouped thankers after the first (ActorName), as
	// display names.
	Actors []Thanker `db:"-"`
}

// Read reports whether she has seen it.
func (n *NotificationItem) Read() bool { return n.ReadAt != nil }

// Actor is the actor's display name, or "" (none, or a removed account).
func (n *NotificationItem) Actor() string {
	if n.ActorName == nil {
		return ""
	}
	return *n.ActorName
}

// Title is the topic's title, or "".
func (n *NotificationItem) Title() string {
	if n.TopicTitle == nil {
		return ""
	}
	return *n.TopicTitle
}

// Count is a grouped notification's count (thanks), at least 1.
func (n *NotificationItem) Count() int { return max(1, dataInt(n.Data["count"])) }

// Str returns a string from Data.
func (n *NotificationItem) Str(key string) string {
	v, _ := n.Data[key].(string)
	return v
}

// Target is where the notification leads: the post on its topic page,
// the topic, or the front page.
func (n *NotificationItem) Target() string {
	switch {
	case n.Kind == NotifyMessage:
		return "/messages/" + strconv.Itoa(dataInt(n.Data["conversation_id"]))
	case n.TopicID != nil && n.PostSeq != nil:
		return PostPath(*n.TopicID, *n.PostSeq)
	case n.TopicID != nil:
		return "/t/" + strconv.FormatInt(*n.TopicID, 10)
	}
	return "/"
}

// PostPath links the post with sequence number seq on its topic's page,
// by its anchor "s<seq>".
func PostPath(topicID int64, seq int) string {
	page := (seq-1)/PageSize + 1
	return "/t/" + strconv.FormatInt(topicID, 10) + "?page=" + strconv.Itoa(page) + "#s" + strconv.Itoa(seq)
}

const notificationCols = `n.id, n.kind, n.topic_id, n.post_id, p.seq AS post_seq, t.title AS topic_title,
	n.actor_id, a.username AS actor_username, a.display_name AS actor_name, n.data, n.read_at, n.created_at, n.updated_at`

const notificationFrom = ` FROM notifications n LEFT JOIN topics t ON t.id = n.topic_id
	LEFT JOIN posts p ON p.id = n.post_id LEFT JOIN members a ON a.id = n.actor_id`

// Notifications lists a member's notifications, latest activity first,
// limit at a time; cursor continues where the last page ended.
func (s *Store) Notifications(ctx context.Context, m *Member, cursor string, limit int) ([]NotificationItem, string, error) {
	if !m.IsMember() {
		return nil, "", Refuse(ErrForbidden, "error.not_member")
	}
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	q := `SELECT ` + notificationCols + notificationFrom + ` WHERE n.member_id = ?`
	args := []any{m.ID}
	if cursor != "" {
		at, id, err := parseCursor(cursor)
		if err != nil {
			return nil, "", Invalid("page", "error.page.invalid")
		}
		q += ` AND (n.updated_at, n.id) < (?, ?)`
		args = append(args, at, id)
	}
	q += ` ORDER BY n.updated_at DESC, n.id DESC LIMIT ?`
	args = append(args, limit+1)
	var ns []NotificationItem
	if err := s.DB.SelectContext(ctx, &ns, q, args...); err != nil {
		return nil, "", err
	}
	next := ""
	if len(ns) > limit {
		ns = ns[:limit]
		last := ns[len(ns)-1]
		next = makeCursor(last.UpdatedAt, last.ID)
	}
	if err := s.fillNotifications(ctx, ns); err != nil {
		return nil, "", err
	}
	s.overlayReads(m.ID, ns)
	return ns, next, nil
}

// fillNotifications decodes data and names the grouped thankers, in one
// query for the page.
func (s *Store) fillNotifications(ctx context.Context, ns []NotificationItem) error {
	var want []int64
	for i := range ns {
		ns[i].Data = decodeData(ns[i].DataJSON)
		want = append(want, dataIDs(ns[i].Data["actor_ids"])...)
	}
	if len(want) == 0 {
		return nil
	}
	q, args, err := sqlx.In(`SELECT id, username, display_name FROM members WHERE id IN (?)`, want)
	if err != nil {
		return err
	}
	var rows []struct {
		ID int64 `db:"id"`
		Thanker
	}
	if err := s.DB.SelectContext(ctx, &rows, s.DB.Rebind(q), args...); err != nil {
		return err
	}
	names := map[int64]Thanker{}
	for _, r := range rows {
		names[r.ID] = r.Thanker
	}
	for i := range ns {
		for _, id := range dataIDs(ns[i].Data["actor_ids"]) {
			if t, ok := names[id]; ok && (ns[i].ActorID == nil || id != *ns[i].ActorID) {
				ns[i].Actors = append(ns[i].Actors, t)
			}
		}
	}
	return nil
}

// UnreadNotifications counts a member's unread notifications, for the
// header (a partial index keeps it cheap).
func (s *Store) UnreadNotifications(ctx context.Context, memberID int64) (int, error) {
	var n int
	err := s.DB.GetContext(ctx, &n, `SELECT COUNT(*) FROM notifications WHERE member_id = ? AND read_at IS NULL`, memberID)
	if err != nil || n == 0 {
		return n, err
	}
	// Those her pending read marks cover are read already.
	marks := s.reads.member(memberID)
	if marks == nil {
		return n, nil
	}
	var rows []struct {
		Kind    string `db:"kind"`
		TopicID *int64 `db:"topic_id"`
		PostSeq *int   `db:"post_seq"`
	}
	if err := s.DB.SelectContext(ctx, &rows, `SELECT n.kind, n.topic_id, p.seq AS post_seq
		FROM notifications n LEFT JOIN posts p ON p.id = n.post_id
		WHERE n.member_id = ? AND n.read_at IS NULL`, memberID); err != nil {
		return 0, err
	}
	for _, r := range rows {
		if _, ok := readByView(marks, r.Kind, r.TopicID, r.PostSeq); ok {
			n--
		}
	}
	return n, nil
}

// OpenNotification marks one of her notifications read and returns it,
// so the caller can lead her to its Target.
func (s *Store) OpenNotification(ctx context.Context, m *Member, id int64) (*NotificationItem, error) {
	if !m.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	var n NotificationItem
	err := s.DB.GetContext(ctx, &n, `SELECT `+notificationCols+notificationFrom+` WHERE n.id = ? AND n.member_id = ?`, id, m.ID)
	if err != nil {
		return nil, fmt.Errorf("notification: %w", translate(err))
	}
	if n.ReadAt == nil {
		now := s.now()
		if _, err := s.DB.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE id = ? AND read_at IS NULL`, now, id); err != nil {
			return nil, err
		}
		n.ReadAt = &now
	}
	n.Data = decodeData(n.DataJSON)
	return &n, nil
}

// ReadAllNotifications marks every notification of hers read.
func (s *Store) ReadAllNotifications(ctx context.Context, m *Member) error {
	if !m.IsMember() {
		return Refuse(ErrForbidden, "error.not_member")
	}
	_, err := s.DB.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE member_id = ? AND read_at IS NULL`, s.now(), m.ID)
	return err
}

// readPostNotifications marks read her notifications about posts she has
// now seen on the topic page (up to seq): reading the post is what they
// asked her to do. Thanks and answers, which are about her own posts,
// stay.
// FlushReads runs it for each read mark it writes, at the mark's time.
func (s *Store) readPostNotifications(ctx context.Context, ext sqlx.ExtContext, memberID, topicID int64, seq int, at time.Time) error {
	_, err := ext.ExecContext(ctx, `UPDATE notifications SET read_at = ?
		WHERE member_id = ? AND read_at IS NULL AND topic_id = ? AND kind IN ('new_topic', 'posted', 'reply', 'mention')
		AND post_id IN (SELECT id FROM posts WHERE topic_id = ? AND seq <= ?)`, at, memberID, topicID, topicID, seq)
	return err
}

// readByView reports whether a pending read mark of hers (marks) covers
// an unread notification: one about a post she has now seen. It is what
// readPostNotifications will write.
func readByView(marks map[int64]pendingMark, kind string, topicID *int64, postSeq *int) (time.Time, bool) {
	if topicID == nil || postSeq == nil {
		return time.Time{}, false
	}
	switch kind {
	case NotifyNewTopic, NotifyPosted, NotifyReply, NotifyMention:
	default:
		return time.Time{}, false
	}
	m, ok := marks[*topicID]
	return m.at, ok && *postSeq <= m.seq
}

// overlayReads marks read, as she will see them after the next flush,
// the notifications her pending read marks cover.
func (s *Store) overlayReads(memberID int64, ns []NotificationItem) {
	marks := s.reads.member(memberID)
	if marks == nil {
		return
	}
	for i := range ns {
		if ns[i].ReadAt != nil {
			continue
		}
		if at, ok := readByView(marks, ns[i].Kind, ns[i].TopicID, ns[i].PostSeq); ok {
			ns[i].ReadAt = &at
		}
	}
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func encodeData(d map[string]any) (string, error) {
	if len(d) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("notification data: %w", err)
	}
	return string(b), nil
}

func decodeData(s string) map[string]any {
	d := map[string]any{}
	if s != "" {
		_ = json.Unmarshal([]byte(s), &d)
	}
	return d
}

// dataInt reads a number from decoded or not yet encoded data.
func dataInt(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case float64:
		return int(x)
	}
	return 0
}

// dataIDs reads a list of ids from decoded or not yet encoded data.
func dataIDs(v any) []int64 {
	switch x := v.(type) {
	case []int64:
		return x
	case []any:
		out := make([]int64, 0, len(x))
		for _, e := range x {
			if f, ok := e.(float64); ok && f > 0 {
				out = append(out, int64(f))
			}
		}
		return out
	}
	return nil
}
