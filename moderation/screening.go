package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
)

// Ask sends a request back to the applicant with a question ("Be om
// komplettering"): it leaves the queue as needs_info, and she is mailed a
// link to her status page, where she edits or adds to her answers.
func (s *Service) Ask(ctx context.Context, actor *forum.Member, id int64, question string) (*JoinRequest, error) {
	if !actor.IsModerator() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	v := &forum.ValidationError{}
	question = forum.CheckText(v, "question", question, 5, 2000, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var jr *JoinRequest
	err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		j, err := s.joinRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if !j.InQueue() {
			if j.Status == JoinNeedsInfo {
				return forum.Refuse(forum.ErrConflict, "screening.error.waiting_for_applicant")
			}
			return forum.Refuse(forum.ErrConflict, "error.join.decided")
		}
		if j.heldByOther(actor, s.now()) {
			return forum.Refuse(forum.ErrConflict, "screening.error.claimed", *j.ClaimedBy)
		}
		// A rejection proposed for a second opinion is set aside: the
		// applicant gets her say first.
		if _, err := tx.ExecContext(ctx, `UPDATE join_requests SET status = 'needs_info', question = ?, claimed_by = NULL, claimed_until = NULL,
			proposed_by = NULL, proposed_reason = '', proposed_at = NULL WHERE id = ?`, question, id); err != nil {
			return err
		}
		if err := s.event(ctx, tx, id, "asked", actor.ID, question, nil); err != nil {
			return err
		}
		if err := s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "join_request.ask", TargetType: "join_request", TargetID: id}); err != nil {
			return err
		}
		if jr, err = s.joinRequest(ctx, tx, id); err != nil {
			return err
		}
		lang := mailLang(jr.Lang)
		return s.Store.Enqueue(ctx, tx, forum.Mail{MemberID: jr.MemberID, Kind: "join_needs_info", To: jr.Email,
			Subject: s.I18n.T(lang, "screening.mail.ask.subject"),
			Body:    s.I18n.T(lang, "screening.mail.ask.body", jr.DisplayName, question, s.Store.BaseURL+"/")})
	})
	return jr, err
}

// Complete is the applicant's answer to a moderator's question: her
// edited answers and a message; the request returns to the queue as
// completed. Her answers as they were stay in the history.
func (s *Service) Complete(ctx context.Context, m *forum.Member, a Answers, message string) (*JoinRequest, error) {
	v := &forum.ValidationError{}
	extra, err := s.checkAnswers(ctx, s.Store.DB, v, &a, true)
	if err != nil {
		return nil, err
	}
	message = forum.CheckText(v, "message", message, 0, 2000, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var jr *JoinRequest
	err = forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		var id int64
		if err := tx.GetContext(ctx, &id, `SELECT id FROM join_requests WHERE member_id = ? AND status = 'needs_info'`, m.ID); err != nil {
			if err = forum.Translate(err); errors.Is(err, forum.ErrNotFound) {
				return forum.Refuse(forum.ErrConflict, "screening.error.nothing_asked")
			}
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE join_requests SET status = 'completed', workplace = ?, role_title = ?, staff_responsibility = ?,
			sector = ?, motivation = ?, queued_at = ?, alerted_at = NULL WHERE id = ?`,
			a.Workplace, a.Role, *a.StaffResponsibility, a.Sector, a.Motivation, now, id); err != nil {
			return err
		}
		if err := s.saveExtra(ctx, tx, id, extra); err != nil {
			return err
		}
		if err := s.event(ctx, tx, id, "completed", m.ID, message, &a); err != nil {
			return err
		}
		var err error
		jr, err = s.joinRequest(ctx, tx, id)
		return err
	})
	return jr, err
}

// Claim marks a request as being handled by actor until the claim
// expires (Policy.ClaimFor); claiming again renews it. A request another
// moderator holds is ErrConflict.
func (s *Service) Claim(ctx context.Context, actor *forum.Member, id int64) (*JoinRequest, error) {
	if !actor.IsModerator() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	var jr *JoinRequest
	err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		j, err := s.joinRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if !j.InQueue() {
			return forum.Refuse(forum.ErrConflict, "screening.error.not_in_queue")
		}
		now := s.now()
		if j.heldByOther(actor, now) {
			return forum.Refuse(forum.ErrConflict, "screening.error.claimed", *j.ClaimedBy)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE join_requests SET claimed_by = ?, claimed_until = ? WHERE id = ?`,
			actor.ID, now.Add(s.ClaimFor), id); err != nil {
			return err
		}
		jr, err = s.joinRequest(ctx, tx, id)
		return err
	})
	return jr, err
}

// Release gives up actor's claim. Another moderator's live claim is
// ErrConflict; releasing what nobody holds is no error.
func (s *Service) Release(ctx context.Context, actor *forum.Member, id int64) (*JoinRequest, error) {
	if !actor.IsModerator() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	var jr *JoinRequest
	err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		j, err := s.joinRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if j.heldByOther(actor, s.now()) {
			return forum.Refuse(forum.ErrConflict, "screening.error.claimed", *j.ClaimedBy)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE join_requests SET claimed_by = NULL, claimed_until = NULL WHERE id = ?`, id); err != nil {
			return err
		}
		jr, err = s.joinRequest(ctx, tx, id)
		return err
	})
	return jr, err
}

// Withdraw is the applicant taking back her own open request. Her
// account stays, as withdrawn, until retention deletes it with the
// request (so she may still send a new one meanwhile).
func (s *Service) Withdraw(ctx context.Context, m *forum.Member) error {
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `SELECT id FROM join_requests WHERE member_id = ? AND status IN ('pending', 'needs_info', 'completed')`, m.ID)
		if err != nil {
			return forum.Refuse(forum.ErrConflict, "screening.error.nothing_to_withdraw")
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE join_requests SET status = 'withdrawn', decided_by = ?, decided_at = ?,
			claimed_by = NULL, claimed_until = NULL, proposed_by = NULL, proposed_reason = '', proposed_at = NULL WHERE id = ?`, m.ID, now, id); err != nil {
			return err
		}
		if err := s.Store.SetMemberStatus(ctx, tx, m.ID, forum.StatusWithdrawn, forum.StatusPending); err != nil {
			return err
		}
		if err := s.event(ctx, tx, id, "withdrawn", m.ID, "", nil); err != nil {
			return err
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: m.ID, Action: "join_request.withdraw", TargetType: "join_request", TargetID: id})
	})
}

// Event is one line of a request's history.
type Event struct {
	ID        int64     `db:"id"`
	Kind      string    `db:"kind"`
	Actor     *string   `db:"actor"`
	Message   string    `db:"message"`
	Snapshot  string    `db:"answers"`
	CreatedAt time.Time `db:"created_at"`
	// Answers are the answers as they were, for submitted and completed.
	Answers *Answers `db:"-"`
}

// History returns a request's history, oldest first; moderators only.
func (s *Service) History(ctx context.Context, actor *forum.Member, id int64) ([]Event, error) {
	if !actor.IsModerator() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	var es []Event
	err := s.Store.DB.SelectContext(ctx, &es, `SELECT e.id, e.kind, m.username AS actor, e.message, e.answers, e.created_at
		FROM join_request_events e LEFT JOIN members m ON m.id = e.actor_id WHERE e.request_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, err
	}
	for i := range es {
		if es[i].Snapshot != "" {
			var a Answers
			if json.Unmarshal([]byte(es[i].Snapshot), &a) == nil {
				es[i].Answers = &a
			}
		}
	}
	return es, nil
}

// VerifyMethods are the ways a moderator checks an answer.
var VerifyMethods = []string{"email_domain", "staff_page", "phone", "known", "other"}

// Verification is a moderator's note on how she checked an answer.
type Verification struct {
	ID          int64     `db:"id"`
	QuestionKey string    `db:"question_key"`
	Method      string    `db:"method"`
	Note        string    `db:"note"`
	By          *string   `db:"by"`
	CreatedAt   time.Time `db:"created_at"`
}

// Verify records how an answer of a request was checked; moderators
// only. The notes stay with the request and are shown to moderators only.
func (s *Service) Verify(ctx context.Context, actor *forum.Member, id int64, key, method, note string) error {
	if !actor.IsModerator() {
		return forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	v := &forum.ValidationError{}
	okMethod := false
	for _, m := range VerifyMethods {
		okMethod = okMethod || m == method
	}
	if !okMethod {
		v.Add("method", "error.field.choice")
	}
	note = forum.CheckText(v, "note", note, 0, 1000, true)
	if method == "other" && note == "" {
		v.Add("note", "error.field.required")
	}
	qs, err := s.Questions(ctx, true)
	if err != nil {
		return err
	}
	okKey := false
	for _, q := range qs {
		okKey = okKey || q.Key == key
	}
	if !okKey && key != "email" {
		v.Add("question_key", "error.field.choice")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		if _, err := s.joinRequest(ctx, tx, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO join_verifications (request_id, question_key, method, note, member_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, id, key, method, note, actor.ID, s.now())
		return err
	})
}

// Verifications lists the notes on a request; moderators only.
func (s *Service) Verifications(ctx context.Context, actor *forum.Member, id int64) ([]Verification, error) {
	if !actor.IsModerator() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	var vs []Verification
	err := s.Store.DB.SelectContext(ctx, &vs, `SELECT v.id, v.question_key, v.method, v.note, m.username AS by, v.created_at
		FROM join_verifications v LEFT JOIN members m ON m.id = v.member_id WHERE v.request_id = ? ORDER BY v.id`, id)
	return vs, err
}

// TypicalWait is the median time from request to decision over the last
// 30 days (invitations left out); ok is false with too few decisions to
// say.
func (s *Service) TypicalWait(ctx context.Context) (d time.Duration, ok bool, err error) {
	var rows []struct {
		Created time.Time `db:"created_at"`
		Decided time.Time `db:"decided_at"`
	}
	err = s.Store.DB.SelectContext(ctx, &rows, `SELECT created_at, decided_at FROM join_requests
		WHERE decided_at > ? AND status IN ('approved', 'rejected') AND invitation_id IS NULL`, s.now().Add(-30*24*time.Hour))
	if err != nil || len(rows) < 3 {
		return 0, false, err
	}
	ds := make([]time.Duration, len(rows))
	for i, r := range rows {
		ds[i] = r.Decided.Sub(r.Created)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2], true, nil
	}
	return (ds[n/2-1] + ds[n/2]) / 2, true, nil
}

// AlertWaiting mails every moderator once about requests that have waited
// in the queue longer than Policy.AlertAfter; each request is counted in
// one alert only (until it re-enters the queue). It returns how many
// requests it alerted about.
func (s *Service) AlertWaiting(ctx context.Context) (int, error) {
	n := 0
	err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		now := s.now()
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, `SELECT id FROM join_requests WHERE status IN ('pending', 'completed')
			AND alerted_at IS NULL AND COALESCE(queued_at, created_at) < ? ORDER BY id`, now.Add(-s.AlertAfter)); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		n = len(ids)
		args := []any{now}
		for _, id := range ids {
			args = append(args, id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE join_requests SET alerted_at = ? WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...); err != nil {
			return err
		}
		var mods []forum.Member
		if err := tx.SelectContext(ctx, &mods, `SELECT id, email, display_name, lang FROM members
			WHERE role IN ('moderator', 'admin') AND status = 'approved' ORDER BY id`); err != nil {
			return err
		}
		hours := int(s.AlertAfter / time.Hour)
		for _, m := range mods {
			lang := mailLang(m.Lang)
			if err := s.Store.Enqueue(ctx, tx, forum.Mail{MemberID: m.ID, Kind: "queue_alert", To: m.Email,
				Subject: s.I18n.T(lang, "screening.mail.alert.subject", n),
				Body:    s.I18n.T(lang, "screening.mail.alert.body", m.DisplayName, n, hours, s.Store.BaseURL+"/mod/join-requests")}); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// Purge deletes what retention says to: rejected and withdrawn requests
// decided more than Policy.Retention ago, with their answers, history
// and notes, and the applicant's account when she is still rejected or
// withdrawn (no newer request). The audit log keeps a line per purged
// request, with no personal data. It returns how many requests it
// deleted.
func (s *Service) Purge(ctx context.Context) (int, error) {
	var old []struct {
		ID       int64        `db:"id"`
		MemberID int64        `db:"member_id"`
		Status   string       `db:"status"`
		MStatus  forum.Status `db:"mstatus"`
		Latest   int64        `db:"latest"`
	}
	err := s.Store.DB.SelectContext(ctx, &old, `SELECT j.id, j.member_id, j.status, m.status AS mstatus,
			(SELECT MAX(id) FROM join_requests l WHERE l.member_id = j.member_id) AS latest
		FROM join_requests j JOIN members m ON m.id = j.member_id
		WHERE j.status IN ('rejected', 'withdrawn') AND j.decided_at < ? ORDER BY j.id LIMIT 500`, s.now().Add(-s.Retention))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range old {
		err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM join_requests WHERE id = ? AND status IN ('rejected', 'withdrawn')`, o.ID); err != nil {
				return err
			}
			if o.Latest == o.ID && (o.MStatus == forum.StatusRejected || o.MStatus == forum.StatusWithdrawn) {
				// Her newest request was this one and she is no member:
				// the account goes with it.
				if err := s.Store.PurgeApplicant(ctx, tx, o.MemberID); err != nil {
					return err
				}
			}
			return s.Store.Audit(ctx, tx, forum.AuditLine{Action: "join_request.purge", TargetType: "join_request", TargetID: o.ID,
				Detail: o.Status})
		})
		if err != nil {
			return n, fmt.Errorf("purge join request %d: %w", o.ID, err)
		}
		n++
	}
	// Invitations nobody used hold addresses of people who never
	// joined: they go after the same time, with their mail.
	cutoff := s.now().Add(-s.Retention)
	var stale int
	if err := s.Store.DB.GetContext(ctx, &stale, `SELECT COUNT(*) FROM invitations WHERE used_at IS NULL AND expires_at < ?`, cutoff); err != nil || stale == 0 {
		return n, err
	}
	err = forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE kind = 'invitation' AND status IN ('sent', 'failed')
			AND to_addr IN (SELECT email FROM invitations WHERE used_at IS NULL AND expires_at < ?)`, cutoff); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM invitations WHERE used_at IS NULL AND expires_at < ?`, cutoff)
		return err
	})
	return n, err
}
