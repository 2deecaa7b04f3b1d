package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
)

// Events: some discussions of the Träffar category become events, a
// third of them past (the archive) and the rest ahead, with places or
// meeting links, regions, capacities, official network meetings and
// sign-ups — full ones with waiting lists among them. Their titles are
// rewritten before the search index is built, so search finds them.

var eventTitles = []string{
	"Nätverksträff: tillitsbaserad styrning i praktiken", "Frukostmöte om kompetensförsörjning",
	"Studiebesök på ett nytt särskilt boende", "Digital träff: ledarskap på distans",
	"Afterwork för chefer i välfärden", "Nätverksträff med föreläsning och mingel",
	"Mentorsträff för nya chefer", "Lunchseminarium om arbetsmiljö och schema",
	"Fika och erfarenhetsutbyte", "Heldag om förändringsledning",
	"Rundabordssamtal: budget och uppföljning", "Träff om heltid som norm",
}

var eventVenues = []string{
	"Kulturhuset, Sergels torg 3, Stockholm", "Stadsbiblioteket, Götaplatsen, Göteborg", "Malmö stadshus, August Palms plats 1",
	"Uppsala konsert och kongress", "Folkets hus, Umeå", "Länsstyrelsen, Örebro", "Kommunhuset, Mölndal",
	"Regionens hus, Linköping", "Hotell Gävle, konferensvåningen", "Stadshotellet, Växjö",
}

// eventCount is how many events a forum of that size gets.
func eventCount(topics int) int {
	switch {
	case topics <= 0:
		return 0
	case topics < 600:
		// At least a past one, a full one with a waiting list and an
		// upcoming one (seedEvents), however small the forum.
		return max(min(topics, 3), topics/10)
	}
	return topics / 100
}

// seedEvents turns discussions of the Träffar category into events and
// signs members up. It runs in one transaction after the bulk write.
func (p *plan) seedEvents(ctx context.Context, db *sqlx.DB, sum *Summary) error {
	cat := int32(-1) // none: every category is "another"
	for i, c := range p.cats {
		if c.Slug == forum.EventCategorySlug {
			cat = int32(i)
		}
	}
	want := eventCount(len(p.topics))
	// Discussions of Träffar first, then of any category (members post
	// their meetups where they fit).
	var picked []*planTopic
	for _, inCat := range []bool{true, false} {
		for i := range p.topics {
			t := &p.topics[i]
			if len(picked) < want && (t.cat == cat) == inCat && t.kind == kindDiscussion && !t.pinned {
				picked = append(picked, t)
			}
		}
	}
	// A forum of a handful of topics may have too few discussions: its
	// tips and unanswered questions become events too.
	for i := range p.topics {
		t := &p.topics[i]
		if len(picked) < want && (t.kind == kindTip || (t.kind == kindQuestion && t.answer < 0)) && !t.pinned {
			picked = append(picked, t)
		}
	}
	if len(picked) == 0 {
		return nil
	}
	var approved []int64
	for i := range p.members {
		if p.members[i].status == forum.StatusApproved {
			approved = append(approved, p.members[i].id)
		}
	}
	r := rand.New(rand.NewPCG(p.seed, 0xe7e7))
	now := time.Unix(0, p.now).UTC()
	return forum.InTx(ctx, db, func(tx *sqlx.Tx) error {
		insEvent, err := tx.PreparexContext(ctx, `INSERT INTO events (topic_id, starts_at, ends_at, location, online_url, region, capacity, official, sequence, cancelled_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer insEvent.Close()
		insRSVP, err := tx.PreparexContext(ctx, `INSERT INTO event_rsvps (topic_id, member_id, status, queued_at, created_at, updated_at, reminded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer insRSVP.Close()
		for i, t := range picked {
			created := time.Unix(0, t.created).UTC()
			var start time.Time
			past := i%3 == 0
			if past {
				start = created.Add(time.Duration(3+r.IntN(40)) * 24 * time.Hour)
				if !start.Before(now) {
					start = now.Add(-time.Duration(1+r.IntN(30)) * 24 * time.Hour)
				}
			} else {
				start = now.Add(time.Duration(1+r.IntN(120))*24*time.Hour + time.Duration(r.IntN(24))*time.Hour)
			}
			// Events start on the hour, late afternoon Swedish time.
			local := start.In(stockholm)
			start = time.Date(local.Year(), local.Month(), local.Day(), 13+r.IntN(5), 0, 0, 0, stockholm).UTC()
			end := start.Add(time.Duration(1+r.IntN(4)) * time.Hour)
			official := i%7 == 0
			location, online, region := eventVenues[r.IntN(len(eventVenues))], "", forum.Regions[r.IntN(len(forum.Regions))]
			switch r.IntN(4) {
			case 0:
				location, region = "", ""
				online = fmt.Sprintf("https://meet.example/kliv-%d", t.id)
			case 1:
				online = fmt.Sprintf("https://meet.example/kliv-%d", t.id)
			}
			// Every third event with a limit is full, with a waiting list;
			// the second event always is.
			capN := 0
			full := false
			switch {
			case official:
				capN = 130
			case i == 1 || r.IntN(2) == 0:
				capN = 8 + r.IntN(40)
				full = i == 1 || r.IntN(3) == 0
			}
			if full {
				// Fewer seats than members, so a small forum has its
				// waiting list too.
				capN = max(1, min(capN, len(approved)/3))
			}
			var capacity any
			if capN > 0 {
				capacity = capN
			}
			var cancelled any
			if i%17 == 5 {
				cancelled = start.Add(-48 * time.Hour)
			}
			title := eventTitles[r.IntN(len(eventTitles))]
			if official {
				title = "Nätverksträff: " + strings.TrimPrefix(title, "Nätverksträff: ")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE topics SET kind = 'event', title = ? WHERE id = ?`, title, t.id); err != nil {
				return err
			}
			if _, err := insEvent.ExecContext(ctx, t.id, start, end, location, online, region, capacity, official,
				r.IntN(2), cancelled, created, created); err != nil {
				return err
			}
			// Sign-ups: the organiser, then members; a full event fills
			// its seats and gets a waiting list.
			n := 3 + r.IntN(25)
			if full {
				n = capN + 1 + r.IntN(8)
			} else if capN > 0 {
				n = min(n, capN-1)
			}
			if official {
				n = 100 + r.IntN(50) // the first network meeting had 130 participants
			}
			author := p.members[t.author].id
			going := 0
			seen := map[int64]bool{}
			signed := func(mid int64, k int, status string) error {
				if seen[mid] {
					return nil
				}
				seen[mid] = true
				at := created.Add(time.Duration(k+1) * time.Minute)
				if at.After(now) {
					at = now
				}
				var queued any
				if status == forum.RSVPGoing {
					if capN > 0 && going >= capN {
						status, queued = forum.RSVPWaitlisted, at
					} else {
						going++
					}
				}
				var reminded any
				if past && status == forum.RSVPGoing {
					reminded = start.Add(-forum.EventReminderLead)
				}
				_, err := insRSVP.ExecContext(ctx, t.id, mid, status, queued, at, at, reminded)
				return err
			}
			if err := signed(author, 0, forum.RSVPGoing); err != nil {
				return err
			}
			for k, j := range r.Perm(len(approved))[:min(n, len(approved))] {
				status := forum.RSVPGoing
				switch r.IntN(10) {
				case 0:
					status = forum.RSVPMaybe
				case 1:
					status = forum.RSVPNotGoing
				}
				if err := signed(approved[j], k+1, status); err != nil {
					return err
				}
			}
			sum.Kinds[kindNames[t.kind]]--
			sum.Kinds[forum.KindEvent]++
			sum.Events++
		}
		return nil
	})
}

var stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()
