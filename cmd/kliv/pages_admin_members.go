package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/forum/places"
	"kliv/i18n"
	"kliv/moderation"
)

// seenCache remembers when each member's use of the site was last
// written down, so a page view writes (and waits) at most once an hour
// per member (and once more when a new week starts).
type seenCache struct {
	mu sync.Mutex
	at map[int64]time.Time
}

// noteSeen writes down that the reader uses the site, at most once an
// hour. A failure costs only the note: the page is served all the same.
func (a *app) noteSeen(ctx context.Context, m *forum.Member) {
	if !m.IsMember() {
		return
	}
	now := a.store.Now()
	a.seen.mu.Lock()
	if a.seen.at == nil || len(a.seen.at) > 200_000 {
		a.seen.at = map[int64]time.Time{}
	}
	last, ok := a.seen.at[m.ID]
	if ok && now.Sub(last) < forum.SeenEvery && now.Sub(last) >= 0 && forum.WeekStart(last).Equal(forum.WeekStart(now)) {
		a.seen.mu.Unlock()
		return
	}
	a.seen.at[m.ID] = now
	a.seen.mu.Unlock()
	if err := a.store.NoteSeen(ctx, m.ID); err != nil && ctx.Err() == nil {
		a.log.Error("note seen", "err", err)
		a.seen.mu.Lock()
		delete(a.seen.at, m.ID)
		a.seen.mu.Unlock()
	}
}

// memberStatuses are the statuses the member list filters by.
var memberStatuses = []forum.Status{forum.StatusApproved, forum.StatusPending, forum.StatusRejected, forum.StatusSuspended,
	forum.StatusRemoved, forum.StatusLapsed, forum.StatusWithdrawn, forum.StatusDeleted}

// memberRoles are the roles, for filters and the role form.
var memberRoles = []forum.Role{forum.RoleMember, forum.RoleModerator, forum.RoleAdmin}

// adminMembersPage is the admins' member list.
type adminMembersPage struct {
	Page
	Members  []forum.MemberRow
	Total    int
	PageNum  int
	Pages    int
	Roles    []forum.Role
	Statuses []forum.Status
	Sectors  []string
	Regions  []places.Region
	Seen     []string
	// Query is the filters as a query string (without page), for links.
	Query string
}

// PageURL is the list's page n with the same filters.
func (p *adminMembersPage) PageURL(n int) string {
	q, _ := url.ParseQuery(p.Query)
	q.Set("page", strconv.Itoa(n))
	return "/admin/members?" + q.Encode()
}

// Back is the list as it is, for the role form to come back to.
func (p *adminMembersPage) Back() string {
	q, _ := url.ParseQuery(p.Query)
	if p.PageNum > 1 {
		q.Set("page", strconv.Itoa(p.PageNum))
	}
	if len(q) == 0 {
		return "/admin/members"
	}
	return "/admin/members?" + q.Encode()
}

// parseDay reads a date field (YYYY-MM-DD, Swedish time), zero when empty.
func parseDay(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, i18n.Stockholm)
	if err != nil {
		return time.Time{}, forum.Invalid(field, "admin.members.bad_date")
	}
	return t, nil
}

// memberFilter reads the list's filters from the query.
func memberFilter(c *gin.Context) (forum.MemberFilter, url.Values, error) {
	f := forum.MemberFilter{Q: c.Query("q"), Seen: c.Query("seen")}
	kept := url.Values{}
	for _, k := range []string{"q", "role", "status", "sector", "region", "joined_from", "joined_to", "seen"} {
		if v := c.Query(k); v != "" {
			kept.Set(k, v)
		}
	}
	v := &forum.ValidationError{}
	if r := c.Query("role"); r != "" {
		if !contains(memberRoles, forum.Role(r)) {
			v.Add("role", "error.field.choice")
		}
		f.Role = forum.Role(r)
	}
	if s := c.Query("status"); s != "" {
		if !contains(memberStatuses, forum.Status(s)) {
			v.Add("status", "error.field.choice")
		}
		f.Status = forum.Status(s)
	}
	if s := c.Query("sector"); s != "" {
		if !contains(moderation.Sectors, s) {
			v.Add("sector", "error.field.choice")
		}
		f.Sector = s
	}
	if r := c.Query("region"); r != "" {
		if _, ok := places.RegionByCode(r); !ok {
			v.Add("region", "error.field.choice")
		}
		f.Region = r
	}
	if f.Seen != "" && !contains(forum.SeenFilters, f.Seen) {
		v.Add("seen", "error.field.choice")
	}
	var err error
	if f.JoinedFrom, err = parseDay("joined_from", c.Query("joined_from")); err != nil {
		v.Add("joined_from", "admin.members.bad_date")
	}
	if f.JoinedTo, err = parseDay("joined_to", c.Query("joined_to")); err != nil {
		v.Add("joined_to", "admin.members.bad_date")
	}
	if s := c.Query("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			v.Add("page", "error.page.invalid")
		}
		f.Page = n
	}
	return f, kept, v.Err()
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (a *app) pageAdminMembers(c *gin.Context) error {
	if !viewer(c).IsAdmin() {
		return forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	l := a.loc(c)
	p := &adminMembersPage{Page: a.base(c, "admin.members.title"), Roles: memberRoles, Statuses: memberStatuses,
		Sectors: moderation.Sectors, Regions: places.Regions(), Seen: forum.SeenFilters}
	p.NoIndex = true
	f, kept, err := memberFilter(c)
	p.Query = kept.Encode()
	form := &Form{Values: map[string]string{}, Errors: map[string]string{}, Labels: map[string]string{}}
	for k := range kept {
		form.Values[k] = kept.Get(k)
	}
	p.Form = form
	code := http.StatusOK
	if err != nil {
		var ve *forum.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		form.fill(l, err)
		for _, name := range ve.Order {
			form.Labels[name] = l.T("admin.members.filter." + name)
		}
		code = http.StatusBadRequest
	} else {
		if p.Members, p.Total, err = a.store.AdminMembers(c.Request.Context(), viewer(c), f); err != nil {
			return err
		}
		p.PageNum = max(1, f.Page)
		p.Pages = max(1, (p.Total+forum.MembersPerPage-1)/forum.MembersPerPage)
		if p.PageNum > p.Pages {
			return errNotFound
		}
	}
	return a.render(c, code, "admin_members", p)
}

// Prev and Next are the neighbouring pages, 0 when there is none.
func (p *adminMembersPage) Prev() int {
	if p.PageNum > 1 {
		return p.PageNum - 1
	}
	return 0
}

func (p *adminMembersPage) Next() int {
	if p.PageNum < p.Pages {
		return p.PageNum + 1
	}
	return 0
}

// memberRowJSON is a member in the admins' list API.
type memberRowJSON struct {
	ID          int64   `json:"id"`
	Username    string  `json:"username"`
	DisplayName string  `json:"display_name"`
	Email       string  `json:"email"`
	Role        string  `json:"role"`
	Status      string  `json:"status"`
	Sector      string  `json:"sector"`
	Workplace   string  `json:"workplace"`
	RoleTitle   string  `json:"role_title"`
	JoinedAt    string  `json:"joined_at"`
	LastSeenAt  *string `json:"last_seen_at"`
}

// apiAdminMembers is GET /api/v1/admin/members with the page's filters.
func (a *app) apiAdminMembers(c *gin.Context) error {
	f, _, err := memberFilter(c)
	if err != nil {
		return err
	}
	rows, total, err := a.store.AdminMembers(c.Request.Context(), viewer(c), f)
	if err != nil {
		return err
	}
	out := make([]memberRowJSON, 0, len(rows))
	for _, r := range rows {
		out = append(out, memberRowJSON{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Email: r.Email, Role: string(r.Role),
			Status: string(r.Status), Sector: r.Sector, Workplace: r.Workplace, RoleTitle: r.RoleTitle, JoinedAt: rfc3339(r.JoinedAt),
			LastSeenAt: optTime(r.LastSeenAt)})
	}
	var next any
	if page := max(1, f.Page); page*forum.MembersPerPage < total {
		next = strconv.Itoa(page + 1)
	}
	c.JSON(http.StatusOK, gin.H{"members": out, "total": total, "next_page": next})
	return nil
}
