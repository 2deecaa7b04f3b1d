package forum

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/jmoiron/sqlx"
)

// The hand-written scanners of the hot queries (postRow, topicRow) read
// exactly what sqlx reads from the same columns, NULLs included.
func TestScannersMatchSqlx(t *testing.T) {
	s := bkStore(t)
	ctx := context.Background()
	anna, bea := bkMember(t, s, "anna"), bkMember(t, s, "bea")
	tp, first, err := s.CreateTopic(ctx, anna, NewTopic{CategoryID: 1, Kind: KindLink, Title: "Skannat", Body: "Första", URL: "https://skr.se/a"})
	if err != nil {
		t.Fatal(err)
	}
	r1, err := s.CreatePost(ctx, bea, tp.ID, NewPost{Body: "Svar med **fetstil**", ReplyTo: first.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditPost(ctx, bea, r1.ID, "Ändrat svar", 1); err != nil {
		t.Fatal(err)
	}
	r2, err := s.CreatePost(ctx, anna, tp.ID, NewPost{Body: "Till ett svar", ReplyTo: r1.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePost(ctx, bea, r1.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Thank(ctx, bea, first.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLocked(ctx, &Member{ID: anna.ID, Role: RoleAdmin, Status: StatusApproved}, tp.ID, true); err != nil {
		t.Fatal(err)
	}
	// A post whose author's account is gone.
	if _, err := s.DB.Exec(`UPDATE posts SET author_id = NULL WHERE id = ?`, r2.ID); err != nil {
		t.Fatal(err)
	}

	posts, err := s.Posts(ctx, anna, tp.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	cards, err := s.PostCards(ctx, anna, tp.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 3 || len(cards) != 3 {
		t.Fatalf("%d posts, %d cards", len(posts), len(cards))
	}
	for i := range posts {
		var want Post
		if err := sqlx.Get(s.DB, &want, `SELECT `+postCols+postFrom+` WHERE p.id = ?`, posts[i].ID); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(posts[i], want) {
			t.Errorf("post %d scanned\n%+v\nsqlx\n%+v", posts[i].ID, posts[i], want)
		}
		want.Body = ""
		if !reflect.DeepEqual(cards[i], want) {
			t.Errorf("card %d scanned\n%+v\nwant\n%+v", cards[i].ID, cards[i], want)
		}
	}

	var want Topic
	if err := sqlx.Get(s.DB, &want, `SELECT `+topicCols+topicFrom+` WHERE t.id = ?`, tp.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.Topic(ctx, anna, tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("topic scanned\n%+v\nsqlx\n%+v", *got, want)
	}
	list, _, err := s.Topics(ctx, anna, TopicFilter{})
	if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0], want) {
		t.Errorf("topic list %v: %+v", err, list)
	}
	if _, err := s.Topic(ctx, anna, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing topic: %v", err)
	}
}

// TopicReading agrees with TopicUnread and TopicFollow, which it
// replaces on the topic page with one query.
func TestTopicReading(t *testing.T) {
	s := bkStore(t)
	ctx := context.Background()
	anna, bea := bkMember(t, s, "anna"), bkMember(t, s, "bea")
	tp, _, err := s.CreateTopic(ctx, anna, NewTopic{CategoryID: 1, Title: "Läst", Body: "Ett"})
	if err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		topic, err := s.Topic(ctx, bea, tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.TopicReading(ctx, bea.ID, topic)
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.TopicUnread(ctx, bea.ID, tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		f, err := s.TopicFollow(ctx, bea.ID, tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Unread != u || r.Follow != f {
			t.Errorf("%s: reading %+v, unread %+v, follow %q", step, r, u, f)
		}
		// UnreadTopics agrees with Unread over a list.
		list, _, err := s.Topics(ctx, bea, TopicFilter{})
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(list))
		for i := range list {
			ids[i] = list[i].ID
		}
		want, err := s.Unread(ctx, bea.ID, ids)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.UnreadTopics(ctx, bea.ID, list)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: UnreadTopics %+v, Unread %+v", step, got, want)
		}
	}
	check("new")
	// Another topic in another category, read all at once there.
	other, _, err := s.CreateTopic(ctx, anna, NewTopic{CategoryID: 2, Title: "Annan", Body: "Två"})
	if err != nil {
		t.Fatal(err)
	}
	check("two topics")
	if err := s.MarkAllRead(ctx, bea, other.CategoryID); err != nil {
		t.Fatal(err)
	}
	check("other category read")
	for i := 0; i < 3; i++ {
		if _, err := s.CreatePost(ctx, anna, tp.ID, NewPost{Body: "Mer"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.MarkRead(ctx, bea, tp.ID, 2); err != nil {
		t.Fatal(err)
	}
	check("partly read")
	if err := s.SetTopicFollow(ctx, bea, tp.ID, FollowWatching); err != nil {
		t.Fatal(err)
	}
	check("watching")
	if err := s.MarkAllRead(ctx, bea, 1); err != nil {
		t.Fatal(err)
	}
	check("category read")
	if _, err := s.CreatePost(ctx, anna, other.ID, NewPost{Body: "Nytt efter"}); err != nil {
		t.Fatal(err)
	}
	check("new activity after the category was read")
	if err := s.MarkAllRead(ctx, bea, 0); err != nil {
		t.Fatal(err)
	}
	check("all read")
	if got, err := s.UnreadTopics(ctx, 9999, []Topic{*tp}); err != nil || len(got) != 0 {
		t.Errorf("no such member: %v %v", got, err)
	}
	if r, err := s.TopicReading(ctx, 0, tp); err != nil || r != (TopicReading{}) {
		t.Errorf("no reader: %+v %v", r, err)
	}
}
