package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
	"kliv/i18n"
)

// Sectors an applicant can name, by their stored code.
var Sectors = []string{"state", "region", "municipality", "other"}

// sectorAliases accepts the Swedish words too, so an API client may send
// what the form shows.
var sectorAliases = map[string]string{
	"state": "state", "stat": "state", "staten": "state",
	"region": "region", "regionen": "region",
	"municipality": "municipality", "kommun": "municipality", "kommunen": "municipality",
	"other": "other", "annat": "other", "annan": "other",
}

// RejectReasons are the built-in ready-made reasons; each is stored as
// "preset:<code>" and shown in the reader's language. Admins reword them
// and add more (see Reasons).
var RejectReasons = []string{"not_public_sector", "no_staff", "not_leader", "incomplete", "duplicate"}

// The statuses of a join request.
const (
	JoinPending   = "pending"
	JoinNeedsInfo = "needs_info" // sent back with a question
	JoinCompleted = "completed"  // the applicant answered: back in the queue
	JoinApproved  = "approved"
	JoinRejected  = "rejected"
	JoinWithdrawn = "withdrawn"
)

// JoinStatuses are the statuses a list can ask for; "open" is the queue:
// pending and completed together.
var JoinStatuses = []string{"open", JoinPending, JoinCompleted, JoinNeedsInfo, JoinApproved, JoinRejected, JoinWithdrawn}

// Answers are the screening answers of a join request: the five built-in
// questions, and Extra, the answers to questions admins added, by key.
type Answers struct {
	Workplace           string
	Role                string
	StaffResponsibility *bool
	Sector              string
	Motivation          string
	Extra               map[string]string
}

// Application is what a person sends to join.
type Application struct {
	Username    string
	Email       string
	Password    string
	DisplayName string
	Answers     Answers
	AcceptRules bool
	Lang        string
}

// JoinRequest is an application as stored, with its applicant.
type JoinRequest struct {
	ID                  int64      `db:"id"`
	MemberID            int64      `db:"member_id"`
	Username            string     `db:"username"`
	Email               string     `db:"email"`
	DisplayName         string     `db:"display_name"`
	Lang                string     `db:"lang"`
	Workplace           string     `db:"workplace"`
	RoleTitle           string     `db:"role_title"`
	StaffResponsibility bool       `db:"staff_responsibility"`
	Sector              string     `db:"sector"`
	Motivation          string     `db:"motivation"`
	Status              string     `db:"status"`
	Reason              string     `db:"reason"`
	DecidedBy           *string    `db:"decided_by"`
	DecidedAt           *time.Time `db:"decided_at"`
	CreatedAt           time.Time  `db:"created_at"`
	ClaimedByID         *int64     `db:"claimed_by_id"`
	ClaimedBy           *string    `db:"claimed_by"`
	ClaimedUntil        *time.Time `db:"claimed_until"`
	ProposedByID        *int64     `db:"proposed_by_id"`
	ProposedBy          *string    `db:"proposed_by"`
	ProposedReason      string     `db:"proposed_reason"`
	ProposedAt          *time.Time `db:"proposed_at"`
	Question            string     `db:"question"`
	QueuedAt            *time.Time `db:"queued_at"`
	InvitationID        *int64     `db:"invitation_id"`
	// Extra are the answers to added questions, in the form's order.
	Extra []ExtraAnswer `db:"-"`
}

const joinCols = `j.id, j.member_id, m.username, m.email, m.display_name, m.lang, j.workplace, j.role_title,
	j.staff_responsibility, j.sector, j.motivation, j.status, j.reason,
	(SELECT username FROM members d WHERE d.id = j.decided_by) AS decided_by, j.decided_at, j.created_at,
	j.claimed_by AS claimed_by_id, (SELECT username FROM members c WHERE c.id = j.claimed_by) AS claimed_by, j.claimed_until,
	j.proposed_by AS proposed_by_id, (SELECT username FROM members p WHERE p.id = j.proposed_by) AS proposed_by,
	j.proposed_reason, j.proposed_at, j.question, j.queued_at, j.invitation_id`

// EmailDomain is the part of the e-mail after @, which tells a moderator
// much about the employer.
func (j *JoinRequest) EmailDomain() string {
	return j.Email[strings.LastIndexByte(j.Email, '@')+1:]
}

// Open reports whether the request still waits for a decision.
func (j *JoinRequest) Open() bool {
	return j.Status == JoinPending || j.Status == JoinCompleted || j.Status == JoinNeedsInfo
}

// InQueue reports whether a moderator can decide it now.
func (j *JoinRequest) InQueue() bool { return j.Status == JoinPending || j.Status == JoinCompleted }

// Holder is the username of the moderator whose claim holds at now, or "".
func (j *JoinRequest) Holder(now time.Time) string {
	if j.ClaimedBy != nil && j.ClaimedUntil != nil && j.ClaimedUntil.After(now) {
		return *j.ClaimedBy
	}
	return ""
}

// heldByOther reports whether another moderator's claim holds at now.
func (j *JoinRequest) heldByOther(actor *forum.Member, now time.Time) bool {
	return j.Holder(now) != "" && *j.ClaimedByID != actor.ID
}

// Answers returns the request's answers as an applicant writes them.
func (j *JoinRequest) Answers() Answers {
	sr := j.StaffResponsibility
	a := Answers{Workplace: j.Workplace, Role: j.RoleTitle, StaffResponsibility: &sr, Sector: j.Sector, Motivation: j.Motivation}
	for _, e := range j.Extra {
		if a.Extra == nil {
			a.Extra = map[string]string{}
		}
		a.Extra[e.Key] = e.Value
	}
	return a
}

// ValidateAnswers checks the built-in screening answers with every
// question required, adding messages to v.
func ValidateAnswers(v *forum.ValidationError, a *Answers, acceptRules bool) {
	validateBuiltin(v, a, acceptRules, true)
}

func validateBuiltin(v *forum.ValidationError, a *Answers, acceptRules, motivationRequired bool) {
	a.Workplace = forum.CheckText(v, "workplace", a.Workplace, 2, 200, false)
	a.Role = forum.CheckText(v, "role", a.Role, 2, 200, false)
	if a.StaffResponsibility == nil {
		v.Add("staff_responsibility", "error.field.required")
	}
	code, ok := sectorAliases[strings.ToLower(strings.TrimSpace(a.Sector))]
	if !ok {
		if strings.TrimSpace(a.Sector) == "" {
			v.Add("sector", "error.field.required")
		} else {
			v.Add("sector", "error.field.choice")
		}
	}
	a.Sector = code
	if motivationRequired || strings.TrimSpace(a.Motivation) != "" {
		a.Motivation = forum.CheckText(v, "motivation", a.Motivation, 10, 2000, true)
	} else {
		a.Motivation = ""
	}
	if !acceptRules {
		v.Add("accept_rules", "error.rules.accept")
	}
}

// checkAnswers validates every answer against the form's questions as
// they are now, and returns the added questions' answers by question id.
func (s *Service) checkAnswers(ctx context.Context, q sqlx.QueryerContext, v *forum.ValidationError, a *Answers, acceptRules bool) (map[int64]string, error) {
	qs, err := s.questions(ctx, q, false)
	if err != nil {
		return nil, err
	}
	motivation := true
	for _, qu := range qs {
		if qu.Key == "motivation" {
			motivation = qu.Required
		}
	}
	validateBuiltin(v, a, acceptRules, motivation)
	return checkExtra(v, qs, a.Extra), nil
}

// Apply creates the applicant's account (status pending) and her join
// request in one transaction.
func (s *Service) Apply(ctx context.Context, a Application) (*JoinRequest, *forum.Member, error) {
	v := &forum.ValidationError{}
	nm := forum.NewMember{Username: a.Username, Email: a.Email, DisplayName: a.DisplayName, Password: a.Password,
		Role: forum.RoleMember, Status: forum.StatusPending, Lang: a.Lang}
	nm.Validate(v)
	extra, err := s.checkAnswers(ctx, s.Store.DB, v, &a.Answers, a.AcceptRules)
	if err != nil {
		return nil, nil, err
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	var m *forum.Member
	var jr *JoinRequest
	err = forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		var err error
		if m, err = s.Store.CreateMember(ctx, tx, nm); err != nil {
			return err
		}
		jr, err = s.insertRequest(ctx, tx, m.ID, a.Answers, extra, JoinPending, nil)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return jr, m, nil
}

// Reapply lets a rejected applicant, or one who withdrew, send a new
// request with new answers.
func (s *Service) Reapply(ctx context.Context, m *forum.Member, a Answers, acceptRules bool) (*JoinRequest, error) {
	if m.Status != forum.StatusRejected && m.Status != forum.StatusWithdrawn {
		return nil, forum.Refuse(forum.ErrConflict, "error.join.not_rejected")
	}
	v := &forum.ValidationError{}
	extra, err := s.checkAnswers(ctx, s.Store.DB, v, &a, acceptRules)
	if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var jr *JoinRequest
	err = forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		if err := s.Store.SetMemberStatus(ctx, tx, m.ID, forum.StatusPending, forum.StatusRejected, forum.StatusWithdrawn); err != nil {
			if errors.Is(err, forum.ErrConflict) {
				return forum.Refuse(forum.ErrConflict, "error.join.not_rejected")
			}
			return err
		}
		var err error
		jr, err = s.insertRequest(ctx, tx, m.ID, a, extra, JoinPending, nil)
		return err
	})
	return jr, err
}

func (s *Service) insertRequest(ctx context.Context, tx *sqlx.Tx, memberID int64, a Answers, extra map[int64]string, status string, invitation *int64) (*JoinRequest, error) {
	now := s.now()
	id, err := forum.InsertID(ctx, tx, `INSERT INTO join_requests (member_id, workplace, role_title, staff_responsibility, sector, motivation,
			rules_accepted_at, created_at, queued_at, status, invitation_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, memberID, a.Workplace, a.Role, *a.StaffResponsibility, a.Sector, a.Motivation,
		now, now, now, status, invitation)
	if err != nil {
		if errors.Is(forum.Translate(err), forum.ErrConflict) {
			return nil, forum.Refuse(forum.ErrConflict, "error.join.open_exists")
		}
		return nil, fmt.Errorf("insert join request: %w", err)
	}
	if err := s.saveExtra(ctx, tx, id, extra); err != nil {
		return nil, err
	}
	if err := s.event(ctx, tx, id, "submitted", memberID, "", &a); err != nil {
		return nil, err
	}
	return s.joinRequest(ctx, tx, id)
}

// event writes a line of a request's history; answers, when given, are
// kept as they were.
func (s *Service) event(ctx context.Context, ext sqlx.ExecerContext, requestID int64, kind string, actorID int64, message string, answers *Answers) error {
	snap := ""
	if answers != nil {
		b, err := json.Marshal(answers)
		if err != nil {
			return err
		}
		snap = string(b)
	}
	var actor any
	if actorID > 0 {
		actor = actorID
	}
	_, err := ext.ExecContext(ctx, `INSERT INTO join_request_events (request_id, kind, actor_id, message, answers, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, requestID, kind, actor, message, snap, s.now())
	if err != nil {
		return fmt.Errorf("join request event %s: %w", kind, err)
	}
	return nil
}

func (s *Service) joinRequest(ctx context.Context, q sqlx.QueryerContext, id int64) (*JoinRequest, error) {
	var j JoinRequest
	err := sqlx.GetContext(ctx, q, &j, `SELECT `+joinCols+` FROM join_requests j JOIN members m ON m.id = j.member_id WHERE j.id = ?`, id)
	if err != nil {
		return nil, forum.Translate(err)
	}
	one := []JoinRequest{j}
	if err := s.fillExtra(ctx, q, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// JoinRequest returns one request, for moderators.
func (s *Service) JoinRequest(ctx context.Context, actor *forum.Member, id int64) (*JoinRequest, error) {
	if !actor.IsModerator() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	return s.joinRequest(ctx, s.Store.DB, id)
}

// LatestRequest returns a person's newest join request (her status page).
func (s *Service) LatestRequest(ctx context.Context, memberID int64) (*JoinRequest, error) {
	var id int64
	err := s.Store.DB.GetContext(ctx, &id, `SELECT id FROM join_requests WHERE member_id = ? ORDER BY id DESC LIMIT 1`, memberID)
	if err != nil {
		return nil, forum.Translate(err)
	}
	return s.joinRequest(ctx, s.Store.DB, id)
}

// JoinRequests lists requests of a status for moderators: open ones
// oldest first (the queue), decided ones newest first. after continues a
// page.
func (s *Service) JoinRequests(ctx context.Context, actor *forum.Member, status string, after int64, limit int) ([]JoinRequest, int64, error) {
	if !actor.IsModerator() {
		return nil, 0, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	if status == "" {
		status = JoinPending
	}
	known := false
	for _, st := range JoinStatuses {
		known = known || st == status
	}
	if !known {
		return nil, 0, forum.Invalid("status", "error.field.choice")
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	where, args := `j.status = ?`, []any{status}
	if status == "open" {
		where, args = `j.status IN ('pending', 'completed')`, nil
	}
	var js []JoinRequest
	var err error
	switch status {
	case "open", JoinPending, JoinCompleted, JoinNeedsInfo:
		err = s.Store.DB.SelectContext(ctx, &js, `SELECT `+joinCols+` FROM join_requests j JOIN members m ON m.id = j.member_id
			WHERE `+where+` AND j.id > ? ORDER BY j.id LIMIT ?`, append(args, after, limit+1)...)
	default:
		if after <= 0 {
			after = 1 << 62
		}
		err = s.Store.DB.SelectContext(ctx, &js, `SELECT `+joinCols+` FROM join_requests j JOIN members m ON m.id = j.member_id
			WHERE `+where+` AND j.id < ? ORDER BY j.id DESC LIMIT ?`, append(args, after, limit+1)...)
	}
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(js) > limit {
		js = js[:limit]
		next = js[len(js)-1].ID
	}
	if err := s.fillExtra(ctx, s.Store.DB, js); err != nil {
		return nil, 0, err
	}
	return js, next, nil
}

// CountPending returns how many requests wait for a moderator (pending
// and completed), for the moderator header; for anyone but a moderator it
// is 0, since she cannot act on them.
func (s *Service) CountPending(ctx context.Context, actor *forum.Member) (int, error) {
	if !actor.IsModerator() {
		return 0, nil
	}
	var n int
	err := s.Store.DB.GetContext(ctx, &n, `SELECT COUNT(*) FROM join_requests WHERE status IN ('pending', 'completed')`)
	return n, err
}

// Approve makes the applicant a member: the request, the account, the
// audit line and the welcome mail in one transaction.
func (s *Service) Approve(ctx context.Context, actor *forum.Member, id int64) (*JoinRequest, error) {
	jr, _, err := s.decide(ctx, actor, id, JoinApproved, "", false)
	return jr, err
}

// Reject refuses a request with a reason: a ready-made code or free text.
// When a moderator proposed this rejection for a second opinion, another
// moderator's Reject is the agreement that makes it take effect (with the
// proposed reason unless she gives one).
func (s *Service) Reject(ctx context.Context, actor *forum.Member, id int64, reason string) (*JoinRequest, error) {
	jr, _, err := s.RejectWith(ctx, actor, id, reason, false)
	return jr, err
}

// RejectWith rejects, or with second proposes the rejection for another
// moderator to agree to (the applicant is told nothing until then).
// proposed reports that the rejection waits for that agreement.
func (s *Service) RejectWith(ctx context.Context, actor *forum.Member, id int64, reason string, second bool) (jr *JoinRequest, proposed bool, err error) {
	if !actor.IsModerator() {
		return nil, false, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	if reason != "" {
		if reason, err = s.normalizeReason(ctx, s.Store.DB, reason); err != nil {
			return nil, false, err
		}
	}
	return s.decide(ctx, actor, id, JoinRejected, reason, second)
}

// NormalizeReason checks a rejection reason against the built-in codes:
// a code becomes "preset:<code>", anything else stays free text.
func NormalizeReason(reason string) (string, error) {
	v := &forum.ValidationError{}
	reason = forum.CheckText(v, "reason", reason, 1, 1000, true)
	if err := v.Err(); err != nil {
		return "", err
	}
	for _, r := range RejectReasons {
		if reason == r || reason == "preset:"+r {
			return "preset:" + r, nil
		}
	}
	return reason, nil
}

// Decided is what a decision did, for the moderator's message.
func (s *Service) decide(ctx context.Context, actor *forum.Member, id int64, status, reason string, second bool) (*JoinRequest, bool, error) {
	if !actor.IsModerator() {
		return nil, false, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	var jr *JoinRequest
	proposed := false
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
		now := s.now()
		if j.heldByOther(actor, now) {
			return forum.Refuse(forum.ErrConflict, "screening.error.claimed", *j.ClaimedBy)
		}
		if status == JoinRejected {
			switch {
			case j.ProposedByID != nil && *j.ProposedByID == actor.ID:
				return forum.Refuse(forum.ErrConflict, "screening.error.second_same")
			case j.ProposedByID != nil:
				// The second moderator agrees.
				if reason == "" {
					reason = j.ProposedReason
				}
			case second:
				if reason == "" {
					return forum.Invalid("reason", "error.field.required")
				}
				proposed = true
				if _, err := tx.ExecContext(ctx, `UPDATE join_requests SET proposed_by = ?, proposed_reason = ?, proposed_at = ?,
					claimed_by = NULL, claimed_until = NULL WHERE id = ?`, actor.ID, reason, now, id); err != nil {
					return err
				}
				if err := s.event(ctx, tx, id, "reject_proposed", actor.ID, reason, nil); err != nil {
					return err
				}
				if err := s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "join_request.reject_proposed",
					TargetType: "join_request", TargetID: id, Reason: auditReason(reason)}); err != nil {
					return err
				}
				jr, err = s.joinRequest(ctx, tx, id)
				return err
			}
			if reason == "" {
				return forum.Invalid("reason", "error.field.required")
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE join_requests SET status = ?, reason = ?, decided_by = ?, decided_at = ?,
			claimed_by = NULL, claimed_until = NULL WHERE id = ?`, status, reason, actor.ID, now, id); err != nil {
			return err
		}
		action, detail := "join_request.approve", ""
		if status == JoinApproved {
			// Her answers become the verified role line under her posts.
			err = s.Store.ApproveMember(ctx, tx, j.MemberID, forum.VerifiedRole{RoleTitle: j.RoleTitle, Workplace: j.Workplace, Sector: j.Sector})
			if err == nil {
				err = forum.FillPlace(ctx, tx, j.MemberID, j.Workplace)
			}
		} else {
			action = "join_request.reject"
			if j.ProposedByID != nil {
				detail = "second_opinion"
			}
			err = s.Store.SetMemberStatus(ctx, tx, j.MemberID, forum.StatusRejected, forum.StatusPending)
		}
		if err != nil {
			return err
		}
		if err := s.event(ctx, tx, id, status, actor.ID, reason, nil); err != nil {
			return err
		}
		if err := s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: action, TargetType: "join_request", TargetID: id,
			Reason: auditReason(reason), Detail: detail}); err != nil {
			return err
		}
		if jr, err = s.joinRequest(ctx, tx, id); err != nil {
			return err
		}
		if err := s.Store.NotifyJoinDecision(ctx, tx, j.MemberID, id, status); err != nil {
			return err
		}
		return s.Store.Enqueue(ctx, tx, s.decisionMail(ctx, jr))
	})
	return jr, proposed, err
}

func mailLang(lang string) string {
	if lang == "" {
		return i18n.Default
	}
	return lang
}

func (s *Service) decisionMail(ctx context.Context, j *JoinRequest) forum.Mail {
	lang := mailLang(j.Lang)
	t := func(key string, args ...any) string { return s.I18n.T(lang, key, args...) }
	m := forum.Mail{MemberID: j.MemberID, Kind: "join_" + j.Status, To: j.Email}
	if j.Status == JoinApproved {
		m.Subject = t("mail.join_approved.subject")
		m.Body = t("mail.join_approved.body", j.DisplayName, s.Store.BaseURL+"/")
	} else {
		m.Subject = t("mail.join_rejected.subject")
		m.Body = t("mail.join_rejected.body", j.DisplayName, s.ReasonText(ctx, lang, j.Reason), s.Store.BaseURL+"/")
	}
	return m
}

// Decision is the outcome of one request in a batch.
type Decision struct {
	ID       int64
	Request  *JoinRequest
	Proposed bool
	Err      error
}

// DecideMany approves or rejects several requests, each in its own
// transaction, so one that was decided meanwhile does not undo the rest.
func (s *Service) DecideMany(ctx context.Context, actor *forum.Member, ids []int64, approve bool, reason string, second bool) []Decision {
	out := make([]Decision, 0, len(ids))
	for _, id := range ids {
		d := Decision{ID: id}
		if approve {
			d.Request, d.Err = s.Approve(ctx, actor, id)
		} else {
			d.Request, d.Proposed, d.Err = s.RejectWith(ctx, actor, id, reason, second)
		}
		out = append(out, d)
	}
	return out
}

// SetRole grants or revokes a role; admins only. The last admin cannot
// step down, so the forum always has one.
func (s *Service) SetRole(ctx context.Context, actor *forum.Member, username string, role forum.Role) error {
	if !actor.IsAdmin() {
		return forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	switch role {
	case forum.RoleMember, forum.RoleModerator, forum.RoleAdmin:
	default:
		return forum.Invalid("role", "error.field.choice")
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		target, err := s.Store.MemberIn(ctx, tx, username)
		if err != nil {
			return err
		}
		if target.Status != forum.StatusApproved {
			return forum.Refuse(forum.ErrConflict, "error.role.not_member")
		}
		if target.Role == role {
			return nil
		}
		if err := s.Store.SetMemberRole(ctx, tx, target.ID, role); err != nil {
			return err
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "member.role", TargetType: "member", TargetID: target.ID,
			Detail: string(target.Role) + " → " + string(role)})
	})
}

// Proposer is the username of the moderator who proposed to reject it,
// or "".
func (j *JoinRequest) Proposer() string {
	if j.ProposedBy == nil {
		return ""
	}
	return *j.ProposedBy
}
