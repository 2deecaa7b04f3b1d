package moderation

import (
	"context"
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

// RejectReasons are the ready-made reasons a moderator can pick; each is
// stored as "preset:<code>" and shown in the reader's language.
var RejectReasons = []string{"not_public_sector", "no_staff", "not_leader", "incomplete", "duplicate"}

// Answers are the screening answers of a join request.
type Answers struct {
	Workplace           string `json:"workplace"`
	Role                string `json:"role"`
	StaffResponsibility *bool  `json:"staff_responsibility"`
	Sector              string `json:"sector"`
	Motivation          string `json:"motivation"`
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
}

const joinCols = `j.id, j.member_id, m.username, m.email, m.display_name, m.lang, j.workplace, j.role_title,
	j.staff_responsibility, j.sector, j.motivation, j.status, j.reason,
	(SELECT username FROM members d WHERE d.id = j.decided_by) AS decided_by, j.decided_at, j.created_at`

// EmailDomain is the part of the e-mail after @, which tells a moderator
// much about the employer.
func (j *JoinRequest) EmailDomain() string {
	return j.Email[strings.LastIndexByte(j.Email, '@')+1:]
}

// ValidateAnswers checks screening answers, adding messages to v.
func ValidateAnswers(v *forum.ValidationError, a *Answers, acceptRules bool) {
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
	a.Motivation = forum.CheckText(v, "motivation", a.Motivation, 10, 2000, true)
	if !acceptRules {
		v.Add("accept_rules", "error.rules.accept")
	}
}

// Apply creates the applicant's account (status pending) and her join
// request in one transaction.
func (s *Service) Apply(ctx context.Context, a Application) (*JoinRequest, *forum.Member, error) {
	v := &forum.ValidationError{}
	nm := forum.NewMember{Username: a.Username, Email: a.Email, DisplayName: a.DisplayName, Password: a.Password,
		Role: forum.RoleMember, Status: forum.StatusPending, Lang: a.Lang}
	nm.Validate(v)
	ValidateAnswers(v, &a.Answers, a.AcceptRules)
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	var m *forum.Member
	var jr *JoinRequest
	err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		var err error
		if m, err = s.Store.CreateMember(ctx, tx, nm); err != nil {
			return err
		}
		jr, err = s.insertRequest(ctx, tx, m.ID, a.Answers)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return jr, m, nil
}

// Reapply lets a rejected applicant send a new request with new answers.
func (s *Service) Reapply(ctx context.Context, m *forum.Member, a Answers, acceptRules bool) (*JoinRequest, error) {
	if m.Status != forum.StatusRejected {
		return nil, forum.Refuse(forum.ErrConflict, "error.join.not_rejected")
	}
	v := &forum.ValidationError{}
	ValidateAnswers(v, &a, acceptRules)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var jr *JoinRequest
	err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		if err := s.Store.SetMemberStatus(ctx, tx, m.ID, forum.StatusPending, forum.StatusRejected); err != nil {
			if errors.Is(err, forum.ErrConflict) {
				return forum.Refuse(forum.ErrConflict, "error.join.not_rejected")
			}
			return err
		}
		var err error
		jr, err = s.insertRequest(ctx, tx, m.ID, a)
		return err
	})
	return jr, err
}

func (s *Service) insertRequest(ctx context.Context, tx *sqlx.Tx, memberID int64, a Answers) (*JoinRequest, error) {
	now := s.Store.Now().UTC()
	res, err := tx.ExecContext(ctx, `INSERT INTO join_requests (member_id, workplace, role_title, staff_responsibility, sector, motivation, rules_accepted_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, memberID, a.Workplace, a.Role, *a.StaffResponsibility, a.Sector, a.Motivation, now, now)
	if err != nil {
		if errors.Is(forum.Translate(err), forum.ErrConflict) {
			return nil, forum.Refuse(forum.ErrConflict, "error.join.open_exists")
		}
		return nil, fmt.Errorf("insert join request: %w", err)
	}
	id, _ := res.LastInsertId()
	return s.joinRequest(ctx, tx, id)
}

func (s *Service) joinRequest(ctx context.Context, q sqlx.QueryerContext, id int64) (*JoinRequest, error) {
	var j JoinRequest
	err := sqlx.GetContext(ctx, q, &j, `SELECT `+joinCols+` FROM join_requests j JOIN members m ON m.id = j.member_id WHERE j.id = ?`, id)
	if err != nil {
		return nil, forum.Translate(err)
	}
	return &j, nil
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
	var j JoinRequest
	err := s.Store.DB.GetContext(ctx, &j, `SELECT `+joinCols+` FROM join_requests j JOIN members m ON m.id = j.member_id
		WHERE j.member_id = ? ORDER BY j.id DESC LIMIT 1`, memberID)
	if err != nil {
		return nil, forum.Translate(err)
	}
	return &j, nil
}

// JoinRequests lists requests of a status for moderators: pending oldest
// first (the queue), decided ones newest first. after continues a page.
func (s *Service) JoinRequests(ctx context.Context, actor *forum.Member, status string, after int64, limit int) ([]JoinRequest, int64, error) {
	if !actor.IsModerator() {
		return nil, 0, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	if status == "" {
		status = "pending"
	}
	switch status {
	case "pending", "needs_info":
	case "approved", "rejected":
	default:
		return nil, 0, forum.Invalid("status", "error.field.choice")
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var js []JoinRequest
	var err error
	if status == "pending" || status == "needs_info" {
		err = s.Store.DB.SelectContext(ctx, &js, `SELECT `+joinCols+` FROM join_requests j JOIN members m ON m.id = j.member_id
			WHERE j.status = ? AND j.id > ? ORDER BY j.id LIMIT ?`, status, after, limit+1)
	} else {
		if after <= 0 {
			after = 1 << 62
		}
		err = s.Store.DB.SelectContext(ctx, &js, `SELECT `+joinCols+` FROM join_requests j JOIN members m ON m.id = j.member_id
			WHERE j.status = ? AND j.id < ? ORDER BY j.id DESC LIMIT ?`, status, after, limit+1)
	}
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(js) > limit {
		js = js[:limit]
		next = js[len(js)-1].ID
	}
	return js, next, nil
}

// CountPending returns how many requests wait, for the moderator header;
// for anyone but a moderator it is 0, since she cannot act on them.
func (s *Service) CountPending(ctx context.Context, actor *forum.Member) (int, error) {
	if !actor.IsModerator() {
		return 0, nil
	}
	var n int
	err := s.Store.DB.GetContext(ctx, &n, `SELECT COUNT(*) FROM join_requests WHERE status = 'pending'`)
	return n, err
}

// Approve makes the applicant a member: the request, the account, the
// audit line and the welcome mail in one transaction.
func (s *Service) Approve(ctx context.Context, actor *forum.Member, id int64) (*JoinRequest, error) {
	return s.decide(ctx, actor, id, "approved", "")
}

// Reject refuses a request with a reason: a preset code from
// RejectReasons or free text.
func (s *Service) Reject(ctx context.Context, actor *forum.Member, id int64, reason string) (*JoinRequest, error) {
	reason, err := NormalizeReason(reason)
	if err != nil {
		return nil, err
	}
	return s.decide(ctx, actor, id, "rejected", reason)
}

// NormalizeReason checks a rejection reason and stores a preset code as
// "preset:<code>".
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

func (s *Service) decide(ctx context.Context, actor *forum.Member, id int64, status, reason string) (*JoinRequest, error) {
	if !actor.IsModerator() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	var jr *JoinRequest
	err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		j, err := s.joinRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if j.Status != "pending" && j.Status != "needs_info" {
			return forum.Refuse(forum.ErrConflict, "error.join.decided")
		}
		now := s.Store.Now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE join_requests SET status = ?, reason = ?, decided_by = ?, decided_at = ? WHERE id = ?`,
			status, reason, actor.ID, now, id); err != nil {
			return err
		}
		action := "join_request.approve"
		if status == "approved" {
			// Her answers become the verified role line under her posts.
			err = s.Store.ApproveMember(ctx, tx, j.MemberID, forum.VerifiedRole{RoleTitle: j.RoleTitle, Workplace: j.Workplace, Sector: j.Sector})
		} else {
			action = "join_request.reject"
			err = s.Store.SetMemberStatus(ctx, tx, j.MemberID, forum.StatusRejected, forum.StatusPending)
		}
		if err != nil {
			return err
		}
		if err := s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: action, TargetType: "join_request", TargetID: id, Reason: reason}); err != nil {
			return err
		}
		if jr, err = s.joinRequest(ctx, tx, id); err != nil {
			return err
		}
		if err := s.Store.NotifyJoinDecision(ctx, tx, j.MemberID, id, status); err != nil {
			return err
		}
		return s.Store.Enqueue(ctx, tx, s.decisionMail(jr))
	})
	return jr, err
}

// ReasonText shows a stored reason in lang: a preset in words, free text
// as written.
func (s *Service) ReasonText(lang, reason string) string {
	if code, ok := strings.CutPrefix(reason, "preset:"); ok {
		return s.I18n.T(lang, "join.reason."+code)
	}
	return reason
}

func (s *Service) decisionMail(j *JoinRequest) forum.Mail {
	lang := j.Lang
	if lang == "" {
		lang = i18n.Default
	}
	t := func(key string, args ...any) string { return s.I18n.T(lang, key, args...) }
	m := forum.Mail{MemberID: j.MemberID, Kind: "join_" + j.Status, To: j.Email}
	if j.Status == "approved" {
		m.Subject = t("mail.join_approved.subject")
		m.Body = t("mail.join_approved.body", j.DisplayName, s.Store.BaseURL+"/")
	} else {
		m.Subject = t("mail.join_rejected.subject")
		m.Body = t("mail.join_rejected.body", j.DisplayName, s.ReasonText(lang, j.Reason), s.Store.BaseURL+"/")
	}
	return m
}

// Decision is the outcome of one request in a batch.
type Decision struct {
	ID  int64
	Err error
}

// DecideMany approves or rejects several requests, each in its own
// transaction, so one that was decided meanwhile does not undo the rest.
func (s *Service) DecideMany(ctx context.Context, actor *forum.Member, ids []int64, approve bool, reason string) []Decision {
	out := make([]Decision, 0, len(ids))
	for _, id := range ids {
		var err error
		if approve {
			_, err = s.Approve(ctx, actor, id)
		} else {
			_, err = s.Reject(ctx, actor, id, reason)
		}
		out = append(out, Decision{ID: id, Err: err})
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
