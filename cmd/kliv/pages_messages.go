package main

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

// allowMessage takes a token of the sender's and of her address's
// message limits.
func (a *app) allowMessage(c *gin.Context) error {
	if !a.messageIP.allow(clientIP(c)) || !a.messageMember.allow("member:"+strconv.FormatInt(viewer(c).ID, 10)) {
		return forum.Refuse(forum.ErrRateLimited, "privacy.error.rate")
	}
	return nil
}

type inboxPage struct {
	Page
	Conversations []forum.Conversation
	Next          string
	Older         bool
}

// Former is how a deleted participant is named.
func (p *Page) Former() string { return p.L.T("post.author_gone") }

// pageInbox lists her conversations, latest first, with unread counts.
func (a *app) pageInbox(c *gin.Context) error {
	cs, next, err := a.store.Conversations(c.Request.Context(), viewer(c), c.Query("page"), 30)
	if err != nil {
		return err
	}
	p := &inboxPage{Page: a.base(c, "privacy.inbox.title"), Conversations: cs, Next: next, Older: c.Query("page") != ""}
	return a.render(c, http.StatusOK, "privacy_inbox", p)
}

type newMessagePage struct {
	Page
	To string
}

// pageNewMessage is the form for a new conversation; ?to= fills in the
// recipients (the "Skicka meddelande" link of a member's page).
func (a *app) pageNewMessage(c *gin.Context) error {
	p := &newMessagePage{Page: a.base(c, "privacy.new.title"), To: c.Query("to")}
	return a.render(c, http.StatusOK, "privacy_new", p)
}

func (a *app) postNewMessage(c *gin.Context) error {
	f := newForm(c, "to", "body")
	err := a.allowMessage(c)
	var id int64
	if err == nil {
		id, err = a.store.StartConversation(c.Request.Context(), viewer(c), forum.NewConversation{
			To: forum.ParseRecipients(c.PostForm("to")), Body: c.PostForm("body")})
	}
	if err != nil {
		if !f.fill(a.loc(c), err) {
			return err
		}
		p := &newMessagePage{Page: a.base(c, "privacy.new.title"), To: c.PostForm("to")}
		p.Form = f
		return a.render(c, formStatus(err), "privacy_new", p)
	}
	return redirect(c, "/messages/"+strconv.FormatInt(id, 10))
}

type conversationPage struct {
	Page
	Conv *forum.ConversationView
}

// PageLinks are the conversation's page numbers, when it has more than
// one.
func (p *conversationPage) PageLinks() []int {
	if p.Conv.Pages <= 1 {
		return nil
	}
	out := make([]int, p.Conv.Pages)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func (a *app) renderConversation(c *gin.Context, code int, f *Form) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	page, _ := strconv.Atoi(c.Query("page"))
	cv, err := a.store.OpenConversation(c.Request.Context(), viewer(c), id, page)
	if err != nil {
		return err
	}
	// Base is read after the conversation is marked read, so the
	// header's count is already right.
	p := &conversationPage{Page: a.base(c, ""), Conv: cv}
	p.Title = p.L.T("privacy.conversation.title", cv.Names(p.Former()))
	p.Form = f
	return a.render(c, code, "privacy_conversation", p)
}

func (a *app) pageConversation(c *gin.Context) error {
	return a.renderConversation(c, http.StatusOK, nil)
}

func (a *app) postReplyMessage(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	f := newForm(c, "body")
	err = a.allowMessage(c)
	var mid int64
	if err == nil {
		mid, err = a.store.Reply(c.Request.Context(), viewer(c), id, c.PostForm("body"))
	}
	if err != nil {
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderConversation(c, formStatus(err), f)
	}
	return redirect(c, "/messages/"+strconv.FormatInt(id, 10)+"#m"+strconv.FormatInt(mid, 10))
}

type blocksPage struct {
	Page
	Blocks []forum.Blocked
}

func (a *app) renderBlocks(c *gin.Context, code int, f *Form) error {
	bs, err := a.store.Blocks(c.Request.Context(), viewer(c))
	if err != nil {
		return err
	}
	p := &blocksPage{Page: a.base(c, "privacy.blocks.title"), Blocks: bs}
	p.Form = f
	return a.render(c, code, "privacy_blocks", p)
}

// pageBlocks lists the members she has blocked, each with Unblock.
func (a *app) pageBlocks(c *gin.Context) error { return a.renderBlocks(c, http.StatusOK, nil) }

func (a *app) postBlock(c *gin.Context) error {
	f := newForm(c, "username")
	name := strings.TrimPrefix(strings.TrimSpace(c.PostForm("username")), "@")
	err := a.store.Block(c.Request.Context(), viewer(c), name)
	if isNotFound(err) {
		err = forum.Invalid("username", "privacy.error.to.unknown", forum.Excerpt(name, 30))
	}
	if err != nil {
		if !f.fill(a.loc(c), err) {
			return err
		}
		return a.renderBlocks(c, formStatus(err), f)
	}
	a.flash(c, "privacy.blocked")
	return redirect(c, "/settings/blocks")
}

func (a *app) postUnblock(c *gin.Context) error {
	if err := a.store.Unblock(c.Request.Context(), viewer(c), c.Param("username")); err != nil {
		return err
	}
	a.flash(c, "privacy.unblocked")
	return redirect(c, "/settings/blocks")
}

type blockMemberPage struct {
	Page
	Member  *forum.Member
	Blocked bool
}

// pageBlockMember asks before blocking a member (or offers to unblock).
func (a *app) pageBlockMember(c *gin.Context) error {
	ctx, me := c.Request.Context(), viewer(c)
	prof, err := a.store.Profile(ctx, me, c.Param("username"))
	if err != nil {
		return err
	}
	blocked, err := a.store.HasBlocked(ctx, me, prof.Username)
	if err != nil {
		return err
	}
	p := &blockMemberPage{Page: a.base(c, "privacy.block.title", prof.DisplayName), Member: &prof.Member, Blocked: blocked}
	return a.render(c, http.StatusOK, "privacy_block", p)
}

func (a *app) postBlockMember(c *gin.Context) error {
	name := c.Param("username")
	if err := a.store.Block(c.Request.Context(), viewer(c), name); err != nil {
		return err
	}
	a.flash(c, "privacy.blocked")
	return redirect(c, "/u/"+name+"/block")
}

func (a *app) postUnblockMember(c *gin.Context) error {
	name := c.Param("username")
	if err := a.store.Unblock(c.Request.Context(), viewer(c), name); err != nil {
		return err
	}
	a.flash(c, "privacy.unblocked")
	return redirect(c, "/u/"+name+"/block")
}

// Body is a message's sanitized HTML, rendered by the forum's pipeline
// when it was saved.
func (p *conversationPage) Body(m *forum.PrivateMessage) rendered { return rendered(m.BodyHTML) }
