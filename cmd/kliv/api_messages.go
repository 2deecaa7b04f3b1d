package main

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

type participantJSON struct {
	Username    *string `json:"username"`
	DisplayName *string `json:"display_name"`
}

func participantsJSON(ps []forum.Participant) []participantJSON {
	out := make([]participantJSON, 0, len(ps))
	for _, p := range ps {
		if p.Gone() {
			out = append(out, participantJSON{})
			continue
		}
		u, d := p.Username, p.DisplayName
		out = append(out, participantJSON{Username: &u, DisplayName: &d})
	}
	return out
}

type conversationJSON struct {
	ID            int64             `json:"id"`
	URL           string            `json:"url"`
	Participants  []participantJSON `json:"participants"`
	MessageCount  int               `json:"message_count"`
	Unread        int               `json:"unread"`
	LastMessageAt string            `json:"last_message_at"`
	CreatedAt     string            `json:"created_at"`
	Excerpt       string            `json:"excerpt,omitempty"`
}

func toConversationJSON(cv *forum.Conversation) conversationJSON {
	return conversationJSON{ID: cv.ID, URL: cv.Path(), Participants: participantsJSON(cv.Others), MessageCount: cv.MessageCount,
		Unread: cv.Unread, LastMessageAt: rfc3339(cv.LastMessageAt), CreatedAt: rfc3339(cv.CreatedAt), Excerpt: cv.LastExcerpt}
}

// apiConversations is GET /api/v1/messages: her conversations, latest
// first, paged.
func (a *app) apiConversations(c *gin.Context) error {
	ctx, m := c.Request.Context(), viewer(c)
	cs, next, err := a.store.Conversations(ctx, m, c.Query("page"), 30)
	if err != nil {
		return err
	}
	unread, err := a.store.UnreadConversations(ctx, m.ID)
	if err != nil {
		return err
	}
	out := make([]conversationJSON, 0, len(cs))
	for i := range cs {
		out = append(out, toConversationJSON(&cs[i]))
	}
	c.JSON(http.StatusOK, gin.H{"conversations": out, "unread": unread, "next_page": nextPage(next)})
	return nil
}

// apiStartConversation is POST /api/v1/messages {"to":[usernames],"body"}
// → 201 {"id","url"}.
func (a *app) apiStartConversation(c *gin.Context) error {
	var in struct {
		To   []string `json:"to"`
		Body string   `json:"body"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.allowMessage(c); err != nil {
		return err
	}
	id, err := a.store.StartConversation(c.Request.Context(), viewer(c), forum.NewConversation{
		To: forum.ParseRecipients(strings.Join(in.To, ",")), Body: in.Body})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": id, "url": "/messages/" + strconv.FormatInt(id, 10)})
	return nil
}

type messageJSON struct {
	ID        int64   `json:"id"`
	Author    *string `json:"author"`
	Body      string  `json:"body"`
	BodyHTML  string  `json:"body_html"`
	CreatedAt string  `json:"created_at"`
	Unread    bool    `json:"unread"`
}

// apiConversation is GET /api/v1/messages/{id}?page=: one page of the
// conversation's messages (the last by default), which it marks read.
// Anyone but a participant gets 404.
func (a *app) apiConversation(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	page := 0
	if q := c.Query("page"); q != "" {
		if page, err = strconv.Atoi(q); err != nil || page <= 0 {
			return forum.Invalid("page", "error.page.invalid")
		}
	}
	cv, err := a.store.OpenConversation(c.Request.Context(), viewer(c), id, page)
	if err != nil {
		return err
	}
	msgs := make([]messageJSON, 0, len(cv.Messages))
	for _, x := range cv.Messages {
		j := messageJSON{ID: x.ID, Body: x.Body, BodyHTML: x.BodyHTML, CreatedAt: rfc3339(x.CreatedAt), Unread: x.Unread}
		if u := x.Username(); u != "" {
			j.Author = &u
		}
		msgs = append(msgs, j)
	}
	var next any
	if cv.Page < cv.Pages {
		next = cv.Page + 1
	}
	c.JSON(http.StatusOK, gin.H{"conversation": toConversationJSON(&cv.Conversation), "messages": msgs,
		"page": cv.Page, "pages": cv.Pages, "next_page": next})
	return nil
}

// apiReplyMessage is POST /api/v1/messages/{id} {"body"} → 201 {"id"}.
func (a *app) apiReplyMessage(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.allowMessage(c); err != nil {
		return err
	}
	mid, err := a.store.Reply(c.Request.Context(), viewer(c), id, in.Body)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": mid})
	return nil
}

// apiBlocks is GET /api/v1/me/blocks.
func (a *app) apiBlocks(c *gin.Context) error {
	bs, err := a.store.Blocks(c.Request.Context(), viewer(c))
	if err != nil {
		return err
	}
	out := make([]gin.H, 0, len(bs))
	for _, b := range bs {
		out = append(out, gin.H{"username": b.Username, "display_name": b.DisplayName, "created_at": rfc3339(b.CreatedAt)})
	}
	c.JSON(http.StatusOK, gin.H{"blocks": out, "next_page": nil})
	return nil
}

// apiBlock is POST /api/v1/me/blocks {"username"} → 204.
func (a *app) apiBlock(c *gin.Context) error {
	var in struct {
		Username string `json:"username"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.store.Block(c.Request.Context(), viewer(c), strings.TrimPrefix(strings.TrimSpace(in.Username), "@")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// apiUnblock is DELETE /api/v1/me/blocks/{username} → 204.
func (a *app) apiUnblock(c *gin.Context) error {
	if err := a.store.Unblock(c.Request.Context(), viewer(c), c.Param("username")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
