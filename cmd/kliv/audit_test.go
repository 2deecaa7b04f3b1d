package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kliv/forum"
)

// auditLines returns the audit log's lines as "action target_type:target_id".
func auditLines(t *testing.T, a *app) map[string]bool {
	t.Helper()
	var rows []struct {
		Action     string `db:"action"`
		TargetType string `db:"target_type"`
		TargetID   int64  `db:"target_id"`
		ActorID    *int64 `db:"actor_id"`
	}
	if err := a.db.Select(&rows, `SELECT action, target_type, target_id, actor_id FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range rows {
		out[fmt.Sprintf("%s %s:%d", r.Action, r.TargetType, r.TargetID)] = true
	}
	return out
}

// Every moderator and admin action writes its line of the audit log, in
// the action's own transaction, through the one writer. The table is the
// list of those actions; a new one belongs here.
func TestEveryModeratorActionIsAudited(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	bea := mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	ad := clientFor(t, a, "ada")
	mod := clientFor(t, a, "mona")

	q := mustTopic(t, a, bea, forum.NewTopic{Title: "En fråga om scheman", Kind: forum.KindQuestion})
	reply := mustReply(t, a, bea, q.ID, "Ett svar att välja", 0)
	other := mustReply(t, a, bea, q.ID, "Ett svar att ta bort", 0)
	// Moderation: eva's post reported by bea, and fia to remove.
	eva := mustCreateMember(t, a, "eva", forum.RoleMember, forum.StatusApproved)
	fia := mustCreateMember(t, a, "fia", forum.RoleMember, forum.StatusApproved)
	flagged := mustReply(t, a, eva, q.ID, "Ett rapporterat svar", 0)
	report, err := a.mod.ReportPost(context.Background(), bea, flagged.ID, "off_topic", "")
	if err != nil {
		t.Fatal(err)
	}
	jrA := mustApply(t, a, "cia", "sv")
	jrB := mustApply(t, a, "dora", "en")
	jrC := mustApply(t, a, "gun", "sv")
	jrD := mustApply(t, a, "hedda", "sv")

	cases := []struct {
		name   string
		act    func() *testResponse
		action string
		target string
	}{
		{"approve", func() *testResponse {
			return mod.api("POST", fmt.Sprintf("/api/v1/join-requests/%d/approve", jrA.ID), map[string]any{})
		}, "join_request.approve", fmt.Sprintf("join_request:%d", jrA.ID)},
		{"reject", func() *testResponse {
			return mod.api("POST", fmt.Sprintf("/api/v1/join-requests/%d/reject", jrB.ID), map[string]any{"reason": "no_staff"})
		}, "join_request.reject", fmt.Sprintf("join_request:%d", jrB.ID)},
		{"ask for more information", func() *testResponse {
			return mod.api("POST", fmt.Sprintf("/api/v1/join-requests/%d/ask", jrC.ID), map[string]any{"question": "Vilken enhet leder du?"})
		}, "join_request.ask", fmt.Sprintf("join_request:%d", jrC.ID)},
		{"propose a rejection", func() *testResponse {
			return mod.api("POST", fmt.Sprintf("/api/v1/join-requests/%d/reject", jrD.ID), map[string]any{"reason": "no_staff", "second_opinion": true})
		}, "join_request.reject_proposed", fmt.Sprintf("join_request:%d", jrD.ID)},
		{"invite", func() *testResponse {
			return ad.api("POST", "/api/v1/invitations", map[string]any{"emails": []string{"gun@kommun.se"}})
		}, "invitation.create", "invitation:"},
		{"add a join question", func() *testResponse {
			return ad.postForm("/admin/join-questions", url.Values{"kind": {"text"}, "label_sv": {"Vilken enhet?"}, "label_en": {"Which unit?"}})
		}, "join_question.add", "join_question:"},
		{"add a rejection reason", func() *testResponse {
			return ad.postForm("/admin/reject-reasons", url.Values{"text_sv": {"Vi når dig inte."}, "text_en": {"We cannot reach you."}})
		}, "reject_reason.add", "reject_reason:"},
		{"role", func() *testResponse {
			return ad.api("PUT", "/api/v1/members/bea/role", map[string]any{"role": "moderator"})
		}, "member.role", fmt.Sprintf("member:%d", bea.ID)},
		{"lock", func() *testResponse {
			return mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/lock", q.ID), map[string]any{"locked": true})
		}, "topic.lock", fmt.Sprintf("topic:%d", q.ID)},
		{"unlock", func() *testResponse {
			return mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/lock", q.ID), map[string]any{"locked": false})
		}, "topic.unlock", fmt.Sprintf("topic:%d", q.ID)},
		{"answer for another", func() *testResponse {
			return mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/answer", q.ID), map[string]any{"post_id": reply.ID})
		}, "topic.answer", fmt.Sprintf("topic:%d", q.ID)},
		{"edit another's post", func() *testResponse {
			return mod.api("PATCH", fmt.Sprintf("/api/v1/posts/%d", reply.ID), map[string]any{"body": "Städat av moderator", "version": 1})
		}, "post.edit", fmt.Sprintf("post:%d", reply.ID)},
		{"delete another's post", func() *testResponse {
			return mod.api("DELETE", fmt.Sprintf("/api/v1/posts/%d", other.ID), nil)
		}, "post.delete", fmt.Sprintf("post:%d", other.ID)},
		{"dismiss report", func() *testResponse {
			return mod.api("POST", fmt.Sprintf("/api/v1/reports/%d/dismiss", report.ID), map[string]any{})
		}, "report.dismiss", fmt.Sprintf("post:%d", flagged.ID)},
		{"hide post", func() *testResponse {
			return mod.api("POST", fmt.Sprintf("/api/v1/posts/%d/hide", flagged.ID), map[string]any{"reason": "off_topic"})
		}, "post.hide", fmt.Sprintf("post:%d", flagged.ID)},
		{"unhide post", func() *testResponse {
			return mod.api("POST", fmt.Sprintf("/api/v1/posts/%d/unhide", flagged.ID), map[string]any{})
		}, "post.unhide", fmt.Sprintf("post:%d", flagged.ID)},
		{"warn", func() *testResponse {
			return mod.api("POST", "/api/v1/members/eva/warn", map[string]any{"reason": "Håll god ton", "post_id": flagged.ID})
		}, "member.warn", fmt.Sprintf("member:%d", eva.ID)},
		{"suspend", func() *testResponse {
			return mod.api("POST", "/api/v1/members/eva/suspend", map[string]any{"reason": "spam", "until": time.Now().AddDate(0, 1, 0).Format("2006-01-02")})
		}, "member.suspend", fmt.Sprintf("member:%d", eva.ID)},
		{"unsuspend", func() *testResponse {
			return mod.api("POST", "/api/v1/members/eva/unsuspend", map[string]any{})
		}, "member.unsuspend", fmt.Sprintf("member:%d", eva.ID)},
		{"remove from the network", func() *testResponse {
			return mod.api("POST", "/api/v1/members/fia/remove", map[string]any{"reason": "spam"})
		}, "member.remove", fmt.Sprintf("member:%d", fia.ID)},
		{"delete a reported post from the queue", func() *testResponse {
			mod.get(fmt.Sprintf("/mod/posts/%d", flagged.ID))
			return mod.postForm(fmt.Sprintf("/mod/posts/%d/delete", flagged.ID), url.Values{"reason": {"spam"}})
		}, "post.delete", fmt.Sprintf("post:%d", flagged.ID)},
		{"create category", func() *testResponse {
			return ad.postForm("/admin/categories", url.Values{"name": {"Nätverksträffar"}, "description": {"Träffar"}})
		}, "category.create", "category:"},
		{"rename category", func() *testResponse {
			return ad.postForm(fmt.Sprintf("/admin/categories/%d", catLedarskap), url.Values{"name": {"Ledarskap och chefskap"}, "slug": {"ledarskap"}})
		}, "category.update", fmt.Sprintf("category:%d", catLedarskap)},
		{"move category", func() *testResponse {
			return ad.postForm(fmt.Sprintf("/admin/categories/%d/move", catLedarskap), url.Values{"direction": {"down"}})
		}, "category.move", fmt.Sprintf("category:%d", catLedarskap)},
		{"archive category", func() *testResponse {
			return ad.postForm(fmt.Sprintf("/admin/categories/%d/archive", catLedarskap), url.Values{"archive": {"1"}})
		}, "category.archive", fmt.Sprintf("category:%d", catLedarskap)},
		{"restore category", func() *testResponse {
			return ad.postForm(fmt.Sprintf("/admin/categories/%d/archive", catLedarskap), url.Values{"archive": {"0"}})
		}, "category.restore", fmt.Sprintf("category:%d", catLedarskap)},
		{"pin", func() *testResponse {
			return mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/pin", q.ID), map[string]any{"home": true})
		}, "topic.pin", fmt.Sprintf("topic:%d", q.ID)},
		{"unpin", func() *testResponse {
			return mod.postForm(fmt.Sprintf("/t/%d/unpin", q.ID), nil)
		}, "topic.unpin", fmt.Sprintf("topic:%d", q.ID)},
		{"close question", func() *testResponse {
			return mod.postForm(fmt.Sprintf("/t/%d/close", q.ID), url.Values{"closed": {"1"}})
		}, "topic.close", fmt.Sprintf("topic:%d", q.ID)},
		{"reopen question", func() *testResponse {
			return mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/close", q.ID), map[string]any{"closed": false})
		}, "topic.reopen", fmt.Sprintf("topic:%d", q.ID)},
		{"move topic", func() *testResponse {
			return mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/move", q.ID), map[string]any{"category_id": catAldreomsorg})
		}, "topic.move", fmt.Sprintf("topic:%d", q.ID)},
		{"split topic", func() *testResponse {
			return mod.postForm(fmt.Sprintf("/t/%d/split", q.ID), url.Values{"post_ids": {fmt.Sprint(reply.ID)}, "title": {"Avdelat"}, "category_id": {"1"}})
		}, "topic.split", fmt.Sprintf("topic:%d", q.ID)},
		{"site settings", func() *testResponse {
			return ad.api("PUT", "/api/v1/admin/settings", map[string]any{"name": "Chefsnätet"})
		}, "settings.update", "site:0"},
	}
	for _, tc := range cases {
		before := auditLines(t, a)
		r := tc.act()
		if r.Code >= 400 {
			t.Fatalf("%s: %d %s", tc.name, r.Code, r.Body)
		}
		var found bool
		for line := range auditLines(t, a) {
			if !before[line] && strings.HasPrefix(line, tc.action+" "+tc.target) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s wrote no %q line for %s", tc.name, tc.action, tc.target)
		}
	}

	// A member's own edit and delete are hers, not a moderator's.
	own := mustReply(t, a, member(t, a, "bea"), q.ID, "Mitt eget svar", 0)
	bc := clientFor(t, a, "bea")
	before := len(auditLines(t, a))
	bc.api("PATCH", fmt.Sprintf("/api/v1/posts/%d", own.ID), map[string]any{"body": "Mitt rättade svar", "version": 1}).wantStatus(200)
	bc.api("DELETE", fmt.Sprintf("/api/v1/posts/%d", own.ID), nil).wantStatus(204)
	if after := len(auditLines(t, a)); after != before {
		t.Errorf("a member's own edit and delete wrote %d audit lines", after-before)
	}
}

// The audit log has one writer: no other file inserts into it.
func TestAuditLogHasOneWriter(t *testing.T) {
	var writers []string
	for _, dir := range []string{".", "../../forum", "../../moderation"} {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if strings.Contains(strings.ToUpper(string(b)), "INSERT INTO AUDIT_LOG") {
				writers = append(writers, filepath.ToSlash(path))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(writers) != 1 || !strings.HasSuffix(writers[0], "forum/audit.go") {
		t.Fatalf("audit log writers: %v, want only forum/audit.go", writers)
	}
	// And moderation changes members only through forum's methods.
	err := filepath.WalkDir("../../moderation", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if s := strings.ToUpper(string(b)); strings.Contains(s, "UPDATE MEMBERS") || strings.Contains(s, "INSERT INTO MEMBERS") {
			t.Errorf("%s writes the members table itself", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
