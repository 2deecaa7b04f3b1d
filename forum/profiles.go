package forum

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"kliv/forum/avatar"
	"kliv/forum/markdown"
	"kliv/forum/places"
)

// Areas are the areas of responsibility a member picks from, by code;
// their names are in the catalogs as "profiles.area.<code>".
var Areas = []string{
	"elderly_care", "home_care", "disability", "social_services", "child_family", "addiction",
	"financial_aid", "preschool", "school", "upper_secondary", "adult_education", "health_care",
	"primary_care", "psychiatry", "labour_market", "hr", "finance", "digitalisation", "quality",
}

// ProfileSectors are the sectors a profile may name (as join requests do).
var ProfileSectors = []string{"state", "region", "municipality", "other"}

// VisibleFields are the profile fields a member shows or hides from
// other members, in the order the settings page lists them. Her display
// name, username and when she joined always show.
var VisibleFields = []string{"workplace", "role", "sector", "region", "municipality", "areas", "bio", "avatar"}

// Profile limits, in characters.
const (
	MaxBioLen       = 2000
	MaxWorkplaceLen = 200
	MaxRoleLen      = 200
	MaxNameLen      = 80
)

// Shown says which profile fields other members see.
type Shown struct {
	ShowWorkplace    bool `db:"show_workplace"`
	ShowRole         bool `db:"show_role"`
	ShowSector       bool `db:"show_sector"`
	ShowRegion       bool `db:"show_region"`
	ShowMunicipality bool `db:"show_municipality"`
	ShowAreas        bool `db:"show_areas"`
	ShowBio          bool `db:"show_bio"`
	ShowAvatar       bool `db:"show_avatar"`
}

// flags are the fields of s by name, to read or set.
func (s *Shown) flags() map[string]*bool {
	return map[string]*bool{
		"workplace": &s.ShowWorkplace, "role": &s.ShowRole, "sector": &s.ShowSector, "region": &s.ShowRegion,
		"municipality": &s.ShowMunicipality, "areas": &s.ShowAreas, "bio": &s.ShowBio, "avatar": &s.ShowAvatar,
	}
}

// Map returns the choices by field name (VisibleFields).
func (s Shown) Map() map[string]bool {
	out := make(map[string]bool, len(VisibleFields))
	for k, p := range s.flags() {
		out[k] = *p
	}
	return out
}

// Shows reports whether the field is shown.
func (s Shown) Shows(field string) bool {
	p, ok := s.flags()[field]
	return ok && *p
}

// Profile is a member as another member sees her (or as she sees
// herself): display name, organisation, role, sector, region,
// municipality, areas, bio and avatar, and what she has written. For
// another reader the fields she hides are empty.
type Profile struct {
	// Member holds her account's public part (id, username, display
	// name, role, status, dates) and her role line (RoleTitle,
	// Workplace, Sector); e-mail and password hash are never read.
	Member
	Region       string `db:"region"`
	Municipality string `db:"municipality"`
	Bio          string `db:"bio"`
	BioHTML      string `db:"bio_html"`
	AvatarHash   string `db:"avatar_hash"`
	Shown
	Areas      []string `db:"-"`
	PostCount  int      `db:"post_count"`
	TopicCount int      `db:"topic_count"`
	// Own is true when the reader is she herself: nothing is hidden.
	Own bool `db:"-"`
}

// MemberSince is when she became a member.
func (p *Profile) MemberSince() time.Time {
	if p.ApprovedAt.Valid {
		return p.ApprovedAt.Time
	}
	return p.CreatedAt
}

// RegionName is her region's name, or "".
func (p *Profile) RegionName() string { return places.RegionName(p.Region) }

// MunicipalityName is her municipality's name, or "".
func (p *Profile) MunicipalityName() string { return places.MunicipalityName(p.Municipality) }

// Initials are her avatar letters.
func (p *Profile) Initials() string { return Initials(p.DisplayName) }

// AvatarPath is her avatar's URL (changing with the picture), or "".
func (p *Profile) AvatarPath() string {
	if p.AvatarHash == "" {
		return ""
	}
	return "/u/" + p.Username + "/avatar?v=" + p.AvatarHash
}

// mask clears what she hides from others.
func (p *Profile) mask() {
	if p.Own {
		return
	}
	if !p.ShowWorkplace {
		p.Workplace = ""
	}
	if !p.ShowRole {
		p.RoleTitle = ""
	}
	if !p.ShowSector {
		p.Sector = ""
	}
	if !p.ShowRegion {
		p.Region = ""
	}
	if !p.ShowMunicipality {
		p.Municipality = ""
	}
	if !p.ShowAreas {
		p.Areas = nil
	}
	if !p.ShowBio {
		p.Bio, p.BioHTML = "", ""
	}
	if !p.ShowAvatar {
		p.AvatarHash = ""
	}
}

const profileCols = `m.id, m.username, m.display_name, m.role, m.status, m.created_at, m.approved_at,
	m.role_title, m.workplace, m.sector, m.region, m.municipality, m.bio, m.bio_html, m.avatar_hash,
	m.show_workplace, m.show_role, m.show_sector, m.show_region, m.show_municipality, m.show_areas, m.show_bio, m.show_avatar`

// Profile returns an approved member's profile for another member (or
// for herself). Applicants, rejected, removed and deleted accounts have
// no profile: ErrNotFound.
func (s *Store) Profile(ctx context.Context, viewer *Member, username string) (*Profile, error) {
	if !viewer.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	var p Profile
	err := s.DB.GetContext(ctx, &p, `SELECT `+profileCols+`,
			(SELECT COUNT(*) FROM posts WHERE author_id = m.id AND deleted_at IS NULL) AS post_count,
			(SELECT COUNT(*) FROM topics WHERE author_id = m.id) AS topic_count
		FROM members m WHERE m.username = ? AND m.status = 'approved'`, username)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", translate(err))
	}
	p.Own = p.ID == viewer.ID
	if err := s.loadAreas(ctx, []*Profile{&p}); err != nil {
		return nil, err
	}
	p.mask()
	return &p, nil
}

// MyProfile is m's own profile, nothing hidden.
func (s *Store) MyProfile(ctx context.Context, m *Member) (*Profile, error) {
	if m == nil {
		return nil, ErrUnauthenticated
	}
	var p Profile
	if err := s.DB.GetContext(ctx, &p, `SELECT `+profileCols+`, 0 AS post_count, 0 AS topic_count FROM members m WHERE m.id = ?`, m.ID); err != nil {
		return nil, fmt.Errorf("my profile: %w", translate(err))
	}
	p.Own = true
	if err := s.loadAreas(ctx, []*Profile{&p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// loadAreas fills the profiles' areas, in the order of Areas.
func (s *Store) loadAreas(ctx context.Context, ps []*Profile) error {
	if len(ps) == 0 {
		return nil
	}
	byID := make(map[int64]*Profile, len(ps))
	ids := make([]int64, 0, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
		ids = append(ids, p.ID)
	}
	q, args, err := sqlx.In(`SELECT member_id, area FROM member_areas WHERE member_id IN (?)`, ids)
	if err != nil {
		return err
	}
	rows, err := s.DB.QueryContext(ctx, s.DB.Rebind(q), args...)
	if err != nil {
		return fmt.Errorf("areas: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var area string
		if err := rows.Scan(&id, &area); err != nil {
			return err
		}
		if p := byID[id]; p != nil {
			p.Areas = append(p.Areas, area)
		}
	}
	for _, p := range ps {
		slices.SortFunc(p.Areas, func(a, b string) int { return slices.Index(Areas, a) - slices.Index(Areas, b) })
	}
	return rows.Err()
}

// ProfileUpdate is a change to a member's profile: nil fields keep
// their value (PATCH semantics), and Visible names only the fields
// whose visibility changes.
type ProfileUpdate struct {
	DisplayName  *string
	Workplace    *string
	RoleTitle    *string
	Sector       *string
	Region       *string
	Municipality *string
	Bio          *string
	Areas        *[]string
	Visible      map[string]bool
}

// UpdateProfile validates and saves a change to actor's own profile in
// one transaction. Region, municipality, sector and areas must be known
// codes and the municipality must lie in the region; a municipality
// without a region gives its region. Errors are per field.
func (s *Store) UpdateProfile(ctx context.Context, actor *Member, u ProfileUpdate) (*Profile, error) {
	if !actor.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	cur, err := s.MyProfile(ctx, actor)
	if err != nil {
		return nil, err
	}
	v := &ValidationError{}
	next := *cur
	if u.DisplayName != nil {
		next.DisplayName = CheckText(v, "display_name", *u.DisplayName, 1, MaxNameLen, false)
	}
	if u.Workplace != nil {
		next.Workplace = CheckText(v, "workplace", *u.Workplace, 0, MaxWorkplaceLen, false)
	}
	if u.RoleTitle != nil {
		next.RoleTitle = CheckText(v, "role", *u.RoleTitle, 0, MaxRoleLen, false)
	}
	if u.Sector != nil {
		next.Sector = strings.TrimSpace(*u.Sector)
		if next.Sector != "" && !slices.Contains(ProfileSectors, next.Sector) {
			v.Add("sector", "error.field.choice")
		}
	}
	if u.Region != nil {
		next.Region = strings.TrimSpace(*u.Region)
		if _, ok := places.RegionByCode(next.Region); next.Region != "" && !ok {
			v.Add("region", "error.field.choice")
		}
	}
	if u.Municipality != nil {
		next.Municipality = strings.TrimSpace(*u.Municipality)
	}
	if next.Municipality != "" && !v.Has("region") {
		mu, ok := places.MunicipalityByCode(next.Municipality)
		switch {
		case !ok:
			v.Add("municipality", "error.field.choice")
		case next.Region == "" || (u.Region == nil && u.Municipality != nil):
			// Naming a municipality alone names its region too.
			next.Region = mu.Region
		case mu.Region != next.Region && u.Municipality == nil:
			// A new region drops a municipality outside it.
			next.Municipality = ""
		case mu.Region != next.Region:
			v.Add("municipality", "profiles.error.municipality_region")
		}
	}
	if u.Areas != nil {
		next.Areas = nil
		for _, a := range *u.Areas {
			a = strings.TrimSpace(a)
			if a == "" || slices.Contains(next.Areas, a) {
				continue
			}
			if !slices.Contains(Areas, a) {
				v.Add("areas", "error.field.choice")
				break
			}
			next.Areas = append(next.Areas, a)
		}
	}
	if u.Bio != nil {
		next.Bio = CheckText(v, "bio", *u.Bio, 0, MaxBioLen, true)
		if !v.Has("bio") {
			next.BioHTML = ""
			if next.Bio != "" {
				html, err := s.MD.Render(next.Bio)
				if errors.Is(err, markdown.ErrBusy) {
					return nil, err
				}
				if err != nil {
					v.Add("bio", "error.markdown.complex")
				}
				next.BioHTML = html
			}
		}
	}
	flags := next.Shown.flags()
	for k, show := range u.Visible {
		p, ok := flags[k]
		if !ok {
			v.Add("visible."+k, "profiles.error.unknown_field")
			continue
		}
		*p = show
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// Only what changed is written, so two edits of different fields at
	// once both keep theirs.
	var sets []string
	var args []any
	set := func(col string, changed bool, val any) {
		if changed {
			sets = append(sets, col+" = ?")
			args = append(args, val)
		}
	}
	set("display_name", u.DisplayName != nil, next.DisplayName)
	set("workplace", u.Workplace != nil, next.Workplace)
	set("role_title", u.RoleTitle != nil, next.RoleTitle)
	set("sector", u.Sector != nil, next.Sector)
	set("region", next.Region != cur.Region || u.Region != nil, next.Region)
	set("municipality", next.Municipality != cur.Municipality || u.Municipality != nil, next.Municipality)
	set("bio", u.Bio != nil, next.Bio)
	set("bio_html", u.Bio != nil, next.BioHTML)
	nextFlags := next.Shown.flags()
	for _, f := range VisibleFields {
		_, named := u.Visible[f]
		set("show_"+f, named, *nextFlags[f])
	}
	err = InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		if len(sets) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE members SET `+strings.Join(sets, ", ")+` WHERE id = ?`, append(args, actor.ID)...); err != nil {
				return err
			}
		}
		if u.Areas == nil {
			return nil
		}
		return setAreas(ctx, tx, actor.ID, next.Areas)
	})
	if err != nil {
		return nil, fmt.Errorf("update profile: %w", err)
	}
	return s.MyProfile(ctx, actor)
}

// setAreas replaces a member's areas of responsibility.
func setAreas(ctx context.Context, ext sqlx.ExtContext, memberID int64, areas []string) error {
	if _, err := ext.ExecContext(ctx, `DELETE FROM member_areas WHERE member_id = ?`, memberID); err != nil {
		return err
	}
	for _, a := range areas {
		if _, err := ext.ExecContext(ctx, `INSERT INTO member_areas (member_id, area) VALUES (?, ?)`, memberID, a); err != nil {
			return err
		}
	}
	return nil
}

// FillPlace sets a newly approved member's region and municipality from
// her workplace's name ("Mölndals stad" is in Mölndal, Västra Götalands
// län), when the name says and she has named none; she corrects it on
// her profile.
func FillPlace(ctx context.Context, ext sqlx.ExtContext, memberID int64, workplace string) error {
	region, municipality := places.Guess(workplace)
	if region == "" {
		return nil
	}
	_, err := ext.ExecContext(ctx, `UPDATE members SET region = ?, municipality = ? WHERE id = ? AND region = '' AND municipality = ''`,
		region, municipality, memberID)
	return err
}

// DirectoryPageSize is how many members a directory page lists.
const DirectoryPageSize = 30

// DirectoryFilter is what the directory is asked for. Empty fields do
// not filter.
type DirectoryFilter struct {
	// Q matches her name, username or (if she shows it) organisation,
	// word by word.
	Q            string
	Region       string
	Municipality string
	Sector       string
	Area         string
	// Role matches her role or title (if she shows it).
	Role string
	// Page counts from 1.
	Page int
}

// MaxDirectoryPage bounds the page asked for: 30 × 10,000 members.
const MaxDirectoryPage = 10_000

// Directory lists approved members by name for another member, each as
// she shows herself, and the next page's number (0 on the last page). A
// filter on a field matches only members who show that field, so a
// hidden region cannot be found out by filtering on it.
func (s *Store) Directory(ctx context.Context, viewer *Member, f DirectoryFilter) ([]Profile, int, error) {
	if !viewer.IsMember() {
		return nil, 0, Refuse(ErrForbidden, "error.not_member")
	}
	v := &ValidationError{}
	f.Q = CheckText(v, "q", f.Q, 0, 100, false)
	f.Role = CheckText(v, "role", f.Role, 0, 100, false)
	if _, ok := places.RegionByCode(f.Region); f.Region != "" && !ok {
		v.Add("region", "error.field.choice")
	}
	if _, ok := places.MunicipalityByCode(f.Municipality); f.Municipality != "" && !ok {
		v.Add("municipality", "error.field.choice")
	}
	if f.Sector != "" && !slices.Contains(ProfileSectors, f.Sector) {
		v.Add("sector", "error.field.choice")
	}
	if f.Area != "" && !slices.Contains(Areas, f.Area) {
		v.Add("area", "error.field.choice")
	}
	if err := v.Err(); err != nil {
		return nil, 0, err
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.Page > MaxDirectoryPage {
		return nil, 0, nil
	}
	where := []string{"m.status = 'approved'"}
	var args []any
	for _, w := range strings.Fields(f.Q) {
		pats := likePatterns(w)
		var or []string
		for _, p := range pats {
			or = append(or, `m.display_name LIKE ? ESCAPE '\'`)
			args = append(args, p)
		}
		or = append(or, `m.username LIKE ? ESCAPE '\'`)
		args = append(args, pats[0])
		for _, p := range pats {
			or = append(or, `(m.show_workplace = TRUE AND m.workplace LIKE ? ESCAPE '\')`)
			args = append(args, p)
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	if f.Role != "" {
		var or []string
		for _, p := range likePatterns(f.Role) {
			or = append(or, `m.role_title LIKE ? ESCAPE '\'`)
			args = append(args, p)
		}
		where = append(where, "m.show_role = TRUE AND ("+strings.Join(or, " OR ")+")")
	}
	if f.Region != "" {
		where = append(where, "m.region = ? AND m.show_region = TRUE")
		args = append(args, f.Region)
	}
	if f.Municipality != "" {
		where = append(where, "m.municipality = ? AND m.show_municipality = TRUE")
		args = append(args, f.Municipality)
	}
	if f.Sector != "" {
		where = append(where, "m.sector = ? AND m.show_sector = TRUE")
		args = append(args, f.Sector)
	}
	if f.Area != "" {
		where = append(where, "m.show_areas = TRUE AND m.id IN (SELECT member_id FROM member_areas WHERE area = ?)")
		args = append(args, f.Area)
	}
	args = append(args, DirectoryPageSize+1, (f.Page-1)*DirectoryPageSize)
	var ps []Profile
	err := sqlx.SelectContext(ctx, s.DB, &ps, s.DB.Rebind(`SELECT `+profileCols+`, 0 AS post_count, 0 AS topic_count
		FROM members m WHERE `+strings.Join(where, " AND ")+`
		ORDER BY `+s.Dialect().NoCase("m.display_name")+`, m.id LIMIT ? OFFSET ?`), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("directory: %w", err)
	}
	next := 0
	if len(ps) > DirectoryPageSize {
		ps, next = ps[:DirectoryPageSize], f.Page+1
	}
	ptrs := make([]*Profile, len(ps))
	for i := range ps {
		ps[i].Own = ps[i].ID == viewer.ID
		ptrs[i] = &ps[i]
	}
	if err := s.loadAreas(ctx, ptrs); err != nil {
		return nil, 0, err
	}
	for i := range ps {
		ps[i].mask()
	}
	return ps, next, nil
}

// likePatterns are LIKE patterns for a word anywhere in a text: SQLite
// folds only ASCII case, so the word is tried in lower case and with a
// capital first letter ("åsa" finds "Åsa").
func likePatterns(w string) []string {
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	lower := strings.ToLower(w)
	pats := []string{"%" + esc.Replace(lower) + "%"}
	r, n := utf8.DecodeRuneInString(lower)
	if title := string(unicode.ToUpper(r)) + lower[n:]; title != lower {
		pats = append(pats, "%"+esc.Replace(title)+"%")
	}
	return pats
}

// RecentPost is one of a member's latest posts, for her page.
type RecentPost struct {
	ID         int64     `db:"id"`
	TopicID    int64     `db:"topic_id"`
	TopicTitle string    `db:"topic_title"`
	Seq        int       `db:"seq"`
	CreatedAt  time.Time `db:"created_at"`
}

// Path is the post's stable link.
func (p *RecentPost) Path() string { return fmt.Sprintf("/p/%d", p.ID) }

// RecentPosts lists a member's latest replies (first posts are her
// topics, listed apart), newest first.
func (s *Store) RecentPosts(ctx context.Context, viewer *Member, memberID int64, limit int) ([]RecentPost, error) {
	if !viewer.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	var ps []RecentPost
	err := s.DB.SelectContext(ctx, &ps, `SELECT p.id, p.topic_id, t.title AS topic_title, p.seq, p.created_at
		FROM posts p JOIN topics t ON t.id = p.topic_id
		WHERE p.author_id = ? AND p.deleted_at IS NULL AND p.seq > 1
		ORDER BY p.id DESC LIMIT ?`, memberID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent posts: %w", err)
	}
	return ps, nil
}

// SetAvatar keeps a processed picture as actor's avatar, replacing any
// earlier one.
func (s *Store) SetAvatar(ctx context.Context, actor *Member, img *avatar.Image) error {
	if !actor.IsMember() {
		return Refuse(ErrForbidden, "error.not_member")
	}
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO avatars (member_id, hash, content_type, image, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (member_id) DO UPDATE SET hash = excluded.hash, content_type = excluded.content_type,
				image = excluded.image, updated_at = excluded.updated_at`,
			actor.ID, img.Hash, img.ContentType, img.Data, s.now()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE members SET avatar_hash = ? WHERE id = ?`, img.Hash, actor.ID)
		return err
	})
}

// DeleteAvatar removes actor's avatar; her initials show instead.
func (s *Store) DeleteAvatar(ctx context.Context, actor *Member) error {
	if !actor.IsMember() {
		return Refuse(ErrForbidden, "error.not_member")
	}
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM avatars WHERE member_id = ?`, actor.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE members SET avatar_hash = '' WHERE id = ?`, actor.ID)
		return err
	})
}

// AvatarImage is a stored avatar.
type AvatarImage struct {
	Hash        string    `db:"hash"`
	ContentType string    `db:"content_type"`
	Data        []byte    `db:"image"`
	UpdatedAt   time.Time `db:"updated_at"`
}

// Avatar returns a member's avatar for viewer: ErrNotFound when she has
// none, hides it, or is no approved member.
func (s *Store) Avatar(ctx context.Context, viewer *Member, username string) (*AvatarImage, error) {
	if !viewer.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	var img AvatarImage
	err := s.DB.GetContext(ctx, &img, `SELECT a.hash, a.content_type, a.image, a.updated_at
		FROM members m JOIN avatars a ON a.member_id = m.id
		WHERE m.username = ? AND m.status = 'approved' AND (m.show_avatar = TRUE OR m.id = ?)`, username, viewer.ID)
	if err != nil {
		return nil, fmt.Errorf("avatar: %w", translate(err))
	}
	return &img, nil
}
