package main

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/forum/avatar"
	"kliv/forum/places"
)

// profileJSON is a profile's fields in the API: all of them for her
// own, and for others only the fields she shows (a hidden field's key is
// left out, not sent empty).
func profileJSON(p *forum.Profile) gin.H {
	out := gin.H{"display_name": p.DisplayName, "initials": p.Initials()}
	show := func(field string) bool { return p.Own || p.Shows(field) }
	if show("workplace") {
		out["workplace"] = p.Workplace
	}
	if show("role") {
		out["role"] = p.RoleTitle
	}
	if show("sector") {
		out["sector"] = p.Sector
	}
	if show("region") {
		out["region"], out["region_name"] = p.Region, p.RegionName()
	}
	if show("municipality") {
		out["municipality"], out["municipality_name"] = p.Municipality, p.MunicipalityName()
	}
	if show("areas") {
		areas := p.Areas
		if areas == nil {
			areas = []string{}
		}
		out["areas"] = areas
	}
	if show("bio") {
		out["bio"], out["bio_html"] = p.Bio, p.BioHTML
	}
	if show("avatar") {
		var u any
		if path := p.AvatarPath(); path != "" {
			u = path
		}
		out["avatar_url"] = u
	}
	return out
}

// memberJSON is another member as the API shows her.
func memberJSON(p *forum.Profile) gin.H {
	return gin.H{
		"username":     p.Username,
		"display_name": p.DisplayName,
		"url":          "/u/" + p.Username,
		"member_since": p.MemberSince().UTC().Format(time.RFC3339),
		"profile":      profileJSON(p),
	}
}

// apiMember is one member's profile: 404 for an unknown, deleted or
// not (yet) approved account.
func (a *app) apiMember(c *gin.Context) error {
	p, err := a.store.Profile(c.Request.Context(), viewer(c), c.Param("username"))
	if err != nil {
		return err
	}
	m := memberJSON(p)
	m["post_count"], m["topic_count"] = p.PostCount, p.TopicCount
	c.JSON(http.StatusOK, gin.H{"member": m})
	return nil
}

// apiMembers is the directory: the same filters as /members, paged.
func (a *app) apiMembers(c *gin.Context) error {
	f := directoryFilter(c)
	ms, next, err := a.store.Directory(c.Request.Context(), viewer(c), f)
	if err != nil {
		return err
	}
	out := make([]gin.H, 0, len(ms))
	for i := range ms {
		out = append(out, memberJSON(&ms[i]))
	}
	var np any
	if next > 0 {
		np = next
	}
	c.JSON(http.StatusOK, gin.H{"members": out, "next_page": np})
	return nil
}

// meProfileJSON is her own profile and visibility, as GET and PATCH
// /api/v1/me answer them; role_title is kept beside role for the
// clients that read it before profiles could be edited.
func meProfileJSON(p *forum.Profile) (gin.H, map[string]bool) {
	prof := profileJSON(p)
	prof["role_title"] = p.RoleTitle
	return prof, p.Shown.Map()
}

// profileStringFields are the keys PATCH /api/v1/me takes in "profile"
// as strings; "role_title" is the older name of "role".
var profileStringFields = map[string]bool{"display_name": true, "workplace": true, "role": true, "role_title": true,
	"sector": true, "region": true, "municipality": true, "bio": true}

// apiPatchMe changes the profile fields and visibilities named in
// {"profile":{…},"visible":{…}}; what is not named keeps its value.
func (a *app) apiPatchMe(c *gin.Context) error {
	var body map[string]json.RawMessage
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	v := &forum.ValidationError{}
	var u forum.ProfileUpdate
	for key, raw := range body {
		switch key {
		case "profile":
			var prof map[string]json.RawMessage
			if err := json.Unmarshal(raw, &prof); err != nil || prof == nil {
				v.Add("profile", "error.field.type")
				continue
			}
			for k, val := range prof {
				switch {
				case k == "areas":
					var areas []string
					if err := json.Unmarshal(val, &areas); err != nil {
						v.Add("areas", "error.field.type")
						continue
					}
					u.Areas = &areas
				case profileStringFields[k]:
					var s string
					if err := json.Unmarshal(val, &s); err != nil {
						v.Add(k, "error.field.type")
						continue
					}
					switch k {
					case "display_name":
						u.DisplayName = &s
					case "workplace":
						u.Workplace = &s
					case "role", "role_title":
						u.RoleTitle = &s
					case "sector":
						u.Sector = &s
					case "region":
						u.Region = &s
					case "municipality":
						u.Municipality = &s
					case "bio":
						u.Bio = &s
					}
				default:
					v.Add(k, "profiles.error.unknown_field")
				}
			}
		case "visible":
			var vis map[string]json.RawMessage
			if err := json.Unmarshal(raw, &vis); err != nil || vis == nil {
				v.Add("visible", "error.field.type")
				continue
			}
			u.Visible = map[string]bool{}
			for k, val := range vis {
				var b bool
				if err := json.Unmarshal(val, &b); err != nil {
					v.Add("visible."+k, "error.field.type")
					continue
				}
				u.Visible[k] = b
			}
		default:
			v.Add(key, "profiles.error.unknown_field")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	p, err := a.store.UpdateProfile(c.Request.Context(), viewer(c), u)
	if err != nil {
		return err
	}
	prof, vis := meProfileJSON(p)
	c.JSON(http.StatusOK, gin.H{"username": p.Username, "profile": prof, "visible": vis})
	return nil
}

// apiPutAvatar takes the picture as the request body (any image
// content type) and answers with the new avatar's URL.
func (a *app) apiPutAvatar(c *gin.Context) error {
	img, err := avatar.Process(c.Request.Body)
	if err != nil {
		return avatarError(err)
	}
	m := viewer(c)
	if err := a.store.SetAvatar(c.Request.Context(), m, img); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"avatar_url": "/u/" + m.Username + "/avatar?v=" + img.Hash})
	return nil
}

func (a *app) apiDeleteAvatar(c *gin.Context) error {
	if err := a.store.DeleteAvatar(c.Request.Context(), viewer(c)); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// apiProfileChoices lists the codes a profile takes, with their names in
// the reader's language: regions, municipalities (with their region),
// sectors, areas of responsibility and the fields that can be hidden.
func (a *app) apiProfileChoices(c *gin.Context) error {
	l := a.loc(c)
	named := func(prefix string, codes []string) []gin.H {
		out := make([]gin.H, 0, len(codes))
		for _, code := range codes {
			out = append(out, gin.H{"code": code, "name": l.T(prefix + code)})
		}
		return out
	}
	c.JSON(http.StatusOK, gin.H{
		"regions":        places.Regions(),
		"municipalities": places.Municipalities(),
		"sectors":        named("sector.", forum.ProfileSectors),
		"areas":          named("profiles.area.", forum.Areas),
		"visible_fields": forum.VisibleFields,
	})
	return nil
}
