package main

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

// topicToolJSON answers a topic tool with the topic as it now is.
func (a *app) topicToolJSON(c *gin.Context, code int, id int64) error {
	t, err := a.store.Topic(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	c.JSON(code, gin.H{"topic": toTopicJSON(t)})
	return nil
}

// apiPin pins a topic: {"category": true, "home": true}; with neither
// named it is pinned in its category.
func (a *app) apiPin(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Category *bool `json:"category"`
		Home     *bool `json:"home"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	scope := forum.PinScope{Category: in.Category == nil && in.Home == nil}
	if in.Category != nil {
		scope.Category = *in.Category
	}
	if in.Home != nil {
		scope.Home = *in.Home
	}
	if err := a.store.SetPinned(c.Request.Context(), viewer(c), id, scope); err != nil {
		return err
	}
	return a.topicToolJSON(c, http.StatusOK, id)
}

func (a *app) apiUnpin(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if err := decodeJSON(c, &struct{}{}); err != nil {
		return err
	}
	if err := a.store.SetPinned(c.Request.Context(), viewer(c), id, forum.PinScope{}); err != nil {
		return err
	}
	return a.topicToolJSON(c, http.StatusOK, id)
}

// apiClose closes a question ({"closed": false} opens it again).
func (a *app) apiClose(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Closed *bool `json:"closed"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.store.SetClosed(c.Request.Context(), viewer(c), id, in.Closed == nil || *in.Closed); err != nil {
		return err
	}
	return a.topicToolJSON(c, http.StatusOK, id)
}

// apiMove moves a topic: {"category_id"}.
func (a *app) apiMove(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		CategoryID int64 `json:"category_id"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.store.MoveTopic(c.Request.Context(), viewer(c), id, in.CategoryID); err != nil {
		return err
	}
	return a.topicToolJSON(c, http.StatusOK, id)
}

// apiSplit splits replies off: {"post_ids", "title", "category_id"};
// 201 with the new topic.
func (a *app) apiSplit(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		PostIDs    []int64 `json:"post_ids"`
		Title      string  `json:"title"`
		CategoryID int64   `json:"category_id"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	t, err := a.store.SplitTopic(c.Request.Context(), viewer(c), id, forum.Split{PostIDs: in.PostIDs, Title: in.Title, CategoryID: in.CategoryID})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": t.ID, "url": t.Path(), "topic": toTopicJSON(t)})
	return nil
}
