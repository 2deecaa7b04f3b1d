package main

import "github.com/gin-gonic/gin"

// eventsRoutes adds events: the list, the archive and the month view,
// creating, editing and cancelling, sign-ups, the attendee list and its
// export, messages to those going, .ics files, the private calendar feed
// (s: it authenticates by its token) and the JSON API.
func (a *app) eventsRoutes(s, member, apiMember *gin.RouterGroup) {
	h := a.h
	member.GET("/events", h(a.pageEvents))
	member.GET("/events/archive", h(a.pageArchive))
	member.GET("/events/new", h(a.pageNewEvent))
	member.POST("/events/new", h(a.postNewEvent))
	member.GET("/events/:id", h(a.getEventFile))
	member.GET("/events/:id/edit", h(a.pageEditEvent))
	member.POST("/events/:id/edit", h(a.postEditEvent))
	member.POST("/events/:id/cancel", h(a.postCancelEvent))
	member.POST("/events/:id/official", h(a.postOfficial))
	member.POST("/events/:id/rsvp", h(a.postRSVP))
	member.GET("/events/:id/attendees", h(a.pageAttendees))
	member.GET("/events/:id/attendees.csv", h(a.getAttendeesCSV))
	member.GET("/events/:id/message", h(a.pageMessage))
	member.POST("/events/:id/message", h(a.postMessage))

	s.GET("/feeds/events.ics", h(a.feedEvents))
	s.HEAD("/feeds/events.ics", h(a.feedEvents))

	apiMember.GET("/events", h(a.apiEvents))
	apiMember.POST("/events", h(a.apiCreateEvent))
	apiMember.GET("/events/:id", h(a.apiEvent))
	apiMember.PATCH("/events/:id", h(a.apiEditEvent))
	apiMember.POST("/events/:id/cancel", h(a.apiCancelEvent))
	apiMember.POST("/events/:id/rsvp", h(a.apiRSVP))
	apiMember.GET("/events/:id/attendees", h(a.apiAttendees))
	apiMember.POST("/events/:id/message", h(a.apiMessageAttendees))
	apiMember.POST("/events/:id/official", h(a.apiSetOfficial(true)))
	apiMember.DELETE("/events/:id/official", h(a.apiSetOfficial(false)))
}
