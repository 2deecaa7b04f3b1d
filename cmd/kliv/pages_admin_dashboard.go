package main

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/i18n"
)

// dashboardOpenReports is the number of open reports on the dashboard.
// The reports table comes with the moderation helper's branch: after the
// merge the lead points this at its count (ok true shows the line).
// Until then it reports nothing and the dashboard leaves the line out.
func (a *app) dashboardOpenReports(ctx context.Context, m *forum.Member) (n int, ok bool, err error) {
	return 0, false, nil
}

// dashboardPage is the moderators' numbers at /mod.
type dashboardPage struct {
	Page
	D *forum.Dashboard
	// Reports is the open reports, shown when HasReports.
	Reports    int
	HasReports bool
	// MaxActive scales the weeks' meters.
	MaxActive int
}

// WaitText is a waiting time in the reader's words.
func (p *dashboardPage) WaitText(d time.Duration) string { return waitDuration(p.L, d) }

// WeekLabel names a week: its number and Monday.
func (p *dashboardPage) WeekLabel(start time.Time) string {
	_, w := start.ISOWeek()
	return p.L.T("admin.dashboard.week", w, p.Date(start))
}

// waitDuration says how long something has waited: minutes, hours or days.
func waitDuration(l i18n.Localizer, d time.Duration) string {
	switch {
	case d < time.Hour:
		return l.N("admin.limit.minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		return l.N("admin.dashboard.hours", int(d/time.Hour))
	}
	return l.N("admin.dashboard.days", int(d/(24*time.Hour)))
}

func (a *app) dashboard(c *gin.Context) (*forum.Dashboard, int, bool, error) {
	ctx, m := c.Request.Context(), viewer(c)
	d, err := a.store.Dashboard(ctx, m)
	if err != nil {
		return nil, 0, false, err
	}
	n, ok, err := a.dashboardOpenReports(ctx, m)
	if err != nil {
		return nil, 0, false, err
	}
	return d, n, ok, nil
}

func (a *app) pageDashboard(c *gin.Context) error {
	d, n, ok, err := a.dashboard(c)
	if err != nil {
		return err
	}
	p := &dashboardPage{Page: a.base(c, "admin.dashboard.title"), D: d, Reports: n, HasReports: ok, MaxActive: 1}
	for _, w := range d.Weeks {
		p.MaxActive = max(p.MaxActive, w.ActiveMembers, w.NewMembers)
	}
	p.NoIndex = true
	return a.render(c, http.StatusOK, "admin_dashboard", p)
}

// apiDashboard is GET /api/v1/mod/dashboard: the same numbers, waits in
// seconds.
func (a *app) apiDashboard(c *gin.Context) error {
	d, n, ok, err := a.dashboard(c)
	if err != nil {
		return err
	}
	weeks := make([]gin.H, 0, len(d.Weeks))
	for _, w := range d.Weeks {
		weeks = append(weeks, gin.H{"week_start": rfc3339(w.Start), "new_members": w.NewMembers, "active_members": w.ActiveMembers})
	}
	out := gin.H{"pending_join_requests": d.Pending, "oldest_wait_seconds": int64(d.OldestWait.Seconds()),
		"median_wait_seconds": int64(d.MedianWait.Seconds()), "weeks": weeks, "open_reports": nil}
	if ok {
		out["open_reports"] = n
	}
	c.JSON(http.StatusOK, out)
	return nil
}
